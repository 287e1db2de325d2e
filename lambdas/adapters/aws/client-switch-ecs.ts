import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { CutoverFailedError, RollbackFailedError, type MigrationError } from '../../core/errors';
import type { ClientRole, ClientSwitch, ClientSwitchTarget, SwitchStep } from '../../ports/client-switch';
import { toMigrationError } from './msk-provisioner';

/* Its AWS calls (and so its IAM) are declared in lib/iam/operations.ts. */

export interface EcsServiceSwitchSpec {
  readonly cluster: string;
  readonly service: string;
  readonly role: ClientRole;
  /**
   * Environment variables set in the new revision, per container (all containers when `containerName` is absent):
   * the value may hold `{bootstrapServers}`, replaced with the target's bootstrap servers.
   */
  readonly environment: Readonly<Record<string, string>>;
  readonly containerName?: string;
  /** Scale the service to 0 at the fence (producers stopped), before it is redeployed against the target. */
  readonly stopAtFence?: boolean;
}

/** What the service ran before the cutover: rollback returns to exactly this revision and desired count. */
export interface EcsServiceRecord {
  readonly taskDefinitionArn: string;
  readonly desiredCount: number;
}

/** RegisterTaskDefinition takes these fields of a described task definition; the rest are read-only. */
const REGISTERED_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
] as const;

/**
 * ECS_SERVICE: the service is redeployed against the target — a new task-definition revision whose containers carry
 * the target's bootstrap (and auth) settings, an UpdateService, and a wait for the deployment to reach steady state,
 * each call one poll of it (never a sleep). Rollback returns the service to the recorded revision and desired count.
 * With `stopAtFence` the service is first scaled to 0, so its producers write nowhere during the drain.
 */
export class EcsServiceClientSwitch implements ClientSwitch<EcsServiceRecord> {
  readonly kind = 'ECS_SERVICE';
  readonly subject: string;

  constructor(
    private readonly client: ECSClient,
    private readonly spec: EcsServiceSwitchSpec,
  ) {
    this.subject = `ecs:${spec.cluster}/${spec.service}`;
  }

  get role(): ClientRole {
    return this.spec.role;
  }

  async record(): Promise<EcsServiceRecord> {
    const service = await this.describe(CutoverFailedError);
    if (!service.taskDefinition)
      throw new CutoverFailedError(`${this.subject} has no task definition: check cutover.switches.`);
    return { taskDefinitionArn: service.taskDefinition, desiredCount: service.desiredCount ?? 0 };
  }

  async stop(recorded: EcsServiceRecord): Promise<SwitchStep> {
    if (!this.spec.stopAtFence) return { complete: true, step: 'NOT_STOPPED' };
    const service = await this.describe(CutoverFailedError);
    if ((service.desiredCount ?? 0) !== 0) {
      await this.update({ desiredCount: 0 }, CutoverFailedError);
      return { complete: false, step: 'STOPPING', detail: `desired count ${recorded.desiredCount} → 0` };
    }
    const running = service.runningCount ?? 0;
    return running === 0
      ? { complete: true, step: 'STOPPED' }
      : { complete: false, step: 'STOPPING', detail: `${running} task(s) still running` };
  }

  async switchToTarget(recorded: EcsServiceRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    const service = await this.describe(CutoverFailedError);
    if (service.taskDefinition === recorded.taskDefinitionArn) {
      const definition = await this.taskDefinition(recorded.taskDefinitionArn, CutoverFailedError);
      const arn = await this.register(withEnvironment(definition, this.spec, target), CutoverFailedError);
      await this.update({ taskDefinition: arn, desiredCount: recorded.desiredCount }, CutoverFailedError);
      return { complete: false, step: 'DEPLOYING', detail: arn };
    }
    // Already redeployed by an earlier call: it must be our revision (the target's settings), then wait for steady.
    const current = await this.taskDefinition(service.taskDefinition ?? '', CutoverFailedError);
    const expected = withEnvironment(current, this.spec, target);
    if (JSON.stringify(expected.containerDefinitions) !== JSON.stringify(current.containerDefinitions))
      throw new CutoverFailedError(
        `${this.subject} runs ${service.taskDefinition ?? 'an unknown revision'}, neither the recorded ${recorded.taskDefinitionArn} nor a revision with the target's settings: someone deployed it during the cutover. Find out who before retrying.`,
      );
    if ((service.desiredCount ?? 0) !== recorded.desiredCount) {
      await this.update({ desiredCount: recorded.desiredCount }, CutoverFailedError);
      return { complete: false, step: 'DEPLOYING', detail: `desired count back to ${recorded.desiredCount}` };
    }
    return steadyState(service, service.taskDefinition ?? '', CutoverFailedError, this.subject);
  }

  async revert(recorded: EcsServiceRecord): Promise<SwitchStep> {
    const service = await this.describe(RollbackFailedError);
    if (
      service.taskDefinition !== recorded.taskDefinitionArn ||
      (service.desiredCount ?? 0) !== recorded.desiredCount
    ) {
      await this.update(
        { taskDefinition: recorded.taskDefinitionArn, desiredCount: recorded.desiredCount },
        RollbackFailedError,
      );
      return { complete: false, step: 'REVERTING', detail: recorded.taskDefinitionArn };
    }
    return steadyState(service, recorded.taskDefinitionArn, RollbackFailedError, this.subject);
  }

  private async describe(fatal: Fatal): Promise<Service> {
    try {
      const out = await this.client.send(
        new DescribeServicesCommand({ cluster: this.spec.cluster, services: [this.spec.service] }),
      );
      const service = out.services?.[0];
      if (!service || service.status === 'INACTIVE')
        throw new fatal(`${this.subject} does not exist (or is INACTIVE): check cutover.switches.`);
      return service;
    } catch (err) {
      throw toMigrationError(err, `DescribeServices ${this.subject}`, fatal);
    }
  }

  private async taskDefinition(arn: string, fatal: Fatal): Promise<TaskDefinition> {
    try {
      const out = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      if (!out.taskDefinition) throw new fatal(`Task definition ${arn} was not found.`);
      return out.taskDefinition;
    } catch (err) {
      throw toMigrationError(err, `DescribeTaskDefinition ${arn}`, fatal);
    }
  }

  private async register(definition: TaskDefinition, fatal: Fatal): Promise<string> {
    const input: Record<string, unknown> = {};
    for (const field of REGISTERED_FIELDS) if (definition[field] !== undefined) input[field] = definition[field];
    try {
      const out = await this.client.send(
        new RegisterTaskDefinitionCommand(input as unknown as RegisterTaskDefinitionCommandInput),
      );
      const arn = out.taskDefinition?.taskDefinitionArn;
      if (!arn) throw new fatal('RegisterTaskDefinition returned no ARN.');
      return arn;
    } catch (err) {
      throw toMigrationError(err, `RegisterTaskDefinition ${definition.family ?? ''}`, fatal);
    }
  }

  private async update(change: { taskDefinition?: string; desiredCount?: number }, fatal: Fatal): Promise<void> {
    try {
      await this.client.send(
        new UpdateServiceCommand({ cluster: this.spec.cluster, service: this.spec.service, ...change }),
      );
    } catch (err) {
      throw toMigrationError(err, `UpdateService ${this.subject}`, fatal);
    }
  }
}

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

/** The definition with the switch's environment set on the chosen containers (other variables kept, in order). */
export function withEnvironment(
  definition: TaskDefinition,
  spec: Pick<EcsServiceSwitchSpec, 'environment' | 'containerName'>,
  target: ClientSwitchTarget,
): TaskDefinition {
  const values = Object.entries(spec.environment).map(([name, value]) => ({
    name,
    value: value.replaceAll('{bootstrapServers}', target.bootstrapServers),
  }));
  const containers = (definition.containerDefinitions ?? []).map((c): ContainerDefinition => {
    if (spec.containerName !== undefined && c.name !== spec.containerName) return c;
    const kept = (c.environment ?? []).filter((e) => !values.some((v) => v.name === e.name));
    return { ...c, environment: [...kept, ...values].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')) };
  });
  return { ...definition, containerDefinitions: containers };
}

/** Steady: one deployment, the wanted revision, rollout COMPLETED, all desired tasks running. FAILED is an error. */
function steadyState(service: Service, taskDefinition: string, fatal: Fatal, subject: string): SwitchStep {
  const deployments = service.deployments ?? [];
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState === 'FAILED')
    throw new fatal(
      `${subject}: the deployment of ${taskDefinition} FAILED (${primary.rolloutStateReason ?? 'no reason given'}).`,
    );
  const steady =
    deployments.length === 1 &&
    primary?.taskDefinition === taskDefinition &&
    (primary.rolloutState === undefined || primary.rolloutState === 'COMPLETED') &&
    (primary.runningCount ?? 0) === (primary.desiredCount ?? 0);
  return steady
    ? { complete: true, step: 'STEADY', detail: taskDefinition }
    : {
        complete: false,
        step: 'WAITING_FOR_STEADY_STATE',
        detail: `${deployments.length} deployment(s); primary ${primary?.rolloutState ?? 'unknown'}, ${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} running`,
      };
}
