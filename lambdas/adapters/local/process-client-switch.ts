import { CutoverFailedError, RollbackFailedError, type MigrationError } from '../../core/errors';
import type { ClientRole, ClientSwitch, ClientSwitchTarget, SwitchStep } from '../../ports/client-switch';

/**
 * LOCAL_PROCESS: the local rehearsal's stand-in for ECS_SERVICE. A supervisor runs each application as instances of
 * plain Kafka clients started with a revision of its settings (bootstrap servers, credentials); nothing in the client
 * reads a pointer. The switch works as the ECS one does: a new revision with the target's settings, a deployment
 * (every instance stopped and started again with it), polled until all desired instances run it; `stop` sets the
 * desired count to 0; `revert` returns to the recorded revision and count. Only the local runtime registers it
 * (lambdas/adapters/local/registry.ts): ValidateInput refuses it in a deployed plan.
 */

/** One revision of an application's settings, as ECS keeps task-definition revisions. */
export interface LocalProcessRevision {
  readonly revision: number;
  readonly environment: Readonly<Record<string, string>>;
}

/** What the supervisor says of an application now. */
export interface LocalProcessStatus {
  readonly revision: number;
  readonly desiredCount: number;
  /** Instances running the current revision. */
  readonly running: number;
  /** Instances still running an older revision (being stopped). */
  readonly draining: number;
}

/** The supervisor the rehearsal runs (rehearsal/workload/unaware.ts): the local ECS. */
export interface LocalProcessSupervisor {
  status(application: string): LocalProcessStatus | undefined;
  revision(application: string, revision: number): LocalProcessRevision | undefined;
  /** Registers a new revision of the settings; returns its number. */
  register(application: string, environment: Readonly<Record<string, string>>): number;
  /** Deploys: instances of another revision are stopped and `desiredCount` instances of `revision` started. */
  deploy(application: string, change: { readonly revision?: number; readonly desiredCount?: number }): void;
}

export interface LocalProcessSwitchSpec {
  readonly application: string;
  readonly role: ClientRole;
  readonly environment: Readonly<Record<string, string>>;
  readonly stopAtFence?: boolean;
}

export interface LocalProcessRecord {
  readonly revision: number;
  readonly desiredCount: number;
}

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

export class LocalProcessClientSwitch implements ClientSwitch<LocalProcessRecord> {
  readonly kind = 'LOCAL_PROCESS';
  readonly subject: string;

  constructor(
    private readonly supervisor: LocalProcessSupervisor,
    private readonly spec: LocalProcessSwitchSpec,
  ) {
    this.subject = `process:${spec.application}`;
  }

  get role(): ClientRole {
    return this.spec.role;
  }

  async record(): Promise<LocalProcessRecord> {
    const status = this.status(CutoverFailedError);
    return { revision: status.revision, desiredCount: status.desiredCount };
  }

  async stop(recorded: LocalProcessRecord): Promise<SwitchStep> {
    if (!this.spec.stopAtFence) return { complete: true, step: 'NOT_STOPPED' };
    const status = this.status(CutoverFailedError);
    if (status.desiredCount !== 0) {
      this.supervisor.deploy(this.spec.application, { desiredCount: 0 });
      return { complete: false, step: 'STOPPING', detail: `desired count ${recorded.desiredCount} → 0` };
    }
    const running = status.running + status.draining;
    return running === 0
      ? { complete: true, step: 'STOPPED' }
      : { complete: false, step: 'STOPPING', detail: `${running} instance(s) still running` };
  }

  async switchToTarget(recorded: LocalProcessRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    const status = this.status(CutoverFailedError);
    const wanted = withTarget(this.spec.environment, target);
    if (status.revision === recorded.revision) {
      const base = this.supervisor.revision(this.spec.application, recorded.revision);
      if (!base) throw new CutoverFailedError(`${this.subject} has no revision ${recorded.revision}.`);
      const revision = this.supervisor.register(this.spec.application, { ...base.environment, ...wanted });
      this.supervisor.deploy(this.spec.application, { revision, desiredCount: recorded.desiredCount });
      return { complete: false, step: 'DEPLOYING', detail: `revision ${revision}` };
    }
    const current = this.supervisor.revision(this.spec.application, status.revision);
    if (!current || Object.entries(wanted).some(([k, v]) => current.environment[k] !== v))
      throw new CutoverFailedError(
        `${this.subject} runs revision ${status.revision}, neither the recorded ${recorded.revision} nor one with the target's settings: someone deployed it during the cutover.`,
      );
    if (status.desiredCount !== recorded.desiredCount) {
      this.supervisor.deploy(this.spec.application, { desiredCount: recorded.desiredCount });
      return { complete: false, step: 'DEPLOYING', detail: `desired count back to ${recorded.desiredCount}` };
    }
    return steady(status);
  }

  async revert(recorded: LocalProcessRecord): Promise<SwitchStep> {
    const status = this.status(RollbackFailedError);
    if (status.revision !== recorded.revision || status.desiredCount !== recorded.desiredCount) {
      this.supervisor.deploy(this.spec.application, {
        revision: recorded.revision,
        desiredCount: recorded.desiredCount,
      });
      return { complete: false, step: 'REVERTING', detail: `revision ${recorded.revision}` };
    }
    return steady(status);
  }

  private status(fatal: Fatal): LocalProcessStatus {
    const status = this.supervisor.status(this.spec.application);
    if (!status) throw new fatal(`${this.subject} is not an application the rehearsal runs: check cutover.switches.`);
    return status;
  }
}

/** The switch's environment with `{bootstrapServers}` replaced by the target's. */
export function withTarget(
  environment: Readonly<Record<string, string>>,
  target: ClientSwitchTarget,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([k, v]) => [k, v.replaceAll('{bootstrapServers}', target.bootstrapServers)]),
  );
}

function steady(status: LocalProcessStatus): SwitchStep {
  return status.draining === 0 && status.running === status.desiredCount
    ? { complete: true, step: 'STEADY', detail: `revision ${status.revision}` }
    : {
        complete: false,
        step: 'WAITING_FOR_STEADY_STATE',
        detail: `${status.running}/${status.desiredCount} running, ${status.draining} stopping`,
      };
}
