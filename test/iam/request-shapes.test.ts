/**
 * Request-shape tier: every AWS SDK request the unit, workflow and aws-api tiers recorded
 * (test/setup/aws-request-recorder.ts) validated against the AWS service model of its operation — the botocore
 * models of the emulator's venv (.ci/install-aws-emulator): required members, enums, patterns, string and list
 * lengths, number ranges, member names. A mock accepts what AWS would refuse; this does not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { recordedRequests } from './simulation';

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  pattern?: string;
  min?: number;
  max?: number;
}
interface ServiceModel {
  operations: Record<string, { input?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

const BOTOCORE = ((): string | undefined => {
  const lib = path.join(__dirname, '../../.venv/aws-emulator/lib');
  if (!fs.existsSync(lib)) return undefined;
  const python = fs.readdirSync(lib).find((d) => d.startsWith('python'));
  return python ? path.join(lib, python, 'site-packages/botocore/data') : undefined;
})();

/** SDK v3 client → botocore service name. */
const SERVICES: Record<string, string> = {
  KafkaClient: 'kafka',
  KafkaConnectClient: 'kafkaconnect',
  CloudWatchClient: 'cloudwatch',
  S3Client: 's3',
  SecretsManagerClient: 'secretsmanager',
  SSMClient: 'ssm',
  Route53Client: 'route53',
  LambdaClient: 'lambda',
  SFNClient: 'stepfunctions',
  DynamoDBClient: 'dynamodb',
  SchedulerClient: 'scheduler',
  SNSClient: 'sns',
  SESv2Client: 'sesv2',
  EventBridgeClient: 'events',
  STSClient: 'sts',
  ECSClient: 'ecs',
  IAMClient: 'iam',
  GlueClient: 'glue',
};

/** Route 53 IDs as the SDK sends them: without the resource-type prefix that responses carry. */
function normalizeRoute53Ids(input: unknown): unknown {
  if (!input || typeof input !== 'object') return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const key of ['HostedZoneId', 'Id', 'DelegationSetId']) {
    const value = out[key];
    if (typeof value === 'string') out[key] = value.replace(/^\/(hostedzone|change|delegationset)\//, '');
  }
  return out;
}

const models = new Map<string, ServiceModel>();
function modelOf(service: string): ServiceModel {
  let model = models.get(service);
  if (!model) {
    const dir = path.join(BOTOCORE ?? '', service);
    const version = fs.readdirSync(dir).sort().at(-1) ?? '';
    const file = path.join(dir, version, 'service-2.json.gz');
    const text = fs.existsSync(file)
      ? zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')
      : fs.readFileSync(path.join(dir, version, 'service-2.json'), 'utf8');
    model = JSON.parse(text) as ServiceModel;
    models.set(service, model);
  }
  return model;
}

const patterns = new Map<string, RegExp | null>();
function regexOf(pattern: string): RegExp | null {
  if (!patterns.has(pattern)) {
    try {
      patterns.set(pattern, new RegExp(pattern, 'u'));
    } catch {
      patterns.set(pattern, null); // a Java-only construct: not checked
    }
  }
  return patterns.get(pattern) ?? null;
}

/** The problems of `value` against `shapeName`, each with its path. */
function validate(model: ServiceModel, shapeName: string, value: unknown, where: string): string[] {
  const shape = model.shapes[shapeName];
  if (!shape || value === undefined || value === null) return [];
  const problems: string[] = [];
  const sized = (n: number, what: string): void => {
    if (shape.min !== undefined && n < shape.min) problems.push(`${where}: ${what} ${n} < min ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) problems.push(`${where}: ${what} ${n} > max ${shape.max}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${where}: not a structure`];
      const v = value as Record<string, unknown>;
      for (const name of shape.required ?? [])
        if (v[name] === undefined || v[name] === null) problems.push(`${where}.${name}: required`);
      for (const [name, member] of Object.entries(v)) {
        const spec = shape.members?.[name];
        if (!spec) {
          if (member !== undefined) problems.push(`${where}.${name}: no such member`);
          continue;
        }
        problems.push(...validate(model, spec.shape, member, `${where}.${name}`));
      }
      return problems;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${where}: not a list`];
      sized(value.length, 'length');
      value.forEach((item, i) => problems.push(...validate(model, shape.member?.shape ?? '', item, `${where}[${i}]`)));
      return problems;
    case 'map':
      if (typeof value !== 'object') return [`${where}: not a map`];
      sized(Object.keys(value).length, 'entries');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        problems.push(...validate(model, shape.key?.shape ?? '', k, `${where}{key ${k}}`));
        problems.push(...validate(model, shape.value?.shape ?? '', v, `${where}.${k}`));
      }
      return problems;
    case 'string': {
      // SDK v3 types some query members as numbers where botocore's model says string (Route 53's MaxItems).
      if (typeof value === 'number') return validate(model, shapeName, String(value), where);
      if (typeof value !== 'string') return [`${where}: not a string`];
      sized([...value].length, 'length');
      if (shape.enum && !shape.enum.includes(value))
        problems.push(`${where}: "${value}" not one of ${shape.enum.join(', ')}`);
      const re = shape.pattern ? regexOf(shape.pattern) : null;
      if (re && !re.test(value)) problems.push(`${where}: "${value}" does not match ${shape.pattern}`);
      return problems;
    }
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      if (typeof value !== 'number') return [`${where}: not a number`];
      sized(value, 'value');
      return problems;
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${where}: not a boolean`];
    default:
      return [];
  }
}

describe('request shapes against the AWS service models', () => {
  const records = recordedRequests();

  it('has the botocore models and the recorded requests (npm test runs the recording tiers first)', () => {
    expect(BOTOCORE && fs.existsSync(BOTOCORE)).toBeTruthy();
    expect(records.length).toBeGreaterThan(100);
  });

  it('every recorded request is valid for its operation: required members, enums, patterns, lengths, ranges', () => {
    const problems = new Set<string>();
    const checked = new Set<string>();
    for (const r of records) {
      const service = SERVICES[r.client];
      if (!service) {
        problems.add(`${r.client}: no service model mapped (add it to SERVICES)`);
        continue;
      }
      const model = modelOf(service);
      const operation = model.operations[r.operation];
      if (!operation) {
        problems.add(`${service}:${r.operation}: no such operation in the model`);
        continue;
      }
      checked.add(`${service}:${r.operation}`);
      // The SDK's Route 53 client strips the `/hostedzone/` (and `/change/`, `/delegationset/`) prefix from IDs before
      // it sends them (middleware-sdk-route53's id normalizer), so the model's 32-character limit applies to the rest.
      const input = service === 'route53' ? normalizeRoute53Ids(r.input) : r.input;
      for (const p of validate(model, operation.input?.shape ?? '', input, `${service}:${r.operation}`))
        problems.add(`${p} (${r.test})`);
    }
    process.stdout.write(`request shapes: ${records.length} requests of ${checked.size} operations checked\n`);
    expect([...problems]).toEqual([]);
  });
});
