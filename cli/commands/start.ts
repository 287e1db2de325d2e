import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { aliasArnOf, executionNameFor } from '../../lambdas/core/execution/names';
import {
  CliError,
  consoleUrl,
  executionArnOf,
  ExitCode,
  resolveRegion,
  awsVerb,
  setting,
  STATE_MACHINE_ENV,
  toCliError,
  type CommonOptions,
  type OperatorDeps,
} from './operator-context';
import { readJsonFile } from './validate';

/**
 * `msk-migrate start FILE [--attempt N]`: validates the input as ValidateInput would and starts the migration's one
 * execution, through the state machine's `live` alias (the version the last deploy published), and prints where to
 * follow it. Nothing is started when the input is invalid, or when the migration already has an execution by that
 * name: the name is the migration ID (`<id>-attempt-<n>` from the second attempt on), so a second start of a running
 * migration is refused, naming the running execution. (The workflow's lock refuses a second migration of the same
 * source cluster, target or pointer under another ID.)
 */

interface StartOptions extends CommonOptions {
  readonly attempt?: string;
  readonly stateMachineArn?: string;
}

export interface Started {
  readonly executionArn: string;
  readonly name: string;
  readonly startDate: string;
  readonly region: string;
  readonly consoleUrl: string;
}

/** StartExecution with the same name and input as a RUNNING execution returns that execution (idempotent start). */
const SAME_EXECUTION_SLACK_MS = 60_000;

export async function startMigration(file: string, options: StartOptions, deps: OperatorDeps): Promise<Started> {
  const input = await readJsonFile(file, deps);
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
  const migrationId = (input as { migrationId: string }).migrationId;
  const attempt = options.attempt === undefined ? 1 : Number(options.attempt);
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > 999)
    throw new CliError(
      'ATTEMPT_INVALID',
      `--attempt ${options.attempt} is not a whole number from 1 to 999.`,
      ExitCode.INVALID_INPUT,
      'Give the attempt number of this migration: 1 (the default) for its first execution.',
    );
  const name = executionNameFor(migrationId, attempt);
  const executionArn = executionArnOf(name, stateMachineArn);
  const region = resolveRegion(options, deps.env, stateMachineArn);
  const sfn = deps.clients.sfn(region);
  const running = (arn: string, startDate: Date | undefined): CliError =>
    new CliError(
      'MIGRATION_RUNNING',
      `Migration ${migrationId} is already running as execution ${arn}${startDate ? ` (started ${startDate.toISOString()})` : ''}: one migration, one execution.`,
      ExitCode.RUNTIME,
      `Follow it with \`msk-migrate status ${arn}\`, or stop it with \`msk-migrate abort ${arn}\`.`,
      { executionArn: arn },
    );
  try {
    const existing = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (existing.status === 'RUNNING') throw running(executionArn, existing.startDate);
    throw new CliError(
      'EXECUTION_EXISTS',
      `Migration ${migrationId} already has execution ${name}, which ended ${existing.status ?? ''}${existing.stopDate ? ` at ${existing.stopDate.toISOString()}` : ''} (names stay taken for 90 days).`,
      ExitCode.INVALID_INPUT,
      `Start the migration again with \`msk-migrate start ${file} --attempt ${attempt + 1}\`, or read that execution's report with \`msk-migrate report ${name}\`.`,
      { executionArn },
    );
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as Error).name !== 'ExecutionDoesNotExist')
      throw toCliError(err, { region, action: 'states:DescribeExecution on the orchestrator' });
  }
  const requestedAt = deps.now();
  try {
    const out = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: aliasArnOf(stateMachineArn), name, input: JSON.stringify(input) }),
    );
    const startedArn = out.executionArn ?? executionArn;
    // Another `start` of the same plan won the race: Step Functions returned its running execution, not a new one.
    if (out.startDate && out.startDate.getTime() < requestedAt.getTime() - SAME_EXECUTION_SLACK_MS)
      throw running(startedArn, out.startDate);
    return {
      executionArn: startedArn,
      name,
      startDate: (out.startDate ?? requestedAt).toISOString(),
      region,
      consoleUrl: consoleUrl(region, startedArn),
    };
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as Error).name === 'ExecutionAlreadyExists') {
      throw new CliError(
        'EXECUTION_EXISTS',
        `Migration ${migrationId} already has an execution named ${name}, with another input (names stay taken for 90 days).`,
        ExitCode.INVALID_INPUT,
        `Follow it with \`msk-migrate status ${name}\`, or start a new attempt with \`--attempt ${attempt + 1}\`.`,
      );
    }
    throw toCliError(err, { region, action: 'states:StartExecution on the orchestrator' });
  }
}

export function registerStart(program: Command, deps: OperatorDeps): Command {
  const command = program
    .command('start')
    .description('Validate a migration input and start its execution; prints the console link')
    .argument('<file>', 'migration input (JSON)')
    .option('--attempt <n>', 'attempt number of this migration: the execution is <migrationId>[-attempt-<n>]', '1')
    .option('--state-machine-arn <arn>', `the orchestrator (default: $${STATE_MACHINE_ENV})`);
  return awsVerb(command, deps, async (file: string, options: StartOptions) => {
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
  });
}
