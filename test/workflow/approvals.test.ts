import { decide } from '../../lambdas/core/approval/service';
import { expectNeverVisited, summary } from './paths';
import { examplePlan, World, type Raw } from './world';

/**
 * The approval states own their approvals: a reminder or deadline the Scheduler cannot create fails the attempt as
 * Migration.Transient and the state retries with a NEW task token (as Step Functions issues one per attempt); a link
 * from the earlier attempt is answered for what it is.
 */

const tokensOf = (world: World, state: string): string[] =>
  world.calls.filter((c) => c.state === state).map((c) => (c.event as Raw).taskToken as string);

it('retries the cutover approval when its deadline cannot be scheduled, with a fresh token; nothing rolls back', async () => {
  // Prepare: the Scheduler refuses the first timer of the first request.
  const world = new World({ schedulerFailures: 1 });
  // Act
  const result = await world.run();
  // Assess
  expect(summary(result)).toMatch(/^SUCCEEDED/);
  expectNeverVisited(result.visited, ['RollbackReplication', 'ReportRollback']);
  const [first, second] = tokensOf(world, 'CutoverApproval');
  expect(first).toBeDefined();
  expect(second).toBeDefined();
  expect(second).not.toBe(first);
  const [firstRequest, secondRequest] = world.approvalIds;
  expect(world.schedules.filter((t) => t.approvalId === secondRequest).map((t) => t.action)).toContain('EXPIRE');
  expect(world.schedules.some((t) => t.approvalId === firstRequest)).toBe(false);
  expect((result.output as Raw).approvals.cutover).toMatchObject({ approved: true, approvalId: secondRequest });
});

it("answers a decision on the earlier attempt's request: it belongs to an earlier attempt, nothing is decided", async () => {
  // Prepare: a run whose cutover approval was asked twice; its requests stay valid for 14 days, longer than the run.
  const world = new World({
    schedulerFailures: 1,
    plan: examplePlan((raw) => (raw.approval.timeoutMinutes = 14 * 24 * 60)),
  });
  await world.run();
  const [firstRequest, secondRequest] = world.approvalIds;
  // Act
  const late = await decide(
    {
      approvalId: firstRequest!,
      outcome: 'APPROVE',
      identity: { channel: 'EMAIL', id: 'payments-oncall@example.com' },
      context: {},
    },
    world.approvalServices,
  );
  // Assess
  expect(late.status).toBe('REFUSED');
  if (late.status !== 'REFUSED') return;
  expect(late.refusal.reason).toBe('EARLIER_ATTEMPT');
  expect(late.refusal.message).toMatch(/belongs to an earlier attempt of the cutover approval/);
  expect(late.refusal.message).toContain(secondRequest);
});

it('gives every approval state its own token', async () => {
  // Prepare
  const world = new World();
  // Act
  await world.run();
  // Assess
  const tokens = [...tokensOf(world, 'CutoverApproval'), ...tokensOf(world, 'FinalizeApproval')];
  expect(new Set(tokens).size).toBe(2);
});
