import type { MskCluster } from '../core/inventory/model';

/**
 * The MSK control plane as the inventory sees it: what a cluster is (type, Kafka version, brokers, storage, auth modes,
 * configuration revision, bootstrap brokers). Works for provisioned and Serverless clusters, source or target.
 * Adapter: `adapters/aws/msk-control-plane.ts` (DescribeClusterV2, GetBootstrapBrokers, DescribeConfigurationRevision,
 * ListClustersV2).
 *
 * Errors: an unknown ARN → `Migration.InputInvalid`; refused credentials → `Migration.AuthFailed`; throttling and 5xx →
 * `Migration.Transient`.
 */
export interface MskControlPlane {
  describeCluster(clusterArn: string): Promise<MskCluster>;
  /** The ARN of the cluster with exactly this name (all ListClustersV2 pages); undefined when there is none. */
  findClusterArn(clusterName: string): Promise<string | undefined>;
}
