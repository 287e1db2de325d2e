import {
  SDK_OPERATIONS,
  WRITE_FENCE_ROLE_TAG,
  type IamRequirement,
  type SdkOperation,
  type SdkOperationId,
} from '../../lib/iam/operations';
import type { RecordedRequest } from '../setup/aws-request-recorder';
import { ACCOUNT, REGION } from './template-policies';

/** One IAM authorization request, as IAM evaluates it. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
}

/** What a recorded request needs resolved from the function it is simulated for. */
export interface FunctionContext {
  readonly partition: string;
  /** The evidence bucket (ARTIFACT_BUCKET). */
  readonly bucket: string;
  /** The service roles the function passes (REPLICATOR_SERVICE_ROLE_ARN, MSK_CONNECT_SERVICE_ROLE_ARN). */
  readonly replicatorRole?: string;
  readonly connectRole?: string;
  /** The migration lock table (MIGRATION_LOCK_TABLE). */
  readonly lockTable?: string;
}

const CLIENT_IDS: Record<string, string> = {
  KafkaClient: 'kafka',
  KafkaConnectClient: 'kafkaconnect',
  CloudWatchClient: 'cloudwatch',
  S3Client: 's3',
  SecretsManagerClient: 'secrets-manager',
  SSMClient: 'ssm',
  Route53Client: 'route-53',
  LambdaClient: 'lambda',
  IAMClient: 'iam',
  DynamoDBClient: 'dynamodb',
  ECSClient: 'ecs',
  GlueClient: 'glue',
};

/**
 * The tag a producer role carries for the IAM_POLICY write fence (lib/iam/operations.ts WRITE_FENCE_ROLE_TAG): the
 * plan's producer roles are assumed tagged, as the deploy guide asks, when the construct names no writeFenceRoleArns.
 */
export const FENCED_ROLE_CONTEXT = { [`aws:ResourceTag/${WRITE_FENCE_ROLE_TAG.key}`]: WRITE_FENCE_ROLE_TAG.value };

/** `KafkaClient` + `DescribeClusterV2` → `kafka:DescribeClusterV2` (an id of SDK_OPERATIONS), when declared. */
export function operationIdOf(r: Pick<RecordedRequest, 'client' | 'operation'>): SdkOperationId | undefined {
  const id = `${CLIENT_IDS[r.client] ?? r.client}:${r.operation}`;
  return id in SDK_OPERATIONS ? (id as SdkOperationId) : undefined;
}

/** The ARN as it is in the account and Region the template is simulated in (test fixtures use many). */
export function normalizeArn(arn: string, partition: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return arn;
  const service = parts[2] ?? '';
  parts[1] = partition;
  if (!['s3', 'route53', 'iam'].includes(service)) parts[3] = REGION;
  if (!['s3', 'route53'].includes(service)) parts[4] = ACCOUNT;
  return parts.join(':');
}

type Input = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const FAKE_UUID = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0-1';

/** An ECS service's ARN from the names (or ARNs) a request gives. */
function ecsService(p: string, cluster: string, service: string): string {
  if (service.startsWith('arn:')) return normalizeArn(service, p);
  const clusterName = cluster.startsWith('arn:') ? cluster.split('/').pop() : cluster || 'default';
  return `arn:${p}:ecs:${REGION}:${ACCOUNT}:service/${clusterName}/${service}`;
}

/** The resource (and context) of the request's main action, from its input. */
function mainResources(op: SdkOperationId, input: Input, fn: FunctionContext): IamRequest[] {
  const p = fn.partition;
  const arn = (v: unknown): string => normalizeArn(str(v), p);
  const spec: SdkOperation = SDK_OPERATIONS[op];
  const at = (resource: string, context: Record<string, string | string[]> = {}): IamRequest[] => [
    { action: spec.action, resource, context },
  ];
  const tags = (t: unknown): Record<string, string | string[]> => {
    const entries = Object.entries((t ?? {}) as Record<string, string>);
    return {
      ...Object.fromEntries(entries.map(([k, v]) => [`aws:RequestTag/${k}`, v])),
      ...(entries.length ? { 'aws:TagKeys': entries.map(([k]) => k) } : {}),
    };
  };
  // A resource this tool deletes carries its execution tag: the adapters check it before deleting.
  const owned = { 'aws:ResourceTag/msk-migration:execution': 'orders-run-1' };
  switch (op) {
    case 'kafka:DescribeClusterV2':
      return at(arn(input.ClusterArn));
    case 'kafka:DeleteCluster':
      return at(arn(input.ClusterArn), owned);
    case 'kafka:DescribeConfigurationRevision':
      return at(arn(input.Arn));
    case 'kafka:CreateClusterV2':
      return at(`arn:${p}:kafka:${REGION}:${ACCOUNT}:cluster/${str(input.ClusterName)}/${FAKE_UUID}`, tags(input.Tags));
    case 'kafka:CreateReplicator':
      return at(
        `arn:${p}:kafka:${REGION}:${ACCOUNT}:replicator/${str(input.ReplicatorName)}/${FAKE_UUID}`,
        tags(input.Tags),
      );
    case 'kafka:DescribeReplicator':
      return at(arn(input.ReplicatorArn));
    case 'kafka:DeleteReplicator':
      return at(arn(input.ReplicatorArn), owned);
    case 'kafkaconnect:ListTagsForResource':
      return at(arn(input.resourceArn));
    case 'kafkaconnect:DescribeConnector':
    case 'kafkaconnect:DeleteConnector':
      return at(arn(input.connectorArn));
    case 'iam:SimulatePrincipalPolicy':
      return at(arn(input.PolicySourceArn));
    case 'glue:GetRegistry':
    case 'glue:ListSchemas':
      return at(arn((input.RegistryId as { RegistryArn?: string } | undefined)?.RegistryArn));
    case 'glue:GetSchema':
    case 'glue:ListSchemaVersions':
      return at(arn((input.SchemaId as { SchemaArn?: string } | undefined)?.SchemaArn));
    case 'glue:GetSchemaVersion':
      // By SchemaVersionId: the version's schema, whichever registry holds it.
      return at(`arn:${p}:glue:${REGION}:${ACCOUNT}:schema/registry-of-the-version/schema-of-the-version`);
    case 'cloudwatch:PutMetricAlarm':
      return at(`arn:${p}:cloudwatch:${REGION}:${ACCOUNT}:alarm:${str(input.AlarmName)}`);
    case 'cloudwatch:DescribeAlarms':
    case 'cloudwatch:DeleteAlarms':
      return ((input.AlarmNames as string[] | undefined) ?? []).flatMap((name) =>
        at(`arn:${p}:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`),
      );
    case 's3:GetObject':
    case 's3:PutObject':
      return at(`arn:${p}:s3:::${fn.bucket}/${str(input.Key)}`);
    case 's3:ListObjectsV2':
      return at(`arn:${p}:s3:::${fn.bucket}`, input.Prefix ? { 's3:prefix': str(input.Prefix) } : {});
    case 'secrets-manager:GetSecretValue':
      return at(arn(input.SecretId));
    case 'ssm:GetParameter':
    case 'ssm:PutParameter':
    case 'ssm:DeleteParameter':
      return at(`arn:${p}:ssm:${REGION}:${ACCOUNT}:parameter/${str(input.Name).replace(/^\//, '')}`);
    case 'route-53:ListResourceRecordSets':
    case 'route-53:ChangeResourceRecordSets':
      return at(`arn:${p}:route53:::hostedzone/${str(input.HostedZoneId).replace(/^\/?hostedzone\//, '')}`);
    case 'iam:GetRolePolicy':
    case 'iam:PutRolePolicy':
    case 'iam:DeleteRolePolicy':
      return at(`arn:${p}:iam::${ACCOUNT}:role/${str(input.RoleName)}`, FENCED_ROLE_CONTEXT);
    case 'dynamodb:PutItem':
    case 'dynamodb:GetItem':
    case 'dynamodb:DeleteItem':
      return at(`arn:${p}:dynamodb:${REGION}:${ACCOUNT}:table/${fn.lockTable ?? str(input.TableName)}`);
    case 'lambda:GetEventSourceMapping':
    case 'lambda:DeleteEventSourceMapping':
      return at(`arn:${p}:lambda:${REGION}:${ACCOUNT}:event-source-mapping:${str(input.UUID)}`);
    case 'ecs:DescribeServices':
      return ((input.services as string[] | undefined) ?? []).flatMap((service) =>
        at(ecsService(p, str(input.cluster), service)),
      );
    case 'ecs:UpdateService':
      return at(ecsService(p, str(input.cluster), str(input.service)));
    case 'ecs:RegisterTaskDefinition':
      return at(`arn:${p}:ecs:${REGION}:${ACCOUNT}:task-definition/${str(input.family)}:1`);
    case 'lambda:Invoke': {
      const name = str(input.FunctionName);
      return at(name.startsWith('arn:') ? arn(name) : `arn:${p}:lambda:${REGION}:${ACCOUNT}:function:${name}`);
    }
    default:
      return at('*');
  }
}

/** The resource of a dependent action, from the request and the function. */
function dependentRequest(dep: IamRequirement, main: IamRequest, input: Input, fn: FunctionContext): IamRequest[] {
  const p = fn.partition;
  const context: Record<string, string | string[]> = {};
  for (const [, values] of Object.entries(dep.conditions ?? {}))
    for (const [key, value] of Object.entries(values)) {
      // The service sets these keys itself (PassRole's target, the calling service, the action creating a tag).
      if (key === 'iam:PassedToService' || key === 'kms:ViaService' || key === 'ec2:CreateAction')
        context[key] = (Array.isArray(value) ? value[0] : value)?.replace('${Region}', REGION) ?? '';
    }
  const resources = ((): string[] => {
    switch (dep.resource) {
      case '*':
        return ['*'];
      case 'replicatorRole':
        return [fn.replicatorRole ?? normalizeArn(str(input.ServiceExecutionRoleArn), p)];
      case 'connectRole':
        return [fn.connectRole ?? normalizeArn(str(input.serviceExecutionRoleArn), p)];
      case 'evidenceBucket':
        return [`arn:${p}:s3:::${fn.bucket}`];
      case 'ecsTaskRole':
        return [input.taskRoleArn, input.executionRoleArn]
          .filter((a): a is string => typeof a === 'string')
          .map((a) => normalizeArn(a, p));
      case 'secretKey':
      case 'clusterKey':
        return [`arn:${p}:kms:${REGION}:${ACCOUNT}:key/${FAKE_UUID.slice(0, 36)}`];
      case 'cluster': {
        const clusters =
          (input.KafkaClusters as Array<{ AmazonMskCluster?: { MskClusterArn?: string } }> | undefined) ?? [];
        const arns = clusters.map((c) => c.AmazonMskCluster?.MskClusterArn).filter((a): a is string => Boolean(a));
        return arns.length ? arns.map((a) => normalizeArn(a, p)) : [main.resource];
      }
      case 'connector':
        return [`arn:${p}:kafkaconnect:${REGION}:${ACCOUNT}:connector/${str(input.connectorName)}/${FAKE_UUID}`];
      case 'replicator':
      case 'alarm':
        return [main.resource];
      case 'networkInterface':
        return [`arn:${p}:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0123456789abcdef0`];
      case 'vpcEndpoint':
        return [`arn:${p}:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0123456789abcdef0`];
      case 'vpc':
        return [`arn:${p}:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0123456789abcdef0`];
      case 'serviceLinkedRole': {
        const service = str(
          Object.values(dep.conditions?.StringLike ?? {})[0]
            ?.toString()
            .split(',')[0],
        );
        const role = service.startsWith('kafkaconnect')
          ? 'AWSServiceRoleForKafkaConnect'
          : service.startsWith('delivery.logs')
            ? 'AWSServiceRoleForLogDelivery'
            : 'AWSServiceRoleForKafka';
        context['iam:AWSServiceName'] = service;
        return [`arn:${p}:iam::${ACCOUNT}:role/aws-service-role/${service}/${role}`];
      }
      default:
        return [main.resource];
    }
  })();
  // Tags given at creation are authorized on the new resource with the request's tags.
  if (dep.action.endsWith(':TagResource') || dep.action === 'ec2:CreateTags') Object.assign(context, main.context);
  if (dep.action === 'ec2:CreateVpcEndpoint') context['aws:RequestTag/AWSMSKManaged'] = 'true';
  return resources.map((resource) => ({ action: dep.action, resource, context }));
}

/** Every IAM request a recorded SDK request makes: its action and the dependent actions the service checks. */
export function iamRequestsOf(r: RecordedRequest, fn: FunctionContext): IamRequest[] {
  const op = operationIdOf(r);
  if (!op) return [];
  const input = (r.input ?? {}) as Input;
  const main = mainResources(op, input, fn);
  const spec: SdkOperation = SDK_OPERATIONS[op];
  const first = main[0];
  if (!first) return [];
  return [...main, ...(spec.dependent ?? []).flatMap((d) => dependentRequest(d, first, input, fn))];
}
