/**
 * The control plane of a target cluster that this migration may create (MSK Serverless or MSK provisioned).
 * Adapter: `adapters/aws/msk-provisioner.ts` (CreateClusterV2, ListClustersV2, DescribeClusterV2, DeleteCluster).
 *
 * The core finds a cluster by name and tags before it creates one, so a retried task never creates a second one,
 * and it deletes only a cluster whose tags say this execution created it.
 */

export type TargetClusterKind = 'SERVERLESS' | 'PROVISIONED';

/** MSK's cluster states; anything else the API may add is reported as `OTHER` with its raw value in `stateDetail`. */
export type TargetClusterState =
  'CREATING' | 'ACTIVE' | 'UPDATING' | 'HEALING' | 'MAINTENANCE' | 'REBOOTING_BROKER' | 'DELETING' | 'FAILED' | 'OTHER';

export interface TargetClusterRequest {
  readonly clusterName: string;
  readonly kind: TargetClusterKind;
  readonly vpc: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /** Required when `kind` is PROVISIONED. Access is IAM (SASL/IAM over TLS) in both kinds. */
  readonly provisioned?: {
    readonly kafkaVersion: string;
    readonly brokerInstanceType: string;
    readonly numberOfBrokerNodes: number;
    /** EBS volume per broker. */
    readonly volumeSizeGiB: number;
  };
  readonly tags: Readonly<Record<string, string>>;
}

export interface TargetClusterInfo {
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly kind: TargetClusterKind;
  readonly state: TargetClusterState;
  /** MSK's StateInfo code and message (why a cluster FAILED), or the raw state when `OTHER`. */
  readonly stateDetail?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface TargetProvisioner {
  /** Clusters whose name contains `clusterNameFilter` (MSK's ClusterNameFilter semantics), every page. */
  findClusters(clusterNameFilter: string): Promise<TargetClusterInfo[]>;
  createCluster(request: TargetClusterRequest): Promise<{ clusterArn: string }>;
  /** `undefined` when the cluster does not exist (any more). */
  describeCluster(clusterArn: string): Promise<TargetClusterInfo | undefined>;
  /** SASL/IAM bootstrap brokers (the only access these targets get). Empty while the cluster is not ACTIVE. */
  getIamBootstrapBrokers(clusterArn: string): Promise<string[]>;
  deleteCluster(clusterArn: string): Promise<void>;
}
