/**
 * Wildcard ARN patterns (other than `Resource: "*"`, test/iam/wildcard-resources.test.ts) in the synthesized roles:
 * exactly these remain with the default props, each with its reason in docs/deploy.md, and the account-wide ones go
 * when the props that narrow them are set. Patterns naming this stack's own resources (its log groups, functions,
 * evidence prefixes, reminder schedules) are not account-wide and not listed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { MigrationOrchestratorProps } from '../../lib/migration-orchestrator';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';
import { ACCOUNT, REGION, resolveTemplate } from './template-policies';

type Prop = keyof MigrationOrchestratorProps;

/** The wildcard patterns of the default template (`<service>:<resource>`), why each, and the props that narrow it. */
export const DEFAULT_WILDCARDS: Readonly<Record<string, { readonly why: string; readonly narrowedBy?: Prop[] }>> = {
  'kafka:cluster/*/*': {
    why: 'the plan names its clusters at run time',
    narrowedBy: ['sourceClusterArns', 'targetClusterArns'],
  },
  'kafka:topic/*/*/*': {
    why: "topics of the plan's clusters (replication service roles, describe on both sides)",
    narrowedBy: ['sourceClusterArns', 'targetClusterArns'],
  },
  'kafka:topic/*/*/__*': {
    why: "MSK Replicator's internal topics on the plan's clusters",
    narrowedBy: ['sourceClusterArns', 'targetClusterArns'],
  },
  'kafka:topic/*/*/msk-migration.canary.*': {
    why: "this tool's canary topic on the plan's clusters",
    narrowedBy: ['sourceClusterArns', 'targetClusterArns'],
  },
  'kafka:group/*/*/*': {
    why: "consumer groups of the plan's clusters",
    narrowedBy: ['sourceClusterArns', 'targetClusterArns'],
  },
  'kafka:transactional-id/*/*/*': {
    why: "transactional ids of the source (the Inventory's ListTransactions / DescribeTransactions)",
    narrowedBy: ['sourceClusterArns'],
  },
  'kafka:configuration/*/*': {
    why: "the source's custom configuration, which its cluster names at run time (read only: DescribeConfigurationRevision)",
  },
  'kafka:replicator/mskmig-*/*': { why: "this tool's replicator name prefix" },
  'kafkaconnect:connector/mskmig-*/*': { why: "this tool's connector name prefix" },
  'kafkaconnect:connector/*/*': {
    why: 'an MSK_CONNECT_CONNECTOR client switch recreates the connector the plan names at run time; the Inventory describes the connectors of the Region',
  },
  'glue:registry/*': {
    why: "the Glue schema registries the plan names at run time, and those its records' schema versions belong to, in any Region (Inventory, read only)",
    narrowedBy: ['schemaRegistryArns'],
  },
  'glue:schema/*': {
    why: 'the schemas of those registries (Inventory, read only)',
    narrowedBy: ['schemaRegistryArns'],
  },
  'cloudwatch:alarm:msk-migration-*': { why: "this tool's alarm name prefix" },
  'scheduler:schedule/default/msk-approval-*': {
    why: 'one reminder schedule per approval, named after its random approval ID',
  },
  'secretsmanager:secret:AmazonMSK_*': {
    why: 'the cluster secrets the plan names at run time; MSK requires the AmazonMSK_ prefix',
    narrowedBy: ['secretArns'],
  },
  'kms:key/*': {
    why: "the secrets' keys and the key MSK encrypts a created target with, through Secrets Manager or MSK only (kms:ViaService)",
    narrowedBy: ['secretKeyArns', 'targetClusterKeyArns'],
  },
  'ssm:parameter/*': {
    why: 'the pointer parameter the plan names at run time',
    narrowedBy: ['cutoverParameterPrefix'],
  },
  'route53:hostedzone/*': {
    why: "the pointer record's hosted zone the plan names at run time",
    narrowedBy: ['cutoverHostedZoneIds'],
  },
  'lambda:function:*': {
    why: 'the HOOK pointer function the plan names at run time',
    narrowedBy: ['cutoverHookFunctionArns'],
  },
  'iam:role/*': {
    why: "the producers' roles of an IAM_POLICY write fence (only those tagged msk-migration:write-fence = allowed) and the roles a client switch passes again (to ECS tasks or MSK Connect only)",
    narrowedBy: ['writeFenceRoleArns', 'clientSwitchTaskRoleArns'],
  },
  'ecs:service/*/*': {
    why: 'the ECS services the plan names at run time in cutover.switches',
    narrowedBy: ['clientSwitchEcsServiceArns'],
  },
  'ecs:task-definition/*': { why: 'a new revision of the family of the ECS service the plan names' },
  'lambda:event-source-mapping:*': {
    why: 'the event source mapping a LAMBDA_EVENT_SOURCE_MAPPING switch moves, found by its UUID at run time',
  },
  'ec2:subnet/*': {
    why: "Lambda's network interfaces in the deployment's subnets; a Serverless target's VPC endpoints in the plan's subnets",
  },
  'ec2:security-group/*': { why: "the same, in the deployment's and the plan's security groups" },
  'ec2:network-interface/*': { why: "Lambda's network interfaces of the data-plane functions in a VPC" },
  'ec2:vpc/*': { why: "a Serverless target's VPC, named by the plan's subnets" },
  'ec2:vpc-endpoint/*': { why: 'the VPC endpoints MSK Serverless creates for a new target, and deletes with it' },
  'iam:role/aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka*': { why: "MSK's service-linked role" },
  'iam:role/aws-service-role/kafkaconnect.amazonaws.com/AWSServiceRoleForKafkaConnect*': {
    why: "MSK Connect's service-linked role",
  },
  'iam:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery*': {
    why: "log delivery's service-linked role (MirrorMaker 2 worker logs)",
  },
};

/** Props that name what the migrations of this deployment touch. */
const NARROWING: MigrationOrchestratorProps = {
  sourceClusterArns: [`arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`],
  targetClusterArns: [`arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders-target/*`],
  secretArns: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:AmazonMSK_orders-AbCdEf`],
  secretKeyArns: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`],
  targetClusterKeyArns: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1`],
  cutoverParameterPrefix: '/orders/kafka/',
  cutoverHostedZoneIds: ['Z0123456789ABCDEFGHIJ'],
  cutoverHookFunctionArns: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders-pointer-hook`],
  writeFenceRoleArns: [`arn:aws:iam::${ACCOUNT}:role/producers/orders-*`],
  clientSwitchTaskRoleArns: [`arn:aws:iam::${ACCOUNT}:role/orders-app-task`],
  clientSwitchEcsServiceArns: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/apps/orders-consumer`],
  schemaRegistryArns: [`arn:aws:glue:${REGION}:${ACCOUNT}:registry/orders`],
};

/** The wildcard patterns with these props (`<service>:<resource>`), not naming one of this stack's resources. */
function wildcards(props: MigrationOrchestratorProps): Set<string> {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new MigrationStack(app, 'Patterns', { env: { account: ACCOUNT, region: REGION }, orchestrator: props });
  const resolved = resolveTemplate(Template.fromStack(stack).toJSON() as Parameters<typeof resolveTemplate>[0]);
  const own = [...resolved.names.values()];
  const out = new Set<string>();
  for (const policies of resolved.rolePolicies.values())
    for (const s of policies.flatMap((p) => p.Statement))
      for (const resource of [s.Resource].flat() as string[]) {
        if (s.Effect !== 'Allow' || resource === '*' || !resource.includes('*')) continue;
        const [, , service, , , ...rest] = resource.split(':');
        const pattern = `${service}:${rest.join(':')}`;
        if (!own.some((name) => pattern.includes(name))) out.add(pattern);
      }
  return out;
}

describe('wildcard ARN patterns', () => {
  const defaults = wildcards({});
  const narrowed = wildcards(NARROWING);

  it('with the default props: exactly the documented ones', () => {
    expect([...defaults].sort()).toEqual(Object.keys(DEFAULT_WILDCARDS).sort());
  });

  it('docs/deploy.md gives the reason of each, and the props that narrow it', () => {
    const docs = fs.readFileSync(path.join(__dirname, '../../docs/deploy.md'), 'utf8');
    for (const [pattern, { why, narrowedBy }] of Object.entries(DEFAULT_WILDCARDS)) {
      const row = docs.split('\n').find((l) => l.startsWith(`| \`${pattern}\``));
      expect(row).toBeDefined();
      expect(row).toContain(why);
      for (const prop of narrowedBy ?? []) expect(row).toContain(`\`${prop}\``);
    }
  });

  it('with the narrowing props: the account-wide ones are gone, the others remain, the props name the rest', () => {
    const narrowable = Object.entries(DEFAULT_WILDCARDS).filter(([, w]) => w.narrowedBy);
    expect(narrowable.map(([p]) => p).filter((p) => narrowed.has(p))).toEqual([]);
    const remaining = Object.entries(DEFAULT_WILDCARDS)
      .filter(([, w]) => !w.narrowedBy)
      .map(([p]) => p);
    expect(remaining.filter((p) => !narrowed.has(p))).toEqual([]);
    // What is new comes from the props' own patterns: the named clusters' topics and groups, the parameter prefix, the
    // producers' role path.
    expect([...narrowed].filter((p) => !remaining.includes(p)).sort()).toEqual([
      'glue:schema/orders/*',
      'iam:role/producers/orders-*',
      'kafka:cluster/orders-target/*',
      'kafka:group/orders-target/*/*',
      'kafka:group/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1/*',
      'kafka:topic/orders-target/*/*',
      'kafka:topic/orders-target/*/__*',
      'kafka:topic/orders-target/*/msk-migration.canary.*',
      'kafka:topic/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1/*',
      'kafka:topic/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1/__*',
      'kafka:topic/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1/msk-migration.canary.*',
      'kafka:transactional-id/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1/*',
      'ssm:parameter/orders/kafka/*',
    ]);
  });
});
