import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApprovalApi } from '../../lib/approval-api';
import { TaskFunction } from '../../lib/task-function';

const SLACK = {
  botTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-bot-AbCdEf',
  signingSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-signing-GhIjKl',
};

/** The approval API as the orchestrator wires it: evidence bucket, the ASL substituting RequestApproval's ARN. */
function build(
  props: Partial<ConstructorParameters<typeof ApprovalApi>[2]> = {},
  envAgnostic = false,
): { app: App; stack: Stack; api: ApprovalApi; template: Template } {
  const app = new App();
  const stack = new Stack(
    app,
    'ApprovalStack',
    envAgnostic ? {} : { env: { account: '111122223333', region: 'eu-west-1' } },
  );
  const bucket = new s3.Bucket(stack, 'Evidence', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    serverAccessLogsPrefix: 'logs/',
  });
  const api = new ApprovalApi(stack, 'Approval', {
    artifactBucket: bucket,
    email: { fromAddress: 'migrations@example.com' },
    slack: SLACK,
    ...props,
  });
  const machine = new sfn.StateMachine(stack, 'Machine', {
    definitionBody: sfn.DefinitionBody.fromString(
      JSON.stringify({
        StartAt: 'CutoverApproval',
        States: {
          CutoverApproval: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: {
              FunctionName: '${RequestApprovalFunctionArn}',
              Payload: {
                'taskToken.$': '$$.Task.Token',
                'executionId.$': '$$.Execution.Id',
                kind: 'CUTOVER',
                'state.$': '$',
              },
            },
            TimeoutSeconds: 7200,
            End: true,
          },
        },
      }),
    ),
    definitionSubstitutions: { RequestApprovalFunctionArn: api.requestApprovalFunction.functionArn },
    tracingEnabled: true,
  });
  api.grantStateMachine(machine);
  return { app, stack, api, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Properties?: unknown; DependsOn?: string | string[] }>;

/** Logical IDs each resource refers to (Ref, Fn::GetAtt, DependsOn), to find CloudFormation dependency cycles. */
function dependencyCycle(resources: Resources): string[] | undefined {
  const edges = new Map<string, Set<string>>();
  const collect = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) node.forEach((n) => collect(n, into));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'Ref' && typeof v === 'string' && v in resources) into.add(v);
        else if (k === 'Fn::GetAtt' && Array.isArray(v) && typeof v[0] === 'string') into.add(v[0]);
        else collect(v, into);
      }
    }
  };
  for (const [id, r] of Object.entries(resources)) {
    const deps = new Set<string>();
    collect(r.Properties, deps);
    for (const d of [r.DependsOn ?? []].flat()) deps.add(d);
    edges.set(id, deps);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const d of edges.get(id) ?? []) {
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('ApprovalApi', () => {
  const built = build();
  const { template } = built;

  it('keeps approvals in a DynamoDB table with TTL, point-in-time recovery and retention', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAtTtl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('generates the link-signing key in Secrets Manager and passes only ARNs to the functions', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }>;
    const approvalFns = functions.filter((f) => 'APPROVAL_TABLE_NAME' in f.Properties.Environment.Variables);
    expect(approvalFns).toHaveLength(2);
    for (const fn of approvalFns) {
      const vars = fn.Properties.Environment.Variables;
      expect(vars.SLACK_BOT_TOKEN_SECRET_ARN).toBe(SLACK.botTokenSecretArn);
      expect(vars.SIGNING_KEY_SECRET_ARN).toEqual({ Ref: expect.stringMatching(/LinkSigningKey/) });
      expect(JSON.stringify(vars)).not.toMatch(/xox[bp]-/);
    }
  });

  it('throttles the stage and writes access logs without paths, query strings or headers', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
      Properties: { DefaultRouteSettings: unknown; AccessLogSettings: { Format: string } };
    };
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    const format = stage.Properties.AccessLogSettings.Format;
    expect(format).toContain('$context.routeKey');
    for (const leak of ['$context.path', 'querystring', '$input', '$request', 'header', 'signature'])
      expect(format.toLowerCase()).not.toContain(leak.toLowerCase());
  });

  it('routes the e-mail, Slack and operator decisions and the operator abort to the endpoint function; only the operator routes take AWS_IAM', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .map((r) => (r as { Properties: { RouteKey: string; AuthorizationType?: string } }).Properties)
      .map((p) => `${p.RouteKey} ${p.AuthorizationType ?? 'NONE'}`)
      .sort();
    expect(routes).toEqual([
      'GET /approvals/{approvalId} NONE',
      'POST /approvals/{approvalId} NONE',
      'POST /operator/aborts AWS_IAM',
      'POST /operator/approvals/{approvalId} AWS_IAM',
      'POST /slack/interactivity NONE',
    ]);
  });

  it('lets the endpoint answer task tokens of this state machine only, and the state machine invoke RequestApproval', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            Effect: 'Allow',
            Resource: { Ref: Match.stringLikeRegexp('Machine') },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            // Its published versions only (the definition names a version).
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('RequestApprovalFn'), 'Arn'] }, ':*']],
            },
          }),
        ]),
      },
    });
  });

  it('schedules reminders through a role only EventBridge Scheduler of this account can assume', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'iam:PassRole',
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          }),
        ]),
      },
    });
  });

  it('has no CloudFormation dependency cycle when the state machine substitutes RequestApproval and grants task responses', () => {
    expect(dependencyCycle(template.toJSON().Resources as Resources)).toBeUndefined();
  });

  it.each([
    ['in an account and region', false],
    ['environment-agnostic', true],
  ])('passes cdk-nag AwsSolutions %s, every finding fixed or acknowledged with a reason', (_where, envAgnostic) => {
    const { app, stack } = envAgnostic ? build({}, true) : { app: built.app, stack: built.stack };
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    // Findings on the test's own bucket and state machine are not this construct's business.
    const unexplained = report.violations.flatMap((v) =>
      v.violatingResources
        .filter((r) => (r.constructPath ?? '').includes('/Approval/'))
        .map((r) => `${v.ruleName} ${r.constructPath}: ${v.description.slice(0, 120)}`),
    );
    expect(unexplained).toEqual([]);
  });

  it('refuses contradictory or empty channel settings at synth', () => {
    const app2 = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
    const stack2 = new Stack(app2, 'S');
    const bucket = new s3.Bucket(stack2, 'B');
    const topic = new sns.Topic(stack2, 'T');
    expect(
      () =>
        new ApprovalApi(stack2, 'Both', {
          artifactBucket: bucket,
          email: { fromAddress: 'a@example.com' },
          snsFallbackTopic: topic,
          slack: SLACK,
        }),
    ).toThrow(/either `email`/);
    expect(() => new ApprovalApi(stack2, 'None', { artifactBucket: bucket })).toThrow(/nobody could be asked/);
    // An SNS notice alone is enough: the decision is then an operator's `msk-migrate approve` (IAM identity, audited).
    expect(() => new ApprovalApi(stack2, 'SnsOnly', { artifactBucket: bucket, snsFallbackTopic: topic })).not.toThrow();
    expect(
      () =>
        new ApprovalApi(stack2, 'Partial', {
          artifactBucket: bucket,
          slack: { ...SLACK, signingSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:slack' },
        }),
    ).toThrow(/not a complete secret ARN/);
  });
});
