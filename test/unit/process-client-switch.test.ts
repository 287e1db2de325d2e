import {
  LocalProcessClientSwitch,
  type LocalProcessRevision,
  type LocalProcessStatus,
  type LocalProcessSupervisor,
} from '../../lambdas/adapters/local/process-client-switch';
import { CutoverFailedError } from '../../lambdas/core/errors';

/** A supervisor whose deployments take effect on `settle()` (instances of the new revision running). */
class FakeSupervisor implements LocalProcessSupervisor {
  readonly revisions: LocalProcessRevision[] = [{ revision: 1, environment: { BOOTSTRAP_SERVERS: 'source:9096' } }];
  current = { revision: 1, desiredCount: 1, running: 1, draining: 0 };
  readonly deployments: Array<{ revision?: number; desiredCount?: number }> = [];
  status(application: string): LocalProcessStatus | undefined {
    return application === 'payments-producer' ? { ...this.current } : undefined;
  }
  revision(_: string, revision: number): LocalProcessRevision | undefined {
    return this.revisions.find((r) => r.revision === revision);
  }
  register(_: string, environment: Readonly<Record<string, string>>): number {
    this.revisions.push({ revision: this.revisions.length + 1, environment });
    return this.revisions.length;
  }
  deploy(_: string, change: { revision?: number; desiredCount?: number }): void {
    this.deployments.push(change);
    this.current = {
      revision: change.revision ?? this.current.revision,
      desiredCount: change.desiredCount ?? this.current.desiredCount,
      running: 0,
      draining: this.current.running,
    };
  }
  settle(): void {
    this.current = { ...this.current, running: this.current.desiredCount, draining: 0 };
  }
}

const TARGET = { bootstrapServers: 'target:9096' };

function adapter(supervisor: FakeSupervisor, stopAtFence = false): LocalProcessClientSwitch {
  return new LocalProcessClientSwitch(supervisor, {
    application: 'payments-producer',
    role: 'PRODUCERS',
    environment: { BOOTSTRAP_SERVERS: '{bootstrapServers}', SASL_PASSWORD_FILE: '/run/target.password' },
    stopAtFence,
  });
}

describe('LocalProcessClientSwitch (the rehearsal stand-in for ECS_SERVICE)', () => {
  it('deploys a revision with the target settings, then reports steady once its instances run', async () => {
    const supervisor = new FakeSupervisor();
    const sw = adapter(supervisor);
    const recorded = await sw.record();

    const first = await sw.switchToTarget(recorded, TARGET);
    const waiting = await sw.switchToTarget(recorded, TARGET);
    supervisor.settle();
    const steady = await sw.switchToTarget(recorded, TARGET);

    expect(recorded).toEqual({ revision: 1, desiredCount: 1 });
    expect(first).toMatchObject({ complete: false, step: 'DEPLOYING' });
    expect(waiting).toMatchObject({ complete: false, step: 'WAITING_FOR_STEADY_STATE' });
    expect(steady).toEqual({ complete: true, step: 'STEADY', detail: 'revision 2' });
    expect(supervisor.revisions[1]?.environment).toEqual({
      BOOTSTRAP_SERVERS: 'target:9096',
      SASL_PASSWORD_FILE: '/run/target.password',
    });
    expect(supervisor.deployments).toEqual([{ revision: 2, desiredCount: 1 }]);
  });

  it('stops only with stopAtFence, and comes back at the recorded count on the target', async () => {
    const supervisor = new FakeSupervisor();
    expect(await adapter(supervisor).stop({ revision: 1, desiredCount: 1 })).toEqual({
      complete: true,
      step: 'NOT_STOPPED',
    });
    const sw = adapter(supervisor, true);
    const recorded = await sw.record();

    expect(await sw.stop(recorded)).toMatchObject({ complete: false, step: 'STOPPING' });
    supervisor.settle();
    expect(await sw.stop(recorded)).toEqual({ complete: true, step: 'STOPPED' });
    await sw.switchToTarget(recorded, TARGET);
    supervisor.settle();

    expect(await sw.switchToTarget(recorded, TARGET)).toMatchObject({ complete: true, step: 'STEADY' });
    expect(supervisor.current).toMatchObject({ revision: 2, desiredCount: 1 });
  });

  it('reverts to the recorded revision and count, and refuses a revision someone else deployed', async () => {
    const supervisor = new FakeSupervisor();
    const sw = adapter(supervisor);
    const recorded = await sw.record();
    await sw.switchToTarget(recorded, TARGET);
    supervisor.settle();

    expect(await sw.revert(recorded)).toMatchObject({ complete: false, step: 'REVERTING' });
    supervisor.settle();
    expect(await sw.revert(recorded)).toMatchObject({ complete: true, step: 'STEADY' });

    const other = supervisor.register('payments-producer', { BOOTSTRAP_SERVERS: 'elsewhere:9096' });
    supervisor.deploy('payments-producer', { revision: other });
    await expect(sw.switchToTarget(recorded, TARGET)).rejects.toThrow(CutoverFailedError);
    await expect(sw.switchToTarget(recorded, TARGET)).rejects.toThrow(/someone deployed it during the cutover/);
  });

  it('names an application the rehearsal does not run', async () => {
    const sw = new LocalProcessClientSwitch(new FakeSupervisor(), {
      application: 'nobody',
      role: 'CONSUMERS',
      environment: { BOOTSTRAP_SERVERS: '{bootstrapServers}' },
    });
    await expect(sw.record()).rejects.toThrow(/process:nobody is not an application the rehearsal runs/);
  });
});
