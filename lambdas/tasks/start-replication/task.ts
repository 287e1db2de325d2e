import * as z from 'zod';
import { runPreflight } from '../../core/connectivity/preflight';
import { InputInvalidError } from '../../core/errors';
import { runStartReplication as startReplicationPhase } from '../../core/replication/phases';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import type { ReplicationEndpoint, Replicator } from '../../ports/replicator';
import { replicationAuthOf } from '../shared/cluster-endpoints';
import { ExecutionStateSchema, ReplicationPhaseSchema, TargetStateSchema } from '../shared/execution-state';
import { identityOf } from '../shared/plan-views';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * StartReplication: the execution's canary topic on the source, then the replicator (MSK Replicator between MSK
 * clusters, MirrorMaker 2 otherwise) with identical topic names and consumer-group offset sync, created once per
 * execution (adopted by name and ownership tags on a retry), and its lag alarms. `$.replication.running` is false
 * until CheckReplicationStatus sees it RUNNING; `startedAt` starts that loop's deadline.
 */

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema.extend({ target: TargetStateSchema }) }));
export type Input = z.infer<typeof Input>;

export const Output = ReplicationPhaseSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The engine the plan names (replication.engine). */
  readonly replicator: Replicator;
  readonly artifacts: ArtifactStore;
  /** The source's data plane: its topics, and the canary topic. Its bootstrap servers are MirrorMaker 2's. */
  readonly source: KafkaDataPlane;
  /**
   * A target this execution created (plan.target.create): its connectivity preflight runs before the replicator is
   * created (an existing target passed it at Inventory).
   */
  readonly target?: Pick<KafkaDataPlane, 'checkConnectivity'>;
  /** MSK Replicator's alarms (absent locally). */
  readonly lagSignals?: LagSignals;
  /** MSK Replicator: the clusters' subnets and security groups come from DescribeClusterV2 (absent locally). */
  readonly msk?: MskControlPlane;
  readonly now: () => Date;
}

type Vpc = NonNullable<ReplicationEndpoint['vpc']>;

export async function runStartReplication(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const plan = state.input;
  const target = state.target;
  if (!target.ready) throw new InputInvalidError('StartReplication needs a ready target ($.target.ready is false).');
  if (deps.replicator.engine !== plan.replication.engine) {
    throw new InputInvalidError(
      `The plan asks for ${plan.replication.engine} but the runtime wired ${deps.replicator.engine}.`,
    );
  }
  await runPreflight([deps.target]);
  const startedAt = deps.now().toISOString();
  const mskReplicator = plan.replication.engine === 'MSK_REPLICATOR';
  const vpcOf = async (clusterArn: string | undefined): Promise<Vpc | undefined> =>
    clusterArn && deps.msk ? (await deps.msk.describeCluster(clusterArn)).vpc : undefined;

  const sourceVpc = mskReplicator ? await vpcOf(plan.source.clusterArn) : undefined;
  const targetVpc = mskReplicator
    ? (plan.target.create?.vpc ?? (await vpcOf(target.clusterArn)))
    : plan.replication.mskConnect?.vpc;
  const source: ReplicationEndpoint = {
    clusterArn: plan.source.clusterArn,
    bootstrapServers: [...deps.source.connection.bootstrapServers],
    auth: replicationAuthOf(plan.source.auth),
    ...(sourceVpc ? { vpc: sourceVpc } : {}),
  };
  const targetEndpoint: ReplicationEndpoint = {
    ...(target.clusterArn ? { clusterArn: target.clusterArn } : {}),
    ...(target.bootstrapServers ? { bootstrapServers: target.bootstrapServers } : {}),
    auth: replicationAuthOf(plan.target.auth ?? { mechanism: 'IAM' }),
    ...(targetVpc ? { vpc: targetVpc } : {}),
  };
  const connect = plan.replication.mskConnect;
  const replication = await startReplicationPhase(
    {
      identity: identityOf(state),
      engine: plan.replication.engine,
      source,
      target: targetEndpoint,
      topics: plan.replication.topics,
      consumerGroups: plan.replication.consumerGroups,
      startingPosition: plan.replication.startingPosition,
      offsetSyncMode: plan.replication.offsetSyncMode,
      canary: plan.replication.canary,
      maxLagRecords: plan.gates.maxLagRecords,
      ...(plan.gates.maxReplicationLatencyMs !== undefined
        ? { maxReplicationLatencyMs: plan.gates.maxReplicationLatencyMs }
        : {}),
      ...(connect
        ? {
            mskConnect: {
              customPluginArn: connect.customPluginArn,
              customPluginRevision: connect.customPluginRevision,
              ...(connect.workerConfigurationArn ? { workerConfigurationArn: connect.workerConfigurationArn } : {}),
              ...(connect.workerConfigurationRevision !== undefined
                ? { workerConfigurationRevision: connect.workerConfigurationRevision }
                : {}),
              ...(connect.kafkaConnectVersion ? { kafkaConnectVersion: connect.kafkaConnectVersion } : {}),
              ...(connect.mcuCount !== undefined ? { mcuCount: connect.mcuCount } : {}),
              ...(connect.workerCount !== undefined ? { workerCount: connect.workerCount } : {}),
            },
          }
        : {}),
      ...(plan.tags ? { tags: plan.tags } : {}),
    },
    {
      replicator: deps.replicator,
      artifacts: deps.artifacts,
      source: deps.source,
      ...(deps.lagSignals ? { lagSignals: deps.lagSignals } : {}),
    },
  );
  return Output.parse({ ...replication, startedAt });
}

/** StartReplication as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'StartReplication',
  Input,
  Output,
  needs: {
    replicator: 'replicator',
    artifacts: 'artifacts',
    source: 'source',
    target: { oneOf: ['target'], pick: (input: Input) => (input.state.input.target.create ? 'target' : undefined) },
    lagSignals: 'lagSignals',
    msk: 'msk',
    now: 'clock',
  },
  run: runStartReplication,
});
