import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MigrationOrchestrator, type MigrationOrchestratorProps } from '../../lib/migration-orchestrator';
import { TaskFunction } from '../../lib/task-function';

/**
 * The configurations a first deployer uses, synthesized and checked as CloudFormation would take them: cfn-lint
 * (pinned in test/aws-api/requirements.txt, installed by .ci/install-aws-emulator) with 0 errors, and cdk-nag
 * AwsSolutions clean. One in a VPC with SES, Slack, named clusters, a hosted zone, hooks and a parameter prefix; one
 * in the aws-cn partition.
 */

const CFN_LINT = path.join(__dirname, '../../.venv/aws-emulator/bin/cfn-lint');
const SECRET = (region: string, partition: string, name: string): string =>
  `arn:${partition}:secretsmanager:${region}:111122223333:secret:${name}-AbCdEf`;

function variant(region: string, partition: string, withVpc: boolean): { stack: Stack; app: App } {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new Stack(app, `Variant${partition.replace(/-/g, '')}`, { env: { account: '111122223333', region } });
  const kafka = (name: string): string => `arn:${partition}:kafka:${region}:111122223333:cluster/${name}/*`;
  const props: MigrationOrchestratorProps = {
    ...(withVpc
      ? {
          vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
            vpcId: 'vpc-0123456789abcdef0',
            availabilityZones: [`${region}a`, `${region}b`],
            privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
          }),
        }
      : {}),
    approval: {
      email: { fromAddress: 'migrations@example.com' },
      slack: {
        botTokenSecretArn: SECRET(region, partition, 'slack-bot-token'),
        signingSecretArn: SECRET(region, partition, 'slack-signing-secret'),
      },
    },
    notificationSlack: { channelId: 'C0123456789', botTokenSecretArn: SECRET(region, partition, 'slack-bot-token') },
    notificationEmails: ['platform@example.com'],
    sourceClusterArns: [kafka('orders')],
    targetClusterArns: [kafka('orders-serverless')],
    secretArns: [SECRET(region, partition, 'AmazonMSK_orders')],
    cutoverParameterPrefix: '/orders/kafka/',
    cutoverHostedZoneIds: ['Z0123456789ABCDEFGHIJ'],
    cutoverHookFunctionArns: [`arn:${partition}:lambda:${region}:111122223333:function:orders-switch`],
  };
  new MigrationOrchestrator(stack, 'Orchestrator', props);
  return { stack, app };
}

function cfnLint(stack: Stack): { status: number; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  const file = path.join(dir, `${stack.stackName}.template.json`);
  fs.writeFileSync(file, JSON.stringify(Template.fromStack(stack).toJSON()));
  const run = spawnSync(CFN_LINT, ['--regions', stack.region, '--format', 'parseable', '--', file], {
    encoding: 'utf8',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

describe.each([
  ['a VPC, SES, Slack, named clusters and a hosted zone', 'eu-west-1', 'aws', true],
  ['the aws-cn partition', 'cn-north-1', 'aws-cn', false],
] as const)('the orchestrator deployed with %s', (_name, region, partition, withVpc) => {
  const { stack, app } = variant(region, partition, withVpc);

  it('passes cfn-lint with 0 errors', () => {
    expect(fs.existsSync(CFN_LINT)).toBe(true);
    const { status, output } = cfnLint(stack);
    // cfn-lint's exit status is a bit mask: 2 = errors, 4 = warnings, 8 = informational.
    const errors = output.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(status & 2).toBe(0);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
  });

  it(`names the ${partition} partition only through AWS::Partition`, () => {
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toMatch(
      /arn:aws(-cn)?:(?!kafka|secretsmanager|lambda)/,
    );
  });
});
