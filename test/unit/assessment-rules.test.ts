import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { aclLossRule } from '../../lambdas/core/assessment/rules/acl-loss';
import { authModeRule } from '../../lambdas/core/assessment/rules/auth-mode';
import { clientQuotaRule } from '../../lambdas/core/assessment/rules/client-quotas';
import { compactionRule } from '../../lambdas/core/assessment/rules/compaction';
import { idleGroupRule } from '../../lambdas/core/assessment/rules/idle-groups';
import { inventoryGapRule } from '../../lambdas/core/assessment/rules/inventory-gaps';
import { messageSizeRule } from '../../lambdas/core/assessment/rules/message-size';
import { quotaFitRule } from '../../lambdas/core/assessment/rules/quota-fit';
import { topicConfigRule } from '../../lambdas/core/assessment/rules/topic-configs';
import { topicSelectionRule } from '../../lambdas/core/assessment/rules/topic-selection';
import { transactionRule } from '../../lambdas/core/assessment/rules/transactions';
import { resolveProfile } from '../../lambdas/core/profiles';
import { acl, clusterPeaks, group, inventory, mskCluster, peakOf, throughput, topic } from './inventory-fixtures';

const serverless = resolveProfile('msk-serverless');
const provisioned = resolveProfile('msk-provisioned', {
  provisioned: { brokerType: 'kafka.m7g.large', brokerCount: 3 },
});
const compatible = resolveProfile('kafka-compatible');
const defaults = assessmentOptions();

const ids = (findings: ReadonlyArray<{ id: string }>): string[] => findings.map((f) => f.id);

describe('quota fit', () => {
  it('blocks when the selected non-compacted partitions exceed the Serverless partition quota', () => {
    // Prepare
    const inv = inventory({
      topics: [topic('big', { partitionCount: 2000 }), topic('bigger', { partitionCount: 600 })],
    });
    // Act
    const findings = quotaFitRule(inv, serverless, defaults);
    // Assess
    const f = findings.find((x) => x.id === 'quota.partitions');
    expect(f?.severity).toBe('BLOCKER');
    expect(f?.evidence).toContain('2,600');
    expect(f?.evidence).toContain('2,400');
  });

  it('warns when the partitions fit the quota but leave less than the 30% headroom', () => {
    const inv = inventory({ topics: [topic('big', { partitionCount: 1800 })] });
    expect(quotaFitRule(inv, serverless, defaults).find((x) => x.id === 'quota.partitions')?.severity).toBe('WARNING');
  });

  it('says nothing about partitions that fit with headroom, and honours a smaller headroom', () => {
    const inv = inventory({ topics: [topic('big', { partitionCount: 1800 })] });
    expect(ids(quotaFitRule(inv, serverless, assessmentOptions({ headroom: 0.2 })))).not.toContain('quota.partitions');
    expect(ids(quotaFitRule(inventory(), serverless, defaults))).toEqual([]);
  });

  it('leaves compacted partitions to their own rule and ignores topics outside the include patterns', () => {
    const inv = inventory({
      topics: [
        topic('state', { partitionCount: 2400, compacted: true, cleanupPolicy: 'compact' }),
        topic('legacy.big', { partitionCount: 3000 }),
      ],
    });
    const findings = quotaFitRule(inv, serverless, assessmentOptions({ topics: { include: ['state'] } }));
    expect(ids(findings)).not.toContain('quota.partitions');
  });

  it('counts partition replicas against a provisioned target sized by broker type and count', () => {
    // 3 × kafka.m7g.large = 3,000 replicas; 1,100 partitions × RF 3 = 3,300.
    const inv = inventory({ topics: [topic('t', { partitionCount: 1100, replicationFactor: 3 })] });
    const f = quotaFitRule(inv, provisioned, defaults).find((x) => x.id === 'quota.partitions');
    expect(f?.severity).toBe('BLOCKER');
    expect(f?.evidence).toContain('partition replicas');
  });

  it('blocks an ingress peak above 200 MB/s and uses the in-scope topics when per-topic metrics exist', () => {
    const inv = inventory({
      topics: [topic('hot'), topic('cold')],
      throughput: throughput({
        cluster: {
          bytesInPerSec: peakOf(260_000_000),
          bytesOutPerSec: peakOf(100_000_000),
          messagesInPerSec: null,
          connectionCount: null,
        },
        topics: [
          {
            topic: 'hot',
            bytesInPerSec: peakOf(250_000_000),
            bytesOutPerSec: peakOf(50_000_000),
            messagesInPerSec: null,
          },
          {
            topic: 'cold',
            bytesInPerSec: peakOf(10_000_000),
            bytesOutPerSec: peakOf(1_000_000),
            messagesInPerSec: null,
          },
        ],
      }),
    });
    expect(quotaFitRule(inv, serverless, defaults).find((x) => x.id === 'quota.ingress')?.severity).toBe('BLOCKER');
    expect(ids(quotaFitRule(inv, serverless, assessmentOptions({ topics: { include: ['cold'] } })))).not.toContain(
      'quota.ingress',
    );
  });

  it('flags the busiest partition against the per-partition ingress quota, assuming an even spread', () => {
    const inv = inventory({
      topics: [topic('hot', { partitionCount: 2 })],
      throughput: throughput({
        topics: [
          {
            topic: 'hot',
            bytesInPerSec: peakOf(12_000_000),
            bytesOutPerSec: peakOf(1_000_000),
            messagesInPerSec: null,
          },
        ],
      }),
    });
    const f = quotaFitRule(inv, serverless, defaults).find((x) => x.id === 'quota.partition-ingress');
    expect(f).toMatchObject({ severity: 'BLOCKER', subject: 'hot' });
  });

  it('warns on consumer groups and connections near their quotas', () => {
    const groups = Array.from({ length: 400 }, (_, i) => group(`g-${i}`));
    const inv = inventory({
      groups,
      throughput: throughput({ cluster: { ...clusterPeaks, connectionCount: peakOf(2500) } }),
    });
    const findings = quotaFitRule(inv, serverless, defaults);
    expect(findings.find((x) => x.id === 'quota.consumer-groups')?.severity).toBe('WARNING');
    expect(findings.find((x) => x.id === 'quota.connections')?.severity).toBe('WARNING');
  });

  it('reports a quota the profile cannot know as information saying what to supply', () => {
    const f = quotaFitRule(inventory(), compatible, defaults).find((x) => x.id === 'quota.partitions');
    expect(f?.severity).toBe('INFO');
    expect(f?.remediation).toContain('profileOverrides');
  });

  it('uses an overridden quota from the execution input', () => {
    const raised = resolveProfile('msk-serverless', { overrides: { quotas: { partitions: 10_000 } } });
    const inv = inventory({ topics: [topic('big', { partitionCount: 2600 })] });
    expect(ids(quotaFitRule(inv, raised, defaults))).not.toContain('quota.partitions');
  });

  it('says how long the target takes to create the partitions when they exceed its creation rate', () => {
    const inv = inventory({ topics: [topic('t', { partitionCount: 600 })] });
    expect(
      quotaFitRule(inv, serverless, defaults).find((x) => x.id === 'quota.partition-creation-rate')?.evidence,
    ).toContain('25 minutes');
  });
});

describe('ACLs on a target without ACLs', () => {
  const bindings = [
    acl('User:orders-app', 'TOPIC', 'orders', 'READ'),
    acl('User:orders-app', 'GROUP', 'orders-service', 'READ'),
    acl('User:billing', 'TOPIC', 'pay', 'WRITE', { patternType: 'PREFIXED' }),
  ];

  it('blocks and names every principal that loses access on MSK Serverless', () => {
    const [f] = aclLossRule(
      inventory({ acls: { status: 'COLLECTED', authorizerEnabled: true, bindings } }),
      serverless,
      defaults,
    );
    expect(f).toMatchObject({ id: 'acl.principals-lose-access', severity: 'BLOCKER', subject: '2 principals' });
    expect(f?.items).toEqual([
      'User:billing: TOPIC:pay* WRITE',
      'User:orders-app: GROUP:orders-service READ, TOPIC:orders READ',
    ]);
  });

  it('asks to recreate the ACLs on a target that has them', () => {
    expect(
      aclLossRule(
        inventory({ acls: { status: 'COLLECTED', authorizerEnabled: true, bindings } }),
        provisioned,
        defaults,
      )[0],
    ).toMatchObject({ id: 'acl.recreate-on-target', severity: 'INFO' });
  });

  it('says nothing when the source has no bindings', () => {
    expect(aclLossRule(inventory(), serverless, defaults)).toEqual([]);
  });

  it('warns that access cannot be mapped when the ACLs could not be read', () => {
    const [f] = aclLossRule(
      inventory({ acls: { status: 'NOT_COLLECTED', reason: 'CLUSTER_AUTHORIZATION_FAILED' } }),
      serverless,
      defaults,
    );
    expect(f).toMatchObject({ id: 'acl.not-collected', severity: 'WARNING' });
    expect(f?.evidence).toContain('CLUSTER_AUTHORIZATION_FAILED');
  });

  it('warns that every client needs a policy when the source has no authorizer', () => {
    expect(
      aclLossRule(
        inventory({ acls: { status: 'COLLECTED', authorizerEnabled: false, bindings: [] } }),
        serverless,
        defaults,
      )[0]?.id,
    ).toBe('acl.no-authorizer');
    expect(
      aclLossRule(
        inventory({ acls: { status: 'COLLECTED', authorizerEnabled: false, bindings: [] } }),
        provisioned,
        defaults,
      ),
    ).toEqual([]);
  });
});

describe('authentication the target does not offer', () => {
  it('blocks a SCRAM-only source going to the IAM-only target: no client uses IAM today', () => {
    const inv = inventory({
      controlPlane: {
        status: 'COLLECTED',
        cluster: mskCluster({ authentication: { iam: false, scram: true, mtls: false, unauthenticated: false } }),
      },
    });
    expect(authModeRule(inv, serverless, defaults)[0]).toMatchObject({
      id: 'auth.unsupported-on-target',
      severity: 'BLOCKER',
      subject: 'SCRAM',
    });
  });

  it('warns when IAM is enabled beside SCRAM and mTLS (some clients may already use IAM)', () => {
    const inv = inventory({
      controlPlane: {
        status: 'COLLECTED',
        cluster: mskCluster({ authentication: { iam: true, scram: true, mtls: true, unauthenticated: false } }),
      },
    });
    expect(authModeRule(inv, serverless, defaults)[0]).toMatchObject({ severity: 'WARNING', subject: 'SCRAM, MTLS' });
  });

  it('says nothing for an IAM-only source, or a SCRAM source going to a provisioned target', () => {
    expect(authModeRule(inventory(), serverless, defaults)).toEqual([]);
    const scram = inventory({
      controlPlane: {
        status: 'COLLECTED',
        cluster: mskCluster({ authentication: { iam: false, scram: true, mtls: false, unauthenticated: false } }),
      },
    });
    expect(authModeRule(scram, provisioned, defaults)).toEqual([]);
  });

  it('blocks MSK Replicator when IAM is not enabled on the source', () => {
    const inv = inventory({
      controlPlane: {
        status: 'COLLECTED',
        cluster: mskCluster({ authentication: { iam: false, scram: true, mtls: false, unauthenticated: false } }),
      },
    });
    expect(authModeRule(inv, provisioned, assessmentOptions({ replicator: 'MSK_REPLICATOR' }))[0]).toMatchObject({
      id: 'auth.replicator-needs-iam',
      severity: 'BLOCKER',
    });
  });

  it('only warns from the connection mechanism when the MSK control plane was not read', () => {
    const inv = inventory({
      controlPlane: { status: 'NOT_COLLECTED', reason: 'local' },
      authMechanism: 'SCRAM-SHA-512',
    });
    expect(
      authModeRule(inv, serverless, assessmentOptions({ replicator: 'MSK_REPLICATOR' })).map((f) => [f.id, f.severity]),
    ).toEqual([
      ['auth.unsupported-on-target', 'WARNING'],
      ['auth.replicator-needs-iam', 'WARNING'],
    ]);
  });
});

describe('topic configs the target rejects', () => {
  it('lists each config outside the Serverless allow-list with the topics that set it', () => {
    const inv = inventory({
      topics: [
        topic('a', { configs: { 'segment.bytes': '104857600', 'retention.ms': '1000' } }),
        topic('b', { configs: { 'segment.bytes': '1073741824' } }),
      ],
    });
    const [f] = topicConfigRule(inv, serverless, defaults);
    expect(f).toMatchObject({
      id: 'config.not-settable-on-target',
      severity: 'WARNING',
      subject: 'segment.bytes',
      items: ['a=104857600', 'b=1073741824'],
    });
  });

  it('accepts any config on a provisioned target', () => {
    const inv = inventory({ topics: [topic('a', { configs: { 'segment.bytes': '104857600' } })] });
    expect(topicConfigRule(inv, provisioned, defaults)).toEqual([]);
  });

  it('blocks Kafka Streams internal topics on MSK Serverless and names the application from its group', () => {
    const inv = inventory({
      topics: [
        topic('wordcount-counts-store-changelog', { configs: { 'cleanup.policy': 'compact' } }),
        topic('wordcount-KSTREAM-AGGREGATE-0000000003-repartition'),
      ],
      groups: [group('wordcount')],
    });
    const f = topicConfigRule(inv, serverless, defaults).find((x) => x.id === 'config.kafka-streams-internal-topics');
    expect(f).toMatchObject({ severity: 'BLOCKER', subject: 'Kafka Streams: wordcount' });
    expect(f?.items).toHaveLength(2);
  });

  it('notes topics whose cleanup.policy can be set only at creation on Serverless', () => {
    const inv = inventory({ topics: [topic('state', { configs: { 'cleanup.policy': 'compact' } })] });
    expect(ids(topicConfigRule(inv, serverless, defaults))).toEqual(['config.creation-only']);
  });
});

describe('message size', () => {
  it('blocks topics that accept records larger than 8 MiB on MSK Serverless', () => {
    const inv = inventory({ topics: [topic('images', { maxMessageBytes: 16_777_216 }), topic('orders')] });
    const [f] = messageSizeRule(inv, serverless, defaults);
    expect(f).toMatchObject({
      id: 'message-size.exceeds-target',
      severity: 'BLOCKER',
      subject: '1 topic',
      items: ['images: max.message.bytes=16777216'],
    });
  });

  it('accepts exactly 8 MiB', () => {
    expect(
      messageSizeRule(inventory({ topics: [topic('images', { maxMessageBytes: 8_388_608 })] }), serverless, defaults),
    ).toEqual([]);
  });

  it('asks for the target limit when the profile does not know it and a topic exceeds Kafka’s default', () => {
    expect(
      messageSizeRule(
        inventory({ topics: [topic('images', { maxMessageBytes: 5_000_000 })] }),
        compatible,
        defaults,
      )[0],
    ).toMatchObject({ id: 'message-size.check-target', severity: 'INFO' });
  });
});

describe('compacted partitions', () => {
  const compacted = (name: string, partitionCount: number) =>
    topic(name, { partitionCount, compacted: true, cleanupPolicy: 'compact' });

  it('counts the 83 partitions MSK Replicator takes on a Serverless target', () => {
    // 30 + 83 = 113 of 120: fits the quota, not the 30% headroom.
    const inv = inventory({ topics: [compacted('state', 30)] });
    const [f] = compactionRule(inv, serverless, assessmentOptions({ replicator: 'MSK_REPLICATOR' }));
    expect(f).toMatchObject({ id: 'compaction.partitions', severity: 'WARNING' });
    expect(f?.evidence).toContain('+ 83 that MSK Replicator uses on the target = 113');
  });

  it('blocks when compacted partitions exceed the quota, and passes the same topics with MirrorMaker 2 within headroom', () => {
    expect(
      compactionRule(
        inventory({ topics: [compacted('state', 50)] }),
        serverless,
        assessmentOptions({ replicator: 'MSK_REPLICATOR' }),
      )[0]?.severity,
    ).toBe('BLOCKER');
    expect(
      compactionRule(
        inventory({ topics: [compacted('state', 50)] }),
        serverless,
        assessmentOptions({ replicator: 'MIRROR_MAKER_2' }),
      ),
    ).toEqual([]);
  });

  it('asks to prove compaction on a platform whose support is unknown', () => {
    expect(compactionRule(inventory({ topics: [compacted('state', 3)] }), compatible, defaults)[0]).toMatchObject({
      id: 'compaction.support-unknown',
      severity: 'WARNING',
    });
    expect(compactionRule(inventory(), compatible, defaults)).toEqual([]);
  });
});

describe('transactions and idempotence', () => {
  it('warns when __transaction_state holds records and names principals with transactional-id ACLs', () => {
    const inv = inventory({
      topics: [topic('orders'), topic('__transaction_state', { partitionCount: 50, records: 100 })],
      acls: {
        status: 'COLLECTED',
        authorizerEnabled: true,
        bindings: [acl('User:payments', 'TRANSACTIONAL_ID', 'payments-tx', 'WRITE')],
      },
    });
    const [f] = transactionRule(inv, serverless, defaults);
    expect(f).toMatchObject({ id: 'transactions.in-use', severity: 'WARNING', subject: 'User:payments' });
    expect(f?.evidence).toContain('__transaction_state has records on 50 partitions');
  });

  it('says nothing when there is no sign of transactions', () => {
    expect(
      transactionRule(
        inventory({ topics: [topic('orders'), topic('__transaction_state', { partitionCount: 50, records: 0 })] }),
        serverless,
        defaults,
      ),
    ).toEqual([]);
  });

  it('tells idempotent writers on an IAM target which permission they need', () => {
    const inv = inventory({
      acls: {
        status: 'COLLECTED',
        authorizerEnabled: true,
        bindings: [acl('User:orders-app', 'CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE')],
      },
    });
    expect(transactionRule(inv, serverless, defaults)[0]).toMatchObject({
      id: 'transactions.idempotent-write',
      severity: 'INFO',
    });
    expect(transactionRule(inv, provisioned, defaults)).toEqual([]);
  });
});

describe('consumer groups without recent commits', () => {
  it('warns about groups whose committed offsets are below the log start (no commit for longer than retention)', () => {
    const inv = inventory({
      groups: [group('stale', { state: 'Empty', members: [], partitionsBehindLogStart: 2 }), group('live')],
    });
    const [f] = idleGroupRule(inv, serverless, defaults);
    expect(f).toMatchObject({ id: 'groups.no-recent-commits', severity: 'WARNING', subject: '1 consumer group' });
  });

  it('warns about empty groups with a backlog and notes idle caught-up ones', () => {
    const backlog = group('nightly', {
      state: 'Empty',
      members: [],
      offsets: [
        { topic: 'orders', partition: 0, committedOffset: '5', logEndOffset: '10', logStartOffset: '0', lag: 5 },
      ],
    });
    const caughtUp = group('done', { state: 'Empty', members: [] });
    expect(ids(idleGroupRule(inventory({ groups: [backlog, caughtUp] }), serverless, defaults))).toEqual([
      'groups.empty-with-backlog',
      'groups.idle',
    ]);
  });

  it('says nothing about stable groups or groups outside the group patterns', () => {
    expect(idleGroupRule(inventory(), serverless, defaults)).toEqual([]);
    const inv = inventory({ groups: [group('stale', { state: 'Empty', members: [], partitionsBehindLogStart: 1 })] });
    expect(idleGroupRule(inv, serverless, assessmentOptions({ groups: { include: ['orders-.*'] } }))).toEqual([]);
  });
});

describe('topics matched by no include pattern', () => {
  it('warns about unselected topics that hold data or have readers, and notes empty ones', () => {
    const inv = inventory({
      topics: [topic('orders'), topic('audit', { records: 300 }), topic('scratch', { records: 0 })],
      groups: [group('orders-service')],
    });
    const findings = topicSelectionRule(inv, serverless, assessmentOptions({ topics: { include: ['orders'] } }));
    expect(findings.map((f) => [f.id, f.subject])).toEqual([
      ['topics.not-selected', '1 topic'],
      ['topics.not-selected-empty', '1 topic'],
    ]);
    expect(findings[0]?.items?.[0]).toContain('audit: 300 records');
  });

  it('lists excluded topics apart and warns about an include pattern that matches nothing', () => {
    const inv = inventory({ topics: [topic('orders'), topic('orders.tmp')] });
    const findings = topicSelectionRule(
      inv,
      serverless,
      assessmentOptions({ topics: { include: ['orders.*', 'order\\.'], exclude: ['.*\\.tmp'] } }),
    );
    expect(ids(findings)).toEqual(['topics.excluded', 'topics.pattern-matches-nothing']);
  });

  it('ignores Kafka’s internal topics and says nothing when everything is selected', () => {
    const inv = inventory({ topics: [topic('orders'), topic('__consumer_offsets', { partitionCount: 50 })] });
    expect(topicSelectionRule(inv, serverless, defaults)).toEqual([]);
  });
});

describe('inventory gaps', () => {
  it('blocks on a selected topic that could not be described', () => {
    const inv = inventory({
      topics: [topic('orders'), { status: 'UNDESCRIBABLE', name: 'secret', reason: 'TOPIC_AUTHORIZATION_FAILED' }],
    });
    expect(inventoryGapRule(inv, serverless, defaults)[0]).toMatchObject({
      id: 'inventory.topic-undescribable',
      severity: 'BLOCKER',
      items: ['secret: TOPIC_AUTHORIZATION_FAILED'],
    });
  });

  it('does not block on an undescribable topic the patterns leave out', () => {
    const inv = inventory({ topics: [topic('orders'), { status: 'UNDESCRIBABLE', name: 'secret', reason: 'x' }] });
    expect(inventoryGapRule(inv, serverless, assessmentOptions({ topics: { include: ['orders'] } }))).toEqual([]);
  });

  it('warns that throughput quotas were not checked when metrics were not collected', () => {
    const inv = inventory({
      throughput: { status: 'NOT_COLLECTED', reason: 'No metrics service in this runtime.' },
      controlPlane: { status: 'NOT_COLLECTED', reason: 'local' },
    });
    expect(ids(inventoryGapRule(inv, serverless, defaults))).toEqual([
      'inventory.control-plane-not-collected',
      'inventory.throughput-not-collected',
    ]);
  });

  it('warns about undescribable groups and topics whose offsets were not read', () => {
    const noOffsets = topic('orders', {
      partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1], logStartOffset: null, logEndOffset: null }],
      partitionCount: 1,
    });
    const inv = inventory({
      topics: [noOffsets],
      groups: [{ status: 'UNDESCRIBABLE', groupId: 'g', reason: 'COORDINATOR_NOT_AVAILABLE' }],
    });
    expect(ids(inventoryGapRule(inv, serverless, defaults))).toEqual([
      'inventory.offsets-unknown',
      'inventory.group-undescribable',
    ]);
  });

  it('says nothing about a complete inventory', () => {
    expect(inventoryGapRule(inventory(), serverless, defaults)).toEqual([]);
  });
});

describe('client quotas', () => {
  const quotas = {
    status: 'COLLECTED' as const,
    quotas: [{ entity: [{ type: 'user', name: 'batch' }], values: { producer_byte_rate: 1_048_576 } }],
  };

  it('warns that MSK Serverless cannot enforce the source’s client quotas', () => {
    expect(clientQuotaRule(inventory({ clientQuotas: quotas }), serverless, defaults)[0]).toMatchObject({
      id: 'client-quotas.not-enforceable',
      severity: 'WARNING',
      items: ['user=batch: producer_byte_rate=1048576'],
    });
  });

  it('asks to recreate them on a provisioned target, and says nothing without quotas', () => {
    expect(clientQuotaRule(inventory({ clientQuotas: quotas }), provisioned, defaults)[0]?.id).toBe(
      'client-quotas.recreate-on-target',
    );
    expect(clientQuotaRule(inventory(), serverless, defaults)).toEqual([]);
  });
});
