import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lockKeysOf } from '../../lambdas/core/lock/migration-lock';
import { validateMigrationPlan, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { historyBudget } from '../../lambdas/core/plan/history-budget';
import { replicationKeptFor, wavesStateOf } from '../../lambdas/core/plan/waves';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';

/**
 * Consumers-first waves in the plan (`waves[].consumersFirst`): a read-only pipeline's consumers move to the target
 * while the producers of its topics stay on the source; a later wave moves those producers.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;
const AUDIT_POINTER = { type: 'SSM_PARAMETER', parameterName: '/audit/kafka/bootstrap-servers' };

/** examples/msk-to-serverless-waves.json: its consumers-first wave comes first (the audit pipeline reads orders.created). */
function plan(change: (raw: Raw) => void = () => undefined): Raw {
  const raw = JSON.parse(
    readFileSync(path.join(__dirname, '../../examples/msk-to-serverless-waves.json'), 'utf8'),
  ) as Raw;
  change(raw);
  return raw;
}
const issuesOf = (raw: Raw): string[] => {
  const v = validateMigrationPlan(raw);
  return v.valid ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
};
const validPlan = (raw: Raw): MigrationPlan => {
  const v = validateMigrationPlan(raw);
  if (!v.valid) throw new Error(v.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return v.plan;
};

describe('consumers-first waves in the plan', () => {
  it('accepts a consumers-first wave whose topic a later wave moves, and marks the waves that depend on it', () => {
    const p = validPlan(plan());
    expect(p.waves?.map((w) => w.consumersFirst)).toEqual([true, false, false]);
    expect(wavesStateOf(p)?.all).toEqual([
      { name: 'audit', index: 0, count: 3, last: false, next: 1, consumersFirst: true },
      // while analytics and orders run, the audit consumers read orders.created through the replication
      { name: 'analytics', index: 1, count: 3, last: false, next: 2, previous: 0, replicationFeeds: ['audit'] },
      { name: 'orders', index: 2, count: 3, last: true, previous: 1, replicationFeeds: ['audit'] },
    ]);
  });

  it('stops marking the waves after the one that moved the producers', () => {
    const p = validPlan(
      plan((r) => {
        // orders first, then analytics: after orders, the audit consumers no longer depend on the replication
        r.waves = [r.waves[0], r.waves[2], r.waves[1]];
      }),
    );
    expect(wavesStateOf(p)?.all.map((w) => w.replicationFeeds)).toEqual([undefined, ['audit'], undefined]);
  });

  it('refuses a consumers-first wave without a pointer of its own, or on the producers pointer', () => {
    expect(issuesOf(plan((r) => delete r.waves[0].switch))).toContain(
      "waves.0.switch: a consumers-first wave (consumersFirst) needs a pointer of its own that only its consumers read: cutover.switch is the producers' pointer, and moving it would move them too",
    );
    const onProducers = issuesOf(plan((r) => (r.waves[0].switch = { ...r.cutover.switch })));
    expect(onProducers).toContain(
      'waves.0.switch: the pointer (SSM parameter /analytics/kafka/bootstrap-servers) is cutover.switch, which producers read: a consumers-first wave (consumersFirst) needs a pointer only its consumers read',
    );
  });

  it('refuses a topic no later wave moves the producers of, and a producers switch in a consumers-first wave', () => {
    const issues = issuesOf(
      plan((r) => {
        r.waves[0].topics.push('clickstream'); // moved by analytics, which runs after: fine
        r.waves.push({
          ...r.waves[0],
          name: 'late-audit',
          consumerGroups: [],
          switch: { ...AUDIT_POINTER, parameterName: '/late/p' },
        });
        r.cutover.switches = [
          { type: 'LAMBDA_EVENT_SOURCE_MAPPING', name: 'audit-lambda', uuid: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5' },
          {
            type: 'MSK_CONNECT_CONNECTOR',
            name: 'orders-source',
            role: 'PRODUCERS',
            connectorArn:
              'arn:aws:kafka:eu-west-1:123456789012:connector/orders-source/11111111-2222-3333-4444-555555555555-1'.replace(
                'kafka:',
                'kafkaconnect:',
              ),
          },
        ];
        r.waves[0].switches = ['audit-lambda', 'orders-source'];
      }),
    );
    expect(issues).toEqual([
      'waves.0.switches.1: client switch orders-source moves producers: a consumers-first wave (consumersFirst) moves CONSUMERS switches only; list it in the wave that moves its producers',
      'waves.3.topics.0: topic orders.created is in no later wave that moves its producers: a consumers-first wave (consumersFirst) reads topics whose producers a later wave moves (list orders.created in that wave), since the replication that feeds its consumers on the target stops after the last wave',
      'waves.3.topics.1: topic clickstream is in no later wave that moves its producers: a consumers-first wave (consumersFirst) reads topics whose producers a later wave moves (list clickstream in that wave), since the replication that feeds its consumers on the target stops after the last wave',
    ]);
  });

  it("locks a consumers-first wave's topics once, through the wave that moves their producers", () => {
    const keys = lockKeysOf(validPlan(plan())).map((k) => k.key);
    expect(keys.filter((k) => k.includes('orders.created'))).toHaveLength(1);
    expect(keys).toContain('pointer:ssm:/audit/kafka/bootstrap-servers');
  });
});

describe('consumers-first waves whose producers never move (producersStay)', () => {
  /** The audit wave reads clickstream, whose producers no wave moves (analytics leaves it). */
  const stay = (change: (raw: Raw) => void = () => undefined) =>
    plan((r) => {
      r.waves[0].producersStay = true;
      r.waves[0].topics = ['clickstream'];
      r.waves.splice(1, 1);
      change(r);
    });

  it('accepts it, keeps the replication for every later wave and after the last, and locks its topics', () => {
    const p = validPlan(stay());
    expect(wavesStateOf(p)?.all.map((w) => w.replicationFeeds)).toEqual([undefined, ['audit']]);
    expect(replicationKeptFor(p)).toEqual(['audit']);
    expect(lockKeysOf(p).map((k) => k.key)).toContain(`topic:${p.source.clusterArn}/clickstream`);
    // a plan without it stops the replication after the last wave
    expect(replicationKeptFor(validPlan(plan()))).toEqual([]);
  });

  it('refuses producersStay on a wave that moves its producers, or on a topic a wave moves', () => {
    expect(issuesOf(plan((r) => (r.waves[1].producersStay = true)))).toEqual([
      "waves.1.producersStay: producersStay describes a consumers-first wave (consumersFirst: true) whose topics' producers never move: this wave moves its producers itself",
    ]);
    expect(issuesOf(plan((r) => (r.waves[0].producersStay = true)))).toEqual([
      'waves.0.topics.0: topic orders.created has its producers moved by wave orders (waves.2), but this wave says they stay on the source (producersStay): remove producersStay, or leave orders.created out of that wave',
    ]);
  });

  it('names producersStay when a consumers-first topic has no wave that moves its producers', () => {
    const issues = issuesOf(stay((r) => delete r.waves[0].producersStay));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^waves\.0\.topics\.0: topic clickstream is in no later wave that moves its producers: .*if they never move, set producersStay: true \(the replicator is then kept after the migration\)$/,
    );
  });
});

describe('the history budget of a plan with a consumers-first wave', () => {
  it('counts it as a wave, and says what each wave after the first adds to the worst path', () => {
    const three = validPlan(plan());
    const two = { ...three, waves: three.waves!.slice(1) };
    const b3 = historyBudget(three, WORKFLOW_DEFINITION);
    const b2 = historyBudget(two, WORKFLOW_DEFINITION);
    expect(b2.perWave).toBeGreaterThan(0);
    expect(b3.worst.events - b2.worst.events).toBe(b2.perWave);
    expect(b3.perWave).toBe(b2.perWave);
    expect(b3.problems).toEqual([]);
    // without waves there is no per-wave figure
    expect(historyBudget({ ...three, waves: undefined }, WORKFLOW_DEFINITION).perWave).toBeUndefined();
  });
});

describe('failback and waves', () => {
  it('accepts ENHANCED offset sync in a plan in waves: a failback returns every wave', () => {
    expect(issuesOf(plan((r) => (r.replication.offsetSyncMode = 'ENHANCED')))).toEqual([]);
  });
});
