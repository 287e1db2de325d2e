import * as z from 'zod';
import { runPreflight } from '../../core/connectivity/preflight';
import type { InventoryDataPlane } from '../../core/inventory/data-plane';
import type { ClientBehaviourReads } from '../../ports/client-behaviour';
import type { ConnectorInventoryReads } from '../../ports/connectors';
import type { SchemaRegistryReaders } from '../../core/inventory/schema-registries';
import type { JsonHttpReads } from '../../ports/http-json';
import type { KafkaDataPlane } from '../../ports/kafka';
import { takeInventory } from '../../core/inventory/take-inventory';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { ThroughputMetrics } from '../../ports/metrics';
import type { MskControlPlane } from '../../ports/msk-control-plane';
import { ExecutionStateSchema, InventoryStateSchema } from '../shared/execution-state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * Inventory: the source's control plane (MSK), data plane (topics, configs, groups, ACLs, quotas), client behaviour
 * (producers, transactions, codecs and record sizes, group protocols) and throughput (CloudWatch). The whole inventory goes to the ArtifactStore; `$.inventory` keeps its summary and key.
 */

export const Input = lazySchema(() => z.object({ state: ExecutionStateSchema }));
export type Input = z.infer<typeof Input>;

export const Output = InventoryStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The source's data plane, connected with the plan's source.auth. */
  readonly kafka: InventoryDataPlane & Pick<KafkaDataPlane, 'checkConnectivity'>;
  /**
   * The target's data plane when the target exists before the migration (not one ProvisionTarget creates): it goes
   * through the connectivity preflight with the source.
   */
  readonly target?: Pick<KafkaDataPlane, 'checkConnectivity'>;
  /** The source's producers, transactions, record batches and group types, on the second Kafka client. */
  readonly clientBehaviour?: ClientBehaviourReads;
  /** MSK Connect's connectors (absent in the local rehearsal). */
  readonly connectors?: ConnectorInventoryReads;
  /** The readers of the plan's schema registries (Glue, Confluent-compatible REST); absent when it names none. */
  readonly schemaRegistries?: SchemaRegistryReaders;
  /** The Kafka Connect clusters' REST API reader (the plan's connectClusters). */
  readonly connectClusters?: JsonHttpReads;
  /** Absent in the local rehearsal: the control plane and the throughput are then reported as not collected. */
  readonly msk?: MskControlPlane;
  readonly metrics?: ThroughputMetrics;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

export async function runInventory(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  // Before anything is created: TCP, TLS, AUTH and METADATA on both clusters, failing with the stage that broke.
  await runPreflight([deps.kafka, deps.target]);
  const { summary } = await takeInventory(
    {
      migrationId: state.identity.migrationId,
      executionName: state.identity.executionName,
      clusterArn: state.input.source.clusterArn,
      ...(state.input.schemaRegistries ? { schemaRegistries: state.input.schemaRegistries } : {}),
      ...(state.input.connectClusters ? { connectClusters: state.input.connectClusters } : {}),
    },
    {
      kafka: deps.kafka,
      ...(deps.clientBehaviour ? { clientBehaviour: deps.clientBehaviour } : {}),
      ...(deps.connectors ? { connectors: deps.connectors } : {}),
      ...(deps.schemaRegistries ? { schemaRegistries: deps.schemaRegistries } : {}),
      ...(deps.connectClusters ? { connectClusters: deps.connectClusters } : {}),
      store: deps.artifacts,
      now: deps.now,
      ...(deps.msk ? { msk: deps.msk } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    },
  );
  return Output.parse(summary);
}

/** Inventory as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Inventory',
  Input,
  Output,
  needs: {
    kafka: 'source',
    // A target the plan creates does not exist yet: ProvisionTarget waits until it answers.
    target: { oneOf: ['target'], pick: (input: Input) => (input.state.input.target.create ? undefined : 'target') },
    clientBehaviour: 'clientBehaviour',
    connectors: 'connectors',
    schemaRegistries: 'schemaRegistries',
    // Built only when the plan names a Connect cluster.
    connectClusters: {
      oneOf: ['connectClusters'],
      pick: (input: Input) => (input.state.input.connectClusters?.length ? 'connectClusters' : undefined),
    },
    msk: 'msk',
    metrics: 'metrics',
    artifacts: 'artifacts',
    now: 'clock',
  },
  run: runInventory,
});
