import { InputInvalidError } from '../errors';
import type { MigrationPlan, Wave } from './migration-plan';

/**
 * Waves (docs/cutover.md, "Waves"): a plan may cut its topics over in batches, each with its own consumer groups,
 * pointer, client switches and owners. One execution runs them in order over one replicator: the ASL's cutover states
 * (CutoverApproval → fence → drain → offsets → switch → rollback window → PointOfNoReturn) run once per wave, the
 * Choice `MoreWaves?` and the Pass `NextWave` moving `$.waves.current` to the next one. Every cutover task reads the
 * plan scoped to the current wave (`planForWave`) and keys its journals and evidence under the wave
 * (`cutover/waves/<name>/…`), so a rollback undoes the current wave only.
 *
 * A plan without `waves` is one implicit wave of every replicated topic: no `$.waves` in the state, no scoping.
 */

/** One wave as the execution state carries it (`$.waves.current`, `$.waves.all[i]`): small, the plan has the rest. */
export interface WaveCursor {
  /** The wave's name (`waves[].name`). */
  readonly name: string;
  /** Its position, from 0. */
  readonly index: number;
  readonly count: number;
  /** The last wave: after its point of no return, the finalize approval. */
  readonly last: boolean;
  /** The next wave's index (absent on the last): NextWave picks `States.ArrayGetItem($.waves.all, next)`. */
  readonly next?: number;
  /**
   * The previous wave's index (absent on the first): the failback fences the waves from the last back to the first
   * (`PreviousWaveToFence` picks `States.ArrayGetItem($.waves.all, previous)`).
   */
  readonly previous?: number;
  /** A consumers-first wave (`waves[].consumersFirst`): only its consumers move; no write fence, no drain. */
  readonly consumersFirst?: true;
  /**
   * Earlier consumers-first waves whose consumers, while this wave runs, read on the target topics the replication
   * still copies (their producers move in this wave or a later one). A rollback in this wave must then keep the
   * replication: the Choice `ReplicationFeedsConsumers?` ends the run in MigrationNeedsAttention instead of removing
   * it. Absent when there are none.
   */
  readonly replicationFeeds?: readonly string[];
}

/** `$.waves` after ValidateInput: every wave, and the one being cut over. */
export interface WavesState {
  readonly all: readonly WaveCursor[];
  readonly current: WaveCursor;
}

/** The waves of a plan as the state carries them; undefined for a plan without waves. */
export function wavesStateOf(plan: Pick<MigrationPlan, 'waves'>): WavesState | undefined {
  const waves = plan.waves;
  if (!waves || waves.length === 0) return undefined;
  const all = waves.map((w, index): WaveCursor => {
    const last = index === waves.length - 1;
    const feeds = replicationFeedsIn(waves, index);
    return {
      name: w.name,
      index,
      count: waves.length,
      last,
      ...(last ? {} : { next: index + 1 }),
      ...(index > 0 ? { previous: index - 1 } : {}),
      ...(w.consumersFirst ? { consumersFirst: true as const } : {}),
      ...(feeds.length > 0 ? { replicationFeeds: feeds } : {}),
    };
  });
  return { all, current: all[0]! };
}

/**
 * The earlier consumers-first waves whose consumers depend on the replication while wave `index` runs: one of their
 * topics has its producers moved by wave `index` or a later one (the wave listing it without consumersFirst).
 */
export function replicationFeedsIn(
  waves: readonly Pick<Wave, 'name' | 'topics' | 'consumersFirst'>[],
  index: number,
): string[] {
  const producersMoveIn = new Map<string, number>();
  waves.forEach((w, i) => {
    if (!w.consumersFirst) w.topics.forEach((t) => producersMoveIn.set(t, i));
  });
  return waves
    .slice(0, index)
    .filter((w) => w.consumersFirst && w.topics.some((t) => (producersMoveIn.get(t) ?? Infinity) >= index))
    .map((w) => w.name);
}

/**
 * The consumers-first waves whose topics' producers never move (`waves[].producersStay`): after the last wave their
 * consumers still read on the target what the replication copies, so the replication must outlive the migration.
 */
export function replicationKeptFor(plan: Pick<MigrationPlan, 'waves'>): string[] {
  return plan.waves ? replicationFeedsIn(plan.waves, plan.waves.length) : [];
}

/** True when the state's current wave is a consumers-first wave of the plan. */
export function isConsumersFirstWave(plan: Pick<MigrationPlan, 'waves'>, name: string | undefined): boolean {
  return name !== undefined && waveOf(plan, name).consumersFirst === true;
}

/** The plan's wave of that name, or an error naming the waves there are. */
export function waveOf(plan: Pick<MigrationPlan, 'waves'>, name: string): Wave {
  const wave = plan.waves?.find((w) => w.name === name);
  if (!wave)
    throw new InputInvalidError(
      `The execution state names wave "${name}", which the plan does not have (${(plan.waves ?? []).map((w) => w.name).join(', ') || 'no waves'}).`,
    );
  return wave;
}

/** A name as a whole-name regex (the replication's include lists are regexes). */
export function exactNamePattern(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The plan as the current wave's cutover reads it: the wave's owners decide its cutover, its pointer and its client
 * switches move, its consumer groups get their offsets committed on the target. Everything else (target, replication,
 * fence, time boxes) is the plan's. The topics are scoped where the cutover reads them (`waveTopics`).
 */
export function planForWave(plan: MigrationPlan, name: string): MigrationPlan {
  const wave = waveOf(plan, name);
  // The wave's owners are mailed the request beside the plan's recipients.
  const ownersMailed = (wave.approvers ?? []).flatMap((a) =>
    typeof a === 'string' ? (a.includes('@') ? [a] : []) : a.email ? [a.email] : [],
  );
  return {
    ...plan,
    approval: {
      ...plan.approval,
      email: [...new Set([...plan.approval.email, ...ownersMailed])],
      approvers: wave.approvers ?? plan.approval.approvers,
    },
    replication: {
      ...plan.replication,
      consumerGroups: {
        include: wave.consumerGroups.map(exactNamePattern),
        exclude: plan.replication.consumerGroups.exclude,
      },
    },
    cutover: {
      ...plan.cutover,
      switch: wave.switch ?? plan.cutover.switch,
      switches: plan.cutover.switches.filter((s) => wave.switches.includes(s.name)),
    },
  };
}

/**
 * The replicated topics the wave cuts over (the canary stays in: the cutover core leaves it out itself). A wave topic
 * the replication does not copy is an error naming it: the wave could not be drained nor switched.
 */
export function waveTopics(plan: Pick<MigrationPlan, 'waves'>, name: string, replicated: readonly string[]): string[] {
  const wave = waveOf(plan, name);
  const copied = new Set(replicated);
  const missing = wave.topics.filter((t) => !copied.has(t));
  if (missing.length > 0)
    throw new InputInvalidError(
      `Wave ${wave.name} names topics the replication does not copy: ${missing.join(', ')} (they are not on the source, or replication.topics leaves them out); nothing of this wave was changed.`,
    );
  return replicated.filter((t) => wave.topics.includes(t));
}

/** Where a wave ended, for the report. */
export type WaveStatus = 'ON_TARGET' | 'FAILED_BACK' | 'ROLLED_BACK' | 'ROLLBACK_FAILED' | 'NOT_SWITCHED' | 'NOT_RUN';

export interface ReportedWave {
  readonly name: string;
  readonly team?: string;
  readonly topics: readonly string[];
  readonly status: WaveStatus;
  /** Only the wave's consumers moved (`waves[].consumersFirst`). */
  readonly consumersFirst?: true;
}

/**
 * Each wave's end state from the execution state the Report reads: a wave a failback returned is failed back; the
 * waves before the current one passed their point of no return (on the target); the current one is on the target once its own point of no return passed, rolled back
 * when it had fenced and a rollback ran, not switched when it ended before its fence (a rejected approval); the waves
 * after it never ran.
 */
export function waveStatuses(
  plan: Pick<MigrationPlan, 'waves'>,
  current: Pick<WaveCursor, 'index'>,
  at: {
    readonly pointOfNoReturnPassed: boolean;
    readonly fenced: boolean;
    readonly rollbackFailed: boolean;
    /** The waves a failback returned to the source (their FailbackCutover journaled DONE). */
    readonly failedBack?: readonly string[];
  },
): ReportedWave[] {
  return (plan.waves ?? []).map((w, index): ReportedWave => {
    const status: WaveStatus = at.failedBack?.includes(w.name)
      ? 'FAILED_BACK'
      : index < current.index
        ? 'ON_TARGET'
        : index > current.index
          ? 'NOT_RUN'
          : at.pointOfNoReturnPassed
            ? 'ON_TARGET'
            : !at.fenced
              ? 'NOT_SWITCHED'
              : at.rollbackFailed
                ? 'ROLLBACK_FAILED'
                : 'ROLLED_BACK';
    return {
      name: w.name,
      ...(w.team ? { team: w.team } : {}),
      topics: w.topics,
      status,
      ...(w.consumersFirst ? { consumersFirst: true as const } : {}),
    };
  });
}
