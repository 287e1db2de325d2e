import { ReplicationFailedError } from '../errors';
import type { ReplicationLimits } from '../replication/replication';
import {
  checkFailback,
  commitFailbackOffsets,
  startFailback,
  stopFailback,
  type CheckFailbackOptions,
  type FailbackDeps,
} from './failback';
import {
  FailbackOffsetsCommittedSchema,
  FailbackStateSchema,
  FailbackStoppedSchema,
  StartFailbackRequestSchema,
  type FailbackOffsetsCommitted,
  type FailbackState,
  type FailbackStopped,
  type StartFailbackRequest,
} from './state';

/**
 * The failback phases as the task modules call them, one per ASL Task state (StartFailback, CheckFailback,
 * StopFailback): parse with the zod schemas of ./state.ts, call the core, return what goes to the ResultPath
 * (`$.failback`, `$.failback`, `$.failbackStopped`). A task module then only builds the ports.
 */

export async function runStartFailback(
  request: StartFailbackRequest,
  deps: FailbackDeps & { readonly limits?: ReplicationLimits },
): Promise<FailbackState> {
  const parsed = StartFailbackRequestSchema.parse(request);
  const topics = await deps.artifacts.getJson<string[]>(parsed.topicsKey);
  if (!Array.isArray(topics))
    throw new ReplicationFailedError(
      `The replicated topic list under ${parsed.topicsKey} is missing: the failback does not know which topics to copy back.`,
    );
  const result = await startFailback(
    {
      identity: parsed.identity,
      engine: parsed.engine,
      source: parsed.source,
      target: parsed.target,
      topicFilter: parsed.topicFilter,
      consumerGroups: parsed.consumerGroups,
      forwardOffsetSyncMode: parsed.forwardOffsetSyncMode,
      acceptUntranslatedOffsets: parsed.acceptUntranslatedOffsets,
      tags: parsed.tags,
      topics,
      ...(parsed.switchTargetOffsetsKey ? { switchTargetOffsetsKey: parsed.switchTargetOffsetsKey } : {}),
      ...(parsed.waves ? { waves: parsed.waves } : {}),
      catchUpTimeoutMinutes: parsed.catchUpTimeoutMinutes,
      ...(parsed.canaryTopic ? { canaryTopic: parsed.canaryTopic } : {}),
      ...(parsed.forwardHandle ? { forwardHandle: parsed.forwardHandle } : {}),
      ...(parsed.fenceSourceOffsetsKey ? { fenceSourceOffsetsKey: parsed.fenceSourceOffsetsKey } : {}),
      ...(parsed.mskConnect !== undefined ? { mskConnect: parsed.mskConnect } : {}),
      ...(deps.limits ? { limits: deps.limits } : {}),
    },
    deps,
  );
  return FailbackStateSchema.parse(result);
}

/** `state` is `$.failback` as the previous StartFailback / CheckFailback left it. */
export async function runCheckFailback(
  state: FailbackState,
  deps: FailbackDeps,
  options?: CheckFailbackOptions,
): Promise<FailbackState> {
  return FailbackStateSchema.parse(await checkFailback(FailbackStateSchema.parse(state), deps, options));
}

export async function runStopFailback(
  state: FailbackState,
  deps: Pick<FailbackDeps, 'replicator' | 'now' | 'source'>,
): Promise<FailbackStopped> {
  return FailbackStoppedSchema.parse(await stopFailback(FailbackStateSchema.parse(state), deps));
}

/** For FailbackCutover (after the target's consumers are drained): exact translated offsets committed on the source. */
export async function runCommitFailbackOffsets(
  state: FailbackState,
  deps: FailbackDeps,
  options?: CheckFailbackOptions,
): Promise<FailbackOffsetsCommitted> {
  return FailbackOffsetsCommittedSchema.parse(
    await commitFailbackOffsets(FailbackStateSchema.parse(state), deps, options),
  );
}
