import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AWS_ADAPTERS, type AwsAdapterMethod, type AwsAdapterName } from '../../lib/iam/operations';
import { adapterMethodsOf, taskRequirements, type PlacedRequirement } from '../../lib/iam/task-policy';
import { TASKS, type TaskName, type TaskSpec } from '../../lib/migration-orchestrator';
import { MigrationStack, type MigrationStackProps } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';
import { FUNCTIONS, type FunctionEntry, type PortName } from '../../lambdas/workflow/catalogue';
import { REQUESTS_DIR, type RecordedRequest } from '../setup/aws-request-recorder';
import { iamRequestsOf, type FunctionContext, type IamRequest } from './iam-requests';
import { ACCOUNT, resolveTemplate, type PolicyDocument } from './template-policies';

/** A task function's role as the simulation sees it. */
export interface TaskRole {
  readonly policies: PolicyDocument[];
  readonly environment: Record<string, string>;
}

/** Every request the other tiers recorded (test/setup/aws-request-recorder.ts). */
export function recordedRequests(): RecordedRequest[] {
  if (!fs.existsSync(REQUESTS_DIR)) return [];
  return fs
    .readdirSync(REQUESTS_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(REQUESTS_DIR, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RecordedRequest),
    );
}

export type Direction = 'FORWARD' | 'FAILBACK';
export type ReplicationRoles = Record<Direction, Record<'replicator' | 'connect', TaskRole>>;

export interface SynthesizedRoles {
  readonly tasks: Record<TaskName, TaskRole>;
  /** The compensator's role (not a Task state: the target of the execution status rule). */
  readonly compensator?: TaskRole;
  readonly replicationRoles: ReplicationRoles;
}

/** The task and replication roles of the stack synthesized with these props, resolved for one account and Region. */
export function synthRoles(
  orchestrator: (stack: Stack) => MigrationStackProps['orchestrator'] = () => ({}),
  partition = 'aws',
): SynthesizedRoles {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const network = new Stack(app, 'Network', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const stack = new MigrationStack(app, 'SimulatedStack', {
    env: { account: ACCOUNT, region: 'eu-west-1' },
    orchestrator: orchestrator(network),
  });
  const resolved = resolveTemplate(
    Template.fromStack(stack).toJSON() as Parameters<typeof resolveTemplate>[0],
    partition,
  );
  const tasks: Partial<Record<TaskName, TaskRole>> = {};
  for (const [name, fn] of Object.entries(stack.orchestrator.functions) as Array<[TaskName, lambda.Function]>) {
    const id = stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    const f = resolved.functions.get(id);
    if (!f) throw new Error(`No function ${id} for ${name} in the template`);
    tasks[name] = { policies: resolved.rolePolicies.get(f.role) ?? [], environment: f.environment };
  }
  const replicationRoles = {} as ReplicationRoles;
  for (const direction of ['FORWARD', 'FAILBACK'] as const) {
    const r = stack.orchestrator.replicationRoles[direction];
    const policies = (role: iam.Role): TaskRole => ({
      policies: resolved.rolePolicies.get(stack.getLogicalId(role.node.defaultChild as iam.CfnRole)) ?? [],
      environment: {},
    });
    replicationRoles[direction] = { replicator: policies(r.replicator.role), connect: policies(r.connect.role) };
  }
  const compensatorFn = resolved.functions.get(
    stack.getLogicalId(stack.orchestrator.compensator.node.defaultChild as lambda.CfnFunction),
  );
  const compensator = compensatorFn
    ? { policies: resolved.rolePolicies.get(compensatorFn.role) ?? [], environment: compensatorFn.environment }
    : undefined;
  return {
    tasks: tasks as Record<TaskName, TaskRole>,
    replicationRoles,
    ...(compensator ? { compensator } : {}),
  };
}

/** A VPC the data-plane tasks run in (imported: no subnets created). */
export function importedVpc(scope: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  });
}

/** The roles the construct generated before issue 14 (kept as the evidence that this tier catches what it found). */
export function rolesBeforeIssue14(): SynthesizedRoles & { vpcTasks: Record<TaskName, TaskRole> } {
  return JSON.parse(
    fs.readFileSync(path.join(__dirname, 'fixtures/task-roles-before-issue-14.json'), 'utf8'),
  ) as SynthesizedRoles & { vpcTasks: Record<TaskName, TaskRole> };
}

const methodsOfAdapter = (adapter: AwsAdapterName): AwsAdapterMethod[] =>
  Object.keys(AWS_ADAPTERS[adapter].methods).map((m) => `${adapter}.${m}` as AwsAdapterMethod);

/**
 * What each port of the workflow catalogue (lambdas/workflow/catalogue.ts, FUNCTIONS[*].ports) certainly reaches in
 * AWS: opening a Kafka data plane (source, target, targetAcls) describes the cluster through MSK (its bootstrap
 * brokers) and reads its SCRAM secret; the evidence store is read and written. The replicator, provisioner, pointer
 * and lag-signal ports' methods depend on the task: its permissions name them.
 */
export const PORT_METHODS: Partial<Record<PortName, readonly AwsAdapterMethod[]>> = {
  source: ['AwsMskControlPlane.describeCluster', 'CachedSecrets.read'],
  target: ['AwsMskControlPlane.describeCluster', 'CachedSecrets.read'],
  targetAcls: ['AwsMskControlPlane.describeCluster', 'CachedSecrets.read'],
  msk: ['AwsMskControlPlane.describeCluster'],
  metrics: methodsOfAdapter('CloudWatchThroughput'),
  artifacts: ['S3ArtifactStore.getText', 'S3ArtifactStore.putText'],
  schemaRegistries: methodsOfAdapter('GlueSchemaRegistry'),
  connectClusters: ['CachedSecrets.read'],
};

/** The ports the catalogue says a task function's module needs. */
export function catalogueReachedPorts(task: TaskName): readonly PortName[] {
  return (FUNCTIONS as Record<string, FunctionEntry>)[task]?.ports ?? [];
}

/** The adapter methods a task's ports certainly reach (task → ports → adapters). */
export function handlerMethods(task: TaskName): AwsAdapterMethod[] {
  return [...new Set(catalogueReachedPorts(task).flatMap((port) => PORT_METHODS[port] ?? []))];
}

/** The adapter methods a task may call: what its permissions declare and what its handler certainly reaches. */
export function taskMethods(task: TaskName): Set<AwsAdapterMethod> {
  const spec: TaskSpec = TASKS[task];
  return new Set([...adapterMethodsOf(spec.may), ...handlerMethods(task)]);
}

export interface Denial extends IamRequest {
  readonly task: TaskName;
  readonly decision: string;
  readonly from: string;
}

export interface SimulationFigures {
  readonly requests: number;
  /** Adapter-test requests skipped for names this tool never uses (`alarm-0`, keys outside migrations/). */
  readonly outsideNaming?: number;
  readonly iamRequests: number;
  readonly tasks: string[];
  readonly denials: Denial[];
}

const key = (task: string, r: IamRequest): string => JSON.stringify([task, r.action, r.resource, r.context]);

/** The names this tool gives what it creates and writes (lambdas/core/replication/naming.ts, the evidence keys). */
export function namedByTheTool(r: IamRequest): boolean {
  if (/^arn:[^:]+:s3:::[^/]+\//.test(r.resource)) return /^arn:[^:]+:s3:::[^/]+\/migrations\//.test(r.resource);
  if (r.resource.includes(':alarm:')) return r.resource.includes(':alarm:msk-migration-');
  if (/:(replicator|connector)\//.test(r.resource)) return /:(replicator|connector)\/mskmig-/.test(r.resource);
  return true;
}

/** A fixture's placeholder ARN (`arn:s`) is no request AWS could receive. */
export const isWellFormed = (r: IamRequest): boolean =>
  r.resource === '*' || /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+/.test(r.resource);

export async function decide(policies: PolicyDocument[], r: IamRequest): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/task-function`,
        action: r.action,
        resource: { resource: r.resource, accountId: ACCOUNT },
        contextVariables: r.context,
      },
      identityPolicies: policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      // A KMS key is authorized by its key policy too: the default key policy delegates to the account's IAM policies.
      ...(r.action.startsWith('kms:')
        ? {
            resourcePolicy: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
              ],
            },
          }
        : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`Simulation of ${r.action} on ${r.resource} failed: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

/**
 * Evaluates every recorded request against the role of every task that may send it (task → ports → adapter
 * methods): a request sent from a task's own module goes to that task, an adapter's request to every task whose
 * methods include the adapter method.
 */
export async function simulateRecorded(
  records: readonly RecordedRequest[],
  roles: Record<TaskName, TaskRole>,
  partition = 'aws',
): Promise<SimulationFigures> {
  // RequestApproval is the ApprovalApi's function: its requests are simulated with the approval functions.
  const tasks = (Object.keys(roles) as TaskName[]).filter((t) => t in TASKS && !(TASKS[t] as TaskSpec).providedBy);
  const methods = new Map(tasks.map((t) => [t, taskMethods(t)]));
  const seen = new Set<string>();
  const denials: Denial[] = [];
  const covered = new Set<string>();
  let iamRequests = 0;
  let outsideNaming = 0;
  for (const record of records) {
    // Requests of the task adapters (lambdas/adapters/aws, declared in lib/iam/operations.ts).
    if (!record.adapterMethod || !((record.adapterMethod.split('.')[0] ?? '') in AWS_ADAPTERS)) continue;
    // A request sent under another function's handler (the compensator, the approval functions) is simulated against
    // that function's role (test/iam/compensator-grants.test.ts, approval-functions.test.ts).
    if (record.entry && !record.entry.startsWith('lambdas/tasks/')) continue;
    const targets = tasks.filter((t) =>
      record.task ? record.task === t : methods.get(t)?.has(record.adapterMethod as AwsAdapterMethod),
    );
    for (const task of targets) {
      const role = roles[task];
      const fn: FunctionContext = {
        partition,
        bucket: role.environment.ARTIFACT_BUCKET ?? 'no-artifact-bucket',
        ...(role.environment.REPLICATOR_SERVICE_ROLE_ARN
          ? { replicatorRole: role.environment.REPLICATOR_SERVICE_ROLE_ARN }
          : {}),
        ...(role.environment.MSK_CONNECT_SERVICE_ROLE_ARN
          ? { connectRole: role.environment.MSK_CONNECT_SERVICE_ROLE_ARN }
          : {}),
        ...(role.environment.MIGRATION_LOCK_TABLE ? { lockTable: role.environment.MIGRATION_LOCK_TABLE } : {}),
      };
      const requests = iamRequestsOf(record, fn).filter(isWellFormed);
      // An adapter's own unit test may use any names; a task only ever uses the names this tool gives.
      if (!record.task && !requests.every(namedByTheTool)) {
        outsideNaming++;
        continue;
      }
      for (const request of requests) {
        const k = key(task, request);
        if (seen.has(k)) continue;
        seen.add(k);
        iamRequests++;
        covered.add(task);
        const decision = await decide(role.policies, request);
        if (decision !== 'Allowed')
          denials.push({
            ...request,
            task,
            decision,
            from: `${record.adapterMethod ?? record.operation} (${record.test})`,
          });
      }
    }
  }
  return { requests: records.length, iamRequests, outsideNaming, tasks: [...covered].sort(), denials };
}

const SAMPLE = {
  cluster: (side: string | undefined) =>
    `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/${side === 'target' ? 'orders-target' : 'orders'}/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`,
};

/** A concrete request for a declared requirement: sample ARNs of its kind, the context its conditions name. */
export function sampleRequest(r: PlacedRequirement): IamRequest {
  const cluster = SAMPLE.cluster(r.side);
  const under = (kind: 'topic' | 'group' | 'transactional-id', name: string): string =>
    cluster.replace(':cluster/', `:${kind}/`) + `/${name}`;
  const resource = ((): string => {
    switch (r.resource) {
      case '*':
        return '*';
      case 'cluster':
      case 'kafkaCluster':
        return cluster;
      case 'kafkaTopic':
        return under('topic', 'orders.events');
      case 'kafkaGroup':
        return under('group', 'billing');
      case 'kafkaCanaryTopic':
        return under('topic', 'msk-migration.canary.orders.1a2b3c');
      case 'kafkaTransactionalId':
        return under('transactional-id', 'payments-writer');
      case 'networkInterface':
        return `arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/eni-0123456789abcdef0`;
      default:
        throw new Error(`No sample resource for ${r.resource} (${r.action})`);
    }
  })();
  const context: Record<string, string> = {};
  for (const [operator, values] of Object.entries(r.conditions ?? {}))
    for (const [k, v] of Object.entries(values)) {
      const value = Array.isArray(v) ? (v[0] as string) : v;
      context[k] = operator === 'Null' ? 'orders-run-1' : value.replace('${Region}', 'eu-west-1');
    }
  return { action: r.action, resource, context };
}

/** Kinds sampleRequest knows: the Kafka data plane and the function's own network interfaces. */
const SAMPLED = new Set([
  'kafkaCluster',
  'kafkaTopic',
  'kafkaGroup',
  'kafkaCanaryTopic',
  'kafkaTransactionalId',
  'networkInterface',
  '*',
]);

/**
 * The declared requirements no test can record (the Kafka data plane on IAM-auth clusters; Lambda's own network
 * interfaces in a VPC), as sample requests against each task's role.
 */
export async function simulateDeclared(
  roles: Record<TaskName, TaskRole>,
  options: { inVpc: boolean },
): Promise<SimulationFigures> {
  const denials: Denial[] = [];
  const covered = new Set<string>();
  let iamRequests = 0;
  for (const task of (Object.keys(roles) as TaskName[]).filter((t) => t in TASKS)) {
    const spec: TaskSpec = TASKS[task];
    if (spec.providedBy) continue;
    const requirements = taskRequirements({ may: spec.may, inVpc: options.inVpc && spec.dataPlane }).filter(
      (r) => SAMPLED.has(r.resource) && (r.action.startsWith('kafka-cluster:') || r.permission === 'vpcAccess'),
    );
    const seen = new Set<string>();
    for (const r of requirements) {
      const request = sampleRequest(r);
      const k = key(task, request);
      if (seen.has(k)) continue;
      seen.add(k);
      iamRequests++;
      covered.add(task);
      const decision = await decide(roles[task].policies, request);
      if (decision !== 'Allowed') denials.push({ ...request, task, decision, from: `declared ${r.permission}` });
    }
  }
  return { requests: 0, iamRequests, tasks: [...covered].sort(), denials };
}
