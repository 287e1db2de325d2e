import { ValidationFailedError } from '../../lambdas/core/errors';
import { notCheckable } from '../../lambdas/core/access/access-checker';
import type { AclBinding } from '../../lambdas/core/access/acl-binding';
import { aclAccessChecker } from '../../lambdas/core/access/kafka-authorizer';
import { recordDigest } from '../../lambdas/core/validation/record-digest';
import { configParity } from '../../lambdas/core/validation/topic-parity';
import { validateTarget, type ValidationRequest } from '../../lambdas/core/validation/validate-target';
import type { Difference } from '../../lambdas/core/validation/differences';
import { FakeKafka, MemoryArtifacts, replicate } from './validation-fake-kafka';

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const request: ValidationRequest = {
  identity,
  topics: ['orders', 'payments'],
  consumerGroups: { include: ['.*'], exclude: [] },
  startingPosition: 'EARLIEST',
  configPolicy: { ignored: [] },
  sampleRecords: 5,
  searchWindow: 20,
};
const records = (prefix: string, n: number): Array<{ key: string; value: string; headers: Record<string, string> }> =>
  Array.from({ length: n }, (_, i) => ({
    key: `${prefix}-k${i}`,
    value: `${prefix}-v${i}`,
    headers: { seq: String(i) },
  }));

function clusters(): { source: FakeKafka; target: FakeKafka } {
  const source = new FakeKafka()
    .addTopic('orders', 2, { 'retention.ms': '604800000', 'cleanup.policy': 'delete' })
    .addTopic('payments', 1)
    .append('orders', 0, records('o0', 30))
    .append('orders', 1, records('o1', 12))
    .append('payments', 0, records('p0', 8))
    .commit('billing', 'orders', 0, 20)
    .commit('billing', 'orders', 1, 12)
    .commit('audit', 'payments', 0, 3);
  const target = new FakeKafka();
  replicate(source, target, ['orders', 'payments']);
  target.commit('billing', 'orders', 0, 20).commit('billing', 'orders', 1, 12).commit('audit', 'payments', 0, 3);
  return { source, target };
}

async function differencesOf(
  source: FakeKafka,
  target: FakeKafka,
  overrides: Partial<ValidationRequest> = {},
): Promise<Difference[]> {
  try {
    await validateTarget(
      { ...request, ...overrides },
      { source, target, artifacts: new MemoryArtifacts(), now: () => new Date(0) },
    );
    return [];
  } catch (err) {
    if (!(err instanceof ValidationFailedError)) throw err;
    return (err.details?.differences ?? []) as Difference[];
  }
}

describe('target validation', () => {
  it('passes on a faithful copy and says how much it checked', async () => {
    // Prepare
    const { source, target } = clusters();
    const artifacts = new MemoryArtifacts();
    // Act
    const summary = await validateTarget(request, { source, target, artifacts, now: () => new Date(0) });
    // Assess
    expect(summary).toEqual({
      passed: true,
      evidenceKey: 'migrations/orders/exec-1/validation/target-validation.json',
      checked: {
        topics: 2,
        partitions: 3,
        configs: 2,
        sampledRecords: 30,
        groups: 2,
        groupPartitions: 3,
        accessChecks: 0,
      },
      // Nobody named, nobody derived: the access check is reported as skipped, not as passed.
      access: {
        status: 'SKIPPED',
        principals: 0,
        reason: 'no principals are listed (validation.principals) and none were derived from the source',
      },
      notes: [
        'Principal access not checked: no principals are listed (validation.principals) and none were derived from the source.',
      ],
    });
    expect(await artifacts.getJson(summary.evidenceKey)).toMatchObject({
      kind: 'target-validation',
      passed: true,
      differences: [],
    });
  });

  it('fails with Migration.ValidationFailed listing a missing topic and a partition-count difference', async () => {
    const { source, target } = clusters();
    target.topics.delete('payments');
    target.addTopic('orders', 3, { 'retention.ms': '604800000', 'cleanup.policy': 'delete' });
    replicate(source, target, ['orders']);
    const differences = await differencesOf(source, target, { consumerGroups: { include: [], exclude: [] } });
    expect(differences.map((d) => [d.check, d.subject, d.source, d.target])).toEqual([
      ['PARTITIONS', 'orders', '2', '3'],
      ['TOPIC', 'payments', '1 partitions', 'absent'],
    ]);
  });

  it('writes the full list to the evidence and puts the error name, count and key in the error', async () => {
    const { source, target } = clusters();
    target.deleteRecordsBefore('payments', 0, 2);
    const artifacts = new MemoryArtifacts();
    const attempt = validateTarget(request, { source, target, artifacts, now: () => new Date(0) });
    await expect(attempt).rejects.toMatchObject({
      name: 'Migration.ValidationFailed',
      details: { total: 1, evidenceKey: 'migrations/orders/exec-1/validation/target-validation.json' },
    });
    expect(await artifacts.getJson('migrations/orders/exec-1/validation/target-validation.json')).toMatchObject({
      passed: false,
      differences: [{ check: 'RECORDS', subject: 'payments-0' }],
    });
  });

  it('reports records deleted at the head of a target partition', async () => {
    const { source, target } = clusters();
    target.deleteRecordsBefore('orders', 0, 3);
    expect(await differencesOf(source, target)).toEqual([
      {
        check: 'RECORDS',
        subject: 'orders-0',
        detail: '3 record(s) at the head of the source (offsets 0–2) are missing on the target.',
        source: 'starts at 0',
        target: "starts at the source's offset 3",
      },
    ]);
  });

  it('finds a head deletion larger than the sampled range by looking where offsets agree', async () => {
    const { source, target } = clusters();
    target.deleteRecordsBefore('orders', 0, 25);
    const differences = await differencesOf(source, target, { consumerGroups: { include: [], exclude: [] } });
    expect(differences.map((d) => d.detail)).toEqual([
      '25 record(s) at the head of the source (offsets 0–24) are missing on the target.',
    ]);
  });

  it('reports a tail record whose content differs from the source', async () => {
    const { source, target } = clusters();
    const tail = target.log('orders', 1).records[10];
    if (tail) tail.value = Buffer.from('tampered');
    const differences = await differencesOf(source, target);
    expect(differences).toEqual([
      expect.objectContaining({
        check: 'RECORDS',
        subject: 'orders-1',
        detail:
          "1 record(s) on the target (offsets 10–10) differ from the source's records in their place (offsets 10–10): altered content.",
      }),
    ]);
  });

  it('passes while producers write: a record copied between the two offset reads is not taken for foreign', async () => {
    // Prepare: a live workload. Before either cluster answers for its offsets, one more record is produced on the
    // source and copied to the target (a fast replicator, and offset reads that reach the brokers at different moments)
    const source = new FakeKafka().addTopic('orders', 3);
    for (let p = 0; p < 3; p++) source.append('orders', p, records(`o${p}`, 12));
    const target = new FakeKafka();
    replicate(source, target, ['orders']);
    let produced = 0;
    const produceAndCopy = (): void => {
      for (let p = 0; p < 3; p++) source.append('orders', p, [{ key: `live-${p}`, value: `live-${produced}` }]);
      produced++;
      replicate(source, target, ['orders']);
    };
    for (const cluster of [source, target]) {
      const answer = cluster.fetchTopicOffsets.bind(cluster);
      cluster.fetchTopicOffsets = async (topic) => {
        produceAndCopy();
        return answer(topic);
      };
    }
    // Act
    const differences = await differencesOf(source, target, {
      topics: ['orders'],
      consumerGroups: { include: [], exclude: [] },
    });
    // Assess: every record on the target is in the source (before, the last one of each partition was not)
    expect(differences).toEqual([]);
    expect(produced).toBe(2);
  });

  it('passes when offsets differ across clusters but contents and translated group offsets line up', async () => {
    // Prepare: the source lost offsets 0–4 to retention before replication; the target numbers the same records from 0
    const source = new FakeKafka()
      .addTopic('orders', 1)
      .append('orders', 0, records('o', 20))
      .deleteRecordsBefore('orders', 0, 5)
      .commit('billing', 'orders', 0, 12);
    const target = new FakeKafka()
      .addTopic('orders', 1)
      .append('orders', 0, records('o', 20).slice(5))
      .commit('billing', 'orders', 0, 7);
    // Act
    const summary = await validateTarget(
      { ...request, topics: ['orders'] },
      { source, target, artifacts: new MemoryArtifacts(), now: () => new Date(0) },
    );
    // Assess
    expect(summary.checked).toMatchObject({ partitions: 1, groupPartitions: 1 });
  });

  it('checks the tail by searching the end of the source when replication started from LATEST', async () => {
    const source = new FakeKafka().addTopic('orders', 1).append('orders', 0, records('o', 40));
    const target = new FakeKafka().addTopic('orders', 1).append('orders', 0, records('o', 40).slice(31, 38));
    const summary = await validateTarget(
      { ...request, topics: ['orders'], startingPosition: 'LATEST', consumerGroups: { include: [], exclude: [] } },
      { source, target, artifacts: new MemoryArtifacts(), now: () => new Date(0) },
    );
    expect(summary.checked.sampledRecords).toBe(5);
  });

  it("reports a group's translated offset that was shifted back on the target", async () => {
    const { source, target } = clusters();
    target.commit('billing', 'orders', 0, 17);
    expect(await differencesOf(source, target)).toEqual([
      {
        check: 'GROUP_OFFSET',
        subject: 'billing@orders-0',
        detail:
          "The translated offset is 3 record(s) behind the source's: consumers would re-read them (more than the 0 allowed).",
        source: '20',
        target: '17',
      },
    ]);
  });

  it("reports a group's translated offset that points ahead, so that consumers would skip records", async () => {
    const { source, target } = clusters();
    target.commit('audit', 'payments', 0, 5);
    expect((await differencesOf(source, target)).map((d) => d.detail)).toEqual([
      "The translated offset is 2 record(s) ahead of the source's: consumers would skip them.",
    ]);
  });

  it('reports a committed offset that was never translated to the target', async () => {
    const { source, target } = clusters();
    target.committed.delete('audit');
    expect((await differencesOf(source, target)).map((d) => [d.subject, d.target])).toEqual([
      ['audit@payments-0', 'none'],
    ]);
  });

  it('notes, rather than fails, a partition of a group still active on the source that has no translation yet', async () => {
    // Prepare: audit keeps consuming on the source; its latest commit has not been synced to the target yet
    const { source, target } = clusters();
    target.committed.delete('audit');
    source.activeMembers.set('audit', 1);
    // Act
    const summary = await validateTarget(request, {
      source,
      target,
      artifacts: new MemoryArtifacts(),
      now: () => new Date(0),
    });
    // Assess
    expect(summary.notes).toContain(
      "audit@payments-0: not translated yet (the group is still active on the source and commits after the replicator's last offset sync); CommitConsumerOffsets translates it by content at the cutover.",
    );
  });

  it('accepts a rewind within the allowed number of records, and any rewind of a group still active on the source, as notes', async () => {
    const { source, target } = clusters();
    target.commit('billing', 'orders', 0, 18).commit('audit', 'payments', 0, 1);
    source.activeMembers.set('audit', 1);
    const summary = await validateTarget(
      { ...request, maxRewindRecords: 2 },
      { source, target, artifacts: new MemoryArtifacts(), now: () => new Date(0) },
    );
    expect(summary.notes.filter((n) => !n.startsWith('Principal access'))).toEqual([
      'audit@payments-0: the translated offset is 2 record(s) behind (the group is still active on the source).',
      'billing@orders-0: the translated offset is 2 record(s) behind (within the allowed rewind).',
    ]);
  });

  it('reports a principal denied an expected operation, and notes what cannot be checked', async () => {
    const { source, target } = clusters();
    const principals = [
      { principal: 'User:billing', topics: ['orders'], operations: ['READ' as const, 'WRITE' as const] },
    ];
    const access = {
      check: async (r: { operation: string }) => (r.operation === 'WRITE' ? ('DENIED' as const) : ('ALLOWED' as const)),
    };
    const attempt = validateTarget(
      { ...request, principals },
      { source, target, artifacts: new MemoryArtifacts(), access, now: () => new Date(0) },
    );
    await expect(attempt).rejects.toMatchObject({
      details: {
        differences: [
          {
            check: 'ACCESS',
            subject: 'User:billing',
            detail: 'User:billing may not WRITE topic orders on the target.',
          },
        ],
      },
    });
    const unchecked = await validateTarget(
      { ...request, principals },
      { source, target, artifacts: new MemoryArtifacts(), now: () => new Date(0) },
    );
    expect(unchecked.access).toMatchObject({ status: 'NOT_CHECKABLE', principals: 1, listedBy: 'PLAN' });
    expect(unchecked.notes).toEqual([
      'Access of 1 principal(s): 2 of 2 checks could not be decided: no access checker for this target.',
    ]);
    expect(unchecked.checked.accessChecks).toBe(2);
  });
});

describe('config parity', () => {
  const entry = (name: string, value: string) => ({ name, value, isDefault: false });

  it('reports a differing config but not the ones the target profile manages or the replicators never copy', () => {
    const differences = configParity(
      ['t'],
      {
        t: [
          entry('retention.ms', '1000'),
          entry('segment.bytes', '1048576'),
          entry('min.insync.replicas', '2'),
          entry('max.message.bytes', '2000000'),
        ],
      },
      {
        t: [
          entry('retention.ms', '2000'),
          entry('segment.bytes', '536870912'),
          entry('min.insync.replicas', '1'),
          entry('max.message.bytes', '8388608'),
        ],
      },
      { ignored: ['segment.bytes'], allowedTargetValues: { 'max.message.bytes': ['8388608'] } },
    );
    expect(differences).toEqual([
      {
        check: 'CONFIG',
        subject: 't:retention.ms',
        detail: 'Topic config retention.ms differs.',
        source: '1000',
        target: '2000',
      },
    ]);
  });
});

describe('record digest', () => {
  it('depends on key, value and headers but not on header order or the MSK Replicator header', () => {
    const a = recordDigest({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { a: '1', b: '2' } });
    expect(
      recordDigest({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { b: '2', a: '1', __mskmr: 'src' } }),
    ).toBe(a);
    expect(recordDigest({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { a: '1' } })).not.toBe(a);
    expect(recordDigest({ key: null, value: Buffer.from('kv'), headers: { a: '1', b: '2' } })).not.toBe(
      recordDigest({ key: Buffer.from('k'), value: Buffer.from('v'), headers: {} }),
    );
  });
});

describe('ACL access of listed principals', () => {
  const binding = (over: Partial<AclBinding>): AclBinding => ({
    resourceType: 'TOPIC',
    resourceName: 'orders',
    patternType: 'LITERAL',
    principal: 'User:billing',
    host: '*',
    operation: 'READ',
    permissionType: 'ALLOW',
    ...over,
  });

  it('allows an operation granted literally, by prefix, by wildcard or by ALL, and DESCRIBE when READ is granted', async () => {
    const checker = aclAccessChecker([
      binding({}),
      binding({ resourceName: 'pay', patternType: 'PREFIXED', operation: 'WRITE' }),
      binding({ resourceName: '*', principal: 'User:*', resourceType: 'GROUP', operation: 'ALL' }),
    ]);
    const ask = (resourceType: 'TOPIC' | 'GROUP', resourceName: string, operation: 'READ' | 'WRITE' | 'DESCRIBE') =>
      checker.check({ principal: 'User:billing', resourceType, resourceName, operation });
    expect(await ask('TOPIC', 'orders', 'READ')).toBe('ALLOWED');
    expect(await ask('TOPIC', 'orders', 'DESCRIBE')).toBe('ALLOWED');
    expect(await ask('TOPIC', 'payments', 'WRITE')).toBe('ALLOWED');
    expect(await ask('GROUP', 'billing-app', 'READ')).toBe('ALLOWED');
    expect(await ask('TOPIC', 'orders', 'WRITE')).toBe('DENIED');
  });

  it('lets a matching DENY win over an ALLOW, and denies when nothing matches', async () => {
    const checker = aclAccessChecker([
      binding({ operation: 'ALL' }),
      binding({ permissionType: 'DENY', operation: 'WRITE' }),
    ]);
    expect(
      await checker.check({
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'WRITE',
      }),
    ).toBe('DENIED');
    expect(
      await checker.check({
        principal: 'User:billing',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'READ',
      }),
    ).toBe('ALLOWED');
    expect(
      await checker.check({
        principal: 'User:other',
        resourceType: 'TOPIC',
        resourceName: 'orders',
        operation: 'READ',
      }),
    ).toBe('DENIED');
  });

  it('reports IAM targets as not checkable', async () => {
    expect(
      await notCheckable.check({ principal: 'User:x', resourceType: 'TOPIC', resourceName: 't', operation: 'READ' }),
    ).toBe('NOT_CHECKABLE');
  });
});
