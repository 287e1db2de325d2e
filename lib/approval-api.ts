import { Arn, ArnFormat, CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TaskFunction } from './task-function';

export interface ApprovalEmailProps {
  /** Sender address; an SES verified identity (the address itself or its domain). */
  readonly fromAddress: string;
  /**
   * The SES identity the sender belongs to, for the IAM grant.
   * @default the domain of `fromAddress`
   */
  readonly identity?: string;
  /**
   * An SES configuration set (keep click tracking off: a tracking redirect would log the signed link).
   * @default - none
   */
  readonly configurationSetName?: string;
}

export interface ApprovalSlackProps {
  /** Complete ARN of the Secrets Manager secret holding the bot token (xoxb-…, scopes chat:write, users:read.email). */
  readonly botTokenSecretArn: string;
  /** Complete ARN of the secret holding the Slack app's signing secret. */
  readonly signingSecretArn: string;
}

export interface ApprovalApiProps {
  /** Where each approval's request, decision and every refused attempt are written (the evidence bucket). */
  readonly artifactBucket: s3.IBucket;
  /**
   * E-mail through SES, with personal signed links.
   * @default - no SES (see `snsFallbackTopic`)
   */
  readonly email?: ApprovalEmailProps;
  /**
   * Where SES is not set up: an SNS topic with e-mail subscriptions gets the evidence, without decision links. The
   * decision is then made in Slack (if configured) or by an operator with IAM rights (`msk-migrate approve ID`).
   * @default - none
   */
  readonly snsFallbackTopic?: sns.ITopic;
  /**
   * Slack Block Kit message with Approve / Reject buttons, and the interactivity endpoint.
   * @default - no Slack
   */
  readonly slack?: ApprovalSlackProps;
  /**
   * Stage throttling: approvals are a handful of requests; anything more is abuse.
   * @default { rateLimit: 5, burstLimit: 10 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Removal policy of the approvals table and the access logs.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Retention of the API access logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** Schedules are named `msk-approval-<approval ID>` in the default group (lambdas/adapters/aws/scheduler-approval-reminders.ts). */
const SCHEDULE_PREFIX = 'msk-approval-';

/** The operator decision route (AWS_IAM authorization): `msk-migrate approve|reject` signs requests to it. */
export const OPERATOR_DECISION_PATH = '/operator/approvals/{approvalId}';

/** The operator abort route (AWS_IAM authorization): `msk-migrate abort` ends a waiting approval through it. */
export const OPERATOR_ABORT_PATH = '/operator/aborts';

/** The handlers of the approval API's functions (relative to the repository root). */
export const APPROVAL_API_ENTRIES = {
  endpoint: 'lambdas/approval/handler.ts',
  requestApproval: 'lambdas/tasks/request-approval/handler.ts',
} as const;

/**
 * The human approval of a migration: the RequestApproval task function (behind the `.waitForTaskToken` states), the
 * approval endpoint (HTTP API → one Lambda: confirmation page, form decision, Slack interactivity, reminders), the
 * approvals table (task tokens behind random IDs; TTL; point-in-time recovery), the generated link-signing key,
 * and the EventBridge Scheduler role for reminders.
 *
 * Wire it to the state machine with `grantStateMachine(stateMachine)` and substitute
 * `requestApprovalFunction.functionArn` for `${RequestApprovalFunctionArn}` in the ASL.
 */
export class ApprovalApi extends Construct {
  public readonly table: dynamodb.Table;
  public readonly httpApi: apigwv2.HttpApi;
  /** Base URL of the endpoint (no trailing slash): e-mail links and the Slack interactivity URL start with it. */
  public readonly url: string;
  /** `<url>/slack/interactivity`: paste it into the Slack app's Interactivity settings. */
  public readonly slackInteractivityUrl: string;
  public readonly signingKey: secretsmanager.Secret;
  /** The `.waitForTaskToken` Lambda (CutoverApproval, FinalizeApproval). */
  public readonly requestApprovalFunction: TaskFunction;
  /** The endpoint Lambda: pages, decisions, Slack, reminders. */
  public readonly endpointFunction: TaskFunction;
  public readonly reminderRole: iam.Role;
  /**
   * `execute-api:Invoke` resource of the operator decision route (`POST /operator/approvals/*` on the `$default`
   * stage): the only thing an operator needs to decide (`grantOperatorDecision`).
   */
  public readonly operatorDecisionRouteArn: string;
  /**
   * `execute-api:Invoke` resource of the operator abort route (`POST /operator/aborts` on the `$default` stage):
   * `msk-migrate abort` ends the execution's waiting approval with Migration.Aborted there (`grantOperatorAbort`).
   */
  public readonly operatorAbortRouteArn: string;

  constructor(scope: Construct, id: string, props: ApprovalApiProps) {
    super(scope, id);
    if (props.email && props.snsFallbackTopic) {
      throw new Error(
        'ApprovalApi: give either `email` (SES, personal links) or `snsFallbackTopic` (notice without links), not both.',
      );
    }
    if (!props.email && !props.snsFallbackTopic && !props.slack) {
      throw new Error(
        'ApprovalApi: nobody could be asked. Configure `email` (SES), `slack`, or `snsFallbackTopic` (a notice; approvers decide with `msk-migrate approve`).',
      );
    }
    for (const arn of props.slack ? [props.slack.botTokenSecretArn, props.slack.signingSecretArn] : []) {
      if (!Token.isUnresolved(arn)) assertCompleteSecretArn(arn);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);

    this.table = new dynamodb.Table(this, 'Approvals', {
      partitionKey: { name: 'approvalId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAtTtl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });

    this.signingKey = new secretsmanager.Secret(this, 'LinkSigningKey', {
      description: 'HMAC-SHA256 key that signs approval links and confirmation forms',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link-signing key invalidates every outstanding approval link; rotate it by hand between migrations (links live hours, not months).',
    });

    this.httpApi = new apigwv2.HttpApi(this, 'Api', {
      description: 'MSK migration approvals: confirmation page, decision form, Slack interactivity',
      createDefaultStage: false,
    });
    this.url = this.httpApi.apiEndpoint;
    this.slackInteractivityUrl = `${this.url}/slack/interactivity`;

    const common: Record<string, string> = {
      APPROVAL_TABLE_NAME: this.table.tableName,
      APPROVAL_BASE_URL: this.url,
      SIGNING_KEY_SECRET_ARN: this.signingKey.secretArn,
      ARTIFACT_BUCKET_NAME: props.artifactBucket.bucketName,
      ...(props.email ? { SES_FROM_ADDRESS: props.email.fromAddress } : {}),
      ...(props.email?.configurationSetName ? { SES_CONFIGURATION_SET: props.email.configurationSetName } : {}),
      ...(props.snsFallbackTopic ? { SNS_FALLBACK_TOPIC_ARN: props.snsFallbackTopic.topicArn } : {}),
      ...(props.slack
        ? {
            SLACK_BOT_TOKEN_SECRET_ARN: props.slack.botTokenSecretArn,
            SLACK_SIGNING_SECRET_ARN: props.slack.signingSecretArn,
          }
        : {}),
    };

    // Both handlers in one esbuild run (a no-op when the orchestrator has bundled them with the others).
    TaskFunction.prebuild(this, Object.values(APPROVAL_API_ENTRIES));
    this.endpointFunction = new TaskFunction(this, 'EndpointFn', {
      entry: APPROVAL_API_ENTRIES.endpoint,
      description: 'Approval endpoint: confirmation page, signed form decision, Slack interactivity, reminders',
      // Slack waits 3 s for the answer; a decision is a few hundred milliseconds when warm.
      timeout: Duration.seconds(10),
      environment: { ...common, REMINDERS_ENABLED: 'true' },
    });

    this.reminderRole = new iam.Role(this, 'ReminderSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler invokes the approval endpoint function with a reminder event',
    });
    this.endpointFunction.grantInvoke(this.reminderRole);

    this.requestApprovalFunction = new TaskFunction(this, 'RequestApprovalFn', {
      entry: APPROVAL_API_ENTRIES.requestApproval,
      description:
        'CutoverApproval / FinalizeApproval: stores the task token behind an approval ID, sends e-mail and Slack',
      timeout: Duration.seconds(30),
      environment: {
        ...common,
        REMINDER_TARGET_ARN: this.endpointFunction.functionArn,
        REMINDER_ROLE_ARN: this.reminderRole.roleArn,
      },
    });

    // Least privilege, per function: what each one's code calls (test/iam/approval-functions.test.ts simulates the
    // requests its handler makes against these grants, and fails on a grant no request uses).
    // RequestApproval stores the approval (PutItem) and its Slack message reference (UpdateItem); the endpoint reads
    // it (GetItem) and claims, releases, reminds and expires it (UpdateItem).
    this.table.grant(this.requestApprovalFunction, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    this.table.grant(this.endpointFunction, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    const readSecret = (fn: TaskFunction, secretArn: string): void => {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
      );
    };
    const putEvidence = (fn: TaskFunction, prefix: string): void => {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.artifactBucket.arnForObjects(prefix)] }),
      );
      if (props.artifactBucket.encryptionKey) props.artifactBucket.encryptionKey.grantEncrypt(fn);
    };
    for (const fn of [this.requestApprovalFunction, this.endpointFunction]) {
      readSecret(fn, this.signingKey.secretArn);
      putEvidence(fn, 'migrations/*');
      if (props.snsFallbackTopic) {
        props.snsFallbackTopic.grantPublish(fn);
        if (props.snsFallbackTopic.masterKey) {
          Validations.of(fn.role ?? fn).acknowledge({
            id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
            reason:
              "Publishing to the KMS-encrypted fallback topic needs the GenerateDataKey family on that topic's key only (grantPublish scopes it to the key ARN).",
          });
        }
      }
      if (props.slack) readSecret(fn, props.slack.botTokenSecretArn);
      if (props.email) {
        const identity = props.email.identity ?? props.email.fromAddress.split('@').pop() ?? props.email.fromAddress;
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [
              stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
              ...(props.email.configurationSetName
                ? [
                    stack.formatArn({
                      service: 'ses',
                      resource: 'configuration-set',
                      resourceName: props.email.configurationSetName,
                    }),
                  ]
                : []),
            ],
          }),
        );
      }
    }
    putEvidence(this.endpointFunction, 'approvals/unmatched/*');
    if (props.slack) readSecret(this.endpointFunction, props.slack.signingSecretArn);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `default/${SCHEDULE_PREFIX}*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.requestApprovalFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [schedules] }),
    );
    this.requestApprovalFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.reminderRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    this.endpointFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['scheduler:DeleteSchedule'], resources: [schedules] }),
    );

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 5, burstLimit: 10 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // The route template, never the path with its query string (signatures) nor any header (Slack signatures).
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            error: '$context.error.message',
          }),
        ),
      },
    });

    const integration = new HttpLambdaIntegration('Endpoint', this.endpointFunction, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.httpApi.addRoutes({
      path: '/approvals/{approvalId}',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration,
    });
    if (props.slack)
      this.httpApi.addRoutes({ path: '/slack/interactivity', methods: [apigwv2.HttpMethod.POST], integration });
    // Operators decide here with a SigV4-signed request; API Gateway verifies it and hands the function the caller's
    // IAM principal (requestContext.authorizer.iam), which the function matches against the plan's IAM approvers.
    const [operatorRoute] = this.httpApi.addRoutes({
      path: OPERATOR_DECISION_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    this.operatorDecisionRouteArn = this.httpApi.arnForExecuteApi('POST', '/operator/approvals/*', '$default');
    // `msk-migrate abort` ends a waiting approval here (the caller's IAM principal is recorded as who aborted; an abort
    // never approves, so no approver list applies: the route's IAM permission is the abort permission).
    const [abortRoute] = this.httpApi.addRoutes({
      path: OPERATOR_ABORT_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    this.operatorAbortRouteArn = this.httpApi.arnForExecuteApi('POST', OPERATOR_ABORT_PATH, '$default');

    for (const route of this.httpApi.node
      .findAll()
      .filter(
        (c): c is apigwv2.HttpRoute => c instanceof apigwv2.HttpRoute && c !== operatorRoute && c !== abortRoute,
      )) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Each request authenticates itself: an HMAC-signed link and form token (e-mail) or Slack's v0 request signature, verified by the function; approvers have no AWS identity to authorize.",
      });
    }
    for (const fn of [this.requestApprovalFunction, this.endpointFunction]) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.artifactBucket.node.defaultChild as CfnElement)}.Arn>/migrations/*]`,
        reason:
          'Audit and request evidence are written under migrations/<migration>/<execution>/approvals/, keys unknown until run time.',
      });
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:schedule/default/${SCHEDULE_PREFIX}*]`,
        reason: 'One reminder schedule per approval, named after its random approval ID.',
      });
    }
    Validations.of(this.endpointFunction.role ?? this.endpointFunction).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.artifactBucket.node.defaultChild as CfnElement)}.Arn>/approvals/unmatched/*]`,
      reason: 'Refused attempts that match no approval are audited under approvals/unmatched/<date>/.',
    });
    Validations.of(this.reminderRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.endpointFunction.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'grantInvoke also allows the published versions and aliases of the endpoint function (`<arn>:*`), nothing else.',
    });
  }

  /**
   * Lets `grantee` decide approvals through the approval service: `execute-api:Invoke` on the operator decision
   * route only. The service still decides only if the grantee's IAM principal is in the plan's `approval.approvers`;
   * no grantee ever gets the task token, the approvals table or states:SendTask*.
   */
  grantOperatorDecision(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.operatorDecisionRouteArn],
    });
  }

  /** execute-api:Invoke on the operator abort route only (`msk-migrate abort`; MigrationOrchestrator.grantAbort). */
  grantOperatorAbort(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [this.operatorAbortRouteArn],
    });
  }

  /**
   * Lets `stateMachine` invoke RequestApproval, and the endpoint answer its task tokens (SendTaskSuccess /
   * SendTaskFailure on that state machine only). The task-response grant is a separate IAM
   * policy, so the endpoint function does not depend on the state machine (which depends on RequestApproval).
   */
  grantStateMachine(stateMachine: sfn.IStateMachine): void {
    // Its published versions only: the definition names RequestApproval's version (lib/migration-orchestrator.ts).
    iam.Grant.addToPrincipal({
      grantee: stateMachine,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [`${this.requestApprovalFunction.functionArn}:*`],
    });
    const policy = new iam.Policy(
      this,
      `TaskResponse${this.node.children.filter((c) => c instanceof iam.Policy).length}`,
      {
        statements: [
          new iam.PolicyStatement({
            // No heartbeat: the endpoint never sends one (the approval's deadline is a schedule, not HeartbeatSeconds).
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            resources: [stateMachine.stateMachineArn],
          }),
        ],
      },
    );
    if (this.endpointFunction.role) policy.attachToRole(this.endpointFunction.role);
  }
}

/** The ARN of a secret as given, checked at synth for the one mistake that makes grants silently wrong. */
export function assertCompleteSecretArn(arn: string): void {
  if (!Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME).resourceName?.match(/-[A-Za-z0-9]{6}$/)) {
    throw new Error(
      `ApprovalApi: ${arn} is not a complete secret ARN (it must end with the 6-character suffix Secrets Manager adds).`,
    );
  }
}
