import * as z from 'zod';
import { InputInvalidError } from '../../core/errors';
import { FailbackStateSchema, type StartFailbackRequest } from '../../core/failback/state';
import { runStartFailback as startFailbackPhase } from '../../core/failback/tasks';
import type { ReplicationLimits } from '../../core/replication/replication';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import type { ReplicationEndpoint, Replicator } from '../../ports/replicator';
import { replicationAuthOf } from '../shared/cluster-endpoints';
import { CutoverExecutionStateSchema, requireStep } from '../shared/cutover-state';
import { identityOf } from '../shared/plan-views';
import { wavesOnTarget } from '../shared/failback-waves';
import { exactNamePattern, waveOf } from '../../core/plan/waves';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * StartFailback (after FailbackDecision approved): the reverse replication target → source of only what producers
 * wrote to the target since the switch (`$.cutover.switch.switchTargetOffsetsKey`). The failback core stops the
 * forward MirrorMaker 2 first (identical names, no loop detection) and keeps a forward MSK Replicator (ENHANCED offset
 * sync needs both directions); it refuses MirrorMaker 2 on MSK Connect and a LEGACY forward MSK Replicator unless the
 * approver accepted untranslated offsets (`$.approvals.failback.acceptUntranslatedOffsets`). Idempotent: a retry
 * finds the replicator by name and tags and reuses the stored positions. A plan in waves: one reverse replicator for
 * exactly the topics and groups of the waves on the target, each partition from its own wave's switch (the waves'
 * journals), docs/failback.md "A plan in waves".
 */

export const Input = lazySchema(() => z.object({ state: CutoverExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = FailbackStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The engine the plan names (replication.engine), for the reverse direction. */
  readonly replicator: Replicator;
  readonly artifacts: ArtifactStore;
  /** The migration's source (A): the failback writes to it. */
  readonly source: KafkaDataPlane;
  /** The migration's target (B): the failback reads from it. */
  readonly target: KafkaDataPlane;
  /** MSK Replicator: the clusters' subnets and security groups (absent locally). */
  readonly msk?: MskControlPlane;
  readonly limits?: ReplicationLimits;
  readonly now: () => Date;
}

type Vpc = NonNullable<Endpoint['vpc']>;
type Endpoint = StartFailbackRequest['source'];

export async function runStartFailback(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const plan = state.input;
  // A plan in waves: every wave that switched returns, over one reverse replicator (docs/failback.md, "A plan in
  // waves"); each wave's switch and fence are in its journals (NextWave dropped the earlier waves' $.cutover).
  const waves = state.waves ? await failbackWaves(state, deps.artifacts) : undefined;
  const switched = waves ? undefined : requireStep(state, 'switch', 'SwitchToTarget');
  const fence = waves ? undefined : state.cutover?.fence;
  if (deps.replicator.engine !== plan.replication.engine)
    throw new InputInvalidError(
      `The plan replicates with ${plan.replication.engine} but the runtime wired ${deps.replicator.engine}.`,
    );
  const msk = plan.replication.engine === 'MSK_REPLICATOR';
  const vpcOf = async (arn: string | undefined): Promise<Vpc | undefined> =>
    msk && arn && deps.msk ? copyVpc((await deps.msk.describeCluster(arn)).vpc) : undefined;
  const targetArn = state.target?.clusterArn ?? plan.target.clusterArn;
  const [sourceVpc, targetVpc] = [
    await vpcOf(plan.source.clusterArn),
    copyVpc(plan.target.create?.vpc) ?? (await vpcOf(targetArn)),
  ];
  const source: Endpoint = {
    clusterArn: plan.source.clusterArn,
    bootstrapServers: [...deps.source.connection.bootstrapServers],
    auth: replicationAuthOf(plan.source.auth),
    ...(sourceVpc ? { vpc: sourceVpc } : {}),
  };
  const target: Endpoint = {
    ...(targetArn ? { clusterArn: targetArn } : {}),
    bootstrapServers: [...deps.target.connection.bootstrapServers],
    auth: replicationAuthOf(plan.target.auth ?? { mechanism: 'IAM' }),
    ...(msk && targetVpc ? { vpc: targetVpc } : {}),
  };
  const approval = state.approvals?.failback as { acceptUntranslatedOffsets?: unknown } | undefined;
  const { topics, consumerGroups } = plan.replication;
  const { wave: _wave, ...identity } = identityOf(state);
  const request: StartFailbackRequest = {
    identity,
    engine: plan.replication.engine,
    source,
    target,
    // A plan in waves: exactly the waves' topics and groups (the replication may copy others, whose producers stayed).
    topicFilter: waves
      ? { include: waves.topics.map(exactNamePattern), exclude: [] }
      : { include: [...topics.include], exclude: [...topics.exclude] },
    consumerGroups: waves
      ? { include: waves.groups.map(exactNamePattern), exclude: [...consumerGroups.exclude] }
      : { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
    topicsKey: state.replication.topicsKey,
    ...(state.replication.canaryTopic ? { canaryTopic: state.replication.canaryTopic } : {}),
    forwardHandle: state.replication.handle,
    forwardOffsetSyncMode: plan.replication.offsetSyncMode,
    ...(switched ? { switchTargetOffsetsKey: switched.switchTargetOffsetsKey } : {}),
    ...(fence ? { fenceSourceOffsetsKey: fence.sourceEndsAtFence.key } : {}),
    ...(waves ? { waves: waves.snapshots } : {}),
    acceptUntranslatedOffsets: approval?.acceptUntranslatedOffsets === true,
    catchUpTimeoutMinutes: plan.gates.catchUpTimeoutMinutes,
    ...(plan.replication.mskConnect ? { mskConnect: plan.replication.mskConnect } : {}),
    tags: { ...(plan.tags ?? {}) },
  };
  return Output.parse(
    await startFailbackPhase(request, {
      replicator: deps.replicator,
      artifacts: deps.artifacts,
      source: deps.source,
      target: deps.target,
      now: deps.now,
      ...(deps.limits ? { limits: deps.limits } : {}),
    }),
  );
}

/**
 * The waves a failback of a plan in waves returns: those that switched in this execution (all of them: the failback
 * starts after the last wave's point of no return). Their topics and groups, and per wave that moved producers its
 * switch's and fence's snapshots; a consumers-first wave moved consumers only, so its topics start at the switch of
 * the wave that moved their producers.
 */
async function failbackWaves(
  state: Input['state'],
  artifacts: ArtifactStore,
): Promise<{ topics: string[]; groups: string[]; snapshots: NonNullable<StartFailbackRequest['waves']> }> {
  const plan = state.input;
  const onTarget = await wavesOnTarget(plan, identityOf(state), artifacts);
  if (onTarget.length === 0)
    throw new InputInvalidError(
      `No wave of ${(plan.waves ?? []).map((w) => w.name).join(', ')} switched to the target in this execution (no cutover/waves/<name>/journal/switch.json): there is nothing to fail back.`,
    );
  const waves = onTarget.map((f) => ({ forward: f, wave: waveOf(plan, f.wave) }));
  const producers = waves.filter((w) => !w.wave.consumersFirst);
  if (producers.length === 0)
    throw new InputInvalidError(
      `The waves on the target (${waves.map((w) => w.wave.name).join(', ')}) moved consumers only: no producer writes to the target, so nothing is copied back. Return their pointers (waves[].switch) by hand.`,
    );
  return {
    topics: [...new Set(producers.flatMap((w) => w.wave.topics))],
    groups: [...new Set(waves.flatMap((w) => w.wave.consumerGroups))],
    snapshots: producers.map(({ forward, wave }) => ({
      wave: wave.name,
      topics: [...wave.topics],
      switchTargetOffsetsKey: forward.switched.targetEndsAtSwitch.key,
      fenceSourceOffsetsKey: forward.fence.sourceEndsAtFence.key,
    })),
  };
}

function copyVpc(vpc: ReplicationEndpoint['vpc']): Vpc | undefined {
  return vpc ? { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] } : undefined;
}

/** StartFailback as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'StartFailback',
  Input,
  Output,
  needs: {
    replicator: 'replicator',
    artifacts: 'artifacts',
    source: 'source',
    target: 'target',
    msk: 'msk',
    now: 'clock',
  },
  run: runStartFailback,
});
