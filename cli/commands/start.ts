import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import {
  CliError,
  consoleUrl,
  ExitCode,
  resolveRegion,
  runVerb,
  setting,
  STATE_MACHINE_ENV,
  toCliError,
  type CommonOptions,
  type OperatorDeps,
} from './operator-context';

/**
 * `msk-migrate start FILE [--name NAME]`: validates the input as ValidateInput would, starts one execution (one
 * migration) and prints where to follow it. Nothing is started when the input is invalid.
 */

interface StartOptions extends CommonOptions {
  readonly name?: string;
  readonly stateMachineArn?: string;
}

export interface Started {
  readonly executionArn: string;
  readonly name: string;
  readonly startDate: string;
  readonly region: string;
  readonly consoleUrl: string;
}

// Step Functions execution names: 1–80 characters, none of whitespace, < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;
const hasControlCharacter = (s: string): boolean =>
  [...s].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f));

/** `<migrationId>-<yyyymmddThhmmss>`, cut to Step Functions' 80 characters. */
export function defaultExecutionName(migrationId: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const base = migrationId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80 - stamp.length - 1);
  return `${base}-${stamp}`;
}

export async function startMigration(file: string, options: StartOptions, deps: OperatorDeps): Promise<Started> {
  let text: string;
  try {
    text = await deps.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new CliError(
        'FILE_NOT_FOUND',
        `No file ${file}.`,
        ExitCode.NOT_FOUND,
        'Give the path of the migration input (see examples/).',
      );
    throw new CliError('FILE_UNREADABLE', `Cannot read ${file}: ${(err as Error).message}`, ExitCode.INVALID_INPUT);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new CliError('INPUT_NOT_JSON', `${file} is not JSON: ${(err as Error).message}`, ExitCode.INVALID_INPUT);
  }
  const validation = deps.validateInput(input);
  if (!validation.valid) {
    throw new CliError(
      'INPUT_INVALID',
      `${file} is not a valid migration input (${validation.issues.length} problem${validation.issues.length === 1 ? '' : 's'}):\n${validation.issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
      ExitCode.INVALID_INPUT,
      'Fix the fields above; nothing was started.',
      { issues: validation.issues },
    );
  }
  const stateMachineArn = setting(
    options.stateMachineArn,
    deps.env,
    STATE_MACHINE_ENV,
    'state machine',
    '--state-machine-arn',
  );
  const migrationId =
    typeof (input as { migrationId?: unknown }).migrationId === 'string'
      ? (input as { migrationId: string }).migrationId
      : 'migration';
  const name = options.name ?? defaultExecutionName(migrationId, deps.now());
  if (!NAME.test(name) || hasControlCharacter(name)) {
    throw new CliError(
      'NAME_INVALID',
      `"${name}" cannot name an execution.`,
      ExitCode.INVALID_INPUT,
      'Use at most 80 characters, without spaces or any of < > { } [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /',
    );
  }
  const region = resolveRegion(options, deps.env, stateMachineArn);
  try {
    const out = await deps.clients
      .sfn(region)
      .send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    const executionArn = out.executionArn ?? '';
    return {
      executionArn,
      name,
      startDate: (out.startDate ?? deps.now()).toISOString(),
      region,
      consoleUrl: consoleUrl(region, executionArn),
    };
  } catch (err) {
    if ((err as Error).name === 'ExecutionAlreadyExists') {
      throw new CliError(
        'EXECUTION_EXISTS',
        `An execution named ${name} already exists (names stay taken for 90 days).`,
        ExitCode.INVALID_INPUT,
        'Choose another --name, or follow it with `msk-migrate status ' + name + '`.',
      );
    }
    throw toCliError(err, { region, action: 'states:StartExecution on the orchestrator' });
  }
}

export function registerStart(program: Command, deps: OperatorDeps): Command {
  return program
    .command('start')
    .description('Validate a migration input and start its execution; prints the console link')
    .argument('<file>', 'migration input (JSON)')
    .option('--name <name>', 'execution name (default: <migrationId>-<timestamp>)')
    .option('--state-machine-arn <arn>', `the orchestrator (default: $${STATE_MACHINE_ENV})`)
    .option('--region <region>', "AWS Region (default: the ARN's, else $AWS_REGION)")
    .option('--json', 'print the result (or the error) as JSON')
    .action(async (file: string, options: StartOptions) =>
      runVerb(deps, options, async () => {
        const started = await startMigration(file, options, deps);
        return {
          data: started,
          text: [
            `Started ${started.name}`,
            `  execution: ${started.executionArn}`,
            `  console:   ${started.consoleUrl}`,
            `Follow it with: msk-migrate status ${started.executionArn}`,
          ].join('\n'),
        };
      }),
    );
}
