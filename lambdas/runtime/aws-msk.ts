import { KafkaClient } from '@aws-sdk/client-kafka';
import { AwsMskControlPlane } from '../adapters/aws/msk-control-plane';
import type { TaskEnv } from '../contract/env';
import type { MskControlPlane } from '../ports/msk-control-plane';

/**
 * MSK's control plane in the AWS runtime (used by its composition root, lambdas/runtime/aws.ts): one MSK client per
 * container for the orchestrator's Region, made on first use, and one per other Region a cross-region cluster is in.
 *
 * Kept apart from the Kafka data planes (lambdas/runtime/aws-clusters.ts, which uses it): a function that only
 * creates, describes or deletes clusters and replicators (ProvisionTarget, CheckTargetStatus, RollbackTarget,
 * CheckReplicationStatus) imports this module and not that one, so its bundle holds no Kafka client.
 */
export class AwsMsk {
  private homeClient: KafkaClient | undefined;
  private readonly regionalKafka = new Map<string, KafkaClient>();

  constructor(
    private readonly env: TaskEnv,
    private readonly client?: KafkaClient,
  ) {}

  get region(): string {
    const region = this.env.AWS_REGION;
    if (!region) throw new Error('Task function misconfigured: AWS_REGION is needed for this plan but not set.');
    return region;
  }

  /** The MSK client of the orchestrator's Region (also the provisioner's and MSK Replicator's). */
  get kafka(): KafkaClient {
    this.homeClient ??= this.client ?? new KafkaClient({});
    return this.homeClient;
  }

  msk(): MskControlPlane {
    return new AwsMskControlPlane(this.kafka, { region: this.region, clientFor: (region) => this.kafkaIn(region) });
  }

  /** An MSK client of another Region (a cross-region source), one per Region and container. */
  private kafkaIn(region: string): KafkaClient {
    let client = this.regionalKafka.get(region);
    if (!client) {
      client = new KafkaClient({ region });
      this.regionalKafka.set(region, client);
    }
    return client;
  }
}

const mskByEnv = new WeakMap<object, AwsMsk>();

/** The function's AwsMsk (one per container and environment), made on first use by an MSK or Kafka port. */
export function mskOf(inv: { readonly env: TaskEnv }): AwsMsk {
  let msk = mskByEnv.get(inv.env);
  if (!msk) {
    msk = new AwsMsk(inv.env);
    mskByEnv.set(inv.env, msk);
  }
  return msk;
}
