import { TARGET_PROFILE_IDS, resolveProfile } from '../../lambdas/core/profiles';
import { QUOTA_NAMES, TargetProfileSchema } from '../../lambdas/core/profiles/profile';

describe('target profiles', () => {
  it.each(TARGET_PROFILE_IDS)(
    '%s is valid data with a source for every quota and a text for each of the five criteria',
    (id) => {
      // Act
      const profile = resolveProfile(id);
      // Assess
      expect(TargetProfileSchema.parse(profile)).toEqual(profile);
      for (const quota of Object.values(profile.quotas))
        expect(quota?.source).toMatch(/^(https:\/\/|platform documentation)/);
      expect(Object.keys(profile.criteria).sort()).toEqual([
        'apiCompatibility',
        'dataControlAndCost',
        'elasticCapacity',
        'networkAndIdentity',
        'storageModel',
      ]);
    },
  );

  it('MSK Serverless: IAM only, no ACLs, an allow-list of topic configs and today’s quotas with their AWS pages', () => {
    const p = resolveProfile('msk-serverless');
    expect(p.access).toMatchObject({ authModes: ['IAM'], acls: 'NONE' });
    expect(p.topicConfigs.policy).toBe('ALLOW_LIST');
    expect(p.topicConfigs.editable).not.toContain('segment.bytes');
    const v = (name: (typeof QUOTA_NAMES)[number]): number | null | undefined => p.quotas[name]?.value;
    expect([
      v('maxMessageBytes'),
      v('partitions'),
      v('compactedPartitions'),
      v('replicatorCompactedPartitions'),
    ]).toEqual([8_388_608, 2400, 120, 83]);
    expect([
      v('ingressBytesPerSec'),
      v('egressBytesPerSec'),
      v('partitionIngressBytesPerSec'),
      v('partitionEgressBytesPerSec'),
    ]).toEqual([200e6, 400e6, 5e6, 10e6]);
    expect([v('consumerGroups'), v('clientConnections')]).toEqual([500, 3000]);
    expect(p.quotas.partitions?.source).toBe(
      'https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#serverless-quota',
    );
  });

  it('MSK provisioned derives partition and connection limits from the broker type and count', () => {
    const p = resolveProfile('msk-provisioned', { provisioned: { brokerType: 'kafka.m5.2xlarge', brokerCount: 6 } });
    expect(p.quotas.partitionReplicasPerBroker?.value).toBe(2000);
    expect(p.quotas.partitions?.value).toBe(12_000);
    expect(p.quotas.clientConnections?.value).toBe(18_000);
    expect(p.access.acls).toBe('SUPPORTED');
  });

  it('MSK provisioned without a broker spec leaves those limits unknown and says what to supply', () => {
    const p = resolveProfile('msk-provisioned', { provisioned: { brokerType: 'express.m7g.large', brokerCount: 3 } });
    expect(p.quotas.partitions?.value).toBeNull();
    expect(p.quotas.partitionReplicasPerBroker?.note).toContain('Express');
  });

  it('overrides from the execution input replace a quota and say where it came from', () => {
    const p = resolveProfile('msk-serverless', {
      overrides: { quotas: { partitions: 4800 }, editableTopicConfigs: ['retention.ms'] },
    });
    expect(p.quotas.partitions).toMatchObject({ value: 4800, source: 'execution input (assessment.profileOverrides)' });
    expect(p.quotas.partitions?.note).toContain('Default 2400');
    expect(p.topicConfigs.editable).toEqual(['retention.ms']);
    expect(resolveProfile('msk-serverless').quotas.partitions?.value).toBe(2400);
  });

  it('the Kafka-compatible profile knows no capacity and lists what the rehearsal must prove', () => {
    const p = resolveProfile('kafka-compatible');
    expect(p.quotas.partitions?.value).toBeNull();
    expect(p.capabilities.mskReplicator.support).toBe('UNSUPPORTED');
    expect(p.mustTest.length).toBeGreaterThan(2);
  });
});
