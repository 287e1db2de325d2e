import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { formatDuration } from '../../lambdas/core/observability/notification-message';
import {
  CliError,
  consoleUrl,
  EVIDENCE_BUCKET_ENV,
  executionArnOf,
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
 * `msk-migrate status [EXECUTION]`: where a migration stands. From DescribeExecution and the execution history
 * (paged, newest first, bounded): the current phase and how long it has been in it, the time spent per phase, the
 * gate evidence the last task outputs carry, and what the execution waits for (a person's approval, the next poll
 * of a loop, a task). Without EXECUTION: the newest running execution, else the newest one.
 */

interface StatusOptions extends CommonOptions {
  readonly stateMachineArn?: string;
  readonly bucket?: string;
}

/** Pages of 1,000 events read at most (newest first): enough for days of a 60 s catch-up loop. */
export const MAX_HISTORY_PAGES = 30;

/** The ResultPaths of the workflow's phases, in workflow order: the evidence `status` summarises. */
export const EVIDENCE_KEYS = ['validation', 'inventory', 'assessment', 'target', 'replication', 'catchUp', 'approval', 'cutover', 'rollback', 'report'] as const;

export interface PhaseTime {
  readonly state: string;
  /** How many times it was entered (a poll loop enters its states once per iteration). */
  readonly visits: number;
  readonly firstEnteredAt: string;
  readonly lastExitedAt: string | null;
  readonly seconds: number;
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
  readonly currentState: { readonly name: string; readonly type: string; readonly since: string; readonly seconds: number } | null;
  readonly waitingFor: { readonly kind: 'APPROVAL' | 'POLL' | 'TASK' | 'NOTHING'; readonly description: string; readonly approvals?: Array<{ approvalId: string; expiresAt?: string }> };
  readonly phases: PhaseTime[];
  /** The latest value of each phase's ResultPath in the execution state. */
  readonly evidence: Partial<Record<(typeof EVIDENCE_KEYS)[number], unknown>>;
  readonly error: { readonly error: string | null; readonly cause: string | null } | null;
  /** True when older events were not read (MAX_HISTORY_PAGES): the phase times start later than the execution. */
  readonly historyTruncated: boolean;
}

async function readHistory(deps: OperatorDeps, region: string, executionArn: string): Promise<{ events: HistoryEvent[]; truncated: boolean }> {
  const newestFirst: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const out = await deps.clients.sfn(region).send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1000, includeExecutionData: true, ...(nextToken ? { nextToken } : {}) }));
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

/** Phase times, current state, latest state output and a pending callback, from the history in time order. */
export function analyseHistory(events: readonly HistoryEvent[], now: Date) {
  const open = new Map<string, { at: Date; type: string }>();
  const phases = new Map<string, { visits: number; first: Date; lastExit: Date | null; seconds: number }>();
  let latestOutput: unknown;
  let current: { name: string; type: string; at: Date } | null = null;
  let pendingCallback: { at: Date } | null = null;

  for (const e of events) {
    const type = e.type ?? '';
    const at = e.timestamp ?? now;
    if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
      const name = e.stateEnteredEventDetails.name;
      open.set(name, { at, type: type.replace('StateEntered', '') });
      const p = phases.get(name) ?? { visits: 0, first: at, lastExit: null, seconds: 0 };
      p.visits += 1;
      phases.set(name, p);
      current = { name, type: type.replace('StateEntered', ''), at };
      pendingCallback = null;
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
      if (output !== undefined) latestOutput = output;
      if (current?.name === name) current = null;
    } else if (type === 'TaskScheduled' && e.taskScheduledEventDetails?.resource?.endsWith('.waitForTaskToken')) {
      pendingCallback = { at };
    } else if (type === 'TaskSucceeded' || type === 'TaskFailed' || type === 'TaskTimedOut') {
      pendingCallback = null;
    }
  }
  // A state still open counts until now.
  for (const [name, entered] of open) {
    const p = phases.get(name);
    if (p) p.seconds += (now.getTime() - entered.at.getTime()) / 1000;
  }
  return {
    phases: [...phases.entries()].map(([state, p]) => ({ state, visits: p.visits, firstEnteredAt: p.first.toISOString(), lastExitedAt: p.lastExit ? p.lastExit.toISOString() : null, seconds: Math.round(p.seconds) })),
    current,
    latestOutput,
    pendingCallback,
  };
}

async function pendingApprovals(deps: OperatorDeps, region: string, bucket: string, migrationId: string, executionName: string): Promise<Array<{ approvalId: string }>> {
  const prefix = `migrations/${migrationId}/${executionName}/approvals/`;
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await deps.clients.s3(region).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
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
  return [...ids.entries()].filter(([, e]) => e.requested && !e.decided).map(([approvalId]) => ({ approvalId }));
}

export async function describeMigration(execution: string | undefined, options: StatusOptions, deps: OperatorDeps): Promise<ExecutionStatus> {
  const stateMachineArn = options.stateMachineArn ?? deps.env[STATE_MACHINE_ENV];
  let executionArn: string;
  if (execution) {
    executionArn = executionArnOf(execution, stateMachineArn);
  } else {
    const arn = setting(stateMachineArn, deps.env, STATE_MACHINE_ENV, 'state machine (to find its latest execution)', '--state-machine-arn');
    const region = resolveRegion(options, deps.env, arn);
    try {
      const sfn = deps.clients.sfn(region);
      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING', maxResults: 1 }));
      const latest = running.executions?.[0] ?? (await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }))).executions?.[0];
      if (!latest?.executionArn) throw new CliError('NO_EXECUTIONS', 'The orchestrator has no executions yet.', ExitCode.NOT_FOUND, 'Start one with `msk-migrate start input.json`.');
      executionArn = latest.executionArn;
    } catch (err) {
      throw toCliError(err, { region, action: 'states:ListExecutions on the orchestrator' });
    }
  }
  const region = resolveRegion(options, deps.env, executionArn);
  const now = deps.now();
  try {
    const described = await deps.clients.sfn(region).send(new DescribeExecutionCommand({ executionArn }));
    const { events, truncated } = await readHistory(deps, region, executionArn);
    const history = analyseHistory(events, now);
    const input = parseJson(described.input) as { migrationId?: unknown } | undefined;
    const migrationId = typeof input?.migrationId === 'string' ? input.migrationId : null;
    const name = described.name ?? executionArn.split(':').pop() ?? executionArn;
    const status = described.status ?? 'UNKNOWN';
    const stateOutput = (history.latestOutput ?? input ?? {}) as Record<string, unknown>;
    const evidence: ExecutionStatus['evidence'] = {};
    for (const key of EVIDENCE_KEYS) if (stateOutput && typeof stateOutput === 'object' && key in stateOutput) evidence[key] = stateOutput[key];

    let waitingFor: ExecutionStatus['waitingFor'];
    if (status !== 'RUNNING') {
      waitingFor = { kind: 'NOTHING', description: `nothing: the execution is ${status}` };
    } else if (history.pendingCallback && history.current) {
      const bucket = options.bucket ?? deps.env[EVIDENCE_BUCKET_ENV];
      const approvals = bucket && migrationId ? await pendingApprovals(deps, region, bucket, migrationId, name) : [];
      const ids = approvals.map((a) => a.approvalId);
      waitingFor = {
        kind: 'APPROVAL',
        description: `a person's decision in ${history.current.name}${ids.length > 0 ? ` (approval ${ids.join(', ')}: msk-migrate approve|reject ${ids[0]})` : ' (see the e-mail or Slack message)'}`,
        approvals,
      };
    } else if (history.current?.type === 'Wait') {
      waitingFor = { kind: 'POLL', description: `the next poll of ${history.current.name}${/catch/i.test(history.current.name) ? ' (catch-up loop)' : /rollback/i.test(history.current.name) ? ' (rollback window)' : ''}` };
    } else if (history.current) {
      waitingFor = { kind: 'TASK', description: `${history.current.name} to finish` };
    } else {
      waitingFor = { kind: 'TASK', description: 'the next state to start' };
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
      currentState: history.current
        ? { name: history.current.name, type: history.current.type, since: history.current.at.toISOString(), seconds: Math.round((now.getTime() - history.current.at.getTime()) / 1000) }
        : null,
      waitingFor,
      phases: history.phases,
      evidence,
      error: described.error || described.cause ? { error: described.error ?? null, cause: described.cause ?? null } : null,
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
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0) fields.push(`${k}=[${v.slice(0, 3).join('; ')}${v.length > 3 ? '; …' : ''}]`);
  };
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'figures' && v && typeof v === 'object') for (const [fk, fv] of Object.entries(v as Record<string, unknown>)) add(fk, fv);
    else add(k, v);
  }
  return fields.length > maxFields ? `${fields.slice(0, maxFields).join(', ')}, …` : fields.join(', ') || '(see --json)';
}

export function renderStatus(s: ExecutionStatus, now: Date): string {
  const lines = [`Execution ${s.name}: ${s.status} (started ${s.startDate}, ${formatDuration(now.getTime() - Date.parse(s.startDate))} ago)`];
  if (s.migrationId) lines.push(`Migration: ${s.migrationId}`);
  if (s.currentState) lines.push(`Phase: ${s.currentState.name} (${s.currentState.type}) for ${formatDuration(s.currentState.seconds * 1000)}`);
  lines.push(`Waiting for: ${s.waitingFor.description}`);
  if (s.error) lines.push(`Error: ${s.error.error ?? ''}${s.error.cause ? `: ${s.error.cause.slice(0, 500)}` : ''}`);
  if (s.phases.length > 0) {
    const width = Math.max(...s.phases.map((p) => p.state.length));
    lines.push(`Phases${s.historyTruncated ? ' (older events not read)' : ''}:`);
    for (const p of s.phases) lines.push(`  ${p.state.padEnd(width)}  ${String(p.visits).padStart(4)}×  ${formatDuration(p.seconds * 1000)}`);
  }
  const evidence = Object.entries(s.evidence);
  if (evidence.length > 0) {
    lines.push('Gate evidence (latest state):');
    for (const [k, v] of evidence) lines.push(`  ${k}: ${summariseEvidence(v)}`);
  }
  lines.push(`Console: ${s.consoleUrl}`);
  return lines.join('\n');
}

export function registerStatus(program: Command, deps: OperatorDeps): Command {
  return program
    .command('status')
    .description('Where a migration stands: phase, time in phase, gate evidence, what it waits for')
    .argument('[execution]', 'execution name or ARN (default: the newest running, else the newest)')
    .option('--state-machine-arn <arn>', `the orchestrator (default: $${STATE_MACHINE_ENV})`)
    .option('--bucket <name>', `evidence bucket, to list pending approval IDs (default: $${EVIDENCE_BUCKET_ENV})`)
    .option('--region <region>', 'AWS Region (default: the ARN\'s, else $AWS_REGION)')
    .option('--json', 'print the result (or the error) as JSON')
    .action(async (execution: string | undefined, options: StatusOptions) =>
      runVerb(deps, options, async () => {
        const status = await describeMigration(execution, options, deps);
        return { data: status, text: renderStatus(status, deps.now()) };
      }),
    );
}
