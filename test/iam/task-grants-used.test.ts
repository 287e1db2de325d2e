/**
 * Grant without call: the converse of the simulation tier. For every task function's role and the compensator's, in
 * the stack synthesized with default props and in a VPC, every action of every statement must be exercised by a
 * recorded request of that function — the request, with the dependent actions the service checks, is allowed by that
 * statement alone — or be one of the few grants no request of the code can exercise (ALLOWED_UNCALLED, with the
 * reason). A grant nothing needs fails here, naming the function, the statement and the action.
 *
 * A function's recorded requests (test/setup/aws-request-recorder.ts, written by the unit, workflow and aws-api
 * tiers): those sent from its own handler or task module, those of the adapter methods it may call (its permissions'
 * methods and what its catalogue ports certainly reach, as test/iam/iam-simulation.test.ts attributes them), and the
 * phase event every handler publishes (lambdas/middleware/observability.ts). That each permission a task declares is
 * one its catalogue ports can serve is checked below too: otherwise a permission added to `may` would bring its own
 * "use".
 */
import {
  COMPENSATOR_ENTRY,
  COMPENSATOR_SPEC,
  TASKS,
  type TaskName,
  type TaskSpec,
} from '../../lib/migration-orchestrator';
import { AWS_ADAPTERS, VPC_ACCESS, type AwsAdapterMethod } from '../../lib/iam/operations';
import type { TaskPermission } from '../../lib/iam/permissions';
import { adapterMethodsOf } from '../../lib/iam/task-policy';
import { COMPENSATOR_NEEDS } from '../../lambdas/compensator/compensate';
import { FUNCTIONS, type FunctionEntry, type PortName } from '../../lambdas/workflow/catalogue';
import { portsOf } from '../../lambdas/workflow/define-task';
import type { RecordedRequest } from '../setup/aws-request-recorder';
import { iamRequestsOf, type FunctionContext, type IamRequest } from './iam-requests';
import {
  decide,
  importedVpc,
  isWellFormed,
  namedByTheTool,
  recordedRequests,
  synthRoles,
  taskMethods,
  type TaskRole,
} from './simulation';
import { ACCOUNT, REGION, type PolicyDocument } from './template-policies';

jest.setTimeout(600_000);

/**
 * Grants no recorded request can exercise, by action, with the reason. Kept short: each is granted to the function
 * for the runtime or the network it runs in, or is the Kafka data plane, never for an SDK call of the code.
 */
const ALLOWED_UNCALLED: ReadonlyArray<{ readonly match: (action: string) => boolean; readonly why: string }> = [
  {
    match: (a) => a === 'logs:CreateLogStream' || a === 'logs:PutLogEvents',
    why: "the Lambda runtime writes the function's own log group (TaskFunction), not a call of the code",
  },
  {
    match: (a) => a === 'xray:PutTraceSegments' || a === 'xray:PutTelemetryRecords',
    why: "active tracing: the Lambda runtime's X-Ray segments, not a call of the code",
  },
  {
    match: (a) => a.startsWith('kafka-cluster:'),
    why: "the Kafka data plane of an IAM-auth cluster is authorized by the brokers, not an AWS SDK request the recorder sees; each comes from a declared Kafka operation of the task's permissions and is simulated from that declaration (iam-simulation.test.ts)",
  },
];

/** In a VPC only: Lambda creates and deletes the function's network interfaces with its role. */
const VPC_ONLY = new Set(VPC_ACCESS.map((r) => r.action));
const VPC_WHY = "Lambda manages the function's network interfaces in the VPC with its role (VPC_ACCESS)";

/**
 * The catalogue ports through which each permission's adapters or Kafka operations are reached (lambdas/runtime/aws-
 * ports/: the factory of each port builds these adapters).
 */
const PERMISSION_PORTS: Record<TaskPermission, readonly PortName[]> = {
  migrationLocks: ['locks'],
  abortRead: ['aborts'],
  evidenceRead: ['artifacts'],
  evidenceWrite: ['artifacts'],
  mskDescribe: ['msk', 'source', 'target', 'targetAcls'],
  metricsRead: ['metrics', 'lagSignals'],
  kafkaInventory: ['source'],
  kafkaDescribe: ['source', 'target'],
  kafkaTargetConnectivity: ['target'],
  kafkaTargetAcls: ['targetAcls'],
  kafkaReadData: ['source', 'target'],
  kafkaCanary: ['source', 'target'],
  kafkaCanaryDelete: ['source', 'target'],
  kafkaCommitOffsetsOnTarget: ['target'],
  kafkaCommitOffsetsOnSource: ['source'],
  replicationCreate: ['replicator'],
  replicationDescribe: ['replicator'],
  replicationDelete: ['replicator'],
  alarmsManage: ['lagSignals'],
  alarmsRead: ['lagSignals'],
  alarmsDelete: ['lagSignals'],
  clusterCreate: ['provisioner'],
  clusterDescribe: ['provisioner'],
  clusterDelete: ['provisioner'],
  cutoverSwitch: ['pointer'],
  writeFenceTake: ['writeFence'],
  writeFenceUndo: ['writeFence'],
  clientSwitch: ['clientSwitches'],
  clientSwitchHold: ['clientSwitches'],
  connectorsRead: ['connectors'],
  schemaRegistryRead: ['schemaRegistries'],
  secretsRead: [
    'source',
    'target',
    'targetAcls',
    'writeFence',
    'producerActivity',
    'clientBehaviour',
    // a Confluent-compatible registry's credentials
    'schemaRegistries',
  ],
};

/** The compensator's ports: what its handler builds through the AWS composition root. */
const COMPENSATOR_PORTS: readonly PortName[] = portsOf({ needs: COMPENSATOR_NEEDS });

interface Fn {
  readonly name: string;
  readonly role: TaskRole;
  readonly inVpc: boolean;
  readonly owns: (r: RecordedRequest) => boolean;
  readonly methods: ReadonlySet<string>;
}

const fnContext = (role: TaskRole): FunctionContext => ({
  partition: 'aws',
  bucket: role.environment.ARTIFACT_BUCKET ?? 'no-artifact-bucket',
  ...(role.environment.REPLICATOR_SERVICE_ROLE_ARN
    ? { replicatorRole: role.environment.REPLICATOR_SERVICE_ROLE_ARN }
    : {}),
  ...(role.environment.MSK_CONNECT_SERVICE_ROLE_ARN
    ? { connectRole: role.environment.MSK_CONNECT_SERVICE_ROLE_ARN }
    : {}),
  ...(role.environment.MIGRATION_LOCK_TABLE ? { lockTable: role.environment.MIGRATION_LOCK_TABLE } : {}),
});

const pascal = (dir: string): string => dir.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

function functionsOf(roles: ReturnType<typeof synthRoles>, inVpc: boolean): Fn[] {
  const out: Fn[] = [];
  for (const task of Object.keys(roles.tasks) as TaskName[]) {
    const spec: TaskSpec = TASKS[task];
    // RequestApproval is the ApprovalApi's function: approval-functions.test.ts proves its grants used.
    if (spec.providedBy) continue;
    const module = (FUNCTIONS as Record<string, FunctionEntry>)[task]?.module ?? '';
    const entry = `${module}/handler.ts`;
    const dir = pascal(module.split('/').pop() ?? '');
    out.push({
      name: task,
      role: roles.tasks[task],
      inVpc: inVpc && spec.dataPlane,
      owns: (r) => r.entry === entry || (r.task === dir && (!r.entry || r.entry.startsWith('lambdas/tasks/'))),
      methods: taskMethods(task),
    });
  }
  if (roles.compensator)
    out.push({
      name: 'Compensator',
      role: roles.compensator,
      inVpc,
      owns: (r) => r.entry === COMPENSATOR_ENTRY,
      methods: new Set(adapterMethodsOf(COMPENSATOR_SPEC.may)),
    });
  return out;
}

/** The IAM requests of a function's recorded requests (deduplicated). */
function requestsOf(fn: Fn, records: readonly RecordedRequest[]): IamRequest[] {
  const out = new Map<string, IamRequest>();
  const add = (q: IamRequest): void => {
    out.set(JSON.stringify([q.action, q.resource, q.context]), q);
  };
  for (const r of records) {
    // Every handler publishes its phase events (withObservability → EventBridgePhaseEvents.publish).
    if (r.adapterMethod === 'EventBridgePhaseEvents.publish') {
      const bus = fn.role.environment.PHASE_EVENT_BUS_NAME ?? 'default';
      add({
        action: 'events:PutEvents',
        resource: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${bus}`,
        context: {},
      });
      continue;
    }
    const own = fn.owns(r);
    // An adapter method sends the same requests whichever function runs it (a task or the compensator, which runs the
    // rollback tasks' methods); the approval functions' adapters are other classes.
    const viaMethod =
      !!r.adapterMethod &&
      (r.adapterMethod.split('.')[0] ?? '') in AWS_ADAPTERS &&
      fn.methods.has(r.adapterMethod) &&
      (!r.entry || r.entry.startsWith('lambdas/tasks/') || r.entry === COMPENSATOR_ENTRY);
    if (!own && !viaMethod) continue;
    const requests = iamRequestsOf(r, fnContext(fn.role)).filter(isWellFormed);
    // An adapter's own unit test may use any names; the functions only ever use the names this tool gives to what it
    // creates (the Inventory reads the customer's connectors, named by them).
    const customerNamed = r.adapterMethod === 'MskConnectInventory.listConnectors';
    if (!own && !r.task && !customerNamed && !requests.every(namedByTheTool)) continue;
    requests.forEach(add);
  }
  return [...out.values()];
}

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

type Statement = Record<string, unknown> & { Sid?: string; Effect: string; Action: string | string[] };

/** Each granted action of a role no recorded request exercised, as `<statement> <action>`, with the exempt ones apart. */
export async function unusedGrants(
  fn: Pick<Fn, 'role' | 'inVpc'>,
  requests: readonly IamRequest[],
): Promise<{ unused: string[]; exempt: Map<string, string>; grants: number }> {
  const unused: string[] = [];
  const exempt = new Map<string, string>();
  let grants = 0;
  for (const [p, policy] of fn.role.policies.entries())
    for (const [i, raw] of (policy.Statement as Statement[]).entries()) {
      if (raw.Effect !== 'Allow') continue;
      const label = raw.Sid ?? `policy${p}/statement${i}`;
      const alone: PolicyDocument[] = [{ ...policy, Statement: [raw] } as PolicyDocument];
      for (const action of [raw.Action].flat()) {
        grants++;
        const why =
          ALLOWED_UNCALLED.find((a) => a.match(action))?.why ??
          (fn.inVpc && VPC_ONLY.has(action) ? VPC_WHY : undefined);
        if (why) {
          exempt.set(action, why);
          continue;
        }
        let used = false;
        for (const q of requests.filter((r) => glob(action, r.action)))
          if ((await decide(alone, q)) === 'Allowed') {
            used = true;
            break;
          }
        if (!used) unused.push(`${label} ${action}`);
      }
    }
  return { unused, exempt, grants };
}

describe('grant without call: every granted action is exercised by a recorded request of its function', () => {
  const records = recordedRequests();

  it('has the requests of the unit, workflow and aws-api tiers to check (run them first: npm test does)', () => {
    expect(records.length).toBeGreaterThan(100);
  });

  it.each([
    ['default props', false],
    ['in a VPC', true],
  ] as const)('%s: no task function or the compensator has a grant nothing needs', async (_, inVpc) => {
    // Prepare
    const roles = inVpc ? synthRoles((network) => ({ vpc: importedVpc(network) })) : synthRoles();
    const fns = functionsOf(roles, inVpc);
    // Act
    const unused: string[] = [];
    const exempt = new Map<string, string>();
    let grants = 0;
    for (const fn of fns) {
      const result = await unusedGrants(fn, requestsOf(fn, records));
      unused.push(...result.unused.map((u) => `${fn.name}: ${u}`));
      result.exempt.forEach((why, action) => exempt.set(action, why));
      grants += result.grants;
    }
    // Assess
    process.stdout.write(
      `grant without call (${inVpc ? 'in a VPC' : 'default props'}): ${fns.length} roles, ${grants} granted actions over their statements, ${exempt.size} distinct actions exempt (${[...exempt.keys()].filter((a) => !a.startsWith('kafka-cluster:')).join(', ')}, kafka-cluster:*), unused ${unused.length}\n`,
    );
    expect(fns.length).toBeGreaterThanOrEqual(23);
    expect(unused).toEqual([]);
  });

  it('finds a grant added without a call (the check is live)', async () => {
    // Prepare: the Inventory's role, with one statement more that no code of the Inventory needs, and a statement
    // of its own with an action added that no request of it sends there.
    const fn = functionsOf(synthRoles(), false).find((f) => f.name === 'Inventory');
    if (!fn) throw new Error('no Inventory function');
    const requests = requestsOf(fn, records);
    const policies = fn.role.policies.map((p) => ({
      ...p,
      Statement: (p.Statement as Statement[]).map((s) =>
        s.Sid === 'EvidenceObject' ? { ...s, Action: [...[s.Action].flat(), 's3:DeleteObject'] } : s,
      ),
    }));
    const extra = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Added',
          Effect: 'Allow',
          Action: ['kafka:DeleteCluster'],
          Resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/*/*`,
        },
      ],
    } as unknown as PolicyDocument;
    // Act
    const before = await unusedGrants(fn, requests);
    const after = await unusedGrants({ ...fn, role: { ...fn.role, policies: [...policies, extra] } }, requests);
    // Assess
    expect(before.unused).toEqual([]);
    expect(after.unused.sort()).toEqual(['Added kafka:DeleteCluster', 'EvidenceObject s3:DeleteObject']);
  });

  it("every permission a function declares is one its catalogue ports can serve (so its grants are the code's)", () => {
    const unserved: string[] = [];
    for (const [name, spec] of Object.entries(TASKS) as Array<[TaskName, TaskSpec]>) {
      if (spec.providedBy) continue;
      const ports = new Set((FUNCTIONS as Record<string, FunctionEntry>)[name]?.ports ?? []);
      for (const p of spec.may)
        if (!PERMISSION_PORTS[p].some((port) => ports.has(port))) unserved.push(`${name}: ${p}`);
    }
    for (const p of COMPENSATOR_SPEC.may)
      if (!PERMISSION_PORTS[p].some((port) => COMPENSATOR_PORTS.includes(port))) unserved.push(`Compensator: ${p}`);
    expect(unserved).toEqual([]);
  });

  it('PERMISSION_PORTS names the port whose factory builds each AWS adapter a permission calls', () => {
    // The adapter class each port's factory (or the registries it uses) constructs, from lambdas/runtime/.
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const path = jest.requireActual<typeof import('node:path')>('node:path');
    const root = path.join(__dirname, '../../lambdas');
    const read = (f: string): string => fs.readFileSync(path.join(root, f), 'utf8');
    // The clusters' data planes and MSK's control plane (each port of a cluster describes it through MSK).
    const clusters = read('runtime/aws-clusters.ts') + read('runtime/aws-msk.ts') + read('runtime/aws-secrets.ts');
    // Each pointer, fence and client switch kind's adapter is a module of its own, loaded on first use.
    const kinds = (prefix: string): string =>
      fs
        .readdirSync(path.join(root, 'tasks/shared/kinds'))
        .filter((f) => f.startsWith(prefix))
        .map((f) => read(`tasks/shared/kinds/${f}`))
        .join('\n');
    const sources: Partial<Record<PortName, string>> = {
      artifacts: read('runtime/aws-ports/artifacts.ts'),
      metrics: read('runtime/aws-ports/cloudwatch.ts'),
      lagSignals: read('runtime/aws-ports/cloudwatch.ts'),
      locks: read('runtime/aws-ports/dynamodb.ts'),
      aborts: read('runtime/aws-ports/dynamodb.ts'),
      provisioner: read('runtime/aws-ports/provisioner.ts'),
      replicator:
        read('runtime/aws-ports/replicator.ts') +
        read('runtime/aws-ports/replicator-msk.ts') +
        read('runtime/aws-ports/replicator-mm2.ts'),
      connectors: read('runtime/aws-ports/connectors.ts'),
      schemaRegistries:
        read('runtime/aws-ports/schema-registries.ts') + read('runtime/aws-ports/schema-registry-clients.ts'),
      pointer: kinds('pointer-'),
      writeFence: kinds('fence-') + clusters,
      clientSwitches: kinds('client-switch-'),
      msk: clusters,
      source: clusters,
      target: clusters,
      targetAcls: clusters,
      producerActivity: clusters,
      clientBehaviour: clusters,
    };
    const wrong: string[] = [];
    for (const [permission, ports] of Object.entries(PERMISSION_PORTS) as Array<[TaskPermission, PortName[]]>)
      for (const method of adapterMethodsOf([permission]) as AwsAdapterMethod[]) {
        const adapter = method.split('.')[0] ?? '';
        if (!ports.some((port) => new RegExp(`\\b${adapter}\\b`).test(sources[port] ?? '')))
          wrong.push(`${permission}: ${adapter} is built by none of ${ports.join(', ')}`);
      }
    expect(wrong).toEqual([]);
  });
});
