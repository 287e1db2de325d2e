import * as z from 'zod';
import { DrainProgressSchema } from '../../core/cutover/check-drain';
import { HealthProgressSchema } from '../../core/cutover/check-target-health';
import { ClientSwitchProgressSchema } from '../../core/cutover/client-switches';
import { CommitProgressSchema, OffsetsBeforeFenceSchema } from '../../core/cutover/commit-consumer-offsets';
import { FenceRecordSchema } from '../../core/cutover/fence-producers';
import { watchedTopics } from '../../core/cutover/model';
import { SwitchRecordSchema } from '../../core/cutover/switch-consumers';
import { InputInvalidError } from '../../core/errors';
import { isConsumersFirstWave, waveTopics } from '../../core/plan/waves';
import type { ExecutionIdentity } from '../../core/replication/naming';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { ClientSwitchTarget } from '../../ports/client-switch';
import {
  ExecutionStateSchema,
  ReplicationPhaseSchema,
  scopeToCurrentWave,
  type ExecutionState,
} from './execution-state';
import { identityOf } from './plan-views';
import { lazySchema } from '../../core/lazy-schema';

/**
 * What the cutover and failback task states leave in the execution state, and the small views of the state they share:
 * the replicated topics the cutover watches, and the value the pointer gets at the switch. Pure (no SDK): the task
 * modules import it; the pointer adapters are wired in ./cutover-switch.ts.
 */

/** `$.cutover.switch` after SwitchToTarget: the core's record plus the key StartFailback reads. */
export const SwitchStateSchema = lazySchema(() =>
  SwitchRecordSchema.extend({
    /** Artifact key of the target's end offsets at the switch (= `targetEndsAtSwitch.key`): the failback starts there. */
    switchTargetOffsetsKey: z.string(),
    /** The plan's client switches (cutover.switches); the Choice ClientsSwitched? reads `complete`. */
    clients: ClientSwitchProgressSchema.optional(),
  }),
);

/** `$.window` after CheckTargetHealth; the Choice WindowClosed? reads `closed`. */
export const WindowStateSchema = lazySchema(() =>
  HealthProgressSchema.extend({
    /** The rollback window has run out and this check found the target healthy: on to the point of no return. */
    closed: z.boolean(),
  }),
);

/** `$.cutover`: one record per cutover step (each step's ResultPath). */
export const CutoverStateSchema = lazySchema(() =>
  z.looseObject({
    /** TranslateOffsetsBeforeFence: the consumer groups' offsets translated before the fence. */
    offsetsBeforeFence: OffsetsBeforeFenceSchema.optional(),
    fence: FenceRecordSchema.optional(),
    drain: DrainProgressSchema.optional(),
    offsets: CommitProgressSchema.optional(),
    switch: SwitchStateSchema.optional(),
  }),
);
export type CutoverState = z.infer<typeof CutoverStateSchema>;

/** The execution state's shape as the cutover tasks read it: `$.cutover` typed, everything else as the shared schema. */
export const CutoverExecutionStateShape = lazySchema(() =>
  ExecutionStateSchema.extend({
    replication: ReplicationPhaseSchema,
    cutover: CutoverStateSchema.optional(),
  }),
);

/** The same, scoped to the current wave of a plan in waves (scopeToCurrentWave). */
export const CutoverExecutionStateSchema = lazySchema(() => CutoverExecutionStateShape.transform(scopeToCurrentWave));
export type CutoverExecutionState = z.infer<typeof CutoverExecutionStateSchema>;

/** `$.cutover.<step>` or Migration.InputInvalid naming the state that should have written it. */
export function requireStep<K extends 'fence' | 'drain' | 'offsets' | 'switch'>(
  state: CutoverExecutionState,
  step: K,
  writtenBy: string,
): NonNullable<CutoverState[K]> {
  const record = state.cutover?.[step];
  if (record === undefined)
    throw new InputInvalidError(`$.cutover.${step} is missing: ${writtenBy} has not run in this execution.`);
  return record as NonNullable<CutoverState[K]>;
}

/** The replicated topics (`$.replication.topicsKey`), as the cutover core takes them (it leaves the canary out itself). */
export async function replicatedTopics(
  state: Pick<ExecutionState, 'replication'>,
  artifacts: ArtifactStore,
): Promise<string[]> {
  const key = state.replication?.topicsKey;
  const topics = key ? await artifacts.getJson<unknown>(key) : undefined;
  if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string'))
    throw new InputInvalidError(
      `The replicated topic list under ${key ?? '$.replication.topicsKey'} is missing: the cutover does not know which topics to watch.`,
    );
  if (watchedTopics(topics, state.replication?.canaryTopic).length === 0)
    throw new InputInvalidError('The replication copies no topic besides the canary: there is nothing to cut over.');
  return topics;
}

/** What every cutover core is told first: whose execution, which replicated topics it watches, and the canary. */
export interface CutoverScope {
  readonly identity: ExecutionIdentity;
  readonly topics: string[];
  readonly canaryTopic?: string;
}

/** The cutover scope of this execution: its identity, the replicated topics (`replicatedTopics`) and the canary, if any. */
export async function cutoverScope(
  state: Pick<ExecutionState, 'identity' | 'replication' | 'input'>,
  artifacts: ArtifactStore,
): Promise<CutoverScope> {
  const identity = identityOf(state);
  const replicated = await replicatedTopics(state, artifacts);
  // A plan in waves: the current wave's topics only (the state's identity names the wave: scopeToCurrentWave).
  const topics = identity.wave ? waveTopics(state.input, identity.wave, replicated) : replicated;
  const canaryTopic = state.replication?.canaryTopic;
  return { identity, topics, ...(canaryTopic ? { canaryTopic } : {}) };
}

/**
 * What the pointer holds after the switch: `cutover.targetValue` when the plan gives it (Route 53: or the switch's own
 * `targetValue`), else the target's bootstrap servers (`$.target`, or the plan's for an address-named target). A
 * Route 53 CNAME holds one host name, so it needs the value spelled out. Checked before the fence, so that a plan
 * that cannot be switched never holds its producers.
 */
export function cutoverTargetValue(state: Pick<ExecutionState, 'input' | 'target'>): string {
  const { cutover, target } = state.input;
  const explicit = cutover.targetValue ?? (cutover.switch.type === 'ROUTE53' ? cutover.switch.targetValue : undefined);
  if (explicit) return explicit;
  if (cutover.switch.type === 'ROUTE53')
    throw new InputInvalidError(
      'cutover.switch is a Route 53 CNAME, which names one host: set cutover.targetValue (or cutover.switch.targetValue) to the host name clients should resolve after the switch.',
    );
  const servers = state.target?.bootstrapServers ?? target.bootstrapServers;
  if (!servers || servers.length === 0)
    throw new InputInvalidError(
      'The target has no bootstrap servers in $.target and the plan gives no cutover.targetValue: the switch does not know what to point clients at.',
    );
  return servers.join(',');
}

/** Minutes since an ISO instant, rounded up (at least 0). */
export function minutesSince(iso: string, now: Date): number {
  return Math.max(0, Math.ceil((now.getTime() - Date.parse(iso)) / 60_000));
}

/** The current wave moves its consumers only (`waves[].consumersFirst`): no write fence, no drain, producers stay. */
export function consumersFirst(state: Pick<ExecutionState, 'identity' | 'input'>): boolean {
  return isConsumersFirstWave(state.input, state.identity.wave);
}

/** Where the client switches move applications on the target: its bootstrap servers (and MSK ARN). */
export function clientSwitchTargetOf(state: Pick<ExecutionState, 'input' | 'target'>): ClientSwitchTarget {
  const bootstrapServers = (state.target?.bootstrapServers ?? state.input.target.bootstrapServers ?? []).join(',');
  const clusterArn = state.target?.clusterArn ?? state.input.target.clusterArn;
  return { bootstrapServers, ...(clusterArn ? { clusterArn } : {}) };
}
