/**
 * The functions outside the workflow's Task states, simulated against the calls their code makes: the approval
 * endpoint (lambdas/approval/handler.ts), RequestApproval (the ApprovalApi's `.waitForTaskToken` function) and the
 * Slack notifier (lambdas/notifications/slack-handler.ts). The unit tier drives each handler over mocked AWS clients
 * and records every request with the function it ran as (test/setup/aws-request-recorder.ts, `entry`); here each
 * request, with the names the test used mapped to the deployed ones, is evaluated against that function's role in
 * the stack synthesized in the configurations the tests ran (SNS fallback, SNS fallback with Slack, SES with Slack):
 * every request must be allowed, and every action a role grants must be one a recorded request needed.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { MigrationStack, type MigrationStackProps } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';
import type { RecordedRequest } from '../setup/aws-request-recorder';
import {
  ENDPOINT_TEST_ENV,
  REQUEST_APPROVAL_TEST_ENV,
  SLACK_NOTIFIER_TEST_ENV,
  SNS_FALLBACK_TEST_ENV,
} from '../unit/approval-functions-env';
import type { IamRequest } from './iam-requests';
import { decide, recordedRequests } from './simulation';
import { ACCOUNT, REGION, resolveTemplate, type PolicyDocument } from './template-policies';

jest.setTimeout(300_000);

const ENTRIES = {
  endpoint: 'lambdas/approval/handler.ts',
  requestApproval: 'lambdas/tasks/request-approval/handler.ts',
  slackNotifier: 'lambdas/notifications/slack-handler.ts',
} as const;
type FunctionName = keyof typeof ENTRIES;

const SLACK = {
  botTokenSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:deployed-slack-bot-QwErTy`,
  signingSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:deployed-slack-signing-AsDfGh`,
};
const VARIANTS: Record<string, MigrationStackProps['orchestrator']> = {
  snsFallback: {},
  snsFallbackWithSlack: { approval: { slack: SLACK } },
  sesWithSlack: {
    approval: { email: { fromAddress: 'migrations@example.com' }, slack: SLACK },
    notificationSlack: { channelId: 'C0NOTIFY', botTokenSecretArn: SLACK.botTokenSecretArn },
  },
};

interface DeployedFunction {
  readonly variant: string;
  readonly policies: PolicyDocument[];
  readonly environment: Record<string, string>;
  readonly stateMachineArn: string;
  /** The notification topic's key (the SNS fallback topic is the notification topic). */
  readonly topicKeyArn: string;
}

function synthesize(): Record<FunctionName, DeployedFunction[]> {
  const out: Record<FunctionName, DeployedFunction[]> = { endpoint: [], requestApproval: [], slackNotifier: [] };
  for (const [variant, orchestrator] of Object.entries(VARIANTS)) {
    const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
    const stack = new MigrationStack(app, `Approval${variant}`, {
      env: { account: ACCOUNT, region: REGION },
      orchestrator,
    });
    const resolved = resolveTemplate(Template.fromStack(stack).toJSON() as Parameters<typeof resolveTemplate>[0]);
    const o = stack.orchestrator;
    const id = (c: { node: { defaultChild?: unknown } }): string =>
      Stack.of(stack).getLogicalId(c.node.defaultChild as lambda.CfnFunction);
    const common = {
      variant,
      stateMachineArn: String(resolved.resolve({ Ref: id(o.stateMachine) })),
      topicKeyArn: String(resolved.resolve({ 'Fn::GetAtt': [id(o.notifications.encryptionKey), 'Arn'] })),
    };
    const functions: Partial<Record<FunctionName, lambda.Function>> = {
      endpoint: o.approvalApi.endpointFunction,
      requestApproval: o.approvalApi.requestApprovalFunction,
      ...(o.notifications.slackNotifier ? { slackNotifier: o.notifications.slackNotifier } : {}),
    };
    for (const [name, fn] of Object.entries(functions) as Array<[FunctionName, lambda.Function]>) {
      const f = resolved.functions.get(id(fn));
      if (!f) throw new Error(`no ${name} in the ${variant} template`);
      out[name].push({ ...common, policies: resolved.rolePolicies.get(f.role) ?? [], environment: f.environment });
    }
  }
  return out;
}

/** Each test value of a setting → the setting's name. */
const SETTING_OF = new Map<string, string>(
  [REQUEST_APPROVAL_TEST_ENV, ENDPOINT_TEST_ENV, SLACK_NOTIFIER_TEST_ENV, SNS_FALLBACK_TEST_ENV].flatMap((env) =>
    Object.entries(env)
      .filter(([name]) => name !== 'REMINDERS_ENABLED')
      .map(([name, value]) => [value as string, name] as [string, string]),
  ),
);

/** The request's input with every test value of a setting replaced by the deployed one; undefined if not deployed so. */
function deployedInput(input: unknown, environment: Record<string, string>): unknown {
  let missing = false;
  const map = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const setting = SETTING_OF.get(v);
      if (!setting) return v;
      if (environment[setting] === undefined) missing = true;
      return environment[setting];
    }
    if (Array.isArray(v)) return v.map(map);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(x)]));
    return v;
  };
  const mapped = map(input);
  return missing ? undefined : mapped;
}

type Input = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The IAM requests an approval function's SDK request makes, with the resources IAM evaluates. */
function iamRequests(r: RecordedRequest, input: Input, fn: DeployedFunction): IamRequest[] {
  const at = (action: string, resource: string, context: IamRequest['context'] = {}): IamRequest => ({
    action,
    resource,
    context,
  });
  const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${str(input.TableName)}`;
  const schedule = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${str(input.GroupName) || 'default'}/${str(input.Name)}`;
  switch (`${r.client}:${r.operation}`) {
    case 'DynamoDBClient:GetItem':
    case 'DynamoDBClient:PutItem':
    case 'DynamoDBClient:UpdateItem':
      return [at(`dynamodb:${r.operation}`, table)];
    case 'S3Client:PutObject':
      return [at('s3:PutObject', `arn:aws:s3:::${str(input.Bucket)}/${str(input.Key)}`)];
    case 'SecretsManagerClient:GetSecretValue':
      return [at('secretsmanager:GetSecretValue', str(input.SecretId))];
    // Step Functions authorizes a task token's answer on the state machine that issued it.
    case 'SFNClient:SendTaskSuccess':
    case 'SFNClient:SendTaskFailure':
    case 'SFNClient:SendTaskHeartbeat':
      return [at(`states:${r.operation}`, fn.stateMachineArn)];
    case 'SESv2Client:SendEmail': {
      const domain = str(input.FromEmailAddress).split('@').pop() ?? '';
      return [
        at('ses:SendEmail', `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${domain}`),
        ...(input.ConfigurationSetName
          ? [
              at(
                'ses:SendEmail',
                `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${str(input.ConfigurationSetName)}`,
              ),
            ]
          : []),
      ];
    }
    // The topic is encrypted with the notification key: the publisher needs a data key (SNS SSE).
    case 'SNSClient:Publish':
      return [
        at('sns:Publish', str(input.TopicArn)),
        at('kms:GenerateDataKey', fn.topicKeyArn),
        at('kms:Decrypt', fn.topicKeyArn),
      ];
    case 'SchedulerClient:CreateSchedule':
      return [
        at('scheduler:CreateSchedule', schedule),
        at('iam:PassRole', str((input.Target as Input | undefined)?.RoleArn), {
          'iam:PassedToService': 'scheduler.amazonaws.com',
        }),
      ];
    case 'SchedulerClient:DeleteSchedule':
      return [at('scheduler:DeleteSchedule', schedule)];
    case 'EventBridgeClient:PutEvents':
      return ((input.Entries as Input[] | undefined) ?? []).map((e) =>
        at('events:PutEvents', `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${str(e.EventBusName) || 'default'}`),
      );
    default:
      throw new Error(`No IAM mapping for ${r.client}.${r.operation} (sent by ${r.entry ?? '?'}): add it here`);
  }
}

const glob = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

/**
 * states:SendTask* answered on the state machine that issued the token. The Service Authorization Reference lists no
 * resource type for these actions (so the simulator only evaluates "*"), but Step Functions authorizes a Lambda
 * callback's answer on the state machine's ARN: its AccessDenied names that ARN, and a grant scoped to it works
 * (tested by the CDK maintainers, aws/aws-cdk#8486). An unconditional Allow naming the action and matching the ARN.
 */
function allowedByStatement(policies: PolicyDocument[], r: IamRequest): string {
  const allowed = policies.some((p) =>
    p.Statement.some(
      (s) =>
        s.Effect === 'Allow' &&
        !s.Condition &&
        ([s.Action].flat() as string[]).some((a) => glob(a, r.action)) &&
        ([s.Resource].flat() as string[]).some((res) => glob(res, r.resource)),
    ),
  );
  return allowed ? 'Allowed' : 'ImplicitlyDenied';
}

/** Lambda's own needs, granted by TaskFunction to every function: its log group and X-Ray (tracing: ACTIVE). */
const RUNTIME_ACTIONS = new Set([
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

const grantedActions = (policies: PolicyDocument[]): string[] =>
  policies.flatMap((p) =>
    p.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat() as string[]),
  );

describe('IAM simulation of the approval functions and the Slack notifier', () => {
  const deployed = synthesize();
  const records = recordedRequests().filter((r) => Object.values(ENTRIES).includes(r.entry as never));

  it.each(Object.keys(ENTRIES) as FunctionName[])(
    '%s: every request its handler made is allowed, and its role grants nothing no request needed',
    async (name) => {
      // Prepare
      const mine = records.filter((r) => r.entry === ENTRIES[name]);
      // Act
      const denied: string[] = [];
      const used = new Map<string, Set<string>>();
      const unconfigured: string[] = [];
      let simulated = 0;
      for (const r of mine) {
        const targets = deployed[name]
          .map((fn) => ({ fn, input: deployedInput(r.input, fn.environment) as Input | undefined }))
          .filter((t): t is { fn: DeployedFunction; input: Input } => t.input !== undefined);
        if (targets.length === 0) unconfigured.push(`${r.client}.${r.operation} (${r.test})`);
        for (const { fn, input } of targets)
          for (const request of iamRequests(r, input, fn)) {
            simulated++;
            const decision = request.action.startsWith('states:SendTask')
              ? allowedByStatement(fn.policies, request)
              : await decide(fn.policies, request);
            if (decision === 'Allowed') {
              const set = used.get(fn.variant) ?? new Set<string>();
              set.add(request.action);
              used.set(fn.variant, set);
            } else denied.push(`${fn.variant}: ${request.action} on ${request.resource} (${decision}) from ${r.test}`);
          }
      }
      const unused = deployed[name].flatMap((fn) =>
        [...new Set(grantedActions(fn.policies))]
          .filter((a) => !RUNTIME_ACTIONS.has(a) && !used.get(fn.variant)?.has(a.replace(/\*$/, '')))
          .filter(
            (a) => !(a.endsWith('*') && [...(used.get(fn.variant) ?? [])].some((u) => u.startsWith(a.slice(0, -1)))),
          )
          .map((a) => `${fn.variant}: ${a}`),
      );
      // Assess
      process.stdout.write(
        `${name}: ${mine.length} recorded requests → ${simulated} IAM requests over ${deployed[name].length} configurations; denied ${denied.length}, unused grants ${unused.length}\n`,
      );
      expect(mine.length).toBeGreaterThan(0);
      expect(unconfigured).toEqual([]);
      expect(denied).toEqual([]);
      expect(unused).toEqual([]);
    },
  );
});
