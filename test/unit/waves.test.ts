import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkPlan } from '../../lambdas/core/plan/check-plan';
import { historyBudget, worstVisitEvents } from '../../lambdas/core/plan/history-budget';
import { validateMigrationPlan, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { planForWave, wavesStateOf, waveTopics } from '../../lambdas/core/plan/waves';
import { runValidateInput } from '../../lambdas/tasks/validate-input/task';
import { WORKFLOW_DEFINITION } from '../../lambdas/tasks/shared/workflow-definition';
import { evidenceKeyOf, STATE_NAMES, STATES } from '../../lambdas/workflow/catalogue';

/**
 * examples/msk-to-serverless-waves.json without its consumers-first wave (waves-consumers-first.test.ts has it): two
 * waves (analytics, then orders), each with its owners and pointer.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = Record<string, any>;
function wavesPlan(change: (raw: Raw) => void = () => undefined): Raw {
  const raw = JSON.parse(
    readFileSync(path.join(__dirname, '../../examples/msk-to-serverless-waves.json'), 'utf8'),
  ) as Raw;
  raw.waves = (raw.waves as Raw[]).filter((w) => w.consumersFirst !== true);
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

describe('waves in the plan', () => {
  it('accepts the two-wave example and keeps a plan without waves as it was', () => {
    expect(issuesOf(wavesPlan())).toEqual([]);
    const plain = validPlan(wavesPlan((r) => delete r.waves));
    expect(plain.waves).toBeUndefined();
    expect(wavesStateOf(plain)).toBeUndefined();
  });

  it('refuses a topic in two waves, naming both', () => {
    const issues = issuesOf(wavesPlan((r) => r.waves[1].topics.push('clickstream')));
    expect(issues).toEqual([
      'waves.1.topics.2: topic clickstream is already in wave analytics (waves.0): each topic belongs to one wave',
    ]);
  });

  it('refuses two waves of one name, a group in two waves and a group listed twice', () => {
    const issues = issuesOf(
      wavesPlan((r) => {
        r.waves[1].name = 'analytics';
        r.waves[1].consumerGroups.push('analytics-sessions', 'orders-billing');
      }),
    );
    expect(issues).toEqual([
      'waves.1.name: the name "analytics" is already in wave analytics (waves.0): each name belongs to one wave',
      'waves.1.consumerGroups.2: consumer group analytics-sessions is already in wave analytics (waves.0): each group belongs to one wave',
      'waves.1.consumerGroups.3: consumer group orders-billing is listed twice in this wave',
    ]);
  });

  it('refuses a topic or group the replication does not select', () => {
    const issues = issuesOf(
      wavesPlan((r) => {
        r.waves[0].topics.push('payments');
        r.waves[0].consumerGroups.push('billing');
      }),
    );
    expect(issues).toEqual([
      'waves.0.topics.1: topic payments is not selected by replication.topics (include / exclude): a wave cuts over replicated topics only',
      'waves.0.consumerGroups.1: consumer group billing is not selected by replication.consumerGroups (include / exclude): its offsets are not synchronised',
    ]);
  });

  it('refuses two waves on one pointer: moving it would move the other wave too', () => {
    const issues = issuesOf(wavesPlan((r) => delete r.waves[1].switch));
    expect(issues).toEqual([
      'waves.1: the pointer (SSM parameter /analytics/kafka/bootstrap-servers, cutover.switch: the wave names no switch of its own) is already in wave analytics (waves.0): each pointer belongs to one wave',
    ]);
  });

  it('refuses a client switch no wave moves, and a wave naming a switch that does not exist', () => {
    const issues = issuesOf(
      wavesPlan((r) => {
        r.cutover.switches = [
          {
            type: 'ECS_SERVICE',
            name: 'billing',
            cluster: 'shop',
            service: 'billing',
            role: 'BOTH',
            environment: { KAFKA_BOOTSTRAP: 'b-1:9098' },
          },
        ];
        r.waves[1].switches = ['shipping'];
      }),
    );
    expect(issues).toContain('waves.1.switches.0: no entry of cutover.switches is named "shipping"');
    expect(issues).toContain(
      'cutover.switches.0.name: no wave moves the client switch "billing": with waves, list it in the switches of the wave its application belongs to',
    );
  });

  it('refuses a bad wave name and more than ten waves', () => {
    expect(issuesOf(wavesPlan((r) => (r.waves[0].name = 'Analytics Team')))[0]).toMatch(
      /^waves\.0\.name: expected a lowercase slug/,
    );
    const many = wavesPlan((r) => {
      r.waves = Array.from({ length: 11 }, (_, i) => ({ name: `w${i}`, topics: [`orders.t${i}`] }));
    });
    expect(issuesOf(many)).toEqual([
      "waves: expected at most 10 waves (each adds a cutover to the execution's history)",
    ]);
  });

  it('refuses more topics across the waves than AcquireLock takes locks for', () => {
    const issues = issuesOf(
      wavesPlan((r) => {
        r.waves = Array.from({ length: 3 }, (_, w) => ({
          name: `w${w}`,
          topics: Array.from({ length: 334 }, (_, i) => `orders.t${w}-${i}`),
          switch: { type: 'SSM_PARAMETER', parameterName: `/w${w}/kafka` },
        }));
      }),
    );
    expect(issues).toContain(
      'waves: expected at most 1000 topics across the waves, got 1002: AcquireLock takes a lock per topic of a plan in waves; split the plan into several migrations',
    );
  });

  it("refuses a wave's pointer the runtime has no adapter for (the rehearsal's file on AWS)", () => {
    const check = checkPlan(
      wavesPlan((r) => (r.waves[1].switch = { type: 'LOCAL_FILE', path: '/tmp/orders.pointer' })),
      'AWS',
      WORKFLOW_DEFINITION,
    );
    expect(check.valid).toBe(false);
    expect(check.issues.map((i) => i.path)).toEqual(['waves.1.switch.type']);
  });
});

describe('the plan as a wave reads it', () => {
  const plan = validPlan(wavesPlan());

  it('ValidateInput puts every wave in the state, the first one current', () => {
    const out = runValidateInput(
      { plan: wavesPlan(), executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:e1' },
      () => new Date('2026-12-01T00:00:00Z'),
    );
    expect(out.waves).toEqual({
      all: [
        { name: 'analytics', index: 0, count: 2, last: false, next: 1 },
        { name: 'orders', index: 1, count: 2, last: true, previous: 0 },
      ],
      current: { name: 'analytics', index: 0, count: 2, last: false, next: 1 },
    });
  });

  it("scopes the approvers, the pointer, the switches and the groups to the wave's own", () => {
    const orders = planForWave(plan, 'orders');
    expect(orders.approval.approvers).toEqual(['orders-owner@example.com']);
    expect(orders.approval.email).toEqual(['platform-lead@example.com', 'orders-owner@example.com']);
    expect(orders.cutover.switch).toEqual({ type: 'SSM_PARAMETER', parameterName: '/orders/kafka/bootstrap-servers' });
    expect(orders.replication.consumerGroups.include).toEqual(['orders-billing', 'orders-shipping']);
    const analytics = planForWave(plan, 'analytics');
    expect(analytics.cutover.switch).toEqual(plan.cutover.switch);
    expect(analytics.replication.consumerGroups.include).toEqual(['analytics-sessions']);
  });

  it("keeps the wave's topics of the replicated ones, and names a wave topic the replication does not copy", () => {
    expect(
      waveTopics(plan, 'orders', ['clickstream', 'orders.created', 'orders.paid', 'msk-migration.canary.x']),
    ).toEqual(['orders.created', 'orders.paid']);
    expect(() => waveTopics(plan, 'orders', ['clickstream', 'orders.created'])).toThrow(
      'Wave orders names topics the replication does not copy: orders.paid',
    );
  });
});

describe('the history budget counts the waves', () => {
  it('adds one worst wave per wave after the first, on every path through the cutover', () => {
    const plan = validPlan(wavesPlan());
    const one = historyBudget({ ...plan, waves: plan.waves!.slice(0, 1) }, WORKFLOW_DEFINITION);
    const two = historyBudget(plan, WORKFLOW_DEFINITION);
    const events = (b: typeof one, end: string) => b.paths.find((p) => p.end === end)!.events;
    const perWave = events(two, 'MigrationRolledBack') - events(one, 'MigrationRolledBack');
    expect(perWave).toBeGreaterThan(0);
    // A failback returns every wave: each wave after the first adds its failback fence and its return (a task, its
    // Choice and its Pass each), and on the way to MigrationNeedsAttention the release of its fence too.
    const iteration = (task: string) => worstVisitEvents(WORKFLOW_DEFINITION.States[task]!) + 2 + 2;
    const fenceAndReturn = iteration('FenceForFailback') + iteration('FailbackCutover');
    expect(events(two, 'MigrationFailedBack') - events(one, 'MigrationFailedBack')).toBe(perWave + fenceAndReturn);
    expect(two.worst.end).toBe('MigrationNeedsAttention');
    expect(two.worst.events - one.worst.events).toBe(perWave + fenceAndReturn + iteration('ReleaseFailbackFence'));
    // Before the cutover nothing repeats: a path that ends before it is the same with any number of waves.
    const failed = (b: typeof one) => b.paths.find((p) => p.end === 'MigrationFailed')!.events;
    expect(failed(two)).toBe(failed(one));
    expect(two.problems).toEqual([]);
  });

  it('refuses a plan whose waves do not fit, naming waves and the fields that size a wave', () => {
    const check = checkPlan(
      wavesPlan((r) => {
        r.cutover.rollbackWindowMinutes = 600;
        r.waves.push({ name: 'late', topics: ['orders.refunded'] }, { name: 'later', topics: ['orders.shipped'] });
        r.waves[2].switch = { type: 'SSM_PARAMETER', parameterName: '/late/kafka' };
        r.waves[3].switch = { type: 'SSM_PARAMETER', parameterName: '/later/kafka' };
      }),
      'AWS',
      WORKFLOW_DEFINITION,
    );
    expect(check.valid).toBe(false);
    const waves = check.issues.find((i) => i.path === 'waves');
    expect(waves?.message).toMatch(
      /^the worst path \(\w+\) would write [\d,]+ history events, over Step Functions' 25,000 with 4 waves/,
    );
    expect(waves?.message).toContain('cutover.rollbackWindowMinutes');
  });
});

describe('NextWave in the ASL', () => {
  it('keeps every key the states before the cutover write, so that a new one is not dropped between waves', () => {
    // Prepare: the result keys of the catalogue's states up to the cutover approval (workflow order)
    const before = STATE_NAMES.slice(0, STATE_NAMES.indexOf('CutoverApproval'))
      .map((name) => evidenceKeyOf(STATES[name].resultPath))
      .filter((k): k is string => k !== undefined);
    // Act
    const kept = Object.keys(
      (WORKFLOW_DEFINITION.States['NextWave'] as unknown as { Parameters: Record<string, unknown> }).Parameters,
    ).map((k) => k.replace(/\.\$$/, ''));
    // Assess
    expect(before.length).toBeGreaterThan(5);
    for (const key of [...before, 'input', 'identity', 'execution', 'settings', 'waves', 'approvals'])
      expect(kept).toContain(key);
    expect(kept).not.toContain('cutover');
    expect(kept).not.toContain('window');
    expect(kept).not.toContain('pointOfNoReturn');
  });
});
