/**
 * The state machine's role, simulated offline against what the synthesized definition calls: every Task state's
 * Lambda (a published version, directly or through `lambda:invoke.waitForTaskToken`), and what Step Functions itself
 * needs for the logging and tracing the template configures. Least privilege both ways: every call is allowed, and
 * every grant is used by a call.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';
import type { IamRequest } from './iam-requests';
import { decide } from './simulation';
import { ACCOUNT, REGION, resolveTemplate, type PolicyDocument } from './template-policies';

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Arguments?: Record<string, unknown>;
  Branches?: Array<{ States: Record<string, AslState> }>;
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
}

/** What Step Functions calls with the role to deliver execution logs to CloudWatch Logs (Step Functions guide). */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
/** What Step Functions calls with the role to send X-Ray traces (Step Functions guide, "Trace Step Functions"). */
const TRACING = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

function synthesized(partition = 'aws'): {
  definition: Record<string, AslState>;
  policies: PolicyDocument[];
  config: Record<string, unknown>;
} {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new MigrationStack(app, 'StateMachineStack', { env: { account: ACCOUNT, region: REGION } });
  const template = Template.fromStack(stack).toJSON() as Parameters<typeof resolveTemplate>[0];
  const resolved = resolveTemplate(template, partition);
  const [, machine] = Object.entries(template.Resources).find(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  )!;
  const props = machine.Properties as Record<string, unknown>;
  const key = (props.DefinitionS3Location as { Key: string }).Key;
  const text = fs.readFileSync(path.join(app.outdir, `asset.${key}`), 'utf8');
  const substitutions = resolved.resolve(props.DefinitionSubstitutions) as Record<string, string>;
  const definition = JSON.parse(
    text.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => {
      if (!(name in substitutions))
        throw new Error(`The definition names \${${name}}, which the template does not substitute`);
      return substitutions[name]!;
    }),
  ) as { States: Record<string, AslState> };
  const role = (props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return { definition: definition.States, policies: resolved.rolePolicies.get(role) ?? [], config: props };
}

function* taskStates(states: Record<string, AslState>): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') yield [name, state];
    for (const branch of state.Branches ?? []) yield* taskStates(branch.States);
    for (const inner of [state.Iterator, state.ItemProcessor]) if (inner) yield* taskStates(inner.States);
  }
}

/** The IAM requests Step Functions makes with the role for one Task state. */
function requestsOf(name: string, state: AslState): IamRequest[] {
  const resource = state.Resource ?? '';
  if (/^arn:[^:]+:lambda:/.test(resource)) return [{ action: 'lambda:InvokeFunction', resource, context: {} }];
  const integration = /^arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?$/.exec(resource);
  if (integration) {
    const fn = (state.Parameters ?? state.Arguments ?? {}).FunctionName;
    if (typeof fn !== 'string') throw new Error(`${name}: lambda:invoke without a literal FunctionName`);
    return [{ action: 'lambda:InvokeFunction', resource: fn, context: {} }];
  }
  throw new Error(`${name}: no IAM mapping for the service integration ${resource}; add it to this test`);
}

function requiredRequests(definition: Record<string, AslState>, config: Record<string, unknown>): IamRequest[] {
  const calls = [...taskStates(definition)].flatMap(([name, state]) => requestsOf(name, state));
  if (config.LoggingConfiguration)
    calls.push(...LOG_DELIVERY.map((action) => ({ action, resource: '*', context: {} })));
  if ((config.TracingConfiguration as { Enabled?: boolean } | undefined)?.Enabled)
    calls.push(...TRACING.map((action) => ({ action, resource: '*', context: {} })));
  const unique = new Map(calls.map((c) => [`${c.action} ${c.resource}`, c]));
  return [...unique.values()];
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [v as string]);
/**
 * The narrowest grant that allows a request across deploys: a function version's ARN becomes `<function ARN>:*` (an
 * execution keeps calling the versions it started with); any other resource is granted as it is.
 */
const narrowest = (r: IamRequest): string =>
  r.action === 'lambda:InvokeFunction' ? r.resource.replace(/:\d+$/, ':*') : r.resource;

/** Every (action, resource) an Allow statement grants that is not the narrowest grant of a required request. */
function unusedGrants(policies: PolicyDocument[], required: IamRequest[]): string[] {
  const needed = new Set(required.map((r) => `${r.action} on ${narrowest(r)}`));
  return policies
    .flatMap((p) => p.Statement)
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      asList(statement.Action).flatMap((action) =>
        asList(statement.Resource).map((resource) => `${action} on ${resource}`),
      ),
    )
    .filter((grant) => !needed.has(grant));
}

describe('IAM simulation of the state machine role against its synthesized definition', () => {
  const { definition, policies, config } = synthesized();
  const required = requiredRequests(definition, config);

  it('finds every Task state calling a published version of its function', () => {
    const tasks = [...taskStates(definition)];
    const invoked = required.filter((r) => r.action === 'lambda:InvokeFunction');
    process.stdout.write(`state machine: ${tasks.length} Task states → ${invoked.length} function versions invoked\n`);
    expect(tasks.length).toBeGreaterThanOrEqual(25);
    expect(invoked.length).toBeGreaterThanOrEqual(20);
    expect(invoked.filter((r) => !/:function:[^:]+:\d+$/.test(r.resource)).map((r) => r.resource)).toEqual([]);
  });

  it('allows every call the definition, its logging and its tracing make', async () => {
    const denied: string[] = [];
    for (const r of required)
      if ((await decide(policies, r)) !== 'Allowed') denied.push(`${r.action} on ${r.resource}`);
    expect(denied).toEqual([]);
  });

  it('grants nothing the definition, its logging and its tracing do not use', () => {
    expect(unusedGrants(policies, required)).toEqual([]);
  });

  it('denies a Task state whose function grant is missing (the check is live)', async () => {
    const report = required.find((r) => r.resource.includes('reportfn'))!;
    const without = policies.map((p) => ({
      ...p,
      Statement: p.Statement.filter((s) => !asList(s.Resource).some((x) => x.includes('reportfn'))),
    }));
    expect(await decide(without, report)).not.toBe('Allowed');
  });

  it('flags a grant no state uses (the check is live)', () => {
    const extra = { Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }] };
    expect(unusedGrants([...policies, extra], required)).toEqual(['lambda:InvokeFunction on *']);
  });
});
