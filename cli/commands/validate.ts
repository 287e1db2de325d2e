import type { Command } from 'commander';
import { validateMigrationPlan, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { CliError, ExitCode, runVerb, type CommonOptions, type OperatorDeps } from './operator-context';

/**
 * `msk-migrate validate FILE [--json]`: the check ValidateInput runs, on the operator's machine, before anything is
 * started. Exit 0 and a one-line summary when valid; exit 2 with every problem by field path when not (also for a
 * file that is not JSON or cannot be read); exit 3 when there is no such file. Nothing is called in AWS.
 */

export interface ValidatedPlan {
  readonly valid: true;
  readonly file: string;
  readonly migrationId: string;
  readonly source: string;
  readonly target: string;
  readonly engine: MigrationPlan['replication']['engine'];
  readonly switch: string;
  /** The plan as the workflow will see it, defaults applied. */
  readonly plan: MigrationPlan;
}

/** A file's text parsed as JSON, or the error a person can act on (start and validate read the input alike). */
export async function readJsonFile(file: string, deps: Pick<OperatorDeps, 'readFile'>): Promise<unknown> {
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
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new CliError(
      'INPUT_NOT_JSON',
      `${file} is not JSON: ${(err as Error).message}`,
      ExitCode.INVALID_INPUT,
      'The migration input is one JSON object (see examples/).',
    );
  }
}

/** `cluster/<name>/<uuid>` → `<name>`. */
const clusterName = (arn: string): string => arn.split('/')[1] ?? arn;

function targetLabel(target: MigrationPlan['target']): string {
  if (target.clusterArn) return `${clusterName(target.clusterArn)} (${target.type})`;
  if (target.create) return `a new ${target.type} cluster`;
  const servers = target.bootstrapServers ?? [];
  return `${servers[0] ?? '?'}${servers.length > 1 ? ` +${servers.length - 1}` : ''} (${target.type})`;
}

function switchLabel(cutoverSwitch: MigrationPlan['cutover']['switch']): string {
  switch (cutoverSwitch.type) {
    case 'SSM_PARAMETER':
      return `SSM parameter ${cutoverSwitch.parameterName}`;
    case 'ROUTE53':
      return `Route 53 ${cutoverSwitch.recordType} ${cutoverSwitch.recordName}`;
    case 'HOOK':
      return `hook ${cutoverSwitch.functionArn.split(':')[6] ?? cutoverSwitch.functionArn}`;
    case 'LOCAL_FILE':
      return `file ${cutoverSwitch.path}`;
  }
}

export async function validatePlanFile(file: string, deps: Pick<OperatorDeps, 'readFile'>): Promise<ValidatedPlan> {
  const input = await readJsonFile(file, deps);
  const validation = validateMigrationPlan(input);
  if (!validation.valid) {
    const issues = validation.issues;
    throw new CliError(
      'INPUT_INVALID',
      `${file} is not a valid migration input (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
      ExitCode.INVALID_INPUT,
      'Fix the fields above (docs/input-contract.md lists every field).',
      { issues },
    );
  }
  const { plan } = validation;
  return {
    valid: true,
    file,
    migrationId: plan.migrationId,
    source: clusterName(plan.source.clusterArn),
    target: targetLabel(plan.target),
    engine: plan.replication.engine,
    switch: switchLabel(plan.cutover.switch),
    plan,
  };
}

export function summaryLine(v: ValidatedPlan): string {
  return `${v.file}: valid. ${v.migrationId}: ${v.source} → ${v.target}, ${v.engine}, switch ${v.switch}`;
}

export function registerValidate(program: Command, deps: OperatorDeps): Command {
  return program
    .command('validate')
    .description(
      'Check a migration input as the ValidateInput state would (every problem by field path); calls nothing in AWS',
    )
    .argument('<file>', 'migration input (JSON)')
    .option('--json', 'print the result (or the problems) as JSON')
    .action(async (file: string, options: CommonOptions) =>
      runVerb(deps, options, async () => {
        const validated = await validatePlanFile(file, deps);
        return { data: validated, text: summaryLine(validated) };
      }),
    );
}
