import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';

/**
 * The operator's grants, evaluated offline by @cloud-copilot/iam-simulate (IAM's policy evaluation over the Service
 * Authorization Reference): a role given every operator grant of the construct (start, history, evidence, approve)
 * may invoke the operator decision route, and nothing that would decide an approval without the approval service —
 * no states:SendTask*, no read of the approvals table (the task tokens), no decrypt with the token key, no direct
 * invoke of the approval functions.
 */

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const API_ID = 'a1b2c3d4e5';

const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
const stack = new MigrationStack(app, 'Simulated', { env: { account: ACCOUNT, region: REGION }, orchestrator: {} });
const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
const o = stack.orchestrator;
o.grantStartExecution(operator);
o.grantReadExecutionHistory(operator);
o.grantReadEvidence(operator);
o.grantApprove(operator);
const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string }> };
const id = (c: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(c.node.defaultChild as iam.CfnRole);

/** Physical names for the resources the operator's policies name: lower-cased logical IDs. */
const nameOf = (logicalId: string): string => logicalId.toLowerCase();
function arnOf(logicalId: string): string {
  const type = template.Resources[logicalId]?.Type;
  const name = nameOf(logicalId);
  switch (type) {
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
    case 'AWS::StepFunctions::StateMachineAlias':
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${nameOf(id(o.stateMachine))}:live`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    case 'AWS::KMS::Key':
      return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`;
    default:
      throw new Error(`No ARN for ${logicalId} (${type})`);
  }
}
function refOf(ref: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (pseudo[ref]) return pseudo[ref];
  const type = template.Resources[ref]?.Type;
  if (type === 'AWS::ApiGatewayV2::Api') return API_ID;
  if (type === 'AWS::StepFunctions::StateMachine') return arnOf(ref);
  return nameOf(ref);
}
/** CloudFormation intrinsics as IAM would see them in this account and Region. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (!value || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return refOf(v.Ref as string);
  if ('Fn::GetAtt' in v) {
    const [logicalId, attribute] = v['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn') return arnOf(logicalId);
    if (attribute === 'Name') return nameOf(logicalId);
    throw new Error(`Unresolved attribute ${logicalId}.${attribute}`);
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(resolve(p))).join(sep);
  }
  if ('Fn::Split' in v) {
    const [sep, source] = v['Fn::Split'] as [string, unknown];
    return String(resolve(source)).split(sep);
  }
  if ('Fn::Select' in v) {
    const [index, list] = v['Fn::Select'] as [number, unknown];
    return (resolve(list) as unknown[])[index];
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
}

const operatorPolicies = Object.values(
  Template.fromStack(stack).findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: unknown } }
  >,
)
  .filter((p) => p.Properties.Roles.some((r) => r.Ref === id(operator)))
  .map((p, i) => ({ name: `operator${i}`, policy: resolve(p.Properties.PolicyDocument) as object }));

async function decision(action: string, resource: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/operator`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: operatorPolicies as never,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const STATE_MACHINE = arnOf(id(o.stateMachine));
const EXECUTION = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${nameOf(id(o.stateMachine))}:orders-1`;
const TABLE = arnOf(id(o.approvalApi.table));
const ROUTE = (method: string, path: string): string =>
  `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/$default/${method}${path}`;

describe('the IAM of an operator given every operator grant (simulated offline)', () => {
  it('has policies to simulate', () => {
    expect(operatorPolicies.length).toBeGreaterThan(0);
  });

  // The Service Authorization Reference lists no resource type for SendTask* (a policy must name "*"; the simulator
  // refuses anything else), while Step Functions itself reports denials on the state machine's ARN: the operator is
  // denied either way because no statement of theirs names the action at all.
  it.each(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'])(
    'is denied %s, on any resource',
    async (action) => {
      await expect(decision(action, '*')).resolves.toBe('ImplicitlyDenied');
      expect(operatorPolicies.flatMap((p) => JSON.stringify(p.policy).match(/states:(Send|\*)/g) ?? [])).toEqual([]);
    },
  );

  it.each(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:PutItem'])(
    'is denied %s on the approvals table (the task tokens)',
    async (action) => {
      await expect(decision(action, TABLE)).resolves.toBe('ImplicitlyDenied');
    },
  );

  it('may not invoke the approval functions directly (an invoke event could claim any IAM caller)', async () => {
    for (const fn of [o.approvalApi.endpointFunction, o.approvalApi.requestApprovalFunction])
      await expect(decision('lambda:InvokeFunction', arnOf(id(fn)))).resolves.toBe('ImplicitlyDenied');
  });

  it('may invoke the operator decision route', async () => {
    await expect(
      decision('execute-api:Invoke', ROUTE('POST', '/operator/approvals/AbCdEfGhIjKlMnOpQrStUv')),
    ).resolves.toBe('Allowed');
  });

  it.each([
    ['another method on the operator route', ROUTE('GET', '/operator/approvals/AbCdEfGhIjKlMnOpQrStUv')],
    ['the e-mail decision route', ROUTE('POST', '/approvals/AbCdEfGhIjKlMnOpQrStUv')],
    ['the Slack route', ROUTE('POST', '/slack/interactivity')],
    ['another API', `arn:aws:execute-api:${REGION}:${ACCOUNT}:zzzzzzzzzz/$default/POST/operator/approvals/x`],
  ])('may not invoke %s', async (_what, arn) => {
    await expect(decision('execute-api:Invoke', arn)).resolves.toBe('ImplicitlyDenied');
  });

  it('may still start and follow executions (start through the alias, read the history)', async () => {
    await expect(decision('states:StartExecution', `${STATE_MACHINE}:live`)).resolves.toBe('Allowed');
    await expect(decision('states:GetExecutionHistory', EXECUTION)).resolves.toBe('Allowed');
  });
});
