import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { App } from 'aws-cdk-lib';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';
import { emulatorClientConfig, emulatorS3Config } from './emulator/aws-clients';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, startMotoServer, type MotoServer } from './emulator/moto-server';
import { awsQuery, xmlValues } from './emulator/raw-aws';

/**
 * Deploy smoke test: the app's stack, synthesized as `cdk synth` does (DefaultStackSynthesizer, asset manifest),
 * deployed as `cdk deploy` does (assets to the bootstrap bucket, then CloudFormation CreateStack), on moto.
 *
 * What this does not prove, on purpose:
 * - the task functions carry the placeholder inline code of TaskFunction.INLINE_CODE_CONTEXT instead of 24 esbuild
 *   bundles: moto cannot run a Lambda without Docker, so the bundles would only be bytes in a bucket, and bundling
 *   them would cost most of this tier's time budget;
 * - the state machine's definition: the ASL is the workflow tier's subject. Here a state machine must exist.
 * - the HTTP API of the approval endpoint (API Gateway v2) and the state machine's published version and `live` alias:
 *   moto's CloudFormation cannot create them (MOTO_CANNOT_CREATE),
 *   so those resources are removed before CreateStack, by a rule the test states, and everything else must be created.
 */

/**
 * Resource types of this stack that moto 5.2.5's CloudFormation cannot create: a stack holding one fails CreateStack
 * with a 500 ("No Moto CloudFormation support for …") as soon as another resource refers to it. They are removed
 * before CreateStack, and every Ref/Fn::GetAtt to them becomes `arn:aws:removed-for-moto:…:<LogicalId>`; the test
 * asserts that nothing else was removed.
 */
const MOTO_CANNOT_CREATE: readonly string[] = [
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Stage',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SecretsManager::Secret',
  'AWS::StepFunctions::StateMachineAlias',
  'AWS::StepFunctions::StateMachineVersion',
];

/** What a Ref or Fn::GetAtt to a removed resource becomes: ARN-shaped, so that IAM policies naming it stay valid. */
const removedArn = (logicalId: string): string =>
  `arn:aws:removed-for-moto:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:${logicalId}`;

/** The template without the resources of MOTO_CANNOT_CREATE, and the logical IDs removed. */
function withoutUnsupported(template: Template): { template: Template; removed: string[] } {
  const removed = Object.entries(template.Resources)
    .filter(([, r]) => MOTO_CANNOT_CREATE.includes(r.Type))
    .map(([id]) => id);
  const gone = new Set(removed);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const ref = obj.Ref;
    if (typeof ref === 'string' && gone.has(ref)) return removedArn(ref);
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && gone.has(getAtt[0])) return removedArn(getAtt[0]);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, rewrite(v)]));
  };
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([id]) => !gone.has(id))
      .map(([id, r]) => {
        const next = rewrite(r) as Record<string, unknown>;
        const dependsOn = next.DependsOn;
        if (Array.isArray(dependsOn)) next.DependsOn = dependsOn.filter((d) => !gone.has(String(d)));
        else if (typeof dependsOn === 'string' && gone.has(dependsOn)) delete next.DependsOn;
        return [id, next];
      }),
  ) as Template['Resources'];
  return { template: { ...(rewrite(template) as Template), Resources: resources }, removed };
}

const STACK = 'MskMigrationSmoke';
const BOOTSTRAP_BUCKET = `cdk-hnb659fds-assets-${EMULATOR_ACCOUNT}-${EMULATOR_REGION}`;
const DEPLOY_DEADLINE_MS = 60_000;

interface FileAsset {
  source: { path: string; packaging: 'file' | 'zip' };
  destinations: Record<string, { bucketName: string; objectKey: string }>;
}

interface Template {
  Resources: Record<string, { Type: string }>;
  Outputs?: Record<string, unknown>;
}

interface Synthesized {
  template: Template;
  assets: FileAsset[];
  /** Context lookups the synth could not answer (cdk-cli would query the account and synthesize again). */
  missing: Array<{ key: string; provider: string }>;
}

function synthesize(outdir: string, stackName = STACK, context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ outdir, context: { [TaskFunction.INLINE_CODE_CONTEXT]: true, ...context } });
  new MigrationStack(app, stackName, { env: { account: EMULATOR_ACCOUNT, region: EMULATOR_REGION } });
  const assembly = app.synth();
  const templateBody = readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8');
  const manifest = JSON.parse(readFileSync(path.join(outdir, `${stackName}.assets.json`), 'utf8')) as {
    files?: Record<string, FileAsset>;
  };
  return {
    template: JSON.parse(templateBody) as Template,
    assets: Object.values(manifest.files ?? {}),
    missing: (assembly.manifest.missing ?? []).map((m) => ({ key: m.key, provider: m.provider })),
  };
}

/** A directory asset is uploaded as a zip, as cdk-assets does; the emulator's Python zips it (no zip tool assumed). */
function assetBytes(outdir: string, asset: FileAsset): Buffer {
  const source = path.join(outdir, asset.source.path);
  if (asset.source.packaging === 'file' && statSync(source).isFile()) return readFileSync(source);
  const zip = path.join(outdir, `${path.basename(source)}.zip`);
  execFileSync(
    path.resolve(__dirname, '../../.venv/aws-emulator/bin/python'),
    ['-m', 'zipfile', '-c', zip, ...readdirSync(source)],
    { cwd: source },
  );
  return readFileSync(zip);
}

const EC2_VERSION = '2016-11-15';

/**
 * The VPC a private-MSK deployer has, created in the emulator: two private subnets in two zones and a security group.
 * Returns the `-c` context the app takes (docs/deploy.md) and the `Vpc.fromLookup` answer cdk-cli would cache for it.
 */
async function privateNetwork(server: MotoServer): Promise<{
  context: Record<string, string>;
  lookup: Record<string, unknown>;
}> {
  const ec2 = (params: Record<string, string>): Promise<string> =>
    awsQuery(server, 'ec2', { Version: EC2_VERSION, ...params });
  const vpcId = xmlValues(await ec2({ Action: 'CreateVpc', CidrBlock: '10.20.0.0/16' }), 'vpcId')[0]!;
  const subnets = [];
  for (const [i, zone] of [`${EMULATOR_REGION}a`, `${EMULATOR_REGION}b`].entries()) {
    const cidr = `10.20.${i}.0/24`;
    const created = await ec2({ Action: 'CreateSubnet', VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone });
    subnets.push({ subnetId: xmlValues(created, 'subnetId')[0]!, availabilityZone: zone, cidr });
  }
  const group = await ec2({
    Action: 'CreateSecurityGroup',
    GroupName: 'msk-migration-tasks',
    GroupDescription: 'MSK migration task functions',
    VpcId: vpcId,
  });
  const groupId = xmlValues(group, 'groupId')[0]!;
  const tables = await ec2({ Action: 'DescribeRouteTables', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpcId });
  const routeTableId = xmlValues(tables, 'routeTableId')[0]!;
  return {
    context: {
      vpcId,
      subnetIds: subnets.map((x) => x.subnetId).join(','),
      securityGroupIds: groupId,
    },
    // What cdk-cli's VPC context provider answers for it (subnet groups: the app's lookup asks for them).
    lookup: {
      vpcId,
      vpcCidrBlock: '10.20.0.0/16',
      ownerAccountId: EMULATOR_ACCOUNT,
      region: EMULATOR_REGION,
      availabilityZones: [],
      subnetGroups: [{ name: 'Private', type: 'Private', subnets: subnets.map((x) => ({ ...x, routeTableId })) }],
    },
  };
}

describe('deploy smoke test: the synthesized app through CloudFormation CreateStack (moto server)', () => {
  let server: MotoServer;
  let outdir: string;
  let synthesized: Synthesized;

  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), 'msk-migration-smoke-'));
    synthesized = synthesize(path.join(outdir, 'default'));
    server = await startMotoServer({
      services: [
        'CloudFormation',
        'S3',
        'SSM',
        'IAM',
        'Lambda',
        'Step Functions',
        'DynamoDB',
        'KMS',
        'SNS',
        'EventBridge',
        'Logs',
        'Secrets Manager',
        'API Gateway v2',
        'EC2',
      ],
    });
    // What `cdk bootstrap` leaves in an account: the assets bucket and the bootstrap version parameter.
    const s3 = new S3Client(emulatorS3Config(server));
    const ssm = new SSMClient(emulatorClientConfig(server));
    await s3.send(new CreateBucketCommand({ Bucket: BOOTSTRAP_BUCKET }));
    await ssm.send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String' }));
    s3.destroy();
    ssm.destroy();
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  /** What `cdk deploy` does before CreateStack: every file asset to its destination in the bootstrap bucket. */
  async function publishAssets(dir: string, assets: FileAsset[]): Promise<void> {
    const s3 = new S3Client(emulatorS3Config(server));
    for (const asset of assets) {
      for (const dest of Object.values(asset.destinations)) {
        await s3.send(
          new PutObjectCommand({
            Bucket: dest.bucketName
              .replace('${AWS::AccountId}', EMULATOR_ACCOUNT)
              .replace('${AWS::Region}', EMULATOR_REGION),
            Key: dest.objectKey,
            Body: assetBytes(dir, asset),
          }),
        );
      }
    }
    s3.destroy();
  }

  async function describeStack(
    stackName: string,
  ): Promise<{ status: string; reason: string; outputs: Record<string, string> }> {
    const xml = await awsQuery(server, 'cloudformation', {
      Action: 'DescribeStacks',
      Version: '2010-05-15',
      StackName: stackName,
    });
    const keys = xmlValues(xml, 'OutputKey');
    const values = xmlValues(xml, 'OutputValue');
    return {
      status: xmlValues(xml, 'StackStatus')[0] ?? 'UNKNOWN',
      reason: xmlValues(xml, 'StackStatusReason')[0] ?? '',
      outputs: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ''])),
    };
  }

  /** CreateStack of the template without MOTO_CANNOT_CREATE; polls to a final status; fails with the events. */
  async function createStack(
    stackName: string,
    template: Template,
  ): Promise<{ outputs: Record<string, string>; notCreated: string[]; removed: string[] }> {
    const deployable = withoutUnsupported(template);
    await awsQuery(server, 'cloudformation', {
      Action: 'CreateStack',
      Version: '2010-05-15',
      StackName: stackName,
      TemplateBody: JSON.stringify(deployable.template),
      'Capabilities.member.1': 'CAPABILITY_IAM',
      'Capabilities.member.2': 'CAPABILITY_NAMED_IAM',
    });
    const deadline = Date.now() + DEPLOY_DEADLINE_MS;
    let stack = await describeStack(stackName);
    while (stack.status.endsWith('_IN_PROGRESS') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      stack = await describeStack(stackName);
    }
    if (stack.status !== 'CREATE_COMPLETE') {
      const events = await awsQuery(server, 'cloudformation', {
        Action: 'DescribeStackEvents',
        Version: '2010-05-15',
        StackName: stackName,
      });
      const failures = xmlValues(events, 'ResourceStatusReason').filter((r) => r.length > 0);
      throw new Error(
        `Stack ${stackName} is ${stack.status} (${stack.reason}). Resource reasons:\n${failures.join('\n')}\nEmulator log:\n${server.logTail()}`,
      );
    }
    const listed = await awsQuery(server, 'cloudformation', {
      Action: 'ListStackResources',
      Version: '2010-05-15',
      StackName: stackName,
    });
    const created = new Set(xmlValues(listed, 'LogicalResourceId'));
    const notCreated = Object.keys(template.Resources).filter((id) => !created.has(id));
    return { outputs: stack.outputs, notCreated: notCreated.sort(), removed: [...deployable.removed].sort() };
  }

  it('reaches CREATE_COMPLETE with every resource but those moto cannot create, and the state machine exists', async () => {
    // Prepare
    await publishAssets(path.join(outdir, 'default'), synthesized.assets);

    // Act
    const stack = await createStack(STACK, synthesized.template);

    // Assess
    expect(stack.notCreated).toEqual(stack.removed);
    const sfn = new SFNClient(emulatorClientConfig(server));
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    sfn.destroy();
    expect(stack.outputs.StateMachineArn).toMatch(
      new RegExp(`^arn:aws:states:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:stateMachine:`),
    );
    expect(machines.stateMachines?.map((m) => m.stateMachineArn)).toContain(stack.outputs.StateMachineArn);
  }, 90_000);

  it('deploys the VPC variant (-c vpcId, subnetIds, securityGroupIds): the data-plane functions in its subnets', async () => {
    // Prepare: the account's VPC, then the synth cdk-cli runs (a first synth asks for the VPC lookup, a second uses it).
    const network = await privateNetwork(server);
    const dir = path.join(outdir, 'vpc');
    const first = synthesize(dir, `${STACK}Vpc`, network.context);
    const lookups = first.missing.filter((m) => m.provider === 'vpc-provider');
    expect(lookups).toHaveLength(1);
    const variant = synthesize(dir, `${STACK}Vpc`, { ...network.context, [lookups[0]!.key]: network.lookup });
    expect(variant.missing).toEqual([]);
    await publishAssets(dir, variant.assets);

    // Act
    const stack = await createStack(`${STACK}Vpc`, variant.template);

    // Assess: every resource created, and the functions CloudFormation created are placed in the account's VPC.
    expect(stack.notCreated).toEqual(stack.removed);
    const placed = Object.entries(variant.template.Resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r as { Properties?: { VpcConfig?: unknown } }).Properties?.VpcConfig !== undefined,
    );
    expect(placed.length).toBeGreaterThanOrEqual(14);
    const subnetIds = network.context.subnetIds!.split(',');
    const lambda = new LambdaClient(emulatorClientConfig(server));
    for (const [id] of placed) {
      const physical = xmlValues(
        await awsQuery(server, 'cloudformation', {
          Action: 'DescribeStackResource',
          Version: '2010-05-15',
          StackName: `${STACK}Vpc`,
          LogicalResourceId: id,
        }),
        'PhysicalResourceId',
      )[0]!;
      const fn = { Configuration: await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: physical })) };
      expect(fn.Configuration?.VpcConfig?.SubnetIds?.sort()).toEqual([...subnetIds].sort());
      expect(fn.Configuration?.VpcConfig?.SecurityGroupIds).toEqual([network.context.securityGroupIds]);
    }
    lambda.destroy();
  }, 120_000);
});
