import { expectNeverVisited, expectVisitedInOrder, summary } from './paths';
import { World, type Raw } from './world';

/**
 * What Lambda itself raises when a function times out or its runtime crashes (`Sandbox.Timedout`, `Lambda.Unknown`,
 * `Lambda.ClientExecutionTimeoutException`): the idempotent tasks retry it like any transient error, so one such
 * failure never takes the rollback path. The runner fails the named invocation with the real error name.
 */

const ROLLBACK_STATES = ['RollbackCutover', 'RollbackReplication', 'RollbackTarget', 'ReportRollback'];

it('rides out one CheckTargetHealth timeout in the rollback window: retried, the migration succeeds, nothing rolled back', async () => {
  // Prepare: the first health check does its work and then times out before answering.
  const world = new World({
    lambdaFaults: { CheckTargetHealth: [{ call: 1, error: 'Sandbox.Timedout', when: 'AFTER_RUN' }] },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(summary(result)).toMatch(/^SUCCEEDED/);
  expectVisitedInOrder(result.visited, ['SwitchToTarget', 'CheckTargetHealth', 'PointOfNoReturn', 'ReportSuccess']);
  expectNeverVisited(result.visited, ROLLBACK_STATES);
  expect(world.calls.filter((c) => c.state === 'CheckTargetHealth').length).toBeGreaterThanOrEqual(2);
});

it('rides out one RequestApproval crash (Lambda.Unknown) on the cutover approval: retried, approved, nothing rolled back', async () => {
  // Prepare: the function behind CutoverApproval crashes on its first invocation, before it sends anything.
  const world = new World({
    lambdaFaults: { CutoverApproval: [{ call: 1, error: 'Lambda.Unknown', when: 'BEFORE_RUN' }] },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(summary(result)).toMatch(/^SUCCEEDED/);
  expectNeverVisited(result.visited, ROLLBACK_STATES);
  expect((result.output as Raw).approvals.cutover).toMatchObject({ approved: true });
  expect(world.calls.filter((c) => c.state === 'CutoverApproval')).toHaveLength(1);
});

it('rolls back when a poll task keeps timing out past its retries (Sandbox.Timedout six times in a row)', async () => {
  // Prepare: every attempt of the first catch-up evaluation times out (1 + 5 retries).
  const world = new World({
    lambdaFaults: {
      EvaluateCatchUp: [1, 2, 3, 4, 5, 6].map((call) => ({ call, error: 'Sandbox.Timedout' as const })),
    },
  });
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('FAILED');
  expect(result.error).toBe('Migration.RolledBack');
  expectVisitedInOrder(result.visited, ['EvaluateCatchUp', 'RollbackReplication', 'ReportRollback']);
  const report = await world.report();
  expect(JSON.stringify(report)).toMatch(/Sandbox\.Timedout/);
});
