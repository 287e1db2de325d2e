import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { formatDuration } from '../../lambdas/core/observability/notification-message';
import { evidenceKeys } from '../../lambdas/workflow/catalogue';
import { loopFigures, type LoopFigures } from './loop-figures';
import {
  CliError,
  consoleUrl,
  EVIDENCE_BUCKET_ENV,
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
import { DECISION_EFFECT, guideFor, type ApprovalKind, type Phase, type StateGuide } from './workflow-states';

/**
 * `msk-migrate status [EXECUTION]`: where a migration stands. From DescribeExecution and the execution history
 * (paged, newest first, bounded): the current state, its phase (cli/commands/workflow-states.ts, one row per ASL
 * state) and how long it has been there, the time spent per state, what the execution waits for (a person's approval
 * with its ID and how to decide, the next poll of a loop with the loop's last gate figures and its deadline, a task),
 * the evidence the state carries, and for a stopped execution its outcome and the error that led there.
 * Without EXECUTION: the newest running execution, else the newest one.
 */

interface StatusOptions extends CommonOptions {
  readonly stateMachineArn?: string;
  readonly bucket?: string;
}

/** Pages of 1,000 events read at most (newest first): enough for days of a 60 s catch-up loop. */
export const MAX_HISTORY_PAGES = 30;

/**
 * The ResultPaths of the workflow (top-level keys of the execution state) that `status` summarises, in workflow
 * order, derived from the workflow catalogue (lambdas/workflow/catalogue.ts). `input`, `identity`, `execution` and
 * `settings` are left out: they are the plan, not evidence. A unit test checks every ResultPath of the ASL is here.
 */
export const EVIDENCE_KEYS: readonly string[] = evidenceKeys();

export interface PhaseTime {
  readonly state: string;
  readonly phase: Phase | null;
  /** How many times it was entered (a poll loop enters its states once per iteration). */
  readonly visits: number;
  readonly firstEnteredAt: string;
  readonly lastExitedAt: string | null;
  readonly seconds: number;
}

export interface PendingApproval {
  readonly approvalId: string;
  readonly kind?: ApprovalKind;
  readonly expiresAt?: string;
  /** The commands that decide it (operators with IAM rights; approvers use the e-mail link or the Slack buttons). */
  readonly approveCommand: string;
  readonly rejectCommand: string;
}

export interface ExecutionStatus {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly migrationId: string | null;
  readonly startDate: string;
  readonly stopDate: string | null;
  readonly region: string;
  readonly consoleUrl: string;
  /** The state the execution is in (RUNNING) or ended in. */
  readonly currentState: {
    readonly name: string;
    readonly type: string;
    readonly since: string;
    readonly seconds: number;
  } | null;
  /** Its phase; null for a state this CLI does not know (an ASL newer than the CLI). */
  readonly phase: Phase | null;
  readonly branch: StateGuide['branch'] | null;
  readonly waitingFor: {
    readonly kind: 'APPROVAL' | 'POLL' | 'TASK' | 'NOTHING';
    readonly description: string;
    readonly approvals?: PendingApproval[];
    /** APPROVAL: what approving and rejecting lead to. */
    readonly onApprove?: string;
    readonly onReject?: string;
  };
  /** The current poll loop's last figures (catch-up evaluations, drain progress, window remaining, …). */
  readonly gate: LoopFigures | null;
  readonly phases: PhaseTime[];
  /** The latest value of each ResultPath in the execution state. */
  readonly evidence: Partial<Record<string, unknown>>;
  /** A stopped execution: how it ended (the report's outcome), from its last state. */
  readonly outcome: StateGuide['outcome'] | null;
  /** The execution's error (the Fail state's name, e.g. Migration.RolledBack) and cause. */
  readonly error: { readonly error: string | null; readonly cause: string | null } | null;
  /** The error a Catch recorded in the state (`$.error`): what sent the execution to its rollback or report branch. */
  readonly caughtError: { readonly error: string | null; readonly cause: string | null } | null;
  /** True when older events were not read (MAX_HISTORY_PAGES): the phase times start later than the execution. */
  readonly historyTruncated: boolean;
}

async function readHistory(
  deps: OperatorDeps,
  region: string,
  executionArn: string,
): Promise<{ events: HistoryEvent[]; truncated: boolean }> {
  const newestFirst: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const out = await deps.clients.sfn(region).send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 1000,
        includeExecutionData: true,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    newestFirst.push(...(out.events ?? []));
    nextToken = out.nextToken;
    if (!nextToken) return { events: newestFirst.reverse(), truncated: false };
  }
  return { events: newestFirst.reverse(), truncated: true };
}

const iso = (d: Date | undefined): string => (d ?? new Date(0)).toISOString();

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The RequestApproval Lambda's output in a `.waitForTaskToken` TaskSubmitted event (`{Payload: {approvalId, …}}`). */
function submittedApproval(output: string | undefined): { approvalId: string; expiresAt?: string } | undefined {
  const parsed = parseJson(output);
  let payload: unknown = isObject(parsed) ? (parsed.Payload ?? parsed) : undefined;
  if (typeof payload === 'string') payload = parseJson(payload);
  if (!isObject(payload) || typeof payload.approvalId !== 'string') return undefined;
  return {
    approvalId: payload.approvalId,
    ...(typeof payload.expiresAt === 'string' ? { expiresAt: payload.expiresAt } : {}),
  };
}

/** State times, current and last state, the newest execution state seen, and the approval a callback task waits on. */
export function analyseHistory(events: readonly HistoryEvent[], now: Date) {
  const open = new Map<string, { at: Date; type: string }>();
  const phases = new Map<string, { visits: number; first: Date; lastExit: Date | null; seconds: number }>();
  let latestState: unknown;
  let current: { name: string; type: string; at: Date } | null = null;
  let last: { name: string; type: string; at: Date } | null = null;
  let submitted: { approvalId: string; expiresAt?: string } | undefined;

  for (const e of events) {
    const type = e.type ?? '';
    const at = e.timestamp ?? now;
    if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
      const name = e.stateEnteredEventDetails.name;
      const stateType = type.replace('StateEntered', '');
      open.set(name, { at, type: stateType });
      const p = phases.get(name) ?? { visits: 0, first: at, lastExit: null, seconds: 0 };
      p.visits += 1;
      phases.set(name, p);
      current = { name, type: stateType, at };
      last = current;
      submitted = undefined;
      const input = parseJson(e.stateEnteredEventDetails.input);
      if (input !== undefined) latestState = input;
    } else if (type.endsWith('StateExited') && e.stateExitedEventDetails?.name) {
      const name = e.stateExitedEventDetails.name;
      const entered = open.get(name);
      const p = phases.get(name);
      if (entered && p) {
        p.seconds += (at.getTime() - entered.at.getTime()) / 1000;
        p.lastExit = at;
      }
      open.delete(name);
      const output = parseJson(e.stateExitedEventDetails.output);
      if (output !== undefined) latestState = output;
      if (current?.name === name) current = null;
    } else if (type === 'TaskSubmitted') {
      submitted = submittedApproval(e.taskSubmittedEventDetails?.output) ?? submitted;
    }
  }
  // A state still open counts until now.
  for (const [name, entered] of open) {
    const p = phases.get(name);
    if (p) p.seconds += (now.getTime() - entered.at.getTime()) / 1000;
  }
  return {
    phases: [...phases.entries()].map(([state, p]): PhaseTime => ({
      state,
      phase: guideFor(state)?.phase ?? null,
      visits: p.visits,
      firstEnteredAt: p.first.toISOString(),
      lastExitedAt: p.lastExit ? p.lastExit.toISOString() : null,
      seconds: Math.round(p.seconds),
    })),
    current,
    last,
    latestState,
    submitted,
  };
}

async function pendingApprovals(
  deps: OperatorDeps,
  region: string,
  bucket: string,
  migrationId: string,
  executionName: string,
): Promise<string[]> {
  const prefix = `migrations/${migrationId}/${executionName}/approvals/`;
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await deps.clients
      .s3(region)
      .send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
      );
    keys.push(...(out.Contents ?? []).map((o) => o.Key ?? ''));
    token = out.NextContinuationToken;
    if (!token) break;
  }
  const ids = new Map<string, { requested: boolean; decided: boolean }>();
  for (const key of keys) {
    const [id, ...rest] = key.slice(prefix.length).split('/');
    if (!id) continue;
    const entry = ids.get(id) ?? { requested: false, decided: false };
    if (rest.join('/') === 'request.json') entry.requested = true;
    if (rest[0] === 'audit' && /-decided-/.test(rest[1] ?? '')) entry.decided = true;
    ids.set(id, entry);
  }
  return [...ids.entries()].filter(([, e]) => e.requested && !e.decided).map(([approvalId]) => approvalId);
}

const decideCommands = (approvalId: string): Pick<PendingApproval, 'approveCommand' | 'rejectCommand'> => ({
  approveCommand: `msk-migrate approve ${approvalId}`,
  rejectCommand: `msk-migrate reject ${approvalId} --reason "…"`,
});

function caughtError(value: unknown): ExecutionStatus['caughtError'] {
  if (!isObject(value) || (typeof value.Error !== 'string' && typeof value.Cause !== 'string')) return null;
  let cause = typeof value.Cause === 'string' ? value.Cause : null;
  // A Lambda error's Cause is `{errorType, errorMessage, trace}`: keep the message, never the stack.
  const inner = parseJson(cause ?? undefined);
  if (isObject(inner) && typeof inner.errorMessage === 'string') cause = inner.errorMessage;
  return { error: typeof value.Error === 'string' ? value.Error : null, cause: cause ? cause.slice(0, 2000) : null };
}

async function resolveExecution(
  execution: string | undefined,
  options: StatusOptions,
  deps: OperatorDeps,
): Promise<string> {
  const stateMachineArn = options.stateMachineArn ?? deps.env[STATE_MACHINE_ENV];
  if (execution) return executionArnOf(execution, stateMachineArn);
  const arn = setting(
    stateMachineArn,
    deps.env,
    STATE_MACHINE_ENV,
    'state machine (to find its latest execution)',
    '--state-machine-arn',
  );
  const region = resolveRegion(options, deps.env, arn);
  try {
    const sfn = deps.clients.sfn(region);
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING', maxResults: 1 }),
    );
    const latest =
      running.executions?.[0] ??
      (await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }))).executions?.[0];
    if (!latest?.executionArn)
      throw new CliError(
        'NO_EXECUTIONS',
        'The orchestrator has no executions yet.',
        ExitCode.NOT_FOUND,
        'Start one with `msk-migrate start input.json`.',
      );
    return latest.executionArn;
  } catch (err) {
    throw toCliError(err, { region, action: 'states:ListExecutions on the orchestrator' });
  }
}

export async function describeMigration(
  execution: string | undefined,
  options: StatusOptions,
  deps: OperatorDeps,
): Promise<ExecutionStatus> {
  const executionArn = await resolveExecution(execution, options, deps);
  const region = resolveRegion(options, deps.env, executionArn);
  const now = deps.now();
  try {
    const described = await deps.clients.sfn(region).send(new DescribeExecutionCommand({ executionArn }));
    const { events, truncated } = await readHistory(deps, region, executionArn);
    const history = analyseHistory(events, now);
    const input = parseJson(described.input);
    const state = isObject(history.latestState) ? history.latestState : isObject(input) ? input : {};
    const identity = isObject(state.identity) ? state.identity : {};
    const migrationId =
      typeof identity.migrationId === 'string'
        ? identity.migrationId
        : isObject(input) && typeof input.migrationId === 'string'
          ? input.migrationId
          : null;
    const name = described.name ?? executionArn.split(':').pop() ?? executionArn;
    const executionName = typeof identity.executionName === 'string' ? identity.executionName : name;
    const status = described.status ?? 'UNKNOWN';
    const evidence: ExecutionStatus['evidence'] = {};
    for (const key of EVIDENCE_KEYS) if (key in state) evidence[key] = state[key];

    const running = status === 'RUNNING';
    const where = running ? (history.current ?? history.last) : history.last;
    const guide = where ? guideFor(where.name) : undefined;
    const gate = running && guide?.loop ? loopFigures(guide.loop, state, now) : null;

    let waitingFor: ExecutionStatus['waitingFor'];
    if (!running) {
      waitingFor = {
        kind: 'NOTHING',
        description: guide?.kind === 'END' ? guide.waitsFor : `nothing: the execution is ${status}`,
      };
    } else if (!where) {
      waitingFor = { kind: 'TASK', description: 'the first state to start' };
    } else if (guide?.kind === 'APPROVAL' && guide.approval) {
      const effect = DECISION_EFFECT[guide.approval];
      let approvals: PendingApproval[] = history.submitted
        ? [{ ...history.submitted, kind: guide.approval, ...decideCommands(history.submitted.approvalId) }]
        : [];
      const bucket = options.bucket ?? deps.env[EVIDENCE_BUCKET_ENV];
      if (approvals.length === 0 && bucket && migrationId) {
        approvals = (await pendingApprovals(deps, region, bucket, migrationId, executionName)).map((approvalId) => ({
          approvalId,
          kind: guide.approval,
          ...decideCommands(approvalId),
        }));
      }
      const first = approvals[0];
      waitingFor = {
        kind: 'APPROVAL',
        description: `${guide.waitsFor} in ${where.name}${
          first
            ? ` (approval ${first.approvalId}${first.expiresAt ? `, decide before ${first.expiresAt}` : ''}): the e-mail link, the Slack buttons, or \`${first.approveCommand}\` / \`${first.rejectCommand}\``
            : history.submitted === undefined && !bucket
              ? ' (the approval ID is in the e-mail and the Slack message; pass --bucket to list it here)'
              : ' (the approval request is being sent)'
        }`,
        approvals,
        onApprove: `${effect.onApprove}: ${effect.approveMeans}`,
        onReject: `${effect.onReject}: ${effect.rejectMeans}`,
      };
    } else if (guide?.kind === 'POLL' || where.type === 'Wait') {
      waitingFor = {
        kind: 'POLL',
        description: `${guide?.waitsFor ?? `the next poll of ${where.name}`}${gate ? `: ${gate.summary}` : ''}`,
      };
    } else {
      waitingFor = {
        kind: 'TASK',
        description: `${where.name}: ${guide?.waitsFor ?? 'a state this CLI does not know (a newer workflow?) to finish'}`,
      };
    }

    return {
      executionArn,
      name,
      status,
      migrationId,
      startDate: iso(described.startDate),
      stopDate: described.stopDate ? described.stopDate.toISOString() : null,
      region,
      consoleUrl: consoleUrl(region, executionArn),
      currentState: where
        ? {
            name: where.name,
            type: where.type,
            since: where.at.toISOString(),
            seconds: Math.round((now.getTime() - where.at.getTime()) / 1000),
          }
        : null,
      phase: guide?.phase ?? null,
      branch: guide?.branch ?? null,
      waitingFor,
      gate,
      phases: history.phases,
      evidence,
      outcome: !running && guide?.kind === 'END' ? (guide.outcome ?? null) : null,
      error:
        described.error || described.cause ? { error: described.error ?? null, cause: described.cause ?? null } : null,
      caughtError: caughtError(state.error),
      historyTruncated: truncated,
    };
  } catch (err) {
    throw toCliError(err, { region, action: 'states:DescribeExecution and states:GetExecutionHistory' });
  }
}

/** One line per evidence object: its scalar fields (and those of `figures`), enough to see a gate's verdict. */
export function summariseEvidence(value: unknown, maxFields = 8): string {
  if (value === null || typeof value !== 'object') return String(value);
  const fields: string[] = [];
  const add = (k: string, v: unknown): void => {
    if (typeof v === 'boolean' || typeof v === 'number') fields.push(`${k}=${v}`);
    else if (typeof v === 'string' && v.length <= 80) fields.push(`${k}=${v}`);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0)
      fields.push(`${k}=[${v.slice(0, 3).join('; ')}${v.length > 3 ? '; …' : ''}]`);
  };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'figures' && v && typeof v === 'object')
      for (const [fk, fv] of Object.entries(v as Record<string, unknown>)) add(fk, fv);
    else add(k, v);
  }
  return fields.length > maxFields
    ? `${fields.slice(0, maxFields).join(', ')}, …`
    : fields.join(', ') || '(see --json)';
}

export function renderStatus(s: ExecutionStatus, now: Date): string {
  const lines = [
    `Execution ${s.name}: ${s.status} (started ${s.startDate}, ${formatDuration(now.getTime() - Date.parse(s.startDate))} ago)`,
  ];
  if (s.migrationId) lines.push(`Migration: ${s.migrationId}`);
  if (s.currentState) {
    const branch = s.branch ? `, ${s.branch.toLowerCase()} branch` : '';
    lines.push(
      `Phase: ${s.phase ?? 'unknown'}${branch}: ${s.currentState.name} (${s.currentState.type}) for ${formatDuration(s.currentState.seconds * 1000)}`,
    );
  }
  if (s.outcome) lines.push(`Outcome: ${s.outcome}`);
  lines.push(`Waiting for: ${s.waitingFor.description}`);
  if (s.waitingFor.onApprove)
    lines.push(
      `  approve → ${s.waitingFor.onApprove}`,
      `  reject or no decision in time → ${s.waitingFor.onReject ?? ''}`,
    );
  if (s.gate?.deadline)
    lines.push(
      `Deadline: ${s.gate.deadline.what} at ${s.gate.deadline.at} (${formatDuration(s.gate.deadline.remainingSeconds * 1000)} left)`,
    );
  if (s.error) lines.push(`Error: ${s.error.error ?? ''}${s.error.cause ? `: ${s.error.cause.slice(0, 500)}` : ''}`);
  if (s.caughtError && s.caughtError.error !== s.error?.error)
    lines.push(
      `Caught: ${s.caughtError.error ?? ''}${s.caughtError.cause ? `: ${s.caughtError.cause.slice(0, 500)}` : ''}`,
    );
  if (s.phases.length > 0) {
    const width = Math.max(...s.phases.map((p) => p.state.length));
    lines.push(`States${s.historyTruncated ? ' (older events not read)' : ''}:`);
    for (const p of s.phases)
      lines.push(
        `  ${p.state.padEnd(width)}  ${String(p.visits).padStart(4)}×  ${formatDuration(p.seconds * 1000).padEnd(8)}  ${p.phase ?? '?'}`,
      );
  }
  const evidence = Object.entries(s.evidence);
  if (evidence.length > 0) {
    lines.push('Evidence (latest state):');
    for (const [k, v] of evidence) lines.push(`  ${k}: ${summariseEvidence(v)}`);
  }
  lines.push(`Console: ${s.consoleUrl}`);
  return lines.join('\n');
}

export function registerStatus(program: Command, deps: OperatorDeps): Command {
  const command = program
    .command('status')
    .description(
      'Where a migration stands: phase, time in it, what it waits for (approval, poll loop figures, task), evidence',
    )
    .argument('[execution]', 'execution name or ARN (default: the newest running, else the newest)')
    .option('--state-machine-arn <arn>', `the orchestrator (default: $${STATE_MACHINE_ENV})`)
    .option('--bucket <name>', `evidence bucket, to list pending approval IDs (default: $${EVIDENCE_BUCKET_ENV})`);
  return awsVerb(command, deps, async (execution: string | undefined, options: StatusOptions) => {
    const status = await describeMigration(execution, options, deps);
    return { data: status, text: renderStatus(status, deps.now()) };
  });
}
