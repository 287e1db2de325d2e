import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import {
  clientBehaviourGapRule,
  compressionRule,
  groupProtocolRule,
  idempotentProducerRule,
  notVisibleRule,
  recordSizeRule,
  schemaRegistryRule,
} from '../../lambdas/core/assessment/rules/client-behaviour';
import { transactionRule } from '../../lambdas/core/assessment/rules/transactions';
import { NOT_VISIBLE } from '../../lambdas/core/inventory/client-behaviour';
import type { ClientBehaviourInventory, Inventory, TopicRecordSample } from '../../lambdas/core/inventory/model';
import { resolveProfile } from '../../lambdas/core/profiles';
import { withOverrides } from '../../lambdas/core/profiles/profile';
import { inventory, recordSample, topic } from './inventory-fixtures';

const serverless = resolveProfile('msk-serverless');
const provisioned = resolveProfile('msk-provisioned', {
  provisioned: { brokerType: 'kafka.m7g.large', brokerCount: 3 },
});
const compatible = resolveProfile('kafka-compatible');
const defaults = assessmentOptions();

function withBehaviour(
  o: Partial<ClientBehaviourInventory> = {},
  topics = [topic('orders'), topic('payments')],
): Inventory {
  return {
    ...inventory({ topics }),
    clientBehaviour: {
      client: '@platformatic/kafka',
      note: 'n',
      producers: { status: 'COLLECTED', partitionsAsked: 2, partitionsRead: 2, topics: [], notes: [] },
      transactions: { status: 'COLLECTED', transactions: [], notes: [] },
      records: { status: 'COLLECTED', bytesPerPartition: 1_048_576, topics: [], notes: [] },
      groupTypes: { status: 'COLLECTED', groups: [] },
      notVisible: [...NOT_VISIBLE],
      ...o,
    },
  };
}

describe('transactions read from the brokers', () => {
  it('names the transactional ids ListTransactions returns, with the open transactions’ topics', () => {
    const inv = withBehaviour({
      transactions: {
        status: 'COLLECTED',
        notes: [],
        transactions: [
          {
            transactionalId: 'payments-writer',
            producerId: '5',
            state: 'Ongoing',
            timeoutMs: 60_000,
            topics: ['payments'],
          },
        ],
      },
    });
    const [f] = transactionRule(inv, serverless, defaults);
    expect(f).toMatchObject({ id: 'transactions.in-use', severity: 'WARNING', items: ['payments-writer'] });
    expect(f?.evidence).toMatch(
      /ListTransactions names 1 transactional id \(payments-writer: Ongoing\), 1 transaction open on payments/,
    );
  });

  it('is a BLOCKER on a target that does not support transactions', () => {
    const inv = withBehaviour({
      records: {
        status: 'COLLECTED',
        bytesPerPartition: 1,
        notes: [],
        topics: [recordSample('payments', { transactionalBatches: 2 })],
      },
    });
    const unsupported = {
      ...compatible,
      capabilities: { ...compatible.capabilities, transactions: { support: 'UNSUPPORTED' as const, note: 'no' } },
    };
    expect(transactionRule(inv, unsupported, defaults)[0]).toMatchObject({
      severity: 'BLOCKER',
      evidence: expect.stringMatching(/transactional record batches at the tail of payments/),
    });
  });
});

describe('idempotent producers', () => {
  const inv = withBehaviour({
    producers: {
      status: 'COLLECTED',
      partitionsAsked: 2,
      partitionsRead: 2,
      notes: [],
      topics: [
        { topic: 'orders', producerIds: ['1', '2'] },
        { topic: 'payments', producerIds: ['5'] },
      ],
    },
    transactions: {
      status: 'COLLECTED',
      notes: [],
      transactions: [{ transactionalId: 'tx', producerId: '5', state: 'CompleteCommit', timeoutMs: null, topics: [] }],
    },
  });

  it('warns an IAM target that their roles need WriteDataIdempotently, leaving transactional producer IDs out', () => {
    const [f] = idempotentProducerRule(inv, serverless, defaults);
    expect(f).toMatchObject({ id: 'producers.idempotent', severity: 'WARNING', items: ['orders'] });
    expect(f?.evidence).toContain('2 producer IDs');
    expect(f?.remediation).toContain('kafka-cluster:WriteDataIdempotently');
  });

  it('is information on a target with Kafka ACLs, and nothing when no producer has an ID', () => {
    expect(idempotentProducerRule(inv, provisioned, defaults)[0]?.severity).toBe('INFO');
    expect(idempotentProducerRule(withBehaviour(), provisioned, defaults)).toEqual([]);
  });
});

describe('compression', () => {
  const inv = withBehaviour(
    {
      records: {
        status: 'COLLECTED',
        bytesPerPartition: 1,
        notes: [],
        topics: [
          recordSample('orders', { codecs: { zstd: 8, none: 2 } }),
          recordSample('payments', { codecs: { lz4: 3 } }),
        ],
      },
    },
    [topic('orders'), topic('payments', { configs: { 'compression.type': 'lz4' } })],
  );

  it('lists the codecs per topic', () => {
    const [f] = compressionRule(inv, serverless, defaults);
    expect(f).toMatchObject({
      id: 'compression.in-use',
      severity: 'INFO',
      items: ['orders: zstd×8, none×2', 'payments: lz4×3'],
    });
  });

  it('warns that the replicator writes uncompressed where the topic leaves the codec to the producer', () => {
    const f = compressionRule(inv, serverless, assessmentOptions({ replicator: 'MIRROR_MAKER_2' })).find(
      (x) => x.id === 'compression.replicated-uncompressed',
    );
    // payments has compression.type=lz4: its broker compresses what the replicator writes.
    expect(f).toMatchObject({ severity: 'WARNING', items: ['orders'] });
  });
});

describe('observed record sizes', () => {
  const sizes = (o: Partial<TopicRecordSample>): Inventory =>
    withBehaviour({
      records: { status: 'COLLECTED', bytesPerPartition: 1, notes: [], topics: [recordSample('orders', o)] },
    });

  it('blocks records the target cannot take, whatever the topic allows', () => {
    const [f] = recordSizeRule(sizes({ maxRecordBytes: 9_000_000, maxBatchBytes: 9_000_100 }), serverless, defaults);
    expect(f).toMatchObject({ id: 'record-size.exceeds-target', severity: 'BLOCKER' });
    expect(f?.items?.[0]).toMatch(/^orders: largest record 9 MB/);
  });

  it('warns about batches above the limit when every record fits', () => {
    const tight = withOverrides(serverless, { quotas: { maxMessageBytes: 100_000 } });
    const [f] = recordSizeRule(sizes({ maxRecordBytes: 50_000, maxBatchBytes: 400_000 }), tight, defaults);
    expect(f).toMatchObject({ id: 'record-size.batches-exceed-target', severity: 'WARNING' });
  });

  it('reports the observed sizes when they fit, and against Kafka’s default when the limit is unknown', () => {
    expect(recordSizeRule(sizes({}), serverless, defaults)).toEqual([
      expect.objectContaining({ id: 'record-size.observed', severity: 'INFO' }),
    ]);
    expect(recordSizeRule(sizes({}), compatible, defaults)[0]?.evidence).toMatch(/not known/);
  });

  it('judges the batch size alone where the records could not be decompressed', () => {
    const [f] = recordSizeRule(
      sizes({ maxRecordBytes: null, p99RecordBytes: null, maxBatchBytes: 9_000_000 }),
      serverless,
      defaults,
    );
    expect(f?.id).toBe('record-size.batches-exceed-target');
  });
});

describe('consumer group protocols and what is not visible', () => {
  it('warns about selected groups on the consumer protocol, not classic ones', () => {
    const inv = withBehaviour({
      groupTypes: {
        status: 'COLLECTED',
        groups: [
          { groupId: 'analytics', groupType: 'consumer', protocolType: 'consumer' },
          { groupId: 'billing', groupType: 'classic', protocolType: 'consumer' },
          { groupId: 'legacy.jobs', groupType: 'consumer', protocolType: 'consumer' },
        ],
      },
    });
    const [f] = groupProtocolRule(
      inv,
      serverless,
      assessmentOptions({ groups: { include: ['.*'], exclude: ['legacy\\..*'] } }),
    );
    expect(f).toMatchObject({ id: 'groups.consumer-protocol', severity: 'WARNING', items: ['analytics'] });
  });

  it('says what the brokers do not show, and which parts were not read', () => {
    const inv = withBehaviour({ transactions: { status: 'NOT_COLLECTED', reason: 'refused' } });
    expect(notVisibleRule(inv)[0]?.evidence).toMatch(/auto\.offset\.reset.*Client software name and version/);
    expect(clientBehaviourGapRule(inv)[0]).toMatchObject({
      id: 'inventory.client-behaviour-unread',
      items: ['transactions: refused'],
    });
    expect([...notVisibleRule(inventory()), ...clientBehaviourGapRule(inventory())]).toEqual([]);
  });
});

describe('schema registries seen in the record values', () => {
  const wire = (confluent: number, glue: number, other: number, schemaIds: string[]): Inventory =>
    withBehaviour({
      records: {
        status: 'COLLECTED',
        bytesPerPartition: 1,
        notes: [],
        topics: [recordSample('orders', { wireFormats: { confluent, glue, other, schemaIds } })],
      },
    });

  it('warns that the target’s consumers must resolve the Confluent schema IDs against the same registry', () => {
    const [f] = schemaRegistryRule(wire(100, 0, 0, ['42', '43']), serverless, defaults);
    expect(f).toMatchObject({
      id: 'schema-registry.confluent-ids',
      severity: 'WARNING',
      items: ['orders: schema IDs 42, 43'],
    });
    expect(f?.remediation).toMatch(/same IDs/);
  });

  it('says Glue schema versions resolve through AWS, and stays quiet on values that only sometimes start with 0', () => {
    expect(schemaRegistryRule(wire(0, 50, 0, ['u-1']), serverless, defaults)[0]).toMatchObject({
      id: 'schema-registry.glue-versions',
      severity: 'INFO',
    });
    expect(schemaRegistryRule(wire(3, 0, 97, ['0']), serverless, defaults)).toEqual([]);
  });
});
