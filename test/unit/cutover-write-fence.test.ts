import { fenceProducers } from '../../lambdas/core/cutover/fence-producers';
import { rollbackCutover } from '../../lambdas/core/cutover/rollback-cutover';
import { iamFencePolicyDocument, topicArn } from '../../lambdas/core/cutover/write-fence';
import { MemoryAclWriteFence, MemorySwitch, manualClock } from './cutover-fakes';
import { FakeKafka, MemoryArtifacts } from './validation-fake-kafka';

/** The write fence the source enforces (cutover.fence KAFKA_ACL / IAM_POLICY) in FenceProducers and RollbackCutover. */

const identity = { migrationId: 'orders', executionName: 'exec-1' };
const CANARY = 'msk-migration.canary.orders';
const SOURCE = '10.0.0.1:9092';
const topics = ['orders', 'payments', CANARY];

function world(denies: string[] = []) {
  const source = new FakeKafka().addTopic('orders', 1).addTopic('payments', 1).addTopic(CANARY, 1);
  const producers = new MemorySwitch('memory:producers', { value: SOURCE });
  const writeFence = new MemoryAclWriteFence(new Set(denies));
  const artifacts = new MemoryArtifacts();
  const clock = manualClock();
  return { producers, writeFence, artifacts, deps: { source, producers, writeFence, artifacts, now: clock.now } };
}

const journalOf = (artifacts: MemoryArtifacts) =>
  JSON.parse(
    artifacts.objects.get(
      [...artifacts.objects.keys()].find((k) => k.endsWith('journal/fence.json')) as string,
    ) as string,
  ) as { status: string; intent: { writeFence?: { bindings: unknown[] } } };

describe('the write fence in FenceProducers and RollbackCutover', () => {
  it('takes a DENY WRITE binding per migrated topic (never the canary) besides the pointer, journaling what existed before', async () => {
    // Prepare: payments already has a DENY WRITE for every principal, from someone else
    const w = world(['payments|User:*|*']);
    // Act
    const record = await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
    // Assess
    expect([...w.writeFence.denies].sort()).toEqual(['orders|User:*|*', 'payments|User:*|*']);
    expect(w.producers.current?.value).toBe('fenced:orders/exec-1');
    expect(record.writeFence).toEqual({ kind: 'KAFKA_ACL', subject: 'kafka:memory', added: 1, preExisting: 1 });
    expect(journalOf(w.artifacts).intent.writeFence?.bindings).toEqual([
      { topic: 'orders', principal: 'User:*', host: '*', preExisting: false },
      { topic: 'payments', principal: 'User:*', host: '*', preExisting: true },
    ]);
  });

  it('rollback removes exactly the bindings this execution added and leaves the pre-existing one', async () => {
    // Prepare
    const w = world(['payments|User:*|*']);
    await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
    // Act
    const result = await rollbackCutover({ identity, topics, canaryTopic: CANARY, rollbackWindowMinutes: 60 }, w.deps);
    // Assess
    expect([...w.writeFence.denies]).toEqual(['payments|User:*|*']);
    expect(w.producers.current?.value).toBe(SOURCE);
    expect(result.writeFence).toMatchObject({ kind: 'KAFKA_ACL', removed: 1, leftAlone: 1 });
  });

  it('rollback removes a fence whose step died after journaling its intent, before recording it', async () => {
    // Prepare: the fence was taken, the journal still says INTENT (the Lambda timed out)
    const w = world();
    await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
    const key = [...w.artifacts.objects.keys()].find((k) => k.endsWith('journal/fence.json')) as string;
    w.artifacts.objects.set(key, JSON.stringify({ status: 'INTENT', intent: journalOf(w.artifacts).intent }));
    // Act
    const result = await rollbackCutover({ identity, topics, canaryTopic: CANARY, rollbackWindowMinutes: 60 }, w.deps);
    // Assess
    expect(w.writeFence.denies.size).toBe(0);
    expect(result.writeFence).toMatchObject({ removed: 2, leftAlone: 0 });
  });

  it('fails the rollback with Migration.RollbackFailed when the journal holds a fence it was given no way to remove', async () => {
    const w = world();
    await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
    const { writeFence: _unused, ...withoutFence } = w.deps;

    await expect(
      rollbackCutover({ identity, topics, canaryTopic: CANARY, rollbackWindowMinutes: 60 }, withoutFence),
    ).rejects.toMatchObject({ name: 'Migration.RollbackFailed', message: expect.stringContaining('KAFKA_ACL') });
  });

  it('applies the journaled plan again on a retry instead of reading the bindings anew', async () => {
    // Prepare: first attempt journaled and applied, then died before DONE
    const w = world();
    await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
    const key = [...w.artifacts.objects.keys()].find((k) => k.endsWith('journal/fence.json')) as string;
    w.artifacts.objects.set(key, JSON.stringify({ status: 'INTENT', intent: journalOf(w.artifacts).intent }));
    // Act: the bindings now exist, but the journal says they were this execution's
    const record = await fenceProducers({ identity, topics, canaryTopic: CANARY }, w.deps);
    // Assess
    expect(record.writeFence).toMatchObject({ added: 2, preExisting: 0 });
    expect(w.writeFence.applies).toBe(2);
  });
});

describe('the IAM fence policy document', () => {
  const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd1234-0123-abcd-5678-1234abcd-1';

  it("names each topic by its MSK topic ARN under the cluster's name and UUID", () => {
    expect(topicArn(CLUSTER, 'orders')).toBe(
      'arn:aws:kafka:eu-west-1:123456789012:topic/orders/abcd1234-0123-abcd-5678-1234abcd-1/orders',
    );
  });

  it('is one explicit Deny of kafka-cluster:WriteData on the migrated topics', () => {
    expect(JSON.parse(iamFencePolicyDocument(CLUSTER, ['payments', 'orders']))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'MskMigrationWriteFence',
          Effect: 'Deny',
          Action: ['kafka-cluster:WriteData', 'kafka-cluster:WriteDataIdempotently'],
          Resource: [topicArn(CLUSTER, 'orders'), topicArn(CLUSTER, 'payments')],
        },
      ],
    });
  });
});
