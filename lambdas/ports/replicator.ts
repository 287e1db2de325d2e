/**
 * A replication engine as the core sees it: something that copies topics (with IDENTICAL names) and consumer-group
 * offsets from the source cluster to the target, created and deleted by one migration execution.
 *
 * Adapters:
 * - `adapters/aws/msk-replicator.ts`: MSK Replicator (MSK → MSK, IAM on both sides).
 * - `adapters/aws/msk-connect-mm2.ts`: MirrorMaker 2 as MSK Connect connectors (targets that are not MSK).
 * - `adapters/local/mm2-replicator.ts`: MirrorMaker 2 as a local process (the rehearsal).
 */

export type ReplicationEngine = 'MSK_REPLICATOR' | 'MIRROR_MAKER_2';

/** MSK Replicator's states; MSK Connect's and the local process's are mapped onto them. */
export type ReplicatorState = 'CREATING' | 'RUNNING' | 'UPDATING' | 'DELETING' | 'FAILED';

/** Authentication an MM2 worker uses towards a cluster. Secrets are referenced, never inline. */
export type ReplicationAuth =
  | { readonly mechanism: 'PLAINTEXT' }
  | {
      readonly mechanism: 'TLS';
      /** Secrets Manager secret with `certificate` and `privateKey` (PEM): mutual TLS. */
      readonly clientCertificateSecretArn?: string;
      /** Secrets Manager secret with `caCertificates` (PEM): a private CA. */
      readonly caSecretArn?: string;
    }
  | { readonly mechanism: 'IAM' }
  | {
      readonly mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';
      /** Secrets Manager secret with `username` and `password` (MSK Connect resolves it with a config provider). */
      readonly secretArn: string;
      readonly tls: boolean;
      readonly caSecretArn?: string;
    };

/** One side of the replication flow. MSK Replicator needs `clusterArn` + `vpc`; MM2 needs `bootstrapServers` + `auth`. */
export interface ReplicationEndpoint {
  readonly clusterArn?: string;
  readonly bootstrapServers?: readonly string[];
  readonly auth?: ReplicationAuth;
  readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
}

export interface ReplicatorSpec {
  /** Unique per execution (`replicatorName` in core/replication/naming.ts). */
  readonly name: string;
  readonly source: ReplicationEndpoint;
  readonly target: ReplicationEndpoint;
  /** Regexes matched against the whole topic name (Java `matches()` semantics, as both engines do). */
  readonly topics: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  readonly consumerGroups: { readonly include: readonly string[]; readonly exclude: readonly string[] };
  readonly startingPosition: 'EARLIEST' | 'LATEST';
  readonly copyTopicConfigurations: boolean;
  readonly detectAndCopyNewTopics: boolean;
  readonly syncGroupOffsets: boolean;
  /** ENHANCED keeps offsets translatable in both directions (needed for a failback); LEGACY otherwise. */
  readonly offsetSyncMode: 'LEGACY' | 'ENHANCED';
  /** MirrorMaker 2 on MSK Connect only: the custom plugin that holds the MM2 connectors (and the IAM auth jar). */
  readonly mskConnect?: {
    readonly customPluginArn: string;
    readonly customPluginRevision: number;
    readonly workerConfigurationArn?: string;
    readonly workerConfigurationRevision?: number;
    /** @default '3.7.x' */
    readonly kafkaConnectVersion?: string;
    /** @default 1 MCU, 1 worker per connector */
    readonly mcuCount?: number;
    readonly workerCount?: number;
  };
  readonly tags: Readonly<Record<string, string>>;
  /**
   * MirrorMaker 2 only: the cluster aliases of the flow (`<source>-><target>`), which also name MM2's internal topics.
   * A failback reads from the migration's target, so it runs the flow `target->source`. @default source → target
   */
  readonly flowAliases?: { readonly source: string; readonly target: string };
  /**
   * MirrorMaker 2 only: where to start reading each partition of the flow's source (the next offset to copy); other
   * partitions start at `startingPosition`. A failback starts at the target's end offsets of the cutover switch, so
   * that only what producers wrote to the target since then flows back.
   */
  readonly startOffsets?: ReadonlyArray<{
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
  }>;
}

/** What identifies a created replicator across task invocations (kept in the execution state). */
export interface ReplicatorHandle {
  readonly engine: ReplicationEngine;
  readonly name: string;
  /** ARN (MSK Replicator), connector ARNs joined by `,` (MSK Connect), or the local process id. */
  readonly id: string;
}

export interface ReplicatorStatus {
  readonly state: ReplicatorState;
  /** The engine's reason (StateInfo, connector state description, process exit), for the evidence. */
  readonly detail?: string;
}

export interface ReplicatorSummary {
  readonly handle: ReplicatorHandle;
  readonly state: ReplicatorState;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Replicator {
  readonly engine: ReplicationEngine;
  /** The replicator with this exact name, if any, with its tags (for the ownership check on retry). */
  find(name: string): Promise<ReplicatorSummary | undefined>;
  /**
   * How many replicators of this engine exist in the account (for the per-account limit), or `undefined` when the
   * engine has no such limit.
   */
  countExisting(): Promise<number | undefined>;
  create(spec: ReplicatorSpec): Promise<ReplicatorHandle>;
  /** `undefined` when it no longer exists. */
  describe(handle: ReplicatorHandle): Promise<ReplicatorStatus | undefined>;
  delete(handle: ReplicatorHandle): Promise<void>;
}
