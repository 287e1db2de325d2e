import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runRehearsal, type RehearsalRun } from '../../rehearsal/run-rehearsal';
import { COMPENSATED_FINAL_STATE, type ScenarioName } from '../../rehearsal/scenarios';

/**
 * The rehearsal end to end: two real Kafka clusters, the live workload, MirrorMaker 2 and the real ASL, once per
 * scenario, each on its own fresh cluster pair (the rehearsal stops everything it started, by PID). The happy path
 * runs with a rollback window of 0 minutes (the first healthy check closes it) to stay within the CI budget; the
 * CLI's default is 1 minute.
 */
jest.setTimeout(300_000);

const reportRoot = mkdtempSync(path.join(tmpdir(), 'rehearsal-e2e-'));
const quiet = (): void => undefined;

afterAll(() => rmSync(reportRoot, { recursive: true, force: true }));

function rehearse(scenario: ScenarioName, extra: { rollbackWindowMinutes?: number } = {}): Promise<RehearsalRun> {
  return runRehearsal({
    scenario,
    autoApprove: true,
    reportDir: path.join(reportRoot, scenario),
    progress: quiet,
    ...extra,
  });
}

/** One drain look's evidence, as CheckDrain writes it (`cutover/drain/poll-NNNN.json`). */
interface DrainLookEvidence {
  readonly at: string;
  readonly drained: boolean;
  readonly caughtUp?: boolean;
  readonly settleSeconds: number;
  readonly noticeSeconds?: number;
}

/** The execution's cutover artifacts in the run's local artifact store: the fence's journal and the drain's looks. */
function cutoverArtifacts(runDir: string): { fencedAt: number; looks: DrainLookEvidence[] } {
  const root = path.join(runDir, 'artifacts');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();
  const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;
  const fence = files.find((f) => f.endsWith(path.join('cutover', 'journal', 'fence.json')));
  if (!fence) throw new Error(`no fence journal under ${root}`);
  return {
    fencedAt: Date.parse(read<{ record: { fencedAt: string } }>(fence).record.fencedAt),
    looks: files
      .filter((f) => /cutover[/\\]drain[/\\]poll-\d{4}\.json$/.test(f))
      .map((f) => read<DrainLookEvidence>(f)),
  };
}

/** The migration succeeded as the scenario defines it, and every record produced was consumed once, in order. */
function expectSucceededWithEveryRecordOnce(run: RehearsalRun): void {
  const { result } = run;
  expect(run.mismatches).toEqual([]);
  expect(result.outcome).toBe('SUCCEEDED');
  expect(result.finalState).toBe('MigrationSucceeded');
  expect(result.records.produced).toBeGreaterThan(0);
  expect(result.records.lost).toBe(0);
  expect(result.records.duplicatesConsumed).toBe(0);
  expect(result.records.outOfOrder).toBe(0);
}

describe('the local rehearsal', () => {
  it('migrates a live workload with nothing lost or read twice, holding writes from the fence to the switch and no shorter than every client took to see the fence', async () => {
    // Act
    const run = await rehearse('happy-path', { rollbackWindowMinutes: 0 });
    // Assess
    const { result, cutover } = run;
    expectSucceededWithEveryRecordOnce(run);
    // One pause, source → target, opened by the fence and closed only by a write after the switch: a send in flight at
    // the fence does not end it (docs/rehearsal.md, "write pause").
    const fenceEntered = cutover.timeline?.startedAt as number;
    const switchedAt = Date.parse(result.cutover.at as string);
    expect(cutover.writePauses).toHaveLength(1);
    const [pause] = cutover.writePauses;
    expect(pause?.to).not.toBe(pause?.from);
    expect(pause?.noticedAt).toBeGreaterThanOrEqual(fenceEntered);
    expect(pause?.firstAckAfter).toBeGreaterThanOrEqual(switchedAt);
    expect(result.cutover.writePauseMs).toBe(pause?.pauseMs);
    // The drain's proof rests on every client having seen the fence within the settle the plan allows (the pointer
    // propagation time of the bound, docs/cutover.md); the same run's observed notices must be inside it.
    expect(cutover.bound).toBeDefined();
    expect(cutover.propagation.fenceMs as number).toBeLessThanOrEqual(cutover.bound?.settleMs as number);
    expect(result.pointOfNoReturn.passed).toBe(true);
    expect(JSON.parse(readFileSync(run.files.json, 'utf8'))).toMatchObject({
      outcome: 'SUCCEEDED',
      records: { lost: 0 },
    });
    expect(existsSync(run.files.html)).toBe(true);
  });

  it("moves the pointer after one look at the settle's end when the drain caught up before it: the steps after the drain run within the settle, nothing lost or read twice", async () => {
    // Act: a fence settle (1 s) longer than the clients' notice (0.35 s)
    const run = await rehearse('settle-outlasts-notice', { rollbackWindowMinutes: 0 });
    // Assess
    const { result, figures, cutover } = run;
    expectSucceededWithEveryRecordOnce(run);
    // The one invocation's steps: the drain, the offsets' check, then ConfirmDrain and the pointer set.
    const steps = (figures['cutoverSteps'] as { steps: Array<{ step: string; fromMs: number; toMs: number }> }).steps;
    const names = steps.map((s) => s.step);
    expect(names).toEqual(expect.arrayContaining(['CheckDrain', 'CommitConsumerOffsets', 'ConfirmDrain']));
    expect(names.indexOf('ConfirmDrain')).toBeGreaterThan(names.indexOf('CheckDrain'));
    expect(names.indexOf('ConfirmDrain')).toBeGreaterThan(names.indexOf('CommitConsumerOffsets'));
    expect(names.at(-1)).toBe('SwitchToTarget');
    // The evidence: the drain's last look but one was caught up (at or after the notice, before the settle's end, not
    // drained yet), the last one (ConfirmDrain's, at or after the settle's end) drained.
    const settleMs = cutover.settleSeconds * 1000;
    const { fencedAt, looks } = cutoverArtifacts(run.runDir);
    const caughtUp = looks.at(-2);
    const confirmed = looks.at(-1);
    expect(caughtUp).toMatchObject({ drained: false, caughtUp: true, settleSeconds: cutover.settleSeconds });
    expect(caughtUp?.noticeSeconds).toBeLessThan(cutover.settleSeconds);
    expect(Date.parse(caughtUp?.at as string) - fencedAt).toBeGreaterThanOrEqual((caughtUp?.noticeSeconds ?? 0) * 1000);
    expect(Date.parse(caughtUp?.at as string) - fencedAt).toBeLessThan(settleMs);
    expect(confirmed).toMatchObject({ drained: true });
    expect(Date.parse(confirmed?.at as string) - fencedAt).toBeGreaterThanOrEqual(settleMs);
    expect(figures['cutoverDrain']).toMatchObject({ looks: looks.length });
    // The steps after the drain ended within the settle; ConfirmDrain started at or after its end.
    const step = (name: string) => steps.find((s) => s.step === name);
    expect(step('CheckDrain')?.toMs).toBeLessThan(settleMs);
    expect(step('CommitConsumerOffsets')?.toMs).toBeLessThan(settleMs);
    expect(step('ConfirmDrain')?.fromMs).toBeGreaterThanOrEqual(settleMs);
    expect(result.cutover.at).not.toBeNull();
  });

  it('rolls back when the approver rejects the cutover, and the workload stays on the source with nothing lost', async () => {
    // Act
    const { result, mismatches } = await rehearse('approval-rejected');
    // Assess
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.finalState).toBe('MigrationRolledBack');
    expect(result.error?.name).toBe('Migration.ApprovalRejected');
    expect(result.records.lost).toBe(0);
    expect(result.cutover.at).toBeNull();
  });

  it('rolls back when the target broker is down at validation', async () => {
    // Act
    const { result, mismatches } = await rehearse('target-down-at-validation');
    // Assess
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.finalState).toBe('MigrationRolledBack');
    expect(result.phases.map((p) => p.name)).toContain('Rollback');
    expect(result.records.lost).toBe(0);
  });

  it('rolls back a failure in the rollback window: the pointer returns to the source and the target writes are read, not lost', async () => {
    // Act
    const { result, mismatches, figures } = await rehearse('failure-in-rollback-window');
    // Assess
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.finalState).toBe('MigrationRolledBack');
    expect(result.error?.name).toBe('Migration.TargetUnhealthy');
    expect(result.cutover.at).not.toBeNull();
    expect(figures['rollbackCutover']).toBeDefined();
    expect(result.records.lost).toBe(0);
  });

  it('takes the rollback path when the operator aborts during the catch-up: Migration.Aborted at the next poll, nothing lost, the source untouched', async () => {
    // Act
    const { result, mismatches, figures } = await rehearse('operator-aborts-during-catch-up');
    // Assess: the verdict also requires the producers writing at the end and the source's records all in place
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.finalState).toBe('MigrationRolledBack');
    expect(result.error?.name).toBe('Migration.Aborted');
    expect(result.records.lost).toBe(0);
    expect(figures['sourceChanges']).toEqual([]);
    expect(figures['writesAfterEnd']).toBeGreaterThan(0);
  });

  it('runs a plan in waves: a read-only pipeline moves first while its producers write to the source, then the shop wave; nothing lost', async () => {
    const { result, mismatches, figures } = await rehearse('waves');
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('SUCCEEDED');
    expect(result.finalState).toBe('MigrationSucceeded');
    expect(result.records.lost).toBe(0);
    expect(figures['audit']).toMatchObject({ lost: 0 });
    expect((figures['audit'] as { consumed: number }).consumed).toBeGreaterThan(0);
    expect(figures['waves']).toEqual([
      { name: 'audit', status: 'ON_TARGET' },
      { name: 'shop', status: 'ON_TARGET' },
    ]);
  });

  it('rolls back only the later wave that fails: the earlier wave stays on the target, nothing lost in either', async () => {
    const { result, mismatches, figures } = await rehearse('waves-later-wave-rolls-back');
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.finalState).toBe('MigrationRolledBack');
    expect(result.error?.name).toBe('Migration.TargetUnhealthy');
    expect(result.records.lost).toBe(0);
    expect(figures['payments']).toMatchObject({ lost: 0 });
    expect(figures['waves']).toEqual([
      { name: 'shop', status: 'ON_TARGET' },
      { name: 'payments', status: 'ROLLED_BACK' },
    ]);
  });

  it('undoes a stop while the producers are fenced through the compensator: fence released, replicator removed, report written', async () => {
    // Act
    const { result, mismatches, figures, cutover } = await rehearse('operator-stops-while-fenced');
    // Assess
    expect(mismatches).toEqual([]);
    expect(result.outcome).toBe('ROLLED_BACK');
    expect(result.finalState).toBe(COMPENSATED_FINAL_STATE);
    expect(figures['compensation']).toMatchObject({ outcome: 'ROLLED_BACK' });
    expect(figures['producersHeldAfterStop']).toBe(true);
    // One pause, source → fence → source: opened by the fence, closed by a write after the compensator's release.
    expect(cutover.writePauses).toHaveLength(1);
    expect(cutover.writePauses[0]?.to).toBe(cutover.writePauses[0]?.from);
    expect(result.records.lost).toBe(0);
    expect(figures['sourceChanges']).toEqual([]);
  });
});
