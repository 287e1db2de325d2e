import { task as AcquireLock } from '../tasks/acquire-lock/task';
import { task as Assess } from '../tasks/assess/task';
import { task as CheckDrain } from '../tasks/check-drain/task';
import { task as CheckFailback } from '../tasks/check-failback/task';
import { task as CheckReplicationStatus } from '../tasks/check-replication-status/task';
import { task as CheckTargetHealth } from '../tasks/check-target-health/task';
import { task as CheckTargetStatus } from '../tasks/check-target-status/task';
import { task as CommitConsumerOffsets } from '../tasks/commit-consumer-offsets/task';
import { task as Cutover } from '../tasks/cutover/task';
import { task as EvaluateCatchUp } from '../tasks/evaluate-catch-up/task';
import { task as FenceProducers } from '../tasks/fence-producers/task';
import { task as Finalize } from '../tasks/finalize/task';
import { task as Inventory } from '../tasks/inventory/task';
import { task as ProvisionTarget } from '../tasks/provision-target/task';
import { task as Report } from '../tasks/report/task';
import { task as RequestApproval } from '../tasks/request-approval/task';
import { task as RollbackCutover } from '../tasks/rollback-cutover/task';
import { task as RollbackReplication } from '../tasks/rollback-replication/task';
import { task as RollbackTarget } from '../tasks/rollback-target/task';
import { task as StartFailback } from '../tasks/start-failback/task';
import { task as StartReplication } from '../tasks/start-replication/task';
import { task as StopFailback } from '../tasks/stop-failback/task';
import { task as SwitchToTarget } from '../tasks/switch-to-target/task';
import { task as ValidateInput } from '../tasks/validate-input/task';
import { task as ValidateTarget } from '../tasks/validate-target/task';
import { STATE_NAMES, STATES, type FunctionName, type StateName } from './catalogue';
import { serveTask, type AnyTaskDefinition, type PortBag } from './define-task';

/**
 * Every task module's definition, by the catalogue's function name: what the in-process runtimes (the rehearsal and
 * the workflow tests) serve the ASL's Task states with. The AWS handlers import only their own module (one bundle per
 * function). test/unit/workflow-tasks.test.ts checks each entry is the module the catalogue names.
 */
export const TASK_DEFINITIONS: Readonly<Record<FunctionName, AnyTaskDefinition>> = {
  ValidateInput,
  AcquireLock,
  Inventory,
  Assess,
  ProvisionTarget,
  CheckTargetStatus,
  StartReplication,
  CheckReplicationStatus,
  EvaluateCatchUp,
  ValidateTarget,
  FenceProducers,
  CheckDrain,
  CommitConsumerOffsets,
  SwitchToTarget,
  Cutover,
  CheckTargetHealth,
  Finalize,
  Report,
  RollbackCutover,
  RollbackReplication,
  RollbackTarget,
  StartFailback,
  CheckFailback,
  StopFailback,
  RequestApproval,
};

export type StateTask = (event: unknown) => Promise<unknown>;

export interface ServeOptions {
  /** Ports for one state or one function only, over the common ones (`undefined` withholds a port). */
  readonly portsFor?: Partial<Record<StateName | FunctionName, PortBag>>;
  /** States served another way (the approval states, which wait for a person). */
  readonly instead?: Partial<Record<StateName, StateTask>>;
}

/**
 * Every Task state of the catalogue served in-process: the event parsed by its function's Input, the deps its
 * `needs` names taken from `ports`, its `run` called. Keyed by STATE name, as the local ASL runner calls them.
 */
export function serveStates(ports: PortBag, options: ServeOptions = {}): Record<StateName, StateTask> {
  const served = {} as Record<StateName, StateTask>;
  for (const state of STATE_NAMES) {
    const fn = STATES[state].function;
    const instead = options.instead?.[state];
    if (instead) {
      served[state] = instead;
      continue;
    }
    const bag: PortBag = { ...ports, ...options.portsFor?.[fn], ...options.portsFor?.[state] };
    served[state] = (event) => serveTask(TASK_DEFINITIONS[fn], state, event, bag);
  }
  return served;
}
