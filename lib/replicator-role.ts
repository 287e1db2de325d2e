import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface ReplicatorRoleProps {
  /**
   * Which service assumes the role: MSK Replicator (`kafka.amazonaws.com`) or MirrorMaker 2 on MSK Connect
   * (`kafkaconnect.amazonaws.com`).
   * @default 'MSK_REPLICATOR'
   */
  readonly engine?: 'MSK_REPLICATOR' | 'MSK_CONNECT';
  /**
   * Source cluster ARNs (`arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`), written literally. The role
   * only reads there. @default every MSK cluster of this account and Region
   */
  readonly sourceClusterArns?: readonly string[];
  /**
   * Target cluster ARNs (MSK targets only). @default every MSK cluster of this account and Region
   */
  readonly targetClusterArns?: readonly string[];
  /**
   * Secrets Manager secrets MirrorMaker 2 reads SASL/SCRAM credentials from (MSK Connect only).
   * @default none
   */
  readonly scramSecretArns?: readonly string[];
}

/**
 * The service execution role of the replication engine, least privilege per side: on the source it connects,
 * reads the replicated topics and their configs and describes consumer groups; on the target it creates and
 * writes the replicated topics and commits translated group offsets. Both sides allow the replicator's
 * internal (`__`-prefixed) topics, which it manages itself.
 *
 * Wire it in the orchestrator: pass `role.roleArn` to the StartReplication function's environment
 * (`REPLICATOR_ROLE_ARN`) and call `grantStartReplication(fn)` on it, which also gives `iam:PassRole`.
 */
export class ReplicatorRole extends Construct {
  public readonly role: iam.Role;
  public readonly engine: 'MSK_REPLICATOR' | 'MSK_CONNECT';

  constructor(scope: Construct, id: string, props: ReplicatorRoleProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    this.engine = props.engine ?? 'MSK_REPLICATOR';
    const principal = this.engine === 'MSK_REPLICATOR' ? 'kafka.amazonaws.com' : 'kafkaconnect.amazonaws.com';

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal(principal, {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Service execution role of the migration's ${this.engine === 'MSK_REPLICATOR' ? 'MSK Replicator' : 'MirrorMaker 2 connectors'}`,
    });

    const anyCluster = {
      cluster: stack.formatArn({ service: 'kafka', resource: 'cluster', resourceName: '*/*' }),
      topics: stack.formatArn({ service: 'kafka', resource: 'topic', resourceName: '*/*/*' }),
      internalTopics: stack.formatArn({ service: 'kafka', resource: 'topic', resourceName: '*/*/__*' }),
      groups: stack.formatArn({ service: 'kafka', resource: 'group', resourceName: '*/*/*' }),
    };
    const source = props.sourceClusterArns ? props.sourceClusterArns.map((arn) => kafkaResources(arn)) : [anyCluster];
    const target = props.targetClusterArns ? props.targetClusterArns.map((arn) => kafkaResources(arn)) : [anyCluster];

    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectToBothClusters',
        actions: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeCluster',
          'kafka-cluster:AlterCluster',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
          'kafka-cluster:WriteDataIdempotently',
        ],
        resources: [...source.map((r) => r.cluster), ...target.map((r) => r.cluster)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceTopics',
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:ReadData',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
        ],
        resources: source.map((r) => r.topics),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeSourceGroups',
        actions: ['kafka-cluster:DescribeGroup'],
        resources: source.map((r) => r.groups),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReplicatorInternalTopicsOnSource',
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
        ],
        resources: source.map((r) => r.internalTopics),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteTargetTopics',
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:WriteData',
          'kafka-cluster:ReadData',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: target.map((r) => r.topics),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CommitTranslatedGroupOffsetsOnTarget',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: target.map((r) => r.groups),
      }),
    );
    if (props.scramSecretArns && props.scramSecretArns.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadScramSecrets',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [...props.scramSecretArns],
        }),
      );
    }
    const wildcards = new Set(
      [...source, ...target]
        .flatMap((r) => [r.cluster, r.topics, r.internalTopics, r.groups])
        .filter((arn) => Token.isUnresolved(arn) || arn.includes('*')),
    );
    for (const arn of wildcards) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(stack, arn)}]`,
        reason:
          'MSK IAM resources are topic/<cluster>/<uuid>/<topic> and group/<cluster>/<uuid>/<group>: the replicated topic and group names come from each execution input (include patterns), so they end in a wildcard under the named clusters (every cluster of this account and Region when none is named).',
      });
    }
  }

  /**
   * What the StartReplication / CheckReplicationStatus / rollback functions need: manage replicators (or
   * connectors) and pass this role to the service, nothing else.
   */
  public grantStartReplication(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const service = this.engine === 'MSK_REPLICATOR' ? 'kafka.amazonaws.com' : 'kafkaconnect.amazonaws.com';
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [this.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': service } },
    });
    if (this.engine === 'MSK_REPLICATOR') {
      return iam.Grant.addToPrincipal({
        grantee,
        actions: [
          'kafka:CreateReplicator',
          'kafka:DescribeReplicator',
          'kafka:DeleteReplicator',
          'kafka:ListReplicators',
          'kafka:TagResource',
          'kafka:DescribeClusterV2',
          'kafka:GetBootstrapBrokers',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:DescribeSecurityGroups',
          'ec2:CreateNetworkInterface',
        ],
        resourceArns: ['*'],
      });
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'kafkaconnect:CreateConnector',
        'kafkaconnect:DescribeConnector',
        'kafkaconnect:DeleteConnector',
        'kafkaconnect:ListConnectors',
        'kafkaconnect:ListTagsForResource',
        'kafkaconnect:TagResource',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'ec2:DescribeSecurityGroups',
        'ec2:CreateNetworkInterface',
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:ListLogDeliveries',
      ],
      resourceArns: ['*'],
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kafkaconnect:DescribeCustomPlugin', 'kafkaconnect:DescribeWorkerConfiguration'],
        resourceArns: [
          stack.formatArn({ service: 'kafkaconnect', resource: 'custom-plugin', resourceName: '*' }),
          stack.formatArn({ service: 'kafkaconnect', resource: 'worker-configuration', resourceName: '*' }),
        ],
      }),
    );
  }
}

/** The resource as cdk-nag names it in a finding id (tokens flattened to `<AWS::Region>`-style placeholders). */
export function nagResourceName(stack: Stack, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const n = node as Record<string, unknown>;
    if (Array.isArray(n['Fn::Join'])) {
      const [delimiter, items] = n['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (n.Ref !== undefined) return `<${visit(n.Ref)}>`;
    if (Array.isArray(n['Fn::GetAtt'])) {
      const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
      return `<${visit(resource)}.${visit(attribute)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(stack.resolve(value));
}

/** The topic and group ARN patterns under one MSK cluster ARN (literal; wildcards in the name and UUID allowed). */
export function kafkaResources(clusterArn: string): {
  cluster: string;
  topics: string;
  internalTopics: string;
  groups: string;
} {
  if (Token.isUnresolved(clusterArn)) {
    throw new Error(
      'ReplicatorRole: pass cluster ARNs as literal strings (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>), not tokens: topic and group ARNs are derived from them.',
    );
  }
  const match = /^(arn:[^:]+:kafka:[^:]*:[^:]*:)cluster\/(.+)$/.exec(clusterArn);
  if (!match)
    throw new Error(
      `ReplicatorRole: ${clusterArn} is not an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>).`,
    );
  const [, prefix, nameAndUuid] = match as unknown as [string, string, string];
  return {
    cluster: clusterArn,
    topics: `${prefix}topic/${nameAndUuid}/*`,
    internalTopics: `${prefix}topic/${nameAndUuid}/__*`,
    groups: `${prefix}group/${nameAndUuid}/*`,
  };
}
