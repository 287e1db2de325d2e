/**
 * The identity policies of each role in a synthesized template, with the CloudFormation intrinsics resolved to the
 * strings IAM would see in one account and Region (`Ref`, `Fn::GetAtt … Arn`, `Fn::Join`, `Fn::Sub`), so that
 * @cloud-copilot/iam-simulate can evaluate them offline.
 */

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

export interface PolicyDocument {
  Version?: string;
  Statement: Array<Record<string, unknown>>;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface ResolvedTemplate {
  /** Role logical ID → its policies (inline and attached AWS::IAM::Policy). */
  readonly rolePolicies: Map<string, PolicyDocument[]>;
  /** Lambda function logical ID → role logical ID, and its environment. */
  readonly functions: Map<string, { role: string; environment: Record<string, string> }>;
  /** Logical ID → the physical name the resolver gave it. */
  readonly names: Map<string, string>;
  readonly partition: string;
  resolve(value: unknown): unknown;
}

/** Physical names: lower-cased logical IDs, which keeps ARNs readable in failures. */
const nameOf = (logicalId: string): string => logicalId.toLowerCase().slice(0, 60);

export function resolveTemplate(
  template: { Resources: Record<string, CfnResource> },
  partition = 'aws',
): ResolvedTemplate {
  const resources = template.Resources;
  const names = new Map(Object.keys(resources).map((id) => [id, nameOf(id)]));
  const arnOf = (id: string): string => {
    const r = resources[id];
    const name = names.get(id) ?? id;
    switch (r?.Type) {
      case 'AWS::S3::Bucket':
        return `arn:${partition}:s3:::${name}`;
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::Lambda::Function':
        return `arn:${partition}:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${partition}:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
      case 'AWS::DynamoDB::Table':
        return `arn:${partition}:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${REGION}:${ACCOUNT}:${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:${partition}:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      // Secrets Manager appends six random characters to a secret's name in its ARN.
      case 'AWS::SecretsManager::Secret':
        return `arn:${partition}:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
      case 'AWS::KMS::Key':
        return `arn:${partition}:kms:${REGION}:${ACCOUNT}:key/${name}`;
      default:
        return `arn:${partition}:unknown:${REGION}:${ACCOUNT}:${name}`;
    }
  };
  const refOf = (id: string): string => {
    if (id === 'AWS::Partition') return partition;
    if (id === 'AWS::Region') return REGION;
    if (id === 'AWS::AccountId') return ACCOUNT;
    if (id === 'AWS::URLSuffix') return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    if (id === 'AWS::StackName') return 'teststack';
    const r = resources[id];
    if (
      r?.Type === 'AWS::SNS::Topic' ||
      r?.Type === 'AWS::StepFunctions::StateMachine' ||
      r?.Type === 'AWS::SecretsManager::Secret'
    )
      return arnOf(id);
    // A published version's Ref is its qualified ARN (the first version a deploy publishes).
    if (r?.Type === 'AWS::Lambda::Version') return `${arnOf((r.Properties?.FunctionName as { Ref: string }).Ref)}:1`;
    return names.get(id) ?? id;
  };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return refOf(v.Ref as string);
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      return attr === 'Arn' ? arnOf(id) : `${names.get(id) ?? id}.${attr}`;
    }
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => String(resolve(p))).join(sep);
    }
    if ('Fn::Sub' in v) {
      const text = typeof v['Fn::Sub'] === 'string' ? v['Fn::Sub'] : (v['Fn::Sub'] as [string])[0];
      return text.replace(/\$\{([^}]+)\}/g, (_, ref: string) =>
        ref.endsWith('.Arn') ? arnOf(ref.slice(0, -4)) : refOf(ref),
      );
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  };
  const rolePolicies = new Map<string, PolicyDocument[]>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Role') continue;
    const inline = (r.Properties?.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? [];
    rolePolicies.set(
      id,
      inline.map((p) => resolve(p.PolicyDocument) as PolicyDocument),
    );
  }
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    const doc = resolve(r.Properties?.PolicyDocument) as PolicyDocument;
    for (const role of (r.Properties?.Roles as Array<{ Ref: string }> | undefined) ?? [])
      rolePolicies.get(role.Ref)?.push(doc);
  }
  const functions = new Map<string, { role: string; environment: Record<string, string> }>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const role = (r.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    const env = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    if (role) functions.set(id, { role, environment: resolve(env) as Record<string, string> });
  }
  return { rolePolicies, functions, names, partition, resolve };
}
