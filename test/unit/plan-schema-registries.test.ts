import { validateMigrationPlan, type MigrationPlanInput } from '../../lambdas/core/plan/migration-plan';

const SOURCE_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-prod/5f2a9c1e-7b3d-4e8f-9a01-2b3c4d5e6f70-2';
const TARGET_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-serverless/8d7c6b5a-4f3e-2d1c-0b9a-8f7e6d5c4b3a-s2';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_registry-AbCdEf';
const REGISTRY = 'arn:aws:glue:eu-central-1:123456789012:registry/orders.schemas';

function plan(schemaRegistries: unknown, connectClusters?: unknown): MigrationPlanInput {
  return {
    migrationId: 'orders-to-serverless',
    source: { clusterArn: SOURCE_ARN },
    target: { type: 'MSK_SERVERLESS', clusterArn: TARGET_ARN },
    replication: { engine: 'MSK_REPLICATOR' },
    approval: { email: ['platform-lead@example.com'] },
    cutover: { switch: { type: 'SSM_PARAMETER', parameterName: '/orders/kafka/bootstrap-servers' } },
    ...(schemaRegistries !== undefined
      ? { schemaRegistries: schemaRegistries as MigrationPlanInput['schemaRegistries'] }
      : {}),
    ...(connectClusters !== undefined
      ? { connectClusters: connectClusters as MigrationPlanInput['connectClusters'] }
      : {}),
  };
}

const issuesOf = (registries: unknown): string[] => {
  const checked = validateMigrationPlan(plan(registries));
  return checked.valid ? [] : checked.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('schemaRegistries in the plan', () => {
  it('takes Glue registry ARNs and Confluent-compatible URLs, a side defaulting to BOTH', () => {
    const checked = validateMigrationPlan(
      plan({
        glue: [{ registryArn: REGISTRY }],
        confluent: [
          { url: 'https://registry.internal:8081', credentialsSecretArn: SECRET },
          { url: 'http://new-registry.internal:8081/', usedBy: 'TARGET' },
        ],
      }),
    );
    expect(checked.valid && checked.plan.schemaRegistries?.confluent?.map((c) => c.usedBy)).toEqual(['BOTH', 'TARGET']);
  });

  it('refuses what would leak or not work, naming the field', () => {
    expect(issuesOf({ glue: [{ registryArn: 'arn:aws:glue:eu-west-1:123456789012:schema/orders/x' }] })).toEqual([
      expect.stringMatching(/^schemaRegistries\.glue\.0\.registryArn: .*an AWS Glue registry ARN/),
    ]);
    expect(issuesOf({ confluent: [{ url: 'https://user:pw@registry.internal' }] })).toEqual([
      expect.stringMatching(/^schemaRegistries\.confluent\.0\.url: credentials do not go in the URL/),
    ]);
    expect(issuesOf({ confluent: [{ url: 'http://registry.internal', credentialsSecretArn: SECRET }] })).toEqual([
      expect.stringMatching(/^schemaRegistries\.confluent\.0\.credentialsSecretArn: .*in clear over http:\/\//),
    ]);
    expect(issuesOf({ confluent: [{ url: 'ftp://registry.internal' }, { url: 'registry:8081' }] })).toEqual([
      expect.stringMatching(/confluent\.0\.url: expected an http:\/\/ or https:\/\/ URL, not ftp:/),
      expect.stringMatching(/confluent\.1\.url: .*(not a URL|expected an http)/),
    ]);
    expect(issuesOf({ confluent: [{ url: 'https://r.internal/?x=1' }] })).toEqual([
      expect.stringMatching(/without a query or fragment/),
    ]);
    expect(issuesOf({ confluent: [{ url: 'https://r.internal' }, { url: 'https://r.internal/' }], glue: [] })).toEqual([
      expect.stringMatching(/^schemaRegistries\.confluent\.1: registry https:\/\/r\.internal is listed twice/),
    ]);
    expect(issuesOf({ confluent: [{ url: 'https://r.internal', usedBy: 'EVERYONE' }] })).toHaveLength(1);
    expect(issuesOf({ clientRoles: [{ roleArn: 'orders-consumer', role: 'CONSUMERS' }] })).toEqual([
      expect.stringMatching(/^schemaRegistries\.clientRoles\.0\.roleArn: .*an IAM role ARN/),
    ]);
    expect(
      issuesOf({
        clientRoles: [{ roleArn: 'arn:aws:iam::123456789012:role/apps/orders-consumer', role: 'CONSUMERS' }],
      }),
    ).toEqual([]);
    expect(issuesOf({ glue: [{ registryArn: REGISTRY, region: 'eu-west-1' }] })).toEqual([
      expect.stringMatching(/region/),
    ]);
  });
});

describe('connectClusters in the plan', () => {
  const issuesOfClusters = (clusters: unknown): string[] => {
    const checked = validateMigrationPlan(plan(undefined, clusters));
    return checked.valid ? [] : checked.issues.map((i) => `${i.path}: ${i.message}`);
  };

  it('takes Connect REST URLs with an optional credentials secret', () => {
    expect(
      issuesOfClusters([
        { url: 'https://connect.internal:8083', credentialsSecretArn: SECRET },
        { url: 'http://c2:8083' },
      ]),
    ).toEqual([]);
  });

  it('refuses credentials in the URL or over http://, a cluster listed twice, an empty list', () => {
    expect(issuesOfClusters([{ url: 'https://admin:pw@connect.internal:8083' }])).toEqual([
      expect.stringMatching(/^connectClusters\.0\.url: credentials do not go in the URL/),
    ]);
    expect(issuesOfClusters([{ url: 'http://connect.internal:8083', credentialsSecretArn: SECRET }])).toEqual([
      expect.stringMatching(/^connectClusters\.0\.credentialsSecretArn: .*in clear over http:\/\//),
    ]);
    expect(issuesOfClusters([{ url: 'https://c:8083' }, { url: 'https://c:8083/' }])).toEqual([
      'connectClusters.1: Connect cluster https://c:8083 is listed twice',
    ]);
    expect(issuesOfClusters([])).toEqual([expect.stringMatching(/^connectClusters: expected at least one/)]);
  });
});
