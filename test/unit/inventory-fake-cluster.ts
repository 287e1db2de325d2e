import { AuthFailedError } from '../../lambdas/core/errors';
import type { InventoryDataPlane } from '../../lambdas/core/inventory/data-plane';
import type {
  AclListing,
  ClientQuotaEntry,
  CommittedOffset,
  ConfigEntry,
  GroupDescription,
  PartitionOffsets,
  TopicDescription,
} from '../../lambdas/ports/kafka';

/** An in-memory cluster behind the inventory's view of the data plane, counting calls and failing on demand. */
export class FakeInventoryCluster implements InventoryDataPlane {
  readonly connection = {
    name: 'source',
    bootstrapServers: ['127.0.0.1:9092'],
    auth: { mechanism: 'PLAINTEXT' as const },
  };
  readonly calls: Record<string, number> = {};
  topics = new Map<
    string,
    { partitions: number; configs: Record<string, string>; offsets?: Array<[number, number]> }
  >();
  groups = new Map<string, { state: string; members: number; committed: Array<[string, number, number]> }>();
  brokerConfigs: Record<string, string> = {};
  acls: AclListing | Error = { authorizerEnabled: true, bindings: [] };
  quotas: ClientQuotaEntry[] | Error = [];
  /** Topics whose metadata request fails (the whole request, as Kafka clients do). */
  failDescribe = new Set<string>();
  failConfigs = new Set<string>();
  failAllWith: Error | undefined;

  private count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    if (this.failAllWith) throw this.failAllWith;
  }

  async describeCluster() {
    this.count('describeCluster');
    return {
      clusterId: 'abc',
      controllerId: 2,
      brokers: [1, 2, 3].map((nodeId) => ({ nodeId, host: `b${nodeId}`, port: 9092 })),
    };
  }
  async describeBrokerConfigs(brokerId: number): Promise<ConfigEntry[]> {
    this.count(`describeBrokerConfigs:${brokerId}`);
    return [
      { name: 'num.io.threads', value: '8', isDefault: true },
      ...Object.entries(this.brokerConfigs).map(([name, value]) => ({ name, value, isDefault: false })),
    ];
  }
  async listTopics() {
    this.count('listTopics');
    return [...this.topics.keys()];
  }
  async describeTopics(names: readonly string[]): Promise<TopicDescription[]> {
    this.count('describeTopics');
    const bad = names.find((n) => this.failDescribe.has(n));
    if (bad)
      throw Object.assign(new Error(`This server does not host this topic-partition`), {
        type: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    return names.map((name) => ({
      name,
      partitions: Array.from({ length: this.topics.get(name)?.partitions ?? 0 }, (_, p) => ({
        partition: p,
        leader: 1,
        replicas: [1, 2, 3],
        isr: p === 0 ? [1, 2] : [1, 2, 3],
      })),
    }));
  }
  async describeTopicConfigs(names: readonly string[]): Promise<Record<string, ConfigEntry[]>> {
    this.count('describeTopicConfigs');
    const bad = names.find((n) => this.failConfigs.has(n));
    if (bad) throw new AuthFailedError(`denied ${bad}`, { kind: 'authorization' });
    return Object.fromEntries(
      names.map((n) => [
        n,
        [
          {
            name: 'cleanup.policy',
            value: this.topics.get(n)?.configs['cleanup.policy'] ?? 'delete',
            isDefault: this.topics.get(n)?.configs['cleanup.policy'] === undefined,
          },
          { name: 'segment.bytes', value: '1073741824', isDefault: true },
          ...Object.entries(this.topics.get(n)?.configs ?? {})
            .filter(([k]) => k !== 'cleanup.policy')
            .map(([name, value]) => ({ name, value, isDefault: false, isSensitive: name.includes('password') })),
        ],
      ]),
    );
  }
  async fetchTopicsOffsets(names: readonly string[]): Promise<Record<string, PartitionOffsets[]>> {
    this.count('fetchTopicsOffsets');
    return Object.fromEntries(
      names.map((n) => {
        const t = this.topics.get(n);
        const offsets = t?.offsets ?? Array.from({ length: t?.partitions ?? 0 }, () => [0, 100] as [number, number]);
        return [n, offsets.map(([low, high], partition) => ({ partition, low: String(low), high: String(high) }))];
      }),
    );
  }
  async listGroups() {
    this.count('listGroups');
    return [...this.groups.keys()].map((groupId) => ({ groupId, protocolType: 'consumer' }));
  }
  async describeGroups(ids: readonly string[]): Promise<GroupDescription[]> {
    this.count('describeGroups');
    return ids.map((groupId) => {
      const g = this.groups.get(groupId);
      return {
        groupId,
        state: g?.state ?? 'Dead',
        protocolType: 'consumer',
        members: Array.from({ length: g?.members ?? 0 }, (_, i) => ({
          memberId: `${groupId}-${i}`,
          clientId: groupId,
          clientHost: '/127.0.0.1',
        })),
      };
    });
  }
  async fetchCommittedOffsets(groupId: string): Promise<CommittedOffset[]> {
    this.count('fetchCommittedOffsets');
    return (this.groups.get(groupId)?.committed ?? []).map(([topic, partition, offset]) => ({
      topic,
      partition,
      offset: String(offset),
    }));
  }
  async describeAcls(): Promise<AclListing> {
    this.count('describeAcls');
    if (this.acls instanceof Error) throw this.acls;
    return this.acls;
  }
  async describeClientQuotas(): Promise<ClientQuotaEntry[]> {
    this.count('describeClientQuotas');
    if (this.quotas instanceof Error) throw this.quotas;
    return this.quotas;
  }
}
