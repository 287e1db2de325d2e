import type { Command } from 'commander';
import {
  planPauseModel,
  describePauseAssumptions,
  describePauseModel,
  type PauseModel,
} from '../../lambdas/core/cutover/pause-model';
import { checkPlan } from '../../lambdas/core/plan/check-plan';
import type { HistoryBudget } from '../../lambdas/core/plan/history-budget';
import { planNotes, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { parseRuntime, RUNTIMES, type Runtime } from '../../lambdas/core/plan/runtimes';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';
import { CliError, ExitCode, runVerb, type CommonOptions, type OperatorDeps } from './operator-context';

/**
 * `msk-migrate validate FILE [--json] [--runtime aws|local]`: the check ValidateInput runs (lambdas/core/plan/check-plan.ts),
 * on the operator's machine, before anything is started; for the deployed workflow unless `--runtime local` (the
 * rehearsal). Exit 0 and a one-line summary when valid; exit 2 with every problem by field path when not (also for a
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
  /** The runtime it was checked for: AWS (the deployed workflow) or LOCAL (the rehearsal). */
  readonly runtime: Runtime;
  /** The plan as the workflow will see it, defaults applied. */
  readonly plan: MigrationPlan;
  /** Its worst-case history events per path and the poll cadence it gets (lambdas/core/plan/history-budget.ts). */
  readonly historyBudget: {
    readonly limit: number;
    readonly paths: Readonly<Record<string, number>>;
    readonly cadence: HistoryBudget['cadence'];
    /** A plan in waves: the events each wave after the first adds to the worst path. */
    readonly perWave?: number;
  };
  /** A plan in waves: each wave in the order it runs, with what it moves, behind which pointer, decided by whom. */
  readonly waves?: readonly ValidatedWave[];
  /**
   * The write pause this plan's cutover is expected to impose on AWS (lambdas/core/cutover/pause-model.ts): the
   * deployed definition's states, the plan's cadence, settle and clients' notice, reference work and start figures.
   */
  readonly expectedPause: PauseModel;
  /** Limits of what the plan asks for that no check can lift (lambdas/core/plan/migration-plan.ts planNotes). */
  readonly notes: readonly string[];
}

/** One wave as `validate` lists it. */
export interface ValidatedWave {
  readonly name: string;
  readonly team?: string;
  /** CONSUMERS_FIRST: only its consumers move (`waves[].consumersFirst`); else its producers and consumers. */
  readonly moves: 'CONSUMERS_FIRST' | 'PRODUCERS_AND_CONSUMERS';
  /** Its topics' producers never move (`waves[].producersStay`): the replicator is kept after the migration. */
  readonly producersStay?: true;
  readonly topics: readonly string[];
  readonly consumerGroups: readonly string[];
  readonly switch: string;
  readonly switches: readonly string[];
  /** Who decides its cutover: `waves[].approvers`, else approval.approvers (none: the e-mail recipients). */
  readonly approvers: readonly string[];
}

function wavesOf(plan: MigrationPlan): ValidatedWave[] | undefined {
  const approverLabel = (a: NonNullable<MigrationPlan['approval']['approvers']>[number]): string =>
    typeof a === 'string' ? a : (a.email ?? a.slackUserId ?? a.iamArn ?? a.name ?? '?');
  return plan.waves?.map((w) => ({
    name: w.name,
    ...(w.team ? { team: w.team } : {}),
    moves: w.consumersFirst ? 'CONSUMERS_FIRST' : 'PRODUCERS_AND_CONSUMERS',
    ...(w.producersStay ? { producersStay: true as const } : {}),
    topics: w.topics,
    consumerGroups: w.consumerGroups,
    switch: switchLabel(w.switch ?? plan.cutover.switch),
    switches: w.switches,
    approvers: (w.approvers ?? plan.approval.approvers ?? []).map(approverLabel),
  }));
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

export async function validatePlanFile(
  file: string,
  deps: Pick<OperatorDeps, 'readFile'>,
  runtime: Runtime = 'AWS',
): Promise<ValidatedPlan> {
  const input = await readJsonFile(file, deps);
  const validation = checkPlan(input, runtime, WORKFLOW_DEFINITION);
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
  const { plan, budget } = validation;
  return {
    valid: true,
    file,
    migrationId: plan.migrationId,
    source: clusterName(plan.source.clusterArn),
    target: targetLabel(plan.target),
    engine: plan.replication.engine,
    switch: switchLabel(plan.cutover.switch),
    runtime,
    plan,
    historyBudget: {
      limit: budget.limit,
      paths: Object.fromEntries(budget.paths.map((p) => [p.end, p.events])),
      cadence: budget.cadence,
      ...(budget.perWave !== undefined ? { perWave: budget.perWave } : {}),
    },
    ...(plan.waves ? { waves: wavesOf(plan) } : {}),
    expectedPause: planPauseModel(plan, WORKFLOW_DEFINITION),
    notes: planNotes(plan),
  };
}

const PATH_LABELS: ReadonlyArray<readonly [string, string]> = [
  ['forward', 'MigrationSucceeded'],
  ['rollback', 'MigrationRolledBack'],
  ['failback', 'MigrationFailedBack'],
];

export function summaryLine(v: ValidatedPlan): string {
  const n = (x: number | undefined) => (x ?? 0).toLocaleString('en-US');
  const b = v.historyBudget;
  return (
    `${v.file}: valid. ${v.migrationId}: ${v.source} → ${v.target}, ${v.engine}, switch ${v.switch}\n` +
    `History budget (worst case, events of ${n(b.limit)}): ${PATH_LABELS.map(([label, end]) => `${label} ${n(b.paths[end])}`).join(', ')}; ` +
    `polls every ${b.cadence.pollIntervalSeconds} s (catch-up), ${b.cadence.drainPollSeconds} s (drain), ${b.cadence.healthPollSeconds} s (rollback window)\n` +
    `Expected write pause at the cutover (modeled on AWS, replication p99 ${v.expectedPause.replicationP99Ms / 1000} s assumed): ${describePauseModel(v.expectedPause)}; producers' delivery.timeout.ms ${v.plan.cutover.producerDeliveryTimeoutMs / 1000} s\n` +
    `The model assumes ${describePauseAssumptions(v.expectedPause)} (round trips counted from the code; npm run bench:cutover counts them in the rehearsal)` +
    wavesLines(v) +
    v.notes.map((note) => `\nNote: ${note}`).join('')
  );
}

/** The waves in the order they run, and what each costs the history budget. */
function wavesLines(v: ValidatedPlan): string {
  if (!v.waves) return '';
  const n = (x: number) => x.toLocaleString('en-US');
  const head = `\nWaves (${v.waves.length}, in this order, one execution; each wave after the first adds up to ${n(v.historyBudget.perWave ?? 0)} events to the worst path; a failback after the last wave returns every wave):`;
  return (
    head +
    v.waves
      .map(
        (w, i) =>
          `\n  ${i + 1}. ${w.name}${w.team ? ` (${w.team})` : ''}: ${w.moves !== 'CONSUMERS_FIRST' ? 'producers and consumers' : w.producersStay ? 'consumers first (producers stay on the source for good: the replicator is kept after the migration, until finish-replication)' : 'consumers first (producers stay on the source)'}; topics ${w.topics.join(', ')}; groups ${w.consumerGroups.join(', ') || 'none'}; pointer ${w.switch}${w.switches.length > 0 ? `; client switches ${w.switches.join(', ')}` : ''}; approved by ${w.approvers.join(', ') || 'the approval e-mail recipients'}`,
      )
      .join('')
  );
}

export function registerValidate(program: Command, deps: OperatorDeps): Command {
  return program
    .command('validate')
    .description(
      'Check a migration input as the ValidateInput state would (every problem by field path); calls nothing in AWS',
    )
    .argument('<file>', 'migration input (JSON)')
    .option('--json', 'print the result (or the problems) as JSON')
    .option(
      '--runtime <runtime>',
      `the runtime that will run it: ${RUNTIMES.map((r) => r.toLowerCase()).join(' or ')}`,
      'aws',
    )
    .action(async (file: string, options: CommonOptions & { runtime: string }) =>
      runVerb(deps, options, async () => {
        const runtime = parseRuntime(options.runtime);
        if (!runtime)
          throw new CliError(
            'USAGE',
            `--runtime ${options.runtime}: expected ${RUNTIMES.map((r) => r.toLowerCase()).join(' or ')}`,
            ExitCode.INVALID_INPUT,
          );
        const validated = await validatePlanFile(file, deps, runtime);
        return { data: validated, text: summaryLine(validated) };
      }),
    );
}
