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
import { defineTask } from '../../workflow/define-task';

/**
 * StartFailback (after FailbackDecision approved): the reverse replication target → source of only what producers
 * wrote to the target since the switch (`$.cutover.switch.switchTargetOffsetsKey`). The failback core stops the
 * forward MirrorMaker 2 first (identical names, no loop detection) and keeps a forward MSK Replicator (ENHANCED offset
 * sync needs both directions); it refuses MirrorMaker 2 on MSK Connect and a LEGACY forward MSK Replicator unless the
 * approver accepted untranslated offsets (`$.approvals.failback.acceptUntranslatedOffsets`). Idempotent: a retry
 * finds the replicator by name and tags and reuses the stored positions.
 */

export const Input = z.object({ state: CutoverExecutionStateSchema });
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
  if (state.waves)
    // Each wave switched behind its own pointer and journals; one failback of them all is not built. Refused before
    // anything is created: the Catch reports NeedsAttention, every wave stays on the target.
    throw new InputInvalidError(
      `Failback of a migration in waves (${state.waves.all.map((w) => w.name).join(', ')}) is not supported: every wave stays on the target. Move a wave's clients back by hand from its journals (cutover/waves/<name>/journal/), or run a new migration from the target to the source.`,
    );
  const switched = requireStep(state, 'switch', 'SwitchToTarget');
  const fence = state.cutover?.fence;
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
  const request: StartFailbackRequest = {
    identity: identityOf(state),
    engine: plan.replication.engine,
    source,
    target,
    topicFilter: { include: [...topics.include], exclude: [...topics.exclude] },
    consumerGroups: { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
    topicsKey: state.replication.topicsKey,
    ...(state.replication.canaryTopic ? { canaryTopic: state.replication.canaryTopic } : {}),
    forwardHandle: state.replication.handle,
    forwardOffsetSyncMode: plan.replication.offsetSyncMode,
    switchTargetOffsetsKey: switched.switchTargetOffsetsKey,
    ...(fence ? { fenceSourceOffsetsKey: fence.sourceEndsAtFence.key } : {}),
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
