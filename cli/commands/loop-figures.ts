import { formatDuration } from '../../lambdas/core/observability/notification-message';
import type { PollLoop } from './workflow-states';

/**
 * The last gate figures of a poll loop, read from the execution state the loop's task left (its ResultPath): what a
 * person needs to judge whether the loop is getting somewhere, and how long before its deadline fails it. Read
 * leniently: a field a task does not write (yet) is left out, never an error.
 */

export type Figure = string | number | boolean | null;

export interface LoopFigures {
  readonly loop: PollLoop;
  /** One line: progress towards the loop's exit condition. */
  readonly summary: string;
  readonly figures: Readonly<Record<string, Figure>>;
  /** When the loop's deadline fails the execution (or the window closes), when known. */
  readonly deadline?: { readonly at: string; readonly remainingSeconds: number; readonly what: string };
}

type Raw = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Raw)[k] : undefined), value);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function compact(figures: Record<string, Figure | undefined>): Record<string, Figure> {
  return Object.fromEntries(Object.entries(figures).filter((e): e is [string, Figure] => e[1] !== undefined));
}

function deadlineAfter(start: unknown, minutes: number | undefined, now: Date, what: string): LoopFigures['deadline'] {
  const from = str(start);
  if (!from || minutes === undefined || Number.isNaN(Date.parse(from))) return undefined;
  const atMs = Date.parse(from) + minutes * 60_000;
  return {
    at: new Date(atMs).toISOString(),
    remainingSeconds: Math.max(0, Math.round((atMs - now.getTime()) / 1000)),
    what,
  };
}

function deadlineAt(end: unknown, now: Date, what: string): LoopFigures['deadline'] {
  const e = str(end);
  if (!e || Number.isNaN(Date.parse(e))) return undefined;
  return {
    at: new Date(Date.parse(e)).toISOString(),
    remainingSeconds: Math.max(0, Math.round((Date.parse(e) - now.getTime()) / 1000)),
    what,
  };
}

const left = (d: LoopFigures['deadline']): string =>
  d ? `; ${formatDuration(d.remainingSeconds * 1000)} left before ${d.what}` : '';

export function loopFigures(loop: PollLoop, state: unknown, now: Date): LoopFigures {
  switch (loop) {
    case 'TARGET': {
      const t = at(state, 'target');
      const deadline = deadlineAfter(
        at(t, 'startedAt'),
        num(at(state, 'settings', 'provisionTimeoutMinutes')) ?? 90,
        now,
        'the provisioning deadline',
      );
      const figures = compact({
        state: str(at(t, 'state')),
        ready: bool(at(t, 'ready')),
        cluster: str(at(t, 'clusterName')) ?? str(at(t, 'clusterArn')),
      });
      return {
        loop,
        summary: t
          ? `target ${figures.cluster ?? ''} is ${figures.state ?? 'unknown'}${left(deadline)}`.replace('  ', ' ')
          : 'the target has not been described yet',
        figures,
        ...(deadline ? { deadline } : {}),
      };
    }
    case 'REPLICATOR': {
      const r = at(state, 'replication');
      const deadline = deadlineAfter(
        at(r, 'startedAt'),
        num(at(state, 'settings', 'replicationStartTimeoutMinutes')) ?? 120,
        now,
        'the replicator start deadline',
      );
      const figures = compact({
        engine: str(at(r, 'handle', 'engine')),
        replicator: str(at(r, 'handle', 'name')),
        state: str(at(r, 'state')),
        running: bool(at(r, 'running')),
        topics: num(at(r, 'topicCount')),
      });
      return {
        loop,
        summary: r
          ? `${figures.engine ?? 'replicator'} ${figures.replicator ?? ''} is ${figures.state ?? 'unknown'}${left(deadline)}`.replace(
              '  ',
              ' ',
            )
          : 'the replicator has not been described yet',
        figures,
        ...(deadline ? { deadline } : {}),
      };
    }
    case 'CATCH_UP': {
      const c = at(state, 'catchUp');
      const required = num(at(state, 'input', 'gates', 'consecutiveHealthyChecks'));
      const deadline = deadlineAfter(
        at(c, 'startedAt'),
        num(at(state, 'input', 'gates', 'catchUpTimeoutMinutes')),
        now,
        'Migration.LagTimeout',
      );
      const reasons = strings(at(c, 'lastReasons'));
      const figures = compact({
        evaluations: num(at(c, 'evaluations')),
        consecutiveHealthy: num(at(c, 'consecutiveHealthy')),
        requiredHealthy: required,
        lastHealthy: bool(at(c, 'lastHealthy')),
        lastEvaluatedAt: str(at(c, 'lastEvaluatedAt')),
        lastReasons: reasons.length > 0 ? reasons.join('; ') : undefined,
        lastEvidenceKey: str(at(c, 'lastEvidenceKey')),
      });
      if (!c) return { loop, summary: 'no catch-up evaluation yet', figures: compact({ requiredHealthy: required }) };
      const summary = `${figures.evaluations ?? 0} evaluations, ${figures.consecutiveHealthy ?? 0}${required !== undefined ? `/${required}` : ''} healthy in a row; last ${figures.lastHealthy ? 'healthy' : `not healthy${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`}${left(deadline)}`;
      return { loop, summary, figures, ...(deadline ? { deadline } : {}) };
    }
    case 'DRAIN': {
      const d = at(state, 'cutover', 'drain');
      const deadline = deadlineAfter(
        at(state, 'cutover', 'fence', 'fencedAt'),
        num(at(state, 'input', 'cutover', 'drainTimeoutMinutes')),
        now,
        'the drain deadline (Migration.CutoverFailed)',
      );
      const figures = compact({
        polls: num(at(d, 'polls')),
        partitionsDrained: num(at(d, 'partitionsDrained')),
        partitions: num(at(d, 'partitions')),
        offsetLag: num(at(d, 'offsetLag')),
        recordsAfterFence: str(at(d, 'recordsAfterFence')),
        sourceStable: bool(at(d, 'sourceStable')),
        drained: bool(at(d, 'drained')),
        reasons: strings(at(d, 'reasons')).join('; ') || undefined,
        evidenceKey: str(at(d, 'evidenceKey')),
      });
      if (!d)
        return {
          loop,
          summary: `producers fenced, no drain check yet${left(deadline)}`,
          figures,
          ...(deadline ? { deadline } : {}),
        };
      const summary = `${figures.partitionsDrained ?? '?'}/${figures.partitions ?? '?'} partitions drained after ${figures.polls ?? '?'} checks, offset lag ${figures.offsetLag ?? '?'}, source ${figures.sourceStable ? 'stable' : 'still moving'}${figures.recordsAfterFence && figures.recordsAfterFence !== '0' ? `, ${figures.recordsAfterFence} records written after the fence` : ''}${left(deadline)}`;
      return { loop, summary, figures, ...(deadline ? { deadline } : {}) };
    }
    case 'CONSUMER_GROUPS': {
      const o = at(state, 'cutover', 'offsets');
      const waiting = strings(at(o, 'waitingForGroups'));
      const figures = compact({
        groups: num(at(o, 'groups')),
        partitionsCommitted: num(at(o, 'partitionsCommitted')),
        complete: bool(at(o, 'complete')),
        waitingForGroups: waiting.length > 0 ? waiting.join(', ') : undefined,
        startedAt: str(at(o, 'startedAt')),
      });
      if (!o) return { loop, summary: 'no consumer offsets committed yet', figures };
      return {
        loop,
        summary: `${figures.partitionsCommitted ?? 0} group partitions committed on the target over ${figures.groups ?? 0} groups${waiting.length > 0 ? `; waiting for ${waiting.length} group(s) to leave the source: ${waiting.slice(0, 5).join(', ')}` : ''}`,
        figures,
      };
    }
    case 'WINDOW': {
      const w = at(state, 'window');
      const deadline = deadlineAt(at(w, 'windowEndsAt'), now, 'the rollback window closes (the point of no return)');
      const figures = compact({
        checks: num(at(w, 'checks')),
        healthy: bool(at(w, 'healthy')),
        consecutiveUnhealthy: num(at(w, 'consecutiveUnhealthy')),
        windowEndsAt: str(at(w, 'windowEndsAt')),
        closed: bool(at(w, 'closed')) ?? bool(at(w, 'windowClosed')),
        recordsSinceSwitch: str(at(w, 'figures', 'recordsSinceSwitch')),
        groupsResumed: num(at(w, 'figures', 'groupsResumed')),
        groups: num(at(w, 'figures', 'groups')),
        alarmsInAlarm: num(at(w, 'figures', 'alarmsInAlarm')),
        reasons: strings(at(w, 'reasons')).join('; ') || undefined,
      });
      if (!w) {
        const switchedAt = at(state, 'cutover', 'switch', 'switchedAt');
        const opening = deadlineAfter(
          switchedAt,
          num(at(state, 'input', 'cutover', 'rollbackWindowMinutes')),
          now,
          'the rollback window closes (the point of no return)',
        );
        return {
          loop,
          summary: `switched to the target, no health check yet${left(opening)}`,
          figures,
          ...(opening ? { deadline: opening } : {}),
        };
      }
      const summary = `target ${figures.healthy ? 'healthy' : 'NOT healthy'} at check ${figures.checks ?? '?'}${figures.consecutiveUnhealthy ? ` (${figures.consecutiveUnhealthy} unhealthy in a row)` : ''}${figures.groups !== undefined ? `, ${figures.groupsResumed ?? 0}/${figures.groups} groups resumed` : ''}${figures.recordsSinceSwitch ? `, ${figures.recordsSinceSwitch} records since the switch` : ''}${left(deadline)}`;
      return { loop, summary, figures, ...(deadline ? { deadline } : {}) };
    }
    case 'FAILBACK':
    case 'FAILBACK_DRAIN': {
      const f = at(state, 'failback');
      const deadline =
        loop === 'FAILBACK'
          ? deadlineAfter(
              at(f, 'startedAt'),
              num(at(f, 'catchUpTimeoutMinutes')),
              now,
              'the failback catch-up deadline',
            )
          : undefined;
      const figures = compact({
        engine: str(at(f, 'engine')),
        state: str(at(f, 'state')),
        checks: num(at(f, 'checks')),
        caughtUp: bool(at(f, 'caughtUp')),
        drained: bool(at(f, 'drained')),
        lagRecords: num(at(f, 'lastCheck', 'lagRecords')),
        partitionsBehind: num(at(f, 'lastCheck', 'partitionsBehind')),
        groupPartitionsTranslated: num(at(f, 'lastCheck', 'groupPartitionsTranslated')),
        groupPartitionsPending: num(at(f, 'lastCheck', 'groupPartitionsPending')),
        fencedAt: loop === 'FAILBACK_DRAIN' ? str(at(state, 'failbackFence', 'fencedAt')) : undefined,
        evidenceKey: str(at(f, 'lastCheck', 'evidenceKey')),
      });
      if (!f) return { loop, summary: 'the reverse replication has not been checked yet', figures };
      const summary =
        `reverse replication ${figures.state ?? ''}: ${figures.lagRecords ?? '?'} records not yet on the source over ${figures.partitionsBehind ?? '?'} partitions after ${figures.checks ?? 0} checks${figures.groupPartitionsPending ? `, ${figures.groupPartitionsPending} group partitions pending` : ''}${left(deadline)}`.replace(
          'replication :',
          'replication:',
        );
      return { loop, summary, figures, ...(deadline ? { deadline } : {}) };
    }
  }
}
