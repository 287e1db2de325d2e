import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { MigrationOrchestrator, MigrationOrchestratorProps } from './migration-orchestrator';

export interface MigrationStackProps extends StackProps {
  /**
   * Passed through to the orchestrator construct.
   * @default - read from the CDK context (`orchestratorPropsFromContext`)
   */
  readonly orchestrator?: MigrationOrchestratorProps;
}

/**
 * The CDK context keys `cdk deploy -c key=value` understands (docs/deploy.md). Lists are comma-separated.
 * `vpcId` is looked up (`Vpc.fromLookup`, cached in cdk.context.json): it needs credentials at the first synth.
 */
export const CONTEXT_KEYS = {
  vpcId: 'vpcId',
  subnetIds: 'subnetIds',
  securityGroupIds: 'securityGroupIds',
  approvalFromAddress: 'approvalFromAddress',
  slackBotTokenSecretArn: 'slackBotTokenSecretArn',
  slackSigningSecretArn: 'slackSigningSecretArn',
  slackChannelId: 'slackChannelId',
  notificationEmails: 'notificationEmails',
  sourceClusterArns: 'sourceClusterArns',
  targetClusterArns: 'targetClusterArns',
  secretArns: 'secretArns',
  secretKeyArns: 'secretKeyArns',
  targetClusterKeyArns: 'targetClusterKeyArns',
  cutoverParameterPrefix: 'cutoverParameterPrefix',
  cutoverHostedZoneIds: 'cutoverHostedZoneIds',
  cutoverHookFunctionArns: 'cutoverHookFunctionArns',
  writeFenceRoleArns: 'writeFenceRoleArns',
  clientSwitchTaskRoleArns: 'clientSwitchTaskRoleArns',
  clientSwitchEcsServiceArns: 'clientSwitchEcsServiceArns',
  schemaRegistryArns: 'schemaRegistryArns',
} as const;

/** Orchestrator props from `-c` context values (strings; lists comma-separated). Unset keys keep the construct's defaults. */
export function orchestratorPropsFromContext(stack: Stack): MigrationOrchestratorProps {
  const text = (key: string): string | undefined => {
    const value: unknown = stack.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string')
      throw new Error(`Context ${key} must be a string (comma-separated for lists), got ${JSON.stringify(value)}.`);
    return value.trim();
  };
  const list = (key: string): string[] | undefined =>
    text(key)
      ?.split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');

  const vpcId = text(CONTEXT_KEYS.vpcId);
  const subnetIds = list(CONTEXT_KEYS.subnetIds);
  const securityGroupIds = list(CONTEXT_KEYS.securityGroupIds);
  if (!vpcId && (subnetIds || securityGroupIds)) {
    throw new Error(
      `Context ${CONTEXT_KEYS.subnetIds} / ${CONTEXT_KEYS.securityGroupIds} need ${CONTEXT_KEYS.vpcId} (the VPC they belong to).`,
    );
  }
  const vpc = vpcId ? ec2.Vpc.fromLookup(stack, 'Vpc', { vpcId }) : undefined;

  const fromAddress = text(CONTEXT_KEYS.approvalFromAddress);
  const botTokenSecretArn = text(CONTEXT_KEYS.slackBotTokenSecretArn);
  const signingSecretArn = text(CONTEXT_KEYS.slackSigningSecretArn);
  if (Boolean(botTokenSecretArn) !== Boolean(signingSecretArn)) {
    throw new Error(
      `Slack approvals need both ${CONTEXT_KEYS.slackBotTokenSecretArn} and ${CONTEXT_KEYS.slackSigningSecretArn} (complete secret ARNs).`,
    );
  }
  const channelId = text(CONTEXT_KEYS.slackChannelId);
  if (channelId && !botTokenSecretArn)
    throw new Error(
      `Context ${CONTEXT_KEYS.slackChannelId} needs ${CONTEXT_KEYS.slackBotTokenSecretArn} (the bot that posts).`,
    );

  const optional = <K extends keyof MigrationOrchestratorProps>(
    key: K,
    value: MigrationOrchestratorProps[K] | undefined,
  ): Partial<MigrationOrchestratorProps> =>
    value === undefined ? {} : ({ [key]: value } as Partial<MigrationOrchestratorProps>);
  return {
    ...optional('vpc', vpc),
    ...optional(
      'vpcSubnets',
      vpc && subnetIds
        ? { subnets: subnetIds.map((id, i) => ec2.Subnet.fromSubnetId(stack, `Subnet${i}`, id)) }
        : undefined,
    ),
    ...optional(
      'securityGroups',
      securityGroupIds?.map((id, i) => ec2.SecurityGroup.fromSecurityGroupId(stack, `SecurityGroup${i}`, id)),
    ),
    ...optional(
      'approval',
      fromAddress || botTokenSecretArn
        ? {
            ...(fromAddress ? { email: { fromAddress } } : {}),
            ...(botTokenSecretArn && signingSecretArn ? { slack: { botTokenSecretArn, signingSecretArn } } : {}),
          }
        : undefined,
    ),
    ...optional('notificationEmails', list(CONTEXT_KEYS.notificationEmails)),
    ...optional('notificationSlack', channelId && botTokenSecretArn ? { channelId, botTokenSecretArn } : undefined),
    ...optional('sourceClusterArns', list(CONTEXT_KEYS.sourceClusterArns)),
    ...optional('targetClusterArns', list(CONTEXT_KEYS.targetClusterArns)),
    ...optional('secretArns', list(CONTEXT_KEYS.secretArns)),
    ...optional('secretKeyArns', list(CONTEXT_KEYS.secretKeyArns)),
    ...optional('targetClusterKeyArns', list(CONTEXT_KEYS.targetClusterKeyArns)),
    ...optional('schemaRegistryArns', list(CONTEXT_KEYS.schemaRegistryArns)),
    ...optional('cutoverParameterPrefix', text(CONTEXT_KEYS.cutoverParameterPrefix)),
    ...optional('cutoverHostedZoneIds', list(CONTEXT_KEYS.cutoverHostedZoneIds)),
    ...optional('cutoverHookFunctionArns', list(CONTEXT_KEYS.cutoverHookFunctionArns)),
    ...optional('writeFenceRoleArns', list(CONTEXT_KEYS.writeFenceRoleArns)),
    ...optional('clientSwitchTaskRoleArns', list(CONTEXT_KEYS.clientSwitchTaskRoleArns)),
    ...optional('clientSwitchEcsServiceArns', list(CONTEXT_KEYS.clientSwitchEcsServiceArns)),
  };
}

/** The stack that `bin/msk-migration.ts` deploys: one orchestrator and its outputs. */
export class MigrationStack extends Stack {
  public readonly orchestrator: MigrationOrchestrator;

  constructor(scope: Construct, id: string, props: MigrationStackProps = {}) {
    super(scope, id, props);
    const orchestratorProps = props.orchestrator ?? orchestratorPropsFromContext(this);
    const o = (this.orchestrator = new MigrationOrchestrator(this, 'Orchestrator', orchestratorProps));
    new CfnOutput(this, 'StateMachineArn', {
      value: o.stateMachine.stateMachineArn,
      description:
        'msk-migrate start FILE starts through its live alias; status, report and abort find executions here',
    });
    new CfnOutput(this, 'StateMachineAliasArn', {
      value: o.stateMachineAliasArn,
      description: 'The live alias: the version the last deploy published (start console executions here)',
    });
    new CfnOutput(this, 'MigrationLockTableName', {
      value: o.lockTable.tableName,
      description:
        'One migration per cluster, and abort requests: msk-migrate abort --lock-table (MSK_MIGRATION_LOCK_TABLE)',
    });
    new CfnOutput(this, 'EvidenceBucketName', {
      value: o.artifactBucket.bucketName,
      description: 'Inventory, assessment, approvals and reports under migrations/<migration>/<execution>/',
    });
    new CfnOutput(this, 'ApprovalTableName', {
      value: o.approvalApi.table.tableName,
      description: 'The approvals table: task tokens behind approval IDs, read only by the approval functions',
    });
    new CfnOutput(this, 'ApprovalUrl', {
      value: o.approvalApi.url,
      description: 'Base URL of the approval links; msk-migrate approve|reject --api-url (MSK_MIGRATION_APPROVAL_URL)',
    });
    if (orchestratorProps.approval?.slack) {
      new CfnOutput(this, 'SlackInteractivityUrl', {
        value: o.approvalApi.slackInteractivityUrl,
        description: 'Paste into the Slack app: Interactivity & Shortcuts → Request URL',
      });
    }
    new CfnOutput(this, 'DashboardName', {
      value: o.dashboard.dashboard.dashboardName,
      description: 'CloudWatch dashboard of the migrations',
    });
    new CfnOutput(this, 'NotificationTopicArn', {
      value: o.notifications.topic.topicArn,
      description: 'Phase changes and execution status; subscribe more endpoints here',
    });
  }
}
