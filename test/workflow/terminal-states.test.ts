import { CutoverFailedError, LagTimeoutError, RollbackFailedError, TransientError } from '../../lambdas/core/errors';
import { validateMigrationPlan } from '../../lambdas/core/plan/migration-plan';
import { PLAN_MAX_BYTES } from '../../lambdas/core/plan/check-plan';
import { expectVisitedInOrder, summary } from './paths';
import { examplePlan, World, type Raw } from './world';

/**
 * Every path ends in its defined terminal state: a Report state that fails is caught (the outcome stays the one the
 * path defines, the report's error is recorded in `$.reportError`), and the state never grows past what Step Functions
 * can carry — caught errors hold a name, a capped message and a one-line trace, never Lambda's stack.
 */

const stateEntered = (result: { events: readonly unknown[] }, name: string): Raw | undefined =>
  (result.events as Raw[]).find((e) => e.type === 'StateEntered' && e.state?.name === name)?.state?.input as
    Raw | undefined;

it('keeps the rolled-back outcome when the rollback report cannot be written, with the report error in the state', async () => {
  // Prepare: the catch-up never converges within its time box, and the evidence store refuses the report.
  const world = new World({
    lagConvergesAfter: null,
    failStates: { ReportRollback: new RollbackFailedError('PutObject AccessDenied on the evidence bucket') },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(summary(result)).toMatch(/^FAILED Migration\.RolledBack/);
  expectVisitedInOrder(result.visited, ['RollbackReplication', 'ReportRollback', 'MigrationRolledBack']);
  const last = stateEntered(result, 'MigrationRolledBack');
  expect(last?.reportError).toMatchObject({ Error: 'Migration.RollbackFailed' });
  expect(last?.error).toMatchObject({ Error: 'Migration.LagTimeout' });
});

it('still succeeds when the success report cannot be written; the report error is in the output', async () => {
  // Prepare
  const world = new World({ failStates: { ReportSuccess: new TransientError('S3 SlowDown') } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expect((result.output as Raw).reportError).toMatchObject({ Error: 'Migration.Transient' });
  expect(JSON.parse((result.output as Raw).reportError.Cause as string)).toMatchObject({
    errorType: 'Migration.Transient',
    errorMessage: 'S3 SlowDown',
  });
});

it('keeps the largest state the contract allows under 200 KiB: the largest plan and three caught errors of 100 KB each', async () => {
  // Prepare: a plan padded to its cap with approvers; the gate, the rollback and the report each fail with a huge message.
  const plan = examplePlan((raw) => {
    raw.approval.approvers = [];
    for (let i = 0; ; i++) {
      raw.approval.approvers.push(`approver-${String(i).padStart(5, '0')}@payments.example.com`);
      const checked = validateMigrationPlan(raw);
      if (checked.valid && JSON.stringify(checked.plan).length > PLAN_MAX_BYTES - 200) break;
    }
  });
  const huge = (what: string) => `${what}: ${'x'.repeat(100_000)}`;
  const world = new World({
    plan,
    failStates: {
      EvaluateCatchUp: Object.assign(new LagTimeoutError(huge('lag')), {
        stack: `Migration.LagTimeout: lag\n${'    at frame (/var/task/index.js:1:1)\n'.repeat(2_000)}`,
      }),
      RollbackReplication: new RollbackFailedError(huge('rollback')),
      ReportRollbackFailure: new CutoverFailedError(huge('report')),
    },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(summary(result)).toMatch(/^FAILED Migration\.RollbackFailed/);
  const sizes = (result.events as Raw[])
    .filter((e) => e.state)
    .flatMap((e) => [e.state.input, e.state.output].filter((x) => x !== undefined))
    .map((x) => Buffer.byteLength(JSON.stringify(x), 'utf8'));
  const largest = Math.max(...sizes);
  expect(largest).toBeGreaterThan(PLAN_MAX_BYTES);
  expect(largest).toBeLessThan(200 * 1024);
  const last = stateEntered(result, 'MigrationRollbackFailed');
  expect(last?.error?.Error).toBe('Migration.LagTimeout');
  expect(last?.rollbackError?.Error).toBe('Migration.RollbackFailed');
  expect(last?.reportError?.Error).toBe('Migration.CutoverFailed');
  expect(JSON.parse(last?.error?.Cause as string).trace).toHaveLength(1);
});
