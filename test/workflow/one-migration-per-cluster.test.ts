import type { RunResult } from '../../rehearsal/asl-runner';
import { messageOf } from './paths';
import { examplePlan, SOURCE_ARN, World } from './world';

/**
 * One migration per cluster, through the real ASL: AcquireLock locks the source cluster, the target and the pointer
 * before anything is created; a second migration naming one of them ends in MigrationLocked naming the execution
 * that holds it; every terminal state releases the locks (through its Report state).
 */

const RUNNING = 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:exec-1';

it('refuses a second migration of the same source while the first waits for its cutover approval, naming the holder', async () => {
  // Prepare: while exec-1 waits at CutoverApproval, another migration (its own ID, its own target) starts on the same source
  let second: RunResult | undefined;
  const secondPlan = examplePlan((raw) => {
    raw.migrationId = 'payments-other';
    raw.cutover.switch.parameterName = '/payments-other/kafka/bootstrap-servers';
  });
  const world: World = new World({
    whileApprovalWaits: {
      CUTOVER: async () => {
        second = await world.run(secondPlan, 'exec-2');
      },
    },
  });
  // Act
  const first = await world.run();
  // Assess: the second one stopped at the lock, created nothing, and named the running execution
  expect(second?.status).toBe('FAILED');
  expect(second?.error).toBe('Migration.Locked');
  expect(second?.visited).toEqual(['ValidateInput', 'AcquireLock', 'MigrationLocked']);
  expect(messageOf(second?.cause)).toContain(`source cluster of migration payments-other (${SOURCE_ARN})`);
  expect(messageOf(second?.cause)).toContain(`locked by migration payments-kafka-4, execution ${RUNNING}`);
  expect(world.calls.filter((c) => c.event.state?.execution?.name === 'exec-2').map((c) => c.state)).toEqual([
    'AcquireLock',
  ]);
  expect(world.provisioner.created).toHaveLength(1);
  expect(world.replicator.createdNames).toHaveLength(1);
  // …and the first one went on to succeed, releasing its locks.
  expect(first.status).toBe('SUCCEEDED');
  expect(world.locks.held.size).toBe(0);
});

it('refuses a migration whose pointer another execution holds, and leaves the holder its locks', async () => {
  // Prepare: another execution holds this plan's pointer
  const world = new World();
  const holder = {
    executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:MskMigration:orders-eu',
    executionName: 'orders-eu',
    migrationId: 'orders-eu',
    acquiredAt: '2026-11-19T08:00:00.000Z',
  };
  await world.locks.acquire('pointer:ssm:/payments/kafka/bootstrap-servers', holder);
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.Locked');
  expect(messageOf(result.cause)).toContain(`execution ${holder.executionArn}`);
  expect([...world.locks.held.entries()]).toEqual([['pointer:ssm:/payments/kafka/bootstrap-servers', holder]]);
  expect(world.called()).toEqual(['ValidateInput', 'AcquireLock']);
});

it('releases the locks when the migration succeeds, and says so in the report', async () => {
  // Prepare
  const world = new World();
  // Act
  const result = await world.run();
  // Assess
  expect(result.status).toBe('SUCCEEDED');
  expect(world.locks.held.size).toBe(0);
  expect((await world.report())?.locksReleased).toEqual([
    `source:${SOURCE_ARN}`,
    'target:new:payments-kafka-4',
    'pointer:ssm:/payments/kafka/bootstrap-servers',
  ]);
});

it('releases the locks when the migration rolls back (replicator FAILED)', async () => {
  // Prepare
  const world = new World({ replicator: { becomes: 'FAILED', afterDescribes: 1 } });
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.RolledBack');
  expect(world.locks.held.size).toBe(0);
});

it('releases the locks when a caught failure ends the migration (assessment blocker → MigrationFailed)', async () => {
  // Prepare: the inventory principal may not describe one topic the plan selects
  const world = new World();
  world.source.addTopic('media.uploads', 1).fill('media.uploads', 3);
  world.source.describeDenied.add('media.uploads');
  // Act
  const result = await world.run();
  // Assess
  expect(result.error).toBe('Migration.Failed');
  expect(world.calls.find((c) => c.state === 'AcquireLock')?.outcome).toBe('OK');
  expect(world.locks.held.size).toBe(0);
});
