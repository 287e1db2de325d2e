import { approvalRejected } from './approval-rejected';
import type { ScenarioDefinition } from './definition';
import { approvalTimeout } from './approval-timeout';
import { failureInRollbackWindow } from './failure-in-rollback-window';
import { happyPath } from './happy-path';
import { lagNeverConverges } from './lag-never-converges';
import { replicatorCrash } from './replicator-crash';
import { replicatorCrashLoop } from './replicator-crash-loop';
import { operatorAbortsDuringCatchUp } from './operator-aborts-during-catch-up';
import { operatorStopsWhileFenced } from './operator-stops-while-fenced';
import { rogueProducer } from './rogue-producer';
import { settleOutlastsNotice } from './settle-outlasts-notice';
import { targetDownAtValidation } from './target-down-at-validation';
import { unawareClients } from './unaware-clients';
import { waves, wavesLaterWaveRollsBack, wavesProducersStay } from './waves';

/**
 * The rehearsal's scenarios, one definition per file (docs/rehearsal.md, "Adding a scenario"): each names its fault,
 * the state the workflow must end in, and carries the hooks that inject the fault. This list is the only place that
 * names them all; the CLI's choices and the runner derive from it.
 */
const DEFINITIONS = [
  happyPath,
  settleOutlastsNotice,
  replicatorCrash,
  replicatorCrashLoop,
  lagNeverConverges,
  targetDownAtValidation,
  approvalTimeout,
  approvalRejected,
  failureInRollbackWindow,
  rogueProducer,
  unawareClients,
  operatorAbortsDuringCatchUp,
  operatorStopsWhileFenced,
  waves,
  wavesLaterWaveRollsBack,
  wavesProducersStay,
] as const;

export type ScenarioName = (typeof DEFINITIONS)[number]['name'];
export const SCENARIOS: readonly ScenarioName[] = DEFINITIONS.map((d) => d.name);
export const SCENARIO_DEFINITIONS = Object.fromEntries(DEFINITIONS.map((d) => [d.name, d])) as Readonly<
  Record<ScenarioName, ScenarioDefinition>
>;

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

export { COMPENSATED_FINAL_STATE } from './definition';
export type { ScenarioContext, ScenarioDefinition, ScenarioHooks } from './definition';
