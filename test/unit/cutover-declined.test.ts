import { offsetsDuringDrainDeclined, oneInvocationDeclined } from '../../lambdas/core/cutover/declined';
import type { MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { examplePlan } from './task-fixtures';

describe('the plans the one-invocation Cutover and the offsets beside the drain decline', () => {
  const plan = examplePlan('msk-to-serverless-replicator');
  const withCutover = (change: Partial<MigrationPlan['cutover']>): MigrationPlan => ({
    ...plan,
    cutover: { ...plan.cutover, ...change },
  });

  it('runs the default plan in one invocation and commits its offsets beside the drain', () => {
    expect(oneInvocationDeclined(plan.cutover)).toBeUndefined();
    expect(offsetsDuringDrainDeclined(plan, undefined)).toBeUndefined();
  });

  it('runs a HOOK pointer in one invocation', () => {
    expect(oneInvocationDeclined(examplePlan('msk-to-automq-mirrormaker2').cutover)).toBeUndefined();
  });

  it('leaves to the step-by-step states a plan with singleInvocation false or client switches', () => {
    expect(oneInvocationDeclined(withCutover({ singleInvocation: false }).cutover)).toMatch(
      /singleInvocation is false/,
    );
    const switches = [{ type: 'ECS_SERVICE', role: 'BOTH' }] as unknown as MigrationPlan['cutover']['switches'];
    expect(oneInvocationDeclined(withCutover({ switches }).cutover)).toMatch(/cutover\.switches/);
  });

  it('translates after the drain the offsets of fresh groups and of consumers held through client switches', () => {
    const fresh = {
      ...plan,
      recovery: {
        ...plan.recovery,
        freshGroups: [{ groupId: 'reporting', startAt: '2026-01-01T00:00:00.000Z', acceptedBy: 'owner@example.com' }],
      },
    } as MigrationPlan;
    expect(offsetsDuringDrainDeclined(fresh, undefined)).toMatch(/recovery\.freshGroups/);
    const held = [
      { type: 'LAMBDA_EVENT_SOURCE_MAPPING', role: 'CONSUMERS' },
    ] as unknown as MigrationPlan['cutover']['switches'];
    expect(offsetsDuringDrainDeclined(withCutover({ switches: held }), undefined)).toMatch(/client switches/);
    const producers = [{ type: 'ECS_SERVICE', role: 'PRODUCERS' }] as unknown as MigrationPlan['cutover']['switches'];
    expect(offsetsDuringDrainDeclined(withCutover({ switches: producers }), undefined)).toBeUndefined();
  });

  it('translates a consumers-first wave after the drain', () => {
    const waves = examplePlan('msk-to-serverless-waves');
    const first = waves.waves?.find((w) => w.consumersFirst === true);
    expect(first?.name).toBe('audit');
    expect(offsetsDuringDrainDeclined(waves, 'audit')).toMatch(/Consumers first/);
    expect(offsetsDuringDrainDeclined(waves, 'orders')).toBeUndefined();
  });
});
