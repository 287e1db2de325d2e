import { withCrashRecovery } from './replicator-crash';
import { defineScenario } from './definition';

/** How many times MirrorMaker 2 is killed during catch-up. */
const KILLS = 3;

export const replicatorCrashLoop = defineScenario({
  name: 'replicator-crash-loop',
  fault: `MirrorMaker 2 is killed (SIGKILL, by PID) ${KILLS} times during catch-up: after the first healthy evaluation, then one evaluation after each restart (each restart follows one unhealthy evaluation while it is down, as MSK Connect restarts a failed worker). Every restart copies again from the offsets Connect stored, so the target holds replayed ranges; the plan accepts them (recovery.duplicateTolerance) and validation counts them, consumers read none of them twice (recovery.replayTolerance NONE).`,
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
  plan: withCrashRecovery,
  inject: (ctx) => {
    let kills = 0;
    let down = false;
    let sinceRestart = 0;
    return {
      afterState: async (state, o) => {
        if (state === 'ValidateTarget') {
          ctx.figure('targetDuplicates', o['duplicates'] ?? { records: 0, partitions: [] });
          return;
        }
        if (state !== 'EvaluateCatchUp') return;
        const passed = o['passed'] === true;
        const healthy = o['lastHealthy'] === true;
        if (down) {
          if (healthy || passed) ctx.mismatch('the catch-up gate was healthy while MirrorMaker 2 was down');
          down = false;
          sinceRestart = 0;
          await ctx.mirrorMaker()?.restart();
          ctx.log(`MirrorMaker 2 restarted (PID ${ctx.mirrorMaker()?.pid()}) after kill ${kills}/${KILLS}`);
          return;
        }
        sinceRestart++;
        if (passed) {
          if (kills < KILLS) ctx.mismatch(`the catch-up gate passed after ${kills} of ${KILLS} kills`);
          return;
        }
        // The first kill waits for a healthy evaluation (the copy is under way); later ones one evaluation after the restart.
        const due = kills === 0 ? healthy : sinceRestart >= 1;
        const m = ctx.mirrorMaker();
        if (kills < KILLS && due && m) {
          kills++;
          ctx.log(`FAULT: MirrorMaker 2 killed (SIGKILL, PID ${m.pid()}), kill ${kills}/${KILLS}`);
          await m.kill();
          down = true;
          ctx.figure('replicatorKills', kills);
        }
      },
    };
  },
});
