import { defineScenario, COMPENSATED_FINAL_STATE } from './definition';

/** How long the stop leaves the producers fenced before EventBridge's delivery reaches the compensator (a few s). */
const HELD_FOR_MS = 2_000;

/**
 * StopExecution from the console between FenceProducers and SwitchToTarget: Step Functions runs no Catch, so the
 * pointer keeps `fenced:…` and every producer holds its writes. The runner then does what the orchestrator's
 * EventBridge rule does with the ABORTED "Execution Status Change" event: it invokes the compensator, which undoes what
 * the journals say this execution did — the fence released (pointer back at the source), the replicator and canary
 * topic removed, the locks freed, the report written. The producers write again; nothing is lost; the source keeps
 * every record.
 */
export const operatorStopsWhileFenced = defineScenario({
  name: 'operator-stops-while-fenced',
  fault: `StopExecution right after FenceProducers (producers fenced, nothing switched): no Catch runs and the producers stay held; after ${HELD_FOR_MS / 1000} s the compensator, invoked with the ABORTED status change as EventBridge would, must release the fence from the journal, remove the replicator and canary topic and write the report.`,
  finalState: COMPENSATED_FINAL_STATE,
  outcome: 'ROLLED_BACK',
  stopped: { after: 'FenceProducers', before: 'SwitchToTarget' },
  // The step-by-step states: a Stop reaches the execution between two of them. Within the one-invocation Cutover a
  // Stop would take effect only when the invocation returns (Step Functions does not end a running Lambda), switched.
  plan: (plan) => ({ ...plan, cutover: { ...plan.cutover, singleInvocation: false } }),
  inject: (ctx) => {
    let stopped = false;
    return {
      afterState: async (state) => {
        if (state !== 'FenceProducers' || stopped) return;
        stopped = true;
        ctx.stopExecution();
        ctx.log('FAULT: the operator stops the execution (StopExecution) while the producers are fenced');
        // The producers notice the fence within the settle; they must be seen holding before the undo begins.
        const until = Date.now() + HELD_FOR_MS;
        let heldSeen = false;
        while (Date.now() < until) {
          heldSeen ||= ctx.holdingWrites();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        ctx.figure('producersHeldAfterStop', heldSeen);
        if (!heldSeen) ctx.mismatch('the producers were never seen holding their writes after the stop');
      },
    };
  },
});
