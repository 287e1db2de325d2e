import { canaryTopicName, ownershipTags, replicatorName } from '../../lambdas/core/replication/naming';
import {
  checkReplication,
  planReplication,
  startReplication,
  stopReplication,
  type ReplicationPlanInput,
} from '../../lambdas/core/replication/replication';
import { selectTopics } from '../../lambdas/core/replication/topic-selection';
import { teardownReplication } from '../../lambdas/core/replication/teardown';
import type { LagSignals } from '../../lambdas/ports/lag-signals';
import { FakeKafka } from './validation-fake-kafka';
import type {
  Replicator,
  ReplicatorHandle,
  ReplicatorSpec,
  ReplicatorState,
  ReplicatorSummary,
} from '../../lambdas/ports/replicator';

const identity = { migrationId: 'orders', executionName: 'exec-2026-11-01' };

class FakeReplicator implements Replicator {
  readonly engine = 'MSK_REPLICATOR' as const;
  readonly created: ReplicatorSpec[] = [];
  readonly deleted: string[] = [];
  existing: ReplicatorSummary | undefined;
  count = 0;
  state: ReplicatorState | undefined = 'CREATING';
  detail: string | undefined;
  async find(): Promise<ReplicatorSummary | undefined> {
    return this.existing;
  }
  async countExisting(): Promise<number> {
    return this.count;
  }
  async create(spec: ReplicatorSpec): Promise<ReplicatorHandle> {
    this.created.push(spec);
    return {
      engine: this.engine,
      name: spec.name,
      id: `arn:aws:kafka:eu-west-1:111122223333:replicator/${spec.name}/1`,
    };
  }
  async describe(): Promise<{ state: ReplicatorState; detail?: string } | undefined> {
    return this.state ? { state: this.state, ...(this.detail ? { detail: this.detail } : {}) } : undefined;
  }
  async delete(handle: ReplicatorHandle): Promise<void> {
    this.deleted.push(handle.id);
  }
}

const planInput: ReplicationPlanInput = {
  identity,
  engine: 'MSK_REPLICATOR',
  source: { clusterArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/src/abc' },
  target: { clusterArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/tgt/def' },
  topics: { include: ['orders\\..*', 'payments'], exclude: ['.*\\.dlq'] },
  consumerGroups: { include: ['.*'], exclude: ['console-.*'] },
  sourceTopics: [
    'orders.created',
    'orders.created.dlq',
    'payments',
    'payments-archive',
    '__consumer_offsets',
    'orders.internal',
  ],
};

describe('topic selection', () => {
  it('matches whole names against include and exclude, without internal topics', () => {
    expect(selectTopics(planInput.sourceTopics, planInput.topics)).toEqual(['orders.created', 'payments']);
  });
});

describe('replication plan', () => {
  it('builds the spec with identical names, EARLIEST start, offset sync and the ownership tags', () => {
    const plan = planReplication(planInput);
    expect(plan.topics).toEqual(['orders.created', 'payments']);
    expect(plan.spec).toMatchObject({
      name: replicatorName(identity),
      startingPosition: 'EARLIEST',
      offsetSyncMode: 'LEGACY',
      syncGroupOffsets: true,
      copyTopicConfigurations: true,
      detectAndCopyNewTopics: true,
      tags: ownershipTags(identity),
    });
  });

  it('adds the canary topic to the include list as a literal name', () => {
    const canary = canaryTopicName(identity);
    const plan = planReplication({
      ...planInput,
      canaryTopic: canary,
      sourceTopics: [...planInput.sourceTopics, canary],
    });
    expect(plan.spec.topics.include).toEqual(['orders\\..*', 'payments', canary.replace(/\./g, '\\.')]);
    expect(plan.canaryReplicated).toBe(true);
    expect(plan.topics).not.toContain(canary);
  });

  it('runs without a canary when the exclude patterns exclude it', () => {
    const plan = planReplication({
      ...planInput,
      topics: { include: ['.*'], exclude: ['msk-migration\\..*'] },
      canaryTopic: canaryTopicName(identity),
    });
    expect(plan.canaryReplicated).toBe(false);
  });

  it('refuses a plan that selects more topics than one replicator takes, before anything is created', () => {
    const many = Array.from({ length: 750 }, (_, i) => `t${i}`);
    expect(() =>
      planReplication({ ...planInput, topics: { include: ['t.*'], exclude: [] }, sourceTopics: many }),
    ).not.toThrow();
    expect(() =>
      planReplication({
        ...planInput,
        topics: { include: ['t.*'], exclude: [] },
        sourceTopics: many,
        canaryTopic: 'c',
      }),
    ).toThrow(
      expect.objectContaining({
        name: 'Migration.ReplicationFailed',
        message: expect.stringContaining(
          'selects 751 topics (canary included) but one MSK_REPLICATOR replicator takes at most 750',
        ),
      }),
    );
  });

  it('refuses a plan whose patterns match no topic', () => {
    expect(() => planReplication({ ...planInput, topics: { include: ['nope'], exclude: [] } })).toThrow(
      expect.objectContaining({ name: 'Migration.ReplicationFailed' }),
    );
  });

  it('has no topic limit for MirrorMaker 2', () => {
    const many = Array.from({ length: 900 }, (_, i) => `t${i}`);
    expect(
      planReplication({
        ...planInput,
        engine: 'MIRROR_MAKER_2',
        topics: { include: ['t.*'], exclude: [] },
        sourceTopics: many,
      }).topics,
    ).toHaveLength(900);
  });
});

describe('starting replication', () => {
  const spec = planReplication(planInput).spec;

  it('creates the replicator when none exists and the account is under its limit', async () => {
    const replicator = new FakeReplicator();
    replicator.count = 14;
    const started = await startReplication(spec, identity, replicator);
    expect(started.created).toBe(true);
    expect(replicator.created).toEqual([spec]);
  });

  it('adopts the replicator an earlier attempt of this execution created instead of creating a second one', async () => {
    const replicator = new FakeReplicator();
    const handle = { engine: 'MSK_REPLICATOR' as const, name: spec.name, id: 'arn:1' };
    replicator.existing = { handle, state: 'CREATING', tags: ownershipTags(identity) };
    replicator.count = 15;
    expect(await startReplication(spec, identity, replicator)).toEqual({ handle, created: false });
    expect(replicator.created).toEqual([]);
  });

  it('leaves alone a replicator with our name that another execution created', async () => {
    const replicator = new FakeReplicator();
    replicator.existing = {
      handle: { engine: 'MSK_REPLICATOR', name: spec.name, id: 'arn:other' },
      state: 'RUNNING',
      tags: ownershipTags({ ...identity, executionName: 'other' }),
    };
    await expect(startReplication(spec, identity, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('was not created by execution exec-2026-11-01'),
    });
    expect(replicator.created).toEqual([]);
  });

  it('refuses to create a replicator when the account already holds the maximum', async () => {
    const replicator = new FakeReplicator();
    replicator.count = 15;
    await expect(startReplication(spec, identity, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('already has 15 MSK_REPLICATOR replicators, the limit is 15'),
      details: { existing: 15, limit: 15 },
    });
    expect(replicator.created).toEqual([]);
  });
});

describe('waiting for replication', () => {
  const handle = { engine: 'MSK_REPLICATOR' as const, name: 'r', id: 'arn:r' };

  it.each(['CREATING', 'UPDATING'] as const)('keeps waiting while the replicator is %s', async (state) => {
    const replicator = new FakeReplicator();
    replicator.state = state;
    expect(await checkReplication(handle, replicator)).toEqual({ running: false, state });
  });

  it('is ready once RUNNING', async () => {
    const replicator = new FakeReplicator();
    replicator.state = 'RUNNING';
    expect(await checkReplication(handle, replicator)).toEqual({ running: true, state: 'RUNNING' });
  });

  it('fails with the engine reason when the replicator is FAILED', async () => {
    const replicator = new FakeReplicator();
    replicator.state = 'FAILED';
    replicator.detail = 'AccessDenied: kafka-cluster:Connect';
    await expect(checkReplication(handle, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      details: { detail: 'AccessDenied: kafka-cluster:Connect' },
    });
  });

  it('fails when the replicator is DELETING or gone', async () => {
    const replicator = new FakeReplicator();
    replicator.state = 'DELETING';
    await expect(checkReplication(handle, replicator)).rejects.toMatchObject({ name: 'Migration.ReplicationFailed' });
    replicator.state = undefined;
    await expect(checkReplication(handle, replicator)).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('no longer exists'),
    });
  });
});

describe('stopping replication', () => {
  const handle = { engine: 'MSK_REPLICATOR' as const, name: 'r', id: 'arn:r' };

  it('deletes a replicator this execution created', async () => {
    const replicator = new FakeReplicator();
    replicator.existing = { handle, state: 'RUNNING', tags: ownershipTags(identity) };
    expect(await stopReplication(handle, identity, replicator)).toBe('DELETED');
    expect(replicator.deleted).toEqual(['arn:r']);
  });

  it('never deletes a replicator another execution created', async () => {
    const replicator = new FakeReplicator();
    replicator.existing = { handle, state: 'RUNNING', tags: { owner: 'someone' } };
    expect(await stopReplication(handle, identity, replicator)).toBe('NOT_OURS');
    expect(replicator.deleted).toEqual([]);
  });

  it('is a no-op when the replicator is already gone', async () => {
    expect(await stopReplication(handle, identity, new FakeReplicator())).toBe('ALREADY_GONE');
  });
});

describe('names', () => {
  it('derives replicator and canary names that are stable per execution and legal for MSK and Kafka', () => {
    const long = { migrationId: 'a'.repeat(80), executionName: 'e' };
    expect(replicatorName(long)).toMatch(/^[A-Za-z0-9-]{1,64}$/);
    expect(replicatorName(identity)).toBe(replicatorName({ ...identity }));
    expect(replicatorName(identity)).not.toBe(replicatorName({ ...identity, executionName: 'exec-2' }));
    expect(canaryTopicName(identity)).toMatch(/^msk-migration\.canary\.orders\.[a-z0-9]{7}$/);
  });
});

describe('replication teardown', () => {
  const handle = { engine: 'MSK_REPLICATOR' as const, name: 'r', id: 'arn:r' };
  const deletedAlarms: string[][] = [];
  const lagSignals: LagSignals = {
    putAlarms: async () => undefined,
    deleteAlarms: async (names) => {
      deletedAlarms.push([...names]);
    },
    describeAlarms: async () => [],
    getMetricSeries: async () => [],
  };

  it('deletes the replicator it created, its alarms and the canary topic on both clusters, and nothing else', async () => {
    // Prepare
    const replicator = new FakeReplicator();
    replicator.existing = { handle, state: 'RUNNING', tags: ownershipTags(identity) };
    const canary = canaryTopicName(identity);
    const source = new FakeKafka().addTopic('orders', 1).addTopic(canary, 1);
    const target = new FakeKafka().addTopic('orders', 1).addTopic(canary, 1);
    // Act
    const result = await teardownReplication(
      { identity, handle, alarmNames: ['a1', 'a2'], canaryTopic: canary },
      { replicator, lagSignals, source, target },
    );
    // Assess
    expect(result).toEqual({ replicator: 'DELETED', alarmsDeleted: 2, canaryTopicDeleted: true });
    expect(replicator.deleted).toEqual(['arn:r']);
    expect(deletedAlarms).toContainEqual(['a1', 'a2']);
    expect(await source.listTopics()).toEqual(['orders']);
    expect(await target.listTopics()).toEqual(['orders']);
  });

  it('keeps the replicator and the target copy of the canary when asked to keep replicating', async () => {
    const replicator = new FakeReplicator();
    replicator.existing = { handle, state: 'RUNNING', tags: ownershipTags(identity) };
    const canary = canaryTopicName(identity);
    const source = new FakeKafka().addTopic(canary, 1);
    const target = new FakeKafka().addTopic(canary, 1);
    const result = await teardownReplication(
      { identity, handle, canaryTopic: canary, keepReplicator: true },
      { replicator, source, target },
    );
    expect(result).toEqual({ replicator: 'KEPT', alarmsDeleted: 0, canaryTopicDeleted: true });
    expect(replicator.deleted).toEqual([]);
    expect(await target.listTopics()).toEqual([canary]);
  });
});

describe('replication state contracts', () => {
  it('accepts what the replication phases return and rejects a state without the replicator handle', async () => {
    const { ReplicationStateSchema, ValidationStateSchema } = await import('../../lambdas/core/replication/state');
    const state = {
      handle: { engine: 'MIRROR_MAKER_2', name: 'r', id: 'local-mm2:1' },
      created: true,
      state: 'RUNNING',
      running: true,
      startingPosition: 'EARLIEST',
      topicsKey: 'migrations/orders/exec/replication/topics.json',
      topicCount: 2,
      alarmNames: [],
    };
    expect(ReplicationStateSchema.parse(state)).toEqual(state);
    expect(ReplicationStateSchema.safeParse({ ...state, handle: undefined }).success).toBe(false);
    expect(ValidationStateSchema.safeParse({ passed: false, evidenceKey: 'k', checked: {}, notes: [] }).success).toBe(
      false,
    );
  });
});
