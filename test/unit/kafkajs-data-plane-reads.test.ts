import { KafkajsDataPlane } from '../../lambdas/adapters/kafka/kafkajs-data-plane';
import type { FetchedRecord, InternalBroker, InternalCluster } from '../../lambdas/adapters/kafka/kafkajs-internals';

/**
 * How the kafkajs data plane reads partitions, against a fake kafkajs Cluster that can move a partition's leader: the
 * real-broker tests (test/integration/kafka-data-plane.test.ts) run one broker, where no leader ever moves.
 */

interface Truth {
  /** topic → partition → leader node id */
  readonly leaders: Map<string, number[]>;
  /** `topic-partition` → record values, at offsets 0, 1, … */
  readonly records: Map<string, string[]>;
  /** Brokers that answer NOT_LEADER_FOR_PARTITION whatever the truth says. */
  readonly refusing: Set<number>;
  /** Topics the client's principal may not describe: a Metadata request naming one is refused. */
  readonly denied: Set<string>;
}

function protocolError(type: string): Error {
  return Object.assign(new Error(`fake ${type}`), { name: 'KafkaJSProtocolError', type, retriable: true });
}

class FakeCluster implements InternalCluster {
  targetTopics = new Set<string>();
  readonly refreshes: string[][] = [];
  readonly fetches: Array<{ node: number; topic: string; partition: number }> = [];
  /** ListOffsets and Metadata requests to brokers, as `node:what`, in the order sent. */
  readonly requests: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private metadata: Map<string, Array<{ partitionId: number; leader: number }>> | undefined;

  constructor(private readonly truth: Truth) {}

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async addTargetTopic(): Promise<void> {}

  async refreshMetadata(): Promise<void> {
    const topics = [...this.targetTopics];
    this.refreshes.push(topics);
    await new Promise((resolve) => setImmediate(resolve));
    if (topics.some((t) => !this.truth.leaders.has(t))) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION');
    if (topics.some((t) => this.truth.denied.has(t))) throw protocolError('TOPIC_AUTHORIZATION_FAILED');
    this.metadata = new Map(
      topics.map((t) => [t, (this.truth.leaders.get(t) ?? []).map((leader, partitionId) => ({ partitionId, leader }))]),
    );
  }

  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }> {
    if (!this.metadata) throw new Error('Topic metadata not loaded');
    return this.metadata.get(topic) ?? [];
  }

  findLeaderForPartitions(): Record<string, number[]> {
    throw new Error('not used by reads');
  }

  async findBroker({ nodeId }: { nodeId: string }): Promise<InternalBroker> {
    const node = Number(nodeId);
    return {
      fetch: async (request) => {
        const topic = request.topics[0]?.topic as string;
        const wanted = request.topics[0]?.partitions[0] as { partition: number; fetchOffset: string };
        this.fetches.push({ node, topic, partition: wanted.partition });
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
          await new Promise((resolve) => setImmediate(resolve));
          if (this.truth.refusing.has(node) || this.truth.leaders.get(topic)?.[wanted.partition] !== node)
            throw protocolError('NOT_LEADER_FOR_PARTITION');
          const values = this.truth.records.get(`${topic}-${wanted.partition}`) ?? [];
          const from = Number(wanted.fetchOffset);
          // Two records an answer, so that a read takes several rounds.
          const messages: FetchedRecord[] = values.slice(from, from + 2).map((value, i) => ({
            offset: String(from + i),
            timestamp: '0',
            key: null,
            value: Buffer.from(value),
            headers: {},
          }));
          const end = String(values.length);
          return {
            responses: [
              {
                topicName: topic,
                partitions: [
                  { partition: wanted.partition, errorCode: 0, highWatermark: end, lastStableOffset: end, messages },
                ],
              },
            ],
          };
        } finally {
          this.inFlight--;
        }
      },
      listOffsets: async (request) => {
        const topic = request.topics[0]?.topic as string;
        const asked = request.topics[0]?.partitions ?? [];
        this.requests.push(`${node}:ListOffsets ${asked[0]?.timestamp} ${asked.map((p) => p.partition).join(',')}`);
        await this.answerLater();
        if (asked.some((p) => this.truth.leaders.get(topic)?.[p.partition] !== node))
          throw protocolError('NOT_LEADER_FOR_PARTITION');
        return {
          responses: [
            {
              topic,
              partitions: asked.map((p) => ({
                partition: p.partition,
                offset:
                  p.timestamp === '-2' ? '0' : String(this.truth.records.get(`${topic}-${p.partition}`)?.length ?? 0),
              })),
            },
          ],
        };
      },
      metadata: async (topics) => {
        this.requests.push(`${node}:Metadata`);
        await this.answerLater();
        if (topics.some((t) => !this.truth.leaders.has(t))) throw protocolError('UNKNOWN_TOPIC_OR_PARTITION');
        return {
          topicMetadata: topics.map((topic) => ({
            topic,
            partitionMetadata: (this.truth.leaders.get(topic) ?? []).map((leader, partitionId) => ({
              partitionId,
              leader,
            })),
          })),
        };
      },
      offsetCommit: async () => undefined,
    };
  }

  /** Counts the requests waiting for their answer at once. */
  private async answerLater(): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    this.inFlight--;
  }

  async findGroupCoordinator(): Promise<InternalBroker> {
    throw new Error('not used by reads');
  }
}

let cluster: FakeCluster;
// Hoisted by jest above the imports: the data plane builds its kafkajs Cluster with the fake.
jest.mock('../../lambdas/adapters/kafka/kafkajs-internals', () => ({
  ...jest.requireActual('../../lambdas/adapters/kafka/kafkajs-internals'),
  createInternalCluster: () => cluster,
}));

function world(topics: Record<string, number[]>): Truth {
  const leaders = new Map(Object.entries(topics));
  const records = new Map<string, string[]>();
  for (const [topic, partitions] of leaders)
    partitions.forEach((_, p) =>
      records.set(
        `${topic}-${p}`,
        Array.from({ length: p + 1 }, (__, i) => `${topic}-${p}-${i}`),
      ),
    );
  return { leaders, records, refusing: new Set(), denied: new Set() };
}

const plane = (): KafkajsDataPlane =>
  new KafkajsDataPlane({ name: 'source', bootstrapServers: ['127.0.0.1:9092'], auth: { mechanism: 'PLAINTEXT' } });

const readAll = (p: KafkajsDataPlane, topic: string, partition: number): Promise<string[]> =>
  p
    .readPartition({ topic, partition, fromOffset: '0', untilOffset: String(partition + 1), maxRecords: 100 })
    .then((records) => records.map((r) => `${r.topic}-${r.partition}:${r.value?.toString()}`));

describe('the kafkajs data plane reading partitions', () => {
  it('reads 24 partitions side by side, at most 16 at once, after one metadata refresh', async () => {
    // Prepare
    const truth = world({ ledger: Array.from({ length: 24 }, (_, p) => 1 + (p % 3)) });
    cluster = new FakeCluster(truth);
    const reader = plane();

    // Act
    const read = await Promise.all(Array.from({ length: 24 }, (_, p) => readAll(reader, 'ledger', p)));

    // Assess
    read.forEach((values, p) =>
      expect(values).toEqual(Array.from({ length: p + 1 }, (_, i) => `ledger-${p}:ledger-${p}-${i}`)),
    );
    expect(cluster.refreshes).toEqual([['ledger']]);
    expect(cluster.maxInFlight).toBeGreaterThan(1);
    expect(cluster.maxInFlight).toBeLessThanOrEqual(16);
  });

  it('reads a partition whose leader moved from its new leader, after one more refresh', async () => {
    // Prepare: the reader has the metadata of ledger with partition 0 on broker 1; the partition then moves to 2
    const truth = world({ ledger: [1, 1] });
    cluster = new FakeCluster(truth);
    const reader = plane();
    await readAll(reader, 'ledger', 1);
    truth.leaders.set('ledger', [2, 1]);

    // Act
    const values = await readAll(reader, 'ledger', 0);

    // Assess
    expect(values).toEqual(['ledger-0:ledger-0-0']);
    expect(cluster.refreshes).toEqual([['ledger'], ['ledger']]);
    expect(cluster.fetches.slice(-2)).toEqual([
      { node: 1, topic: 'ledger', partition: 0 },
      { node: 2, topic: 'ledger', partition: 0 },
    ]);
  });

  it('refreshes once for many reads that found the same leader gone', async () => {
    // Prepare
    const truth = world({ ledger: [1, 1, 1, 1, 1, 1, 1, 1] });
    cluster = new FakeCluster(truth);
    const reader = plane();
    await readAll(reader, 'ledger', 0);
    truth.leaders.set('ledger', [2, 2, 2, 2, 2, 2, 2, 2]);

    // Act
    const read = await Promise.all(Array.from({ length: 8 }, (_, p) => readAll(reader, 'ledger', p)));

    // Assess
    expect(read.map((values) => values.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cluster.refreshes).toHaveLength(2);
  });

  it('fails a read whose leader still refuses it after the refresh, having tried twice', async () => {
    // Prepare
    const truth = world({ ledger: [1] });
    truth.refusing.add(1);
    cluster = new FakeCluster(truth);
    const reader = plane();

    // Act
    const read = readAll(reader, 'ledger', 0);

    // Assess
    await expect(read).rejects.toMatchObject({ name: 'Migration.Transient' });
    expect(cluster.fetches).toHaveLength(2);
    expect(cluster.refreshes).toEqual([['ledger'], ['ledger']]);
  });

  it('reads a new topic when a topic it read before has been deleted, keeping only the topics still asked for', async () => {
    // Prepare
    const truth = world({ retired: [1], arrived: [1] });
    cluster = new FakeCluster(truth);
    const reader = plane();
    await readAll(reader, 'retired', 0);
    truth.leaders.delete('retired');

    // Act
    const values = await readAll(reader, 'arrived', 0);

    // Assess
    expect(values).toEqual(['arrived-0:arrived-0-0']);
    expect(cluster.refreshes).toEqual([['retired'], ['retired', 'arrived'], ['arrived']]);
  });

  it('reads a topic it may read after one it may not, refreshing the metadata of the readable topic alone', async () => {
    // Prepare: a principal allowed audit-eu, not audit-us (the security mapping's real-broker test reads both in turn)
    const truth = world({ 'audit-us': [1], 'audit-eu': [1] });
    truth.denied.add('audit-us');
    cluster = new FakeCluster(truth);
    const reader = plane();
    await expect(readAll(reader, 'audit-us', 0)).rejects.toThrow(/TOPIC_AUTHORIZATION_FAILED/);

    // Act
    const values = await readAll(reader, 'audit-eu', 0);

    // Assess: the refresh naming the refused topic too fails, and the one for audit-eu alone serves the read
    expect(values).toEqual(['audit-eu-0:audit-eu-0-0']);
    expect(cluster.refreshes.slice(-2)).toEqual([['audit-us', 'audit-eu'], ['audit-eu']]);
  });

  it("reads a topic's ends beside its metadata, in one round trip once the topic is known", async () => {
    // Prepare
    const truth = world({ ledger: [1, 2, 1] });
    cluster = new FakeCluster(truth);
    const reader = plane();
    await reader.fetchTopicOffsets('ledger');
    cluster.requests.length = 0;
    cluster.maxInFlight = 0;

    // Act
    const ends = await reader.fetchTopicOffsets('ledger');

    // Assess: Metadata and both ListOffsets to each leader sent at once, before any answer came
    expect(ends).toEqual([
      { partition: 0, low: '0', high: '1' },
      { partition: 1, low: '0', high: '2' },
      { partition: 2, low: '0', high: '3' },
    ]);
    expect([...cluster.requests].sort()).toEqual([
      '1:ListOffsets -1 0,2',
      '1:ListOffsets -2 0,2',
      '1:Metadata',
      '2:ListOffsets -1 1',
      '2:ListOffsets -2 1',
    ]);
    expect(cluster.maxInFlight).toBe(5);
    expect(cluster.refreshes).toEqual([['ledger']]);
  });

  it('reads the ends of a partition added, and of one whose leader moved, after one refresh', async () => {
    // Prepare: the reader knows ledger with two partitions on broker 1; then partition 1 moves to 2 and a third appears
    const truth = world({ ledger: [1, 1] });
    cluster = new FakeCluster(truth);
    const reader = plane();
    await reader.fetchTopicOffsets('ledger');
    truth.leaders.set('ledger', [1, 2, 2]);
    truth.records.set('ledger-2', ['a', 'b', 'c', 'd']);

    // Act
    const ends = await reader.fetchTopicOffsets('ledger');

    // Assess
    expect(ends).toEqual([
      { partition: 0, low: '0', high: '1' },
      { partition: 1, low: '0', high: '2' },
      { partition: 2, low: '0', high: '4' },
    ]);
    expect(cluster.refreshes).toEqual([['ledger'], ['ledger']]);
  });
});
