/**
 * The write fences' IAM, evaluated offline (@cloud-copilot/iam-simulate): what FenceProducers and RollbackCutover may
 * do to the producers' roles (IAM_POLICY) and to the source's ACLs over IAM (KAFKA_ACL), and what the fence's own
 * deny does to a producer that holds an allow — kafka-cluster:WriteData and WriteDataIdempotently.
 */
import { iamFencePolicyDocument } from '../../lambdas/core/cutover/write-fence';
import { TASKS, type TaskName } from '../../lib/migration-orchestrator';
import { FENCED_ROLE_CONTEXT } from './iam-requests';
import { decide, synthRoles, type TaskRole } from './simulation';
import { ACCOUNT, type PolicyDocument } from './template-policies';

jest.setTimeout(120_000);

const roleArn = (path: string): string => `arn:aws:iam::${ACCOUNT}:role/${path}`;
const SOURCE = `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/orders/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`;
const topic = (name: string): string => SOURCE.replace(':cluster/', ':topic/') + `/${name}`;
const ROLE_ACTIONS = ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'] as const;

async function roleDecisions(
  role: TaskRole,
  resource: string,
  context: Record<string, string> = {},
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const action of ROLE_ACTIONS) out[action] = await decide(role.policies, { action, resource, context });
  return out;
}

describe('IAM_POLICY write fence: what the cutover tasks may do to the producers roles', () => {
  const { tasks } = synthRoles();
  const named = synthRoles(() => ({ writeFenceRoleArns: [roleArn('producers/*')] })).tasks;

  it('lets FenceProducers and Cutover (which runs the fence in one invocation) read and put the fence on a role tagged for it, never delete a policy', async () => {
    for (const task of ['FenceProducers', 'Cutover'] as const) {
      // Act
      const decisions = await roleDecisions(tasks[task], roleArn('orders-producer'), FENCED_ROLE_CONTEXT);
      // Assess
      expect({ task, decisions }).toEqual({
        task,
        decisions: {
          'iam:GetRolePolicy': 'Allowed',
          'iam:PutRolePolicy': 'Allowed',
          'iam:DeleteRolePolicy': 'ImplicitlyDenied',
        },
      });
    }
  });

  it('lets RollbackCutover read, put back and delete the fence on a role tagged for it', async () => {
    const decisions = await roleDecisions(tasks.RollbackCutover, roleArn('orders-producer'), FENCED_ROLE_CONTEXT);
    expect(decisions).toEqual({
      'iam:GetRolePolicy': 'Allowed',
      'iam:PutRolePolicy': 'Allowed',
      'iam:DeleteRolePolicy': 'Allowed',
    });
  });

  it('refuses all three on a role nobody tagged for the fence (their own roles included)', async () => {
    for (const task of ['FenceProducers', 'Cutover', 'RollbackCutover'] as const) {
      const untagged = await roleDecisions(tasks[task], roleArn('orders-producer'));
      const own = await roleDecisions(tasks[task], roleArn('simulatedstack-orchestrator-fenceproducersrole'));
      for (const decision of [...Object.values(untagged), ...Object.values(own)])
        expect(decision).toBe('ImplicitlyDenied');
    }
  });

  it('with writeFenceRoleArns, allows those roles without a tag and refuses every other role', async () => {
    const inside = await roleDecisions(named.RollbackCutover, roleArn('producers/orders-producer'));
    const outside = await roleDecisions(named.RollbackCutover, roleArn('orders-producer'), FENCED_ROLE_CONTEXT);
    expect(Object.values(inside)).toEqual(['Allowed', 'Allowed', 'Allowed']);
    expect(Object.values(outside)).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('gives no other task any way to change a role policy', async () => {
    const others = (Object.keys(TASKS) as TaskName[]).filter(
      (t) => !['FenceProducers', 'Cutover', 'RollbackCutover'].includes(t) && t in tasks,
    );
    expect(others.length).toBeGreaterThan(15);
    for (const task of others) {
      const decisions = await roleDecisions(tasks[task], roleArn('orders-producer'), FENCED_ROLE_CONTEXT);
      expect({ task, decisions: Object.values(decisions) }).toEqual({
        task,
        decisions: ['ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied'],
      });
    }
  });

  it('lets both tasks alter the source ACLs over IAM (KAFKA_ACL on a cluster with IAM on), not the target', async () => {
    const target = `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/orders-target/5a4f3e2d-1c0b-9a8f-7e6d-5c4b3a2f1e0d-1`;
    for (const task of ['FenceProducers', 'RollbackCutover'] as const) {
      const policies = tasks[task].policies;
      expect(await decide(policies, { action: 'kafka-cluster:AlterCluster', resource: SOURCE, context: {} })).toBe(
        'Allowed',
      );
      // The sample source and target patterns of the default props are the same (every cluster): narrow them.
      const narrowed = synthRoles(() => ({ sourceClusterArns: [SOURCE], targetClusterArns: [target] })).tasks[task];
      expect(
        await decide(narrowed.policies, { action: 'kafka-cluster:AlterCluster', resource: target, context: {} }),
      ).toBe('ImplicitlyDenied');
    }
  });
});

describe("IAM_POLICY write fence: the deny against a producer's allow", () => {
  /** A producer role as the MSK developer guide writes one: connect, write every topic, write idempotently. */
  const producer: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:WriteDataIdempotently'],
        Resource: SOURCE,
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        Resource: topic('*'),
      },
    ],
  };
  const fence = JSON.parse(iamFencePolicyDocument(SOURCE, ['orders', 'payments'])) as PolicyDocument;
  const writes = async (policies: PolicyDocument[], name: string) => ({
    writeData: await decide(policies, { action: 'kafka-cluster:WriteData', resource: topic(name), context: {} }),
    idempotently: await decide(policies, {
      action: 'kafka-cluster:WriteDataIdempotently',
      resource: SOURCE,
      context: {},
    }),
  });

  it("lets the producer write every topic before the fence (the producer's allow alone)", async () => {
    expect(await writes([producer], 'orders')).toEqual({ writeData: 'Allowed', idempotently: 'Allowed' });
  });

  it('denies WriteData on each migrated topic explicitly, over the allow', async () => {
    for (const name of ['orders', 'payments'])
      expect((await writes([producer, fence], name)).writeData).toBe('ExplicitlyDenied');
  });

  it('refuses an idempotent producer too: its WriteData on the topic is denied though WriteDataIdempotently is not', async () => {
    // An idempotent produce is authorized as WriteDataIdempotently on the cluster AND WriteData on the topic.
    expect(await writes([producer, fence], 'orders')).toEqual({
      writeData: 'ExplicitlyDenied',
      idempotently: 'Allowed',
    });
  });

  it('leaves the topics that are not migrated writable', async () => {
    expect((await writes([producer, fence], 'audit')).writeData).toBe('Allowed');
  });
});
