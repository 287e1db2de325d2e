import type { RehearsalPlan } from '../plan';
import { defineScenario } from './definition';

/**
 * The crash scenarios' recovery requirements: a restarted MirrorMaker 2 copies again from the offsets Connect stored,
 * so the target may hold each record twice (at most one copy of the whole workload per topic: 10,000 records), and
 * the consumers must read none of them twice after the cutover.
 */
export function withCrashRecovery(plan: RehearsalPlan): RehearsalPlan {
  return { ...plan, recovery: { duplicateTolerance: { maxRecords: 10_000 }, replayTolerance: 'NONE' } };
}

export const replicatorCrash = defineScenario({
  name: 'replicator-crash',
  fault:
    "MirrorMaker 2 is killed (SIGKILL, by PID) after the first healthy catch-up evaluation; the gate must not pass while it is down. After two unhealthy evaluations it is restarted (as MSK Connect restarts a failed worker) and resumes from the offsets Connect stored, copying again what it wrote after them (duplicates on the target, accepted by the plan's recovery.duplicateTolerance and counted by validation); the gate has to count its healthy evaluations again from zero.",
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
  plan: withCrashRecovery,
  inject: (ctx) => {
    let healthyEvaluations = 0;
    let crash: { killedAt: number; unhealthyWhileDown: number; restarted: boolean } | undefined;
    return {
      afterState: async (state, o) => {
        if (state === 'ValidateTarget') {
          ctx.figure('targetDuplicates', o['duplicates'] ?? { records: 0, partitions: [] });
          return;
        }
        if (state !== 'EvaluateCatchUp') return;
        const passed = o['passed'] === true;
        const healthy = o['lastHealthy'] === true;
        if (crash && !crash.restarted) {
          if (healthy || passed) ctx.mismatch('the catch-up gate was healthy while MirrorMaker 2 was down');
          else crash.unhealthyWhileDown++;
          if (crash.unhealthyWhileDown >= 2) {
            crash.restarted = true;
            await ctx.mirrorMaker()?.restart();
            ctx.log(
              `MirrorMaker 2 restarted (PID ${ctx.mirrorMaker()?.pid()}) after ${crash.unhealthyWhileDown} unhealthy evaluations while down`,
            );
          }
        }
        if (healthy) healthyEvaluations++;
        if (!crash && healthyEvaluations === 1 && !passed) {
          const m = ctx.mirrorMaker();
          if (m) {
            ctx.log(`FAULT: MirrorMaker 2 killed (SIGKILL, PID ${m.pid()})`);
            await m.kill();
            crash = { killedAt: Date.now(), unhealthyWhileDown: 0, restarted: false };
            ctx.figure('replicatorCrash', crash);
          }
        }
      },
    };
  },
});
