import { InputInvalidError } from '../lambdas/core/errors';
import { parseTaskInput } from '../lambdas/tasks/shared/execution-state';
import * as assess from '../lambdas/tasks/assess/task';
import * as checkDrain from '../lambdas/tasks/check-drain/task';
import * as checkReplicationStatus from '../lambdas/tasks/check-replication-status/task';
import * as checkTargetHealth from '../lambdas/tasks/check-target-health/task';
import * as checkTargetStatus from '../lambdas/tasks/check-target-status/task';
import * as commitConsumerOffsets from '../lambdas/tasks/commit-consumer-offsets/task';
import * as evaluateCatchUp from '../lambdas/tasks/evaluate-catch-up/task';
import * as fenceProducers from '../lambdas/tasks/fence-producers/task';
import * as finalize from '../lambdas/tasks/finalize/task';
import * as inventory from '../lambdas/tasks/inventory/task';
import * as provisionTarget from '../lambdas/tasks/provision-target/task';
import * as report from '../lambdas/tasks/report/task';
import * as requestApproval from '../lambdas/tasks/request-approval/task';
import * as rollbackReplication from '../lambdas/tasks/rollback-replication/task';
import * as rollbackTarget from '../lambdas/tasks/rollback-target/task';
import * as startReplication from '../lambdas/tasks/start-replication/task';
import * as switchToTarget from '../lambdas/tasks/switch-to-target/task';
import * as validateInput from '../lambdas/tasks/validate-input/task';
import * as validateTarget from '../lambdas/tasks/validate-target/task';
import type { ApprovalServices } from '../lambdas/core/approval/service';
import type { LocalTaskCallback } from '../lambdas/adapters/local/local-approval-callback';
import type { ArtifactStore } from '../lambdas/ports/artifact-store';
import type { CutoverSwitch } from '../lambdas/ports/cutover-switch';
import type { KafkajsDataPlane } from '../lambdas/adapters/kafka/kafkajs-data-plane';
import type { LagSignals } from '../lambdas/ports/lag-signals';
import type { Replicator } from '../lambdas/ports/replicator';
import { loadDefinition, type LocalTask } from './asl-runner';

/**
 * Every Lambda function of the ASL, served in-process by its task module's `run<State>` over the local adapters,
 * exactly as its handler.ts does in AWS (parse with the module's zod Input, call the core, return the small output).
 * Task states are keyed by STATE name in the runner; several states share one function (RequestApproval, Report,
 * FenceProducers, …), so the table is by function and mapped to states from the ASL itself.
 */

export interface LocalTaskPorts {
  readonly source: KafkajsDataPlane;
  readonly target: KafkajsDataPlane;
  readonly artifacts: ArtifactStore;
  readonly replicator: Replicator;
  readonly pointer: CutoverSwitch;
  readonly approvals: ApprovalServices & { readonly callback: LocalTaskCallback };
  /** The target's health alarms the rollback window watches (a local stand-in for CloudWatch). */
  readonly targetAlarms?: { readonly signals: LagSignals; readonly alarmNames: readonly string[] };
  /** Called once the approval request is stored and mailed, with its id (auto-approve, or print the link). */
  readonly onApprovalRequested: (request: { kind: string; approvalId: string }) => void;
  readonly now: () => Date;
}

type Module<I, O, D> = { Input: { safeParse: (v: unknown) => unknown }; run: (input: I, deps: D) => Promise<O> | O };

function task<I, O>(phase: string, schema: unknown, run: (input: I) => Promise<O> | O): LocalTask {
  return async (event) => run(parseTaskInput(phase, schema as never, event) as I);
}

/** A Step Functions error as the Catch sees it (`Error` = the name, `Cause` = the message). */
class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export function localFunctions(ports: LocalTaskPorts): Record<string, LocalTask> {
  const { source, target, artifacts, replicator, pointer, now } = ports;
  const functions: Record<string, LocalTask> = {
    ValidateInput: async (event) => validateInput.runValidateInput(event as validateInput.Input, now),
    Inventory: task('Inventory', inventory.Input, (i: inventory.Input) =>
      inventory.runInventory(i, { kafka: source, artifacts, now }),
    ),
    Assess: task('Assess', assess.Input, (i: assess.Input) => assess.runAssess(i, { artifacts, now })),
    ProvisionTarget: task('ProvisionTarget', provisionTarget.Input, (i: provisionTarget.Input) =>
      provisionTarget.runProvisionTarget(i, { now }),
    ),
    CheckTargetStatus: task('CheckTargetStatus', checkTargetStatus.Input, (i: checkTargetStatus.Input) =>
      checkTargetStatus.runCheckTargetStatus(i, { now }),
    ),
    StartReplication: task('StartReplication', startReplication.Input, (i: startReplication.Input) =>
      startReplication.runStartReplication(i, { replicator, artifacts, source, now }),
    ),
    CheckReplicationStatus: task(
      'CheckReplicationStatus',
      checkReplicationStatus.Input,
      (i: checkReplicationStatus.Input) => checkReplicationStatus.runCheckReplicationStatus(i, { replicator, now }),
    ),
    EvaluateCatchUp: task('EvaluateCatchUp', evaluateCatchUp.Input, (i: evaluateCatchUp.Input) =>
      evaluateCatchUp.runEvaluateCatchUp(i, { artifacts, source, target, now }),
    ),
    ValidateTarget: task('ValidateTarget', validateTarget.Input, (i: validateTarget.Input) =>
      // The target's ACLs are read as in AWS; a target without an authorizer and a source without ACLs leave nobody
      // to check, which the validation reports as skipped.
      validateTarget.runValidateTarget(i, { source, target, targetAcls: target, artifacts, now }),
    ),
    RequestApproval: async (event) => {
      const input = parseTaskInput('RequestApproval', requestApproval.Input, event);
      // Listen before the request exists, so that an instant decision (auto-approve) is not missed.
      const decided = ports.approvals.callback.waitFor(input.taskToken);
      const requested = await requestApproval.runRequestApproval(input, ports.approvals);
      ports.onApprovalRequested({ kind: input.kind, approvalId: requested.approvalId });
      const result = await decided;
      if (result.kind === 'FAILURE') throw new TaskFailure(result.error, result.cause);
      return result.output;
    },
    FenceProducers: task('FenceProducers', fenceProducers.Input, (i: fenceProducers.Input) =>
      fenceProducers.runFenceProducers(i, {
        pointer,
        producersCluster: i.mode === 'FAILBACK' ? target : source,
        artifacts,
        now,
      }),
    ),
    CheckDrain: task('CheckDrain', checkDrain.Input, (i: checkDrain.Input) =>
      checkDrain.runCheckDrain(i, { source, target, artifacts, now }),
    ),
    CommitConsumerOffsets: task(
      'CommitConsumerOffsets',
      commitConsumerOffsets.Input,
      (i: commitConsumerOffsets.Input) =>
        commitConsumerOffsets.runCommitConsumerOffsets(i, { source, target, artifacts, now }),
    ),
    SwitchToTarget: task('SwitchToTarget', switchToTarget.Input, (i: switchToTarget.Input) =>
      switchToTarget.runSwitchToTarget(i, { pointer, target, artifacts, now }),
    ),
    CheckTargetHealth: task('CheckTargetHealth', checkTargetHealth.Input, (i: checkTargetHealth.Input) =>
      checkTargetHealth.runCheckTargetHealth(i, {
        target,
        artifacts,
        now,
        ...(ports.targetAlarms
          ? { lagSignals: ports.targetAlarms.signals, alarmNames: ports.targetAlarms.alarmNames }
          : {}),
      }),
    ),
    Finalize: task('Finalize', finalize.Input, (i: finalize.Input) =>
      finalize.runFinalize(i, { replicator, source, target, now }),
    ),
    Report: task('Report', report.Input, (i: report.Input) => report.runReport(i, { artifacts, now })),
    RollbackReplication: task('RollbackReplication', rollbackReplication.Input, (i: rollbackReplication.Input) =>
      rollbackReplication.runRollbackReplication(i, { replicator, source, target, now }),
    ),
    RollbackTarget: task('RollbackTarget', rollbackTarget.Input, (i: rollbackTarget.Input) =>
      rollbackTarget.runRollbackTarget(i, { now }),
    ),
  };
  return functions;
}

/** Task modules loaded late: written after this file, and only needed on the rollback and failback paths. */
export async function lateFunctions(ports: LocalTaskPorts): Promise<Record<string, LocalTask>> {
  const { source, target, artifacts, replicator, pointer, now } = ports;
  const out: Record<string, LocalTask> = {};
  const load = async <I, O, D>(fn: string, path: string, runName: string, deps: D): Promise<void> => {
    try {
      const mod = (await import(path)) as Record<string, unknown> & Module<I, O, D>;
      const run = mod[runName] as (input: I, deps: D) => Promise<O>;
      if (typeof run !== 'function') return;
      out[fn] = task(fn, mod.Input, (i: I) => run(i, deps));
    } catch {
      out[fn] = async () => {
        throw new InputInvalidError(`The task module of ${fn} (${path}) is not available in this checkout.`);
      };
    }
  };
  await load('RollbackCutover', '../lambdas/tasks/rollback-cutover/task', 'runRollbackCutover', {
    pointer,
    source,
    target,
    artifacts,
    now,
  });
  await load('StartFailback', '../lambdas/tasks/start-failback/task', 'runStartFailback', {
    replicator,
    source,
    target,
    artifacts,
    now,
  });
  await load('CheckFailback', '../lambdas/tasks/check-failback/task', 'runCheckFailback', {
    replicator,
    source,
    target,
    artifacts,
    now,
  });
  await load('StopFailback', '../lambdas/tasks/stop-failback/task', 'runStopFailback', {
    replicator,
    source,
    target,
    artifacts,
    now,
  });
  return out;
}

/** The ASL's Task states with the function each one invokes (`${XFunctionArn}` → X). */
export function taskStatesByFunction(): Record<string, string> {
  const definition = loadDefinition();
  const out: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const parameters = state['Parameters'] as { FunctionName?: string } | undefined;
    const arn = state.Resource?.startsWith('arn:aws:states:::lambda:invoke')
      ? parameters?.FunctionName
      : state.Resource;
    const fn = /function:msk-migration-(\w+)$/.exec(arn ?? '')?.[1];
    if (fn) out[name] = fn;
  }
  return out;
}
