import type { AclBinding } from '../core/access/acl-binding';
import type { ConnectivityCheck } from '../core/connectivity/preflight';

/**
 * The Kafka data plane as the core sees it: one cluster, admin and client calls in Kafka's own vocabulary.
 * Adapters: kafkajs (default), @platformatic/kafka (fallback). The core never imports a Kafka client.
 *
 * Every call is bounded in time by the adapter; failures are mapped to the error taxonomy
 * (`Migration.Unreachable`, `Migration.AuthFailed`, `Migration.Transient`).
 */

/** How to reach and authenticate to a cluster. Secrets are never inline in the execution input: see `secretArn`. */
export type KafkaAuth =
  | { readonly mechanism: 'PLAINTEXT' }
  | { readonly mechanism: 'TLS' }
  | {
      readonly mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN';
      readonly username: string;
      readonly password: string;
      readonly tls?: boolean;
    }
  /** MSK IAM: SASL/OAUTHBEARER with a presigned kafka-cluster:Connect token (adapters/kafka/msk-iam-token.ts), always over TLS. */
  | { readonly mechanism: 'IAM'; readonly region: string };

/**
 * What a TLS connection trusts and presents, PEM. Applies to the auth modes that run over TLS (TLS, IAM, SCRAM or
 * PLAIN with `tls`); read from Secrets Manager by the task wiring, never kept in the execution state.
 */
export interface KafkaTlsMaterial {
  /** The CA bundle that signed the brokers' certificates (a private PKI); it replaces the public CAs. */
  readonly ca?: string;
  /** The client certificate chain (mTLS), its certificate first. */
  readonly certificate?: string;
  /** The client certificate's private key (PKCS#8). */
  readonly privateKey?: string;
}

export interface KafkaConnection {
  /** A name for logs and evidence (`source`, `target`). */
  readonly name: string;
  readonly bootstrapServers: readonly string[];
  readonly auth: KafkaAuth;
  /** @default the public CAs, no client certificate */
  readonly tls?: KafkaTlsMaterial;
  /** Bound for each request. @default 10_000 */
  readonly requestTimeoutMs?: number;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: ReadonlyArray<{
    readonly partition: number;
    readonly leader: number;
    readonly replicas: readonly number[];
    readonly isr: readonly number[];
  }>;
  readonly isInternal?: boolean;
}

export interface ConfigEntry {
  readonly name: string;
  readonly value: string | null;
  /** True when the value is the broker's or Kafka's default (not set on the topic). */
  readonly isDefault: boolean;
  readonly isSensitive?: boolean;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** Log start offset (earliest). */
  readonly low: string;
  /** Log end offset (next offset to be written). */
  readonly high: string;
}

export interface CommittedOffset {
  readonly topic: string;
  readonly partition: number;
  /** "-1" when the group has no committed offset for this partition. */
  readonly offset: string;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's group state: Stable, Empty, Dead, PreparingRebalance, CompletingRebalance. */
  readonly state: string;
  readonly protocolType: string;
  readonly members: ReadonlyArray<{
    readonly memberId: string;
    readonly clientId: string;
    readonly clientHost: string;
  }>;
}

export interface KafkaRecordOut {
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string>;
  readonly partition?: number;
}

export interface KafkaRecordIn {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | string | undefined>;
}

/** The data-plane port. Methods beyond these may be appended by the capabilities that need them. */
export interface KafkaDataPlane {
  readonly connection: KafkaConnection;
  /**
   * The connectivity preflight of this connection (TCP, TLS, AUTH, METADATA on each bootstrap server), never throwing:
   * the result says which stage broke (lambdas/core/connectivity/preflight.ts). Optional for fakes.
   */
  checkConnectivity?(): Promise<ConnectivityCheck>;

  listTopics(): Promise<string[]>;
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>;
  /** Topic configs, with `isDefault` so that callers can keep only non-default ones. Batched, not one call per topic. */
  describeTopicConfigs(topics: readonly string[]): Promise<Record<string, ConfigEntry[]>>;
  createTopics(
    topics: ReadonlyArray<{
      topic: string;
      numPartitions: number;
      replicationFactor?: number;
      configs?: Record<string, string>;
    }>,
  ): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  fetchTopicOffsets(topic: string): Promise<PartitionOffsets[]>;

  listGroups(): Promise<Array<{ groupId: string; protocolType: string }>>;
  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]>;
  fetchCommittedOffsets(groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]>;
  /** Commits offsets for a group that has no active members (Kafka refuses otherwise). */
  setCommittedOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void>;

  produce(topic: string, records: readonly KafkaRecordOut[]): Promise<Array<{ partition: number; offset: string }>>;
  /**
   * Reads records of one partition from `fromOffset` (inclusive) up to `maxRecords` or `untilOffset` (exclusive),
   * without joining a consumer group. Bounded by `timeoutMs`.
   */
  readPartition(args: {
    topic: string;
    partition: number;
    fromOffset: string;
    untilOffset?: string;
    maxRecords: number;
    timeoutMs?: number;
  }): Promise<KafkaRecordIn[]>;

  close(): Promise<void>;
}

/** Builds a data-plane client for one cluster. The handler wires the adapter; the core only sees this factory. */
export type KafkaDataPlaneFactory = (connection: KafkaConnection) => KafkaDataPlane;

// ---------------------------------------------------------------------------------------------------------------
// Inventory reads (issue 5). A separate interface so that implementers of KafkaDataPlane that do not take inventories
// need not carry them; the kafkajs adapter implements both.
//
// Errors: connection-level failures (cannot connect, SASL/TLS refused, timeouts) are Migration.Unreachable /
// Migration.AuthFailed / Migration.Transient; an ACL refusing one request is Migration.AuthFailed with
// `details.kind = 'authorization'`, and any other refusal of one request (an unsupported API) a plain Error: the
// inventory records those parts as not collected instead of failing the whole run.

export interface ClusterDescription {
  readonly clusterId: string | null;
  readonly controllerId: number | null;
  readonly brokers: ReadonlyArray<{
    readonly nodeId: number;
    readonly host: string;
    readonly port: number;
    readonly rack?: string | null;
  }>;
}

export type AclListing =
  | { readonly authorizerEnabled: true; readonly bindings: readonly AclBinding[] }
  | { readonly authorizerEnabled: false };

export interface ClientQuotaEntry {
  readonly entity: ReadonlyArray<{ readonly type: string; readonly name: string | null }>;
  readonly values: Readonly<Record<string, number>>;
}

export interface KafkaInventoryReads {
  describeCluster(): Promise<ClusterDescription>;
  /** All bindings (ANY filter); `{authorizerEnabled: false}` when the broker answers SECURITY_DISABLED. */
  describeAcls(): Promise<AclListing>;
  /** Every client quota (user, client-id, ip, and their defaults). */
  describeClientQuotas(): Promise<ClientQuotaEntry[]>;
  /** Configs of one broker, with `isDefault` like topic configs. */
  describeBrokerConfigs(brokerId: number): Promise<ConfigEntry[]>;
  /** Log start and end offsets of every partition of these topics, batched by partition leader (not one call per topic). */
  fetchTopicsOffsets(topics: readonly string[]): Promise<Record<string, PartitionOffsets[]>>;
}
