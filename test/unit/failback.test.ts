import { LocalMirrorMaker2, type Mm2Launcher } from '../../lambdas/adapters/local/mm2-replicator';
import { storeEndOffsets } from '../../lambdas/core/cutover/model';
import { FAILBACK_ROLE_TAG, planFailback, type FailbackPlanInput } from '../../lambdas/core/failback/failback';
import {
  runCheckFailback,
  runCommitFailbackOffsets,
  runStartFailback,
  runStopFailback,
} from '../../lambdas/core/failback/tasks';
import { mm2DedicatedProperties, mm2StartOffsetRecords } from '../../lambdas/core/replication/mm2-config';
import { failbackReplicatorName, ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import { FakeKafka, MemoryArtifacts } from './validation-fake-kafka';

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const A = { bootstrapServers: ['127.0.0.1:9001'], auth: { mechanism: 'PLAINTEXT' as const } };
const B = { bootstrapServers: ['127.0.0.1:9002'], auth: { mechanism: 'PLAINTEXT' as const } };
const ends = (topic: string, highs: number[], lows: number[] = []) =>
  highs.map((high, partition) => ({ topic, partition, low: String(lows[partition] ?? 0), high: String(high) }));

const baseInput = (overrides: Partial<FailbackPlanInput> = {}): FailbackPlanInput => ({
  identity,
  engine: 'MIRROR_MAKER_2',
  source: A,
  target: B,
  topicFilter: { include: ['orders.*'], exclude: ['.*\\.dlq'] },
  consumerGroups: { include: ['billing'], exclude: [] },
  canaryTopic: 'msk-migration.canary.orders.x',
  forwardOffsetSyncMode: 'LEGACY',
  switchTargetOffsets: [...ends('orders', [100, 0, 40]), ...ends('msk-migration.canary.orders.x', [7])],
  targetNow: ends('orders', [130, 5, 40]),
  sourceNow: ends('orders', [100, 0, 40]),
  ...overrides,
});

describe('planFailback', () => {
  it('plans MirrorMaker 2 target->source starting each partition at the target end offset of the switch', () => {
    // Act
    const plan = planFailback(baseInput());
    // Assess
    expect(plan.spec).toMatchObject({
      name: failbackReplicatorName(identity),
      source: B,
      target: A,
      flowAliases: { source: 'target', target: 'source' },
      startOffsets: [
        { topic: 'orders', partition: 0, offset: '100' },
        { topic: 'orders', partition: 2, offset: '40' },
      ],
      startingPosition: 'EARLIEST',
      copyTopicConfigurations: false,
      syncGroupOffsets: true,
      topics: { include: ['orders.*'], exclude: ['.*\\.dlq', 'msk-migration\\.canary\\.orders\\.x'] },
      tags: { ...ownershipTags(identity), [FAILBACK_ROLE_TAG]: 'failback' },
    });
    expect(plan.positions).toEqual([
      { topic: 'orders', partition: 0, targetStart: '100', sourceBase: '100' },
      { topic: 'orders', partition: 1, targetStart: '0', sourceBase: '0' },
      { topic: 'orders', partition: 2, targetStart: '40', sourceBase: '40' },
    ]);
    expect(plan.offsetTranslation).toBe('ENGINE');
  });

  it('plans a second MSK Replicator with ENHANCED offset sync and no MirrorMaker 2 start offsets when the forward one is ENHANCED', () => {
    const plan = planFailback(baseInput({ engine: 'MSK_REPLICATOR', forwardOffsetSyncMode: 'ENHANCED' }));
    expect(plan.spec).toMatchObject({ offsetSyncMode: 'ENHANCED', startingPosition: 'EARLIEST', source: B, target: A });
    expect(plan.spec.startOffsets).toBeUndefined();
    expect(plan.spec.flowAliases).toBeUndefined();
  });

  it('refuses an MSK Replicator failback whose forward replicator is LEGACY unless the approver accepts untranslated offsets', () => {
    expect(() => planFailback(baseInput({ engine: 'MSK_REPLICATOR' }))).toThrow(
      expect.objectContaining({
        name: 'Migration.ReplicationFailed',
        message: expect.stringContaining('acceptUntranslatedOffsets'),
      }),
    );
    const accepted = planFailback(baseInput({ engine: 'MSK_REPLICATOR', acceptUntranslatedOffsets: true }));
    expect(accepted).toMatchObject({ offsetTranslation: 'NONE', spec: { offsetSyncMode: 'LEGACY' } });
    expect(accepted.notes.join(' ')).toMatch(/not translated back/);
  });

  it('refuses MirrorMaker 2 on MSK Connect, which cannot start from given offsets', () => {
    expect(() =>
      planFailback(baseInput({ mskConnect: { customPluginArn: 'arn:plugin', customPluginRevision: 1 } })),
    ).toThrow(
      expect.objectContaining({ name: 'Migration.ReplicationFailed', message: expect.stringContaining('MSK Connect') }),
    );
  });

  it('refuses when retention removed records written to the target since the switch', () => {
    expect(() => planFailback(baseInput({ targetNow: ends('orders', [130, 5, 40], [110, 0, 0]) }))).toThrow(
      expect.objectContaining({
        name: 'Migration.ReplicationFailed',
        message: expect.stringContaining('orders-0 (offsets 100–109)'),
      }),
    );
  });

  it('notes records written to the source after the fence, and lands the copies after them', () => {
    const plan = planFailback(
      baseInput({ sourceNow: ends('orders', [103, 0, 40]), sourceAtFence: ends('orders', [100, 0, 40]) }),
    );
    expect(plan.notes).toEqual([
      'The source received 3 record(s) after the fence, not from this migration: they stay, and the records copied back land after them.',
    ]);
    expect(plan.positions[0]).toEqual({ topic: 'orders', partition: 0, targetStart: '100', sourceBase: '103' });
  });
});

describe('MirrorMaker 2 reverse flow configuration', () => {
  it('stores next offset − 1 under the key MirrorSourceTask reads, and nothing for a partition that starts at 0', () => {
    const { spec } = planFailback(baseInput());
    expect(mm2StartOffsetRecords(spec)).toEqual({
      topic: 'mm2-offsets.target.internal',
      records: [
        {
          key: '["MirrorSourceConnector",{"cluster":"target","partition":0,"topic":"orders"}]',
          value: '{"offset":99}',
        },
        {
          key: '["MirrorSourceConnector",{"cluster":"target","partition":2,"topic":"orders"}]',
          value: '{"offset":39}',
        },
      ],
    });
  });

  it('enables only the flow target->source, reading the target and writing the source', () => {
    const properties = mm2DedicatedProperties(planFailback(baseInput()).spec);
    expect(properties).toMatchObject({
      clusters: 'target, source',
      'target.bootstrap.servers': '127.0.0.1:9002',
      'source.bootstrap.servers': '127.0.0.1:9001',
      'target->source.enabled': 'true',
      'source->target.enabled': 'false',
      'target->source.consumer.auto.offset.reset': 'earliest',
      'sync.topic.configs.enabled': 'false',
    });
  });

  it('names the reverse replicator apart from the forward one, within 64 characters, for a long migration id too', () => {
    const long = { migrationId: 'a'.repeat(80), executionName: 'exec-1' };
    for (const id of [identity, long]) {
      expect(failbackReplicatorName(id)).not.toBe(replicatorName(id));
      expect(failbackReplicatorName(id).length).toBeLessThanOrEqual(64);
      expect(failbackReplicatorName(id)).toMatch(/^[A-Za-z0-9-]+-failback-[a-z0-9]+$/);
    }
  });
});

describe('the local MirrorMaker 2 adapter with start offsets', () => {
  const launched: string[] = [];
  const launch: Mm2Launcher = async ({ name }) => {
    launched.push(name);
    return { pid: 4242 + launched.length, exited: () => false, stop: async () => undefined };
  };
  beforeEach(() => launched.splice(0));

  it('seeds a one-partition compacted offsets topic before it launches, once', async () => {
    // Prepare
    const source = new FakeKafka();
    const mm2 = new LocalMirrorMaker2(launch, {}, () => source);
    const { spec } = planFailback(baseInput());
    // Act
    const handle = await mm2.create(spec);
    await mm2.delete(handle);
    await mm2.create(spec);
    // Assess
    const topic = source.topics.get('mm2-offsets.target.internal');
    expect(topic?.configs).toEqual({ 'cleanup.policy': 'compact' });
    expect(topic?.partitions).toHaveLength(1);
    expect(topic?.partitions[0]?.records.map((r) => r.value?.toString())).toEqual(['{"offset":99}', '{"offset":39}']);
    expect(launched).toHaveLength(2);
  });

  it('starts nothing when it has no client for the cluster the flow writes to', async () => {
    const mm2 = new LocalMirrorMaker2(launch);
    await expect(mm2.create(planFailback(baseInput()).spec)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
    });
    expect(launched).toHaveLength(0);
  });
});

describe('CheckFailback and StopFailback over the Replicator port', () => {
  const topicsKey = 'migrations/orders/exec-1/replication/topics.json';
  let a: FakeKafka;
  let b: FakeKafka;
  let artifacts: MemoryArtifacts;
  let mm2: LocalMirrorMaker2;
  let clock: Date;
  const deps = () => ({ replicator: mm2, artifacts, source: a, target: b, now: () => clock });
  const history = (n: number, p: number) =>
    Array.from({ length: n }, (_, i) => ({ key: `pre-${p}-${i}`, value: `pre ${i}` }));
  const fresh = (n: number, p: number) =>
    Array.from({ length: n }, (_, i) => ({ key: `post-${p}-${i}`, value: `post ${i}` }));

  beforeEach(async () => {
    clock = new Date('2026-11-20T10:00:00Z');
    a = new FakeKafka().addTopic('orders', 2).append('orders', 0, history(10, 0)).append('orders', 1, history(4, 1));
    b = new FakeKafka().addTopic('orders', 2).append('orders', 0, history(10, 0)).append('orders', 1, history(4, 1));
    artifacts = new MemoryArtifacts();
    await artifacts.putJson(topicsKey, ['orders']);
    await storeEndOffsets(artifacts, identity, 'switch.json', clock.toISOString(), [
      { topic: 'orders', partition: 0, low: '0', high: '10' },
      { topic: 'orders', partition: 1, low: '0', high: '4' },
    ]);
    b.append('orders', 0, fresh(5, 0)).append('orders', 1, fresh(2, 1));
    mm2 = new LocalMirrorMaker2(
      async () => ({ pid: 1, exited: () => false, stop: async () => undefined }),
      {},
      () => new FakeKafka(),
    );
  });

  const start = () =>
    runStartFailback(
      {
        identity,
        engine: 'MIRROR_MAKER_2',
        source: A,
        target: B,
        topicFilter: { include: ['orders'] },
        consumerGroups: { include: ['billing'] },
        topicsKey,
        switchTargetOffsetsKey: 'migrations/orders/exec-1/cutover/switch.json',
        catchUpTimeoutMinutes: 30,
      },
      deps(),
    );

  it('is not caught up while records written since the switch are missing on the source, naming the partition', async () => {
    const state = await runCheckFailback(await start(), deps());
    expect(state).toMatchObject({ caughtUp: false, checks: 1, lastCheck: { lagRecords: 7, partitionsBehind: 2 } });
    expect(state.lastCheck?.reasons).toContain(
      'orders-0: 5 record(s) written to the target since the switch are not on the source yet.',
    );
  });

  it('is caught up once the new records and the group offsets are on the source at the right places', async () => {
    // Prepare: the reverse flow copied the new records; the group read 3 of them on partition 0 and none on 1
    const state = await start();
    a.append('orders', 0, fresh(5, 0)).append('orders', 1, fresh(2, 1));
    b.commit('billing', 'orders', 0, 13).commit('billing', 'orders', 1, 2);
    a.commit('billing', 'orders', 0, 13).commit('billing', 'orders', 1, 2);
    // Act
    const checked = await runCheckFailback(state, deps());
    // Assess
    expect(checked).toMatchObject({
      caughtUp: true,
      lastCheck: {
        lagRecords: 0,
        groupPartitionsTranslated: 1,
        groupPartitionsBeforeSwitch: 1,
        groupPartitionsPending: 0,
        reasons: [],
      },
    });
  });

  it('keeps waiting while a group offset is not translated back yet', async () => {
    const state = await start();
    a.append('orders', 0, fresh(5, 0)).append('orders', 1, fresh(2, 1));
    b.commit('billing', 'orders', 0, 15);
    const checked = await runCheckFailback(state, deps());
    expect(checked.caughtUp).toBe(false);
    expect(checked.lastCheck?.reasons).toEqual([
      'Group billing on orders-0: committed 15 on the target, -1 on the source; 15 expected.',
    ]);
  });

  it('counts a group translated to an earlier record than the exact one as conservative (re-reads, no skips) and not blocking', async () => {
    const state = await start();
    a.append('orders', 0, fresh(5, 0)).append('orders', 1, fresh(2, 1));
    b.commit('billing', 'orders', 0, 14);
    a.commit('billing', 'orders', 0, 11);
    const checked = await runCheckFailback(state, deps());
    expect(checked).toMatchObject({
      caughtUp: true,
      lastCheck: { groupPartitionsConservative: 1, groupPartitionsPending: 0 },
    });
  });

  it('commits the exact translated offsets on the source after checking the records by content', async () => {
    // Prepare
    const state = await start();
    a.append('orders', 0, fresh(5, 0)).append('orders', 1, fresh(2, 1));
    b.commit('billing', 'orders', 0, 14).commit('billing', 'orders', 1, 3);
    a.commit('billing', 'orders', 0, 11);
    // Act
    const result = await runCommitFailbackOffsets(state, deps());
    // Assess: partition 1 is still before the switch on the target and is left as it is
    expect(result.committed).toEqual([{ groupId: 'billing', topic: 'orders', partition: 0, offset: '14' }]);
    expect(await a.fetchCommittedOffsets('billing', ['orders'])).toEqual([
      { topic: 'orders', partition: 0, offset: '14' },
      { topic: 'orders', partition: 1, offset: '-1' },
    ]);
  });

  it('commits nothing when the record at the translated offset is not on the source yet', async () => {
    const state = await start();
    b.commit('billing', 'orders', 0, 12);
    await expect(runCommitFailbackOffsets(state, deps())).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
    });
    // Kafka answers -1 for a partition the group committed nothing on.
    expect(await a.fetchCommittedOffsets('billing', ['orders'])).toEqual([
      { topic: 'orders', partition: 0, offset: '-1' },
      { topic: 'orders', partition: 1, offset: '-1' },
    ]);
  });

  it('fails with Migration.ReplicationFailed when a record from before the switch flowed back', async () => {
    const state = await start();
    a.append('orders', 0, history(1, 0));
    await expect(runCheckFailback(state, deps())).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('orders-0: the first record copied back'),
    });
  });

  it('fails with Migration.LagTimeout past the catch-up timeout', async () => {
    const state = await start();
    clock = new Date('2026-11-20T10:31:00Z');
    await expect(runCheckFailback(state, deps())).rejects.toMatchObject({ name: 'Migration.LagTimeout' });
  });

  it('keeps the positions of the first attempt when a retried start sees a source that already grew', async () => {
    const first = await start();
    a.append('orders', 0, fresh(5, 0));
    const again = await start();
    expect(again).toMatchObject({ created: false, handle: first.handle, positionsKey: first.positionsKey });
    expect((await artifacts.getJson<{ partitions: unknown[] }>(first.positionsKey))?.partitions).toEqual([
      { topic: 'orders', partition: 0, targetStart: '10', sourceBase: '10' },
      { topic: 'orders', partition: 1, targetStart: '4', sourceBase: '4' },
    ]);
  });

  it('stops the reverse replicator and deletes the reverse flow internal topics it finds on the source', async () => {
    const state = await start();
    a.addTopic('mm2-offsets.target.internal', 1)
      .addTopic('target.checkpoints.internal', 1)
      .addTopic('mm2-offsets.source.internal', 1);
    const stopped = await runStopFailback(state, deps());
    expect(stopped).toMatchObject({
      replicator: 'DELETED',
      internalTopicsDeleted: ['mm2-offsets.target.internal', 'target.checkpoints.internal'],
    });
    expect(await a.listTopics()).toEqual(['orders', 'mm2-offsets.source.internal']);
    expect((await runStopFailback(state, deps())).replicator).toBe('ALREADY_GONE');
  });

  it('keeps a heartbeats topic that was on the source before the failback started', async () => {
    a.addTopic('heartbeats', 1);
    const state = await start();
    a.addTopic('target.heartbeats', 1);
    const stopped = await runStopFailback(state, deps());
    expect(stopped.internalTopicsDeleted).toEqual(['target.heartbeats']);
    expect(await a.listTopics()).toContain('heartbeats');
  });
});
