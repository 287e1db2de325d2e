import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createConnectorRequests } from '../../lambdas/adapters/aws/msk-connect-mm2';
import { createClusterRequest } from '../../lambdas/adapters/aws/msk-provisioner';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { createReplicatorRequest, MskReplicator } from '../../lambdas/adapters/aws/msk-replicator';
import { route53RecordValue } from '../../lambdas/adapters/aws/cutover-switch-route53';
import { fenceValue } from '../../lambdas/core/cutover/model';
import { checkPlan } from '../../lambdas/core/plan/check-plan';
import { MigrationPlanSchema, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import type { ReplicationAuth, ReplicatorSpec } from '../../lambdas/ports/replicator';
import { cutoverSwitchFor } from '../../lambdas/tasks/shared/cutover-switch';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';
import { runValidateInput } from '../../lambdas/tasks/validate-input/task';

/**
 * Validation refuses what the runtime would refuse (#14): for each refusal of an AWS adapter that a plan's shape
 * decides, the same plan is refused by the check ValidateInput and `msk-migrate validate` run, naming the field,
 * before anything is created. Each test shows both sides: the adapter refusing, the check refusing first.
 */

const ROOT = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain JSON, edited freely below
type Raw = Record<string, any>;
const example = (name: string): Raw =>
  JSON.parse(readFileSync(path.join(ROOT, 'examples', `${name}.json`), 'utf8')) as Raw;
const ROLE = 'arn:aws:iam::123456789012:role/msk-migration-replication';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders-1';
const SECRET = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:AmazonMSK_automq-AbCdEf';

/** The problems the AWS runtime's check names, by field. */
function refusedAt(plan: Raw): string[] {
  const checked = checkPlan(plan, 'AWS', WORKFLOW_DEFINITION);
  return checked.valid ? [] : checked.issues.map((i) => i.path);
}

/** The ReplicatorSpec StartReplication builds for a plan (its replication settings, reachable endpoints). */
function specOf(
  plan: Raw,
  target: { clusterArn?: string; bootstrapServers?: string[]; auth?: ReplicationAuth },
): ReplicatorSpec {
  return {
    name: 'mskmig-clickstream-exec-1',
    source: {
      clusterArn: plan.source.clusterArn,
      bootstrapServers: ['b-1.source:9098'],
      auth: { mechanism: 'IAM' },
      vpc: { subnetIds: ['subnet-s'], securityGroupIds: ['sg-s'] },
    },
    target: { ...target, ...(plan.replication.mskConnect ? { vpc: plan.replication.mskConnect.vpc } : {}) },
    topics: { include: plan.replication.topics.include, exclude: [] },
    consumerGroups: { include: plan.replication.consumerGroups?.include ?? ['.*'], exclude: [] },
    startingPosition: 'EARLIEST',
    copyTopicConfigurations: true,
    detectAndCopyNewTopics: true,
    syncGroupOffsets: true,
    offsetSyncMode: 'LEGACY',
    ...(plan.replication.mskConnect
      ? {
          mskConnect: {
            customPluginArn: plan.replication.mskConnect.customPluginArn,
            customPluginRevision: plan.replication.mskConnect.customPluginRevision,
          },
        }
      : {}),
    tags: {},
  };
}

/** The target auth mechanisms the plan accepts (published JSON Schema). */
function authMechanisms(): string[] {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'migration-input.schema.json'), 'utf8')) as Raw;
  const auth = schema.properties.target.properties.auth as Raw;
  const options = (auth.oneOf ?? auth.anyOf ?? [auth]) as Raw[];
  return options.flatMap((o) => {
    const m = o.properties.mechanism as Raw;
    return (m.enum ?? (m.const !== undefined ? [m.const] : [])) as string[];
  });
}

const CA = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:automq-private-ca-AbCdEf';
/** Every way the plan lets a target authenticate, and the field a refusal of it names. */
const TARGET_AUTH: ReadonlyArray<readonly [string, Raw, string]> = [
  ['IAM', { mechanism: 'IAM' }, 'target.auth.mechanism'],
  ['TLS', { mechanism: 'TLS' }, 'target.auth.mechanism'],
  ['TLS with a private CA', { mechanism: 'TLS', caSecretArn: CA }, 'target.auth.caSecretArn'],
  ['mTLS', { mechanism: 'TLS', clientCertificateSecretArn: SECRET }, 'target.auth.clientCertificateSecretArn'],
  ['PLAINTEXT', { mechanism: 'PLAINTEXT' }, 'target.auth.mechanism'],
  ['SCRAM-SHA-512', { mechanism: 'SCRAM-SHA-512', secretArn: SECRET, tls: true }, 'target.auth.mechanism'],
  ['SCRAM-SHA-256', { mechanism: 'SCRAM-SHA-256', secretArn: SECRET, tls: true }, 'target.auth.mechanism'],
  ['PLAIN', { mechanism: 'PLAIN', secretArn: SECRET, tls: true }, 'target.auth.mechanism'],
];

describe('validation refuses what an AWS adapter would refuse', () => {
  it('covers every target auth mechanism of the plan', () => {
    expect([...new Set(TARGET_AUTH.map(([, auth]) => auth.mechanism as string))].sort()).toEqual(
      authMechanisms().sort(),
    );
  });

  it.each(TARGET_AUTH)(
    'MirrorMaker 2 on MSK Connect with a %s target: the check refuses exactly what the MSK Connect adapter refuses',
    (_what, auth, field) => {
      // Prepare
      const plan = example('msk-to-automq-mirrormaker2');
      plan.target.auth = auth;
      // Act
      let adapterRefuses = false;
      try {
        createConnectorRequests(
          specOf(plan, { bootstrapServers: plan.target.bootstrapServers, auth: auth as ReplicationAuth }),
          { serviceExecutionRoleArn: ROLE, region: 'eu-central-1' },
        );
      } catch (err) {
        expect((err as Error).name).toBe('Migration.ReplicationFailed');
        adapterRefuses = true;
      }
      // Assess
      expect(refusedAt(plan)).toEqual(adapterRefuses ? [field] : []);
    },
  );

  it('MirrorMaker 2 without MSK Connect settings: refused at replication.mskConnect, as createConnectorRequests refuses it', () => {
    const plan = example('msk-to-automq-mirrormaker2');
    const spec = specOf(plan, { bootstrapServers: plan.target.bootstrapServers, auth: { mechanism: 'TLS' } });
    delete plan.replication.mskConnect;

    expect(() =>
      createConnectorRequests({ ...spec, mskConnect: undefined } as ReplicatorSpec, {
        serviceExecutionRoleArn: ROLE,
        region: 'eu-central-1',
      }),
    ).toThrow(/replication\.mskConnect\.customPluginArn is required/);
    expect(refusedAt(plan)).toEqual(['replication.mskConnect']);
  });

  it('MSK Replicator to a target reached by address: refused at replication.engine, as createReplicatorRequest refuses it', () => {
    const plan = example('msk-to-serverless-replicator');
    plan.target = example('msk-to-automq-mirrormaker2').target;

    expect(() =>
      createReplicatorRequest(specOf(plan, { bootstrapServers: plan.target.bootstrapServers }), {
        serviceExecutionRoleArn: ROLE,
      }),
    ).toThrow(/MSK Replicator needs the target cluster's ARN/);
    expect(refusedAt(plan)).toEqual(['replication.engine']);
  });

  it('an MSK provisioned target to create without its brokers: refused at target.create.provisioned, as CreateClusterV2 is', () => {
    const plan = example('msk-to-msk-new-version');
    delete plan.target.create.provisioned;

    expect(() =>
      createClusterRequest({
        clusterName: 'orders-target',
        kind: 'PROVISIONED',
        vpc: plan.target.create.vpc,
        tags: {},
      }),
    ).toThrow(/a provisioned cluster needs broker type, count, Kafka version and volume size/);
    expect(refusedAt(plan)).toEqual(['target.create.provisioned']);
  });

  it("the rehearsal's LOCAL_FILE switch: refused at cutover.switch.type, as the AWS switch registry refuses it", () => {
    const plan = example('msk-to-serverless-replicator');
    plan.cutover.switch = { type: 'LOCAL_FILE', path: '/tmp/pointer.json' };

    expect(() => cutoverSwitchFor(MigrationPlanSchema.parse(plan) as MigrationPlan)).toThrow(
      /^cutover\.switch\.type: LOCAL_FILE/,
    );
    expect(refusedAt(plan)).toEqual(['cutover.switch.type']);
  });

  it("MSK Replicator into a target outside the orchestrator's Region: refused at target.clusterArn, as MskReplicator refuses it", async () => {
    // Prepare: the orchestrator runs in eu-west-1, the target cluster is in eu-central-1 (same account).
    const plan = example('msk-to-serverless-replicator');
    plan.target.clusterArn = plan.target.clusterArn.replace(':eu-west-1:', ':eu-central-1:');
    const replicator = new MskReplicator(new KafkaClient({}), { serviceExecutionRoleArn: ROLE, region: 'eu-west-1' });

    // Act
    const created = replicator.create(specOf(plan, { clusterArn: plan.target.clusterArn }));
    const checked = checkPlan(plan, 'AWS', WORKFLOW_DEFINITION, { region: 'eu-west-1' });

    // Assess
    await expect(created).rejects.toThrow(/MSK Replicator is created in the target cluster's Region \(eu-central-1\)/);
    expect(checked.valid ? [] : checked.issues.map((i) => i.path)).toEqual(['target.clusterArn']);
    expect(checkPlan(plan, 'AWS', WORKFLOW_DEFINITION, { region: 'eu-central-1' }).valid).toBe(true);
  });

  it('ValidateInput refuses it with the Region the function runs in', () => {
    const plan = example('msk-to-serverless-replicator');
    plan.target.clusterArn = plan.target.clusterArn.replace(':eu-west-1:', ':eu-central-1:');

    expect(() =>
      runValidateInput({ plan, executionId: EXECUTION_ARN }, () => new Date(), 'AWS', { region: 'eu-west-1' }),
    ).toThrow(/target\.clusterArn: MSK Replicator is created in the target cluster's Region \(eu-central-1\)/);
  });

  it('the Route 53 fence host name fits for the longest migrationId and execution name, so no plan meets that refusal', () => {
    // Step Functions names an execution with at most 80 characters; the plan's migrationId has at most 40.
    const value = fenceValue({ migrationId: `a${'b'.repeat(38)}c`, executionName: 'e'.repeat(80) });

    expect(route53RecordValue(value).length).toBeLessThanOrEqual(253);
  });
});
