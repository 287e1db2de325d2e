import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MigrationOrchestrator } from '../../lib/migration-orchestrator';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';

/**
 * No grant method of the orchestrator hands a person a way around the approval service: no states:SendTask* (a task
 * token plus that right decides any approval), nothing on the approvals table (it holds the tokens), no invoke of the
 * approval functions (a forged event could claim any IAM caller). Deciding is execute-api:Invoke on the operator
 * route and nothing else. Every public `grant*(grantee)` method is checked, so a new one is covered as it is added.
 */

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Public `grant*(grantee)` methods of the construct (one parameter: the grantee). */
const GRANT_METHODS = Object.getOwnPropertyNames(MigrationOrchestrator.prototype).filter(
  (name) =>
    name.startsWith('grant') &&
    typeof (MigrationOrchestrator.prototype as unknown as Record<string, unknown>)[name] === 'function' &&
    (MigrationOrchestrator.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!.length === 1,
);

const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
const stack = new MigrationStack(app, 'Grants', {
  env: { account: '111122223333', region: 'eu-west-1' },
  orchestrator: {},
});
const roles = new Map<string, iam.Role>();
for (const method of GRANT_METHODS) {
  const role = new iam.Role(stack, `Person-${method}`, { assumedBy: new iam.AccountRootPrincipal() });
  (stack.orchestrator as unknown as Record<string, (g: iam.IGrantable) => unknown>)[method]!.call(
    stack.orchestrator,
    role,
  );
  roles.set(method, role);
}
const template = Template.fromStack(stack);
const logicalId = (c: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(c.node.defaultChild as iam.CfnRole);
const TABLE = logicalId(stack.orchestrator.approvalApi.table);
/** The migration lock table: grantAbort records abort requests there (keys `abort:*` only); it holds no token. */
const LOCK_TABLE = logicalId(stack.orchestrator.lockTable);
const APPROVAL_FUNCTIONS = [
  logicalId(stack.orchestrator.approvalApi.endpointFunction),
  logicalId(stack.orchestrator.approvalApi.requestApprovalFunction),
];

function statementsOf(role: iam.Role): Statement[] {
  const roleId = logicalId(role);
  return (
    Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } };
    }>
  )
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** An IAM action pattern (with * and ?) as a matcher. */
const covers = (pattern: string, action: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  ).test(action);

describe('the grant methods of MigrationOrchestrator', () => {
  it('are found (a rename would silently skip the checks below)', () => {
    expect(GRANT_METHODS).toEqual(
      expect.arrayContaining(['grantStartExecution', 'grantReadEvidence', 'grantApprove', 'grantReadExecutionHistory']),
    );
  });

  it.each(GRANT_METHODS)('%s hands out no states:SendTask*, in any spelling', (method) => {
    const actions = statementsOf(roles.get(method)!).flatMap((s) => list(s.Action));
    const callbacks = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];
    expect(actions.filter((a) => callbacks.some((c) => covers(a, c)))).toEqual([]);
  });

  it.each(GRANT_METHODS)('%s gives nothing on the approvals table, which holds the task tokens', (method) => {
    const statements = statementsOf(roles.get(method)!);
    const elsewhere = statements.filter((s) => !JSON.stringify(s.Resource).includes(LOCK_TABLE));
    expect(elsewhere.flatMap((s) => list(s.Action)).filter((a) => /^dynamodb:/i.test(a) || a === '*')).toEqual([]);
    expect(JSON.stringify(statements.map((s) => s.Resource))).not.toContain(TABLE);
  });

  it.each(GRANT_METHODS)('%s lets nobody invoke the approval functions directly', (method) => {
    const resources = JSON.stringify(statementsOf(roles.get(method)!).map((s) => s.Resource));
    for (const fn of APPROVAL_FUNCTIONS) expect(resources).not.toContain(fn);
  });

  it('grantApprove gives execute-api:Invoke on the operator decision route only', () => {
    const statements = statementsOf(roles.get('grantApprove')!);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    const resource = JSON.stringify(statements[0]?.Resource);
    expect(resource).toContain('/$default/POST/operator/approvals/*');
    expect(resource).toContain(logicalId(stack.orchestrator.approvalApi.httpApi));
  });

  it('grantStartExecution leaves out the execution history, whose TaskScheduled events carry task tokens', () => {
    const actions = statementsOf(roles.get('grantStartExecution')!).flatMap((s) => list(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['states:StartExecution', 'states:DescribeExecution']));
    expect(actions.filter((a) => covers(a, 'states:GetExecutionHistory'))).toEqual([]);
  });
});

describe('the holders of the task callback', () => {
  it('are the approval endpoint function only: no other role of the stack may call states:SendTask*', () => {
    const holders = (
      Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
        Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } };
      }>
    )
      .filter((p) =>
        p.Properties.PolicyDocument.Statement.some((s) =>
          list(s.Action).some((a) => covers(a, 'states:SendTaskSuccess') || covers(a, 'states:SendTaskFailure')),
        ),
      )
      .flatMap((p) => p.Properties.Roles.map((r) => r.Ref));
    const endpointRole = logicalId(stack.orchestrator.approvalApi.endpointFunction.role as iam.Role);
    expect([...new Set(holders)]).toEqual([endpointRole]);
  });
});
