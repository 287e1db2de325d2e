import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingRequest,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { CutoverFailedError, RollbackFailedError, type MigrationError } from '../../core/errors';
import type { ClientRole, ClientSwitch, ClientSwitchTarget, SwitchStep } from '../../ports/client-switch';
import { toMigrationError } from './msk-provisioner';

/* Its AWS calls (and so its IAM) are declared in lib/iam/operations.ts. */

/** The source mapping's configuration as GetEventSourceMapping returned it: what the rollback recreates. */
export type EventSourceMappingRecord = EventSourceMappingConfiguration & {
  readonly UUID: string;
  readonly FunctionArn: string;
};

const GONE = 'ResourceNotFoundException';

/**
 * LAMBDA_EVENT_SOURCE_MAPPING: a function's MSK event source moved to the target. Lambda's documentation
 * (Customizable consumer group ID): with a consumer group ID that exists on the cluster with committed offsets, Lambda
 * ignores StartingPosition and resumes from the group's committed offsets; the ID must be unique among all Kafka event
 * sources and cannot be changed after creation. So, after CommitConsumerOffsets has committed the group's translated
 * offsets on the target: the source mapping is deleted (its full configuration journaled first), and only once it is
 * gone is the target mapping created with the same consumer group ID — it then starts where the group left off.
 * Rollback deletes the target mapping and recreates the source one from the journal, with the same group ID: on the
 * source the group's own committed offsets are still there.
 *
 * At the fence (`hold`, called by CommitConsumerOffsets once the group has consumed to the source's end, or its
 * catch-up time has passed): the source mapping is disabled (UpdateEventSourceMapping Enabled=false). Lambda commits a
 * batch's offsets after the function processed it and, disabled, stops polling; so the group's committed offsets are
 * final and CommitConsumerOffsets translates them, where otherwise the mapping would consume until its switch. A
 * rollback before the switch enables the same mapping again (same UUID), and Lambda resumes from the group's offsets.
 *
 * On the way back (`holdOnTarget`, FailbackCutover): the mapping on the target is disabled the same way before the
 * group's offsets are translated back; `revert` then deletes it and creates the source one, and a failback that stops
 * in between enables it again (`resumeOnTarget`).
 */
export class LambdaEsmClientSwitch implements ClientSwitch<EventSourceMappingRecord> {
  readonly kind = 'LAMBDA_EVENT_SOURCE_MAPPING';
  readonly subject: string;

  constructor(
    private readonly client: LambdaClient,
    private readonly spec: {
      readonly uuid: string;
      readonly role: ClientRole;
      /** How Lambda authenticates to the target (SCRAM secret, mTLS); none: IAM (the only mode of MSK Serverless). */
      readonly targetSourceAccessConfigurations?: CreateEventSourceMappingRequest['SourceAccessConfigurations'];
    },
  ) {
    this.subject = `lambda-esm:${spec.uuid}`;
  }

  get role(): ClientRole {
    return this.spec.role;
  }

  async record(): Promise<EventSourceMappingRecord> {
    const found = await this.get(this.spec.uuid, CutoverFailedError);
    if (!found?.FunctionArn || !found.EventSourceArn)
      throw new CutoverFailedError(
        `Event source mapping ${this.spec.uuid} ${found ? 'has no function or event source' : 'does not exist'}: check cutover.switches.`,
      );
    if (!groupOf(found))
      throw new CutoverFailedError(
        `Event source mapping ${this.spec.uuid} has no consumer group ID: its offsets cannot be carried to the target.`,
      );
    return { ...found, UUID: this.spec.uuid, FunctionArn: found.FunctionArn };
  }

  async stop(): Promise<SwitchStep> {
    return { complete: true, step: 'NOTHING_TO_STOP' };
  }

  consumerGroup(recorded: EventSourceMappingRecord): string | undefined {
    return groupOf(recorded);
  }

  async hold(recorded: EventSourceMappingRecord): Promise<SwitchStep> {
    const source = await this.get(recorded.UUID, CutoverFailedError);
    const state = source?.State ?? '';
    if (!source || state === 'Disabled')
      return {
        complete: true,
        step: source ? 'SOURCE_MAPPING_DISABLED' : 'SOURCE_MAPPING_GONE',
        detail: recorded.UUID,
      };
    if (state === 'Enabled') {
      try {
        await this.client.send(new UpdateEventSourceMappingCommand({ UUID: recorded.UUID, Enabled: false }));
      } catch (err) {
        throw toMigrationError(err, `UpdateEventSourceMapping ${recorded.UUID} (disable)`, CutoverFailedError);
      }
      return { complete: false, step: 'DISABLING_SOURCE_MAPPING', detail: recorded.UUID };
    }
    // Disabling, or a change in progress (Creating, Enabling, Updating): Lambda refuses another update meanwhile.
    return { complete: false, step: `SOURCE_MAPPING_${state.toUpperCase() || 'UNKNOWN'}`, detail: recorded.UUID };
  }

  /**
   * Failback: the mapping SwitchToTarget created on the target (same function and group, the target's event source)
   * disabled as `hold` disables the source one, so that its group's committed offsets on the target are final when
   * FailbackCutover translates them back; `revert` then deletes it and recreates the source mapping.
   */
  async holdOnTarget(recorded: EventSourceMappingRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    const onTarget = await this.targetMapping(recorded, target, CutoverFailedError);
    const state = onTarget?.State ?? '';
    const uuid = onTarget?.UUID ?? '';
    if (!onTarget || state === 'Disabled')
      return { complete: true, step: onTarget ? 'TARGET_MAPPING_DISABLED' : 'TARGET_MAPPING_GONE', detail: uuid };
    if (state === 'Enabled') {
      try {
        await this.client.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
      } catch (err) {
        throw toMigrationError(err, `UpdateEventSourceMapping ${uuid} (disable)`, CutoverFailedError);
      }
      return { complete: false, step: 'DISABLING_TARGET_MAPPING', detail: uuid };
    }
    return { complete: false, step: `TARGET_MAPPING_${state.toUpperCase() || 'UNKNOWN'}`, detail: uuid };
  }

  /** The failback stopped after `holdOnTarget`: the same target mapping enabled again (Lambda resumes from its group). */
  async resumeOnTarget(recorded: EventSourceMappingRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    const onTarget = await this.targetMapping(recorded, target, CutoverFailedError);
    const uuid = onTarget?.UUID ?? '';
    if (onTarget && recorded.State !== 'Disabled' && onTarget.State === 'Disabled') {
      try {
        await this.client.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
      } catch (err) {
        throw toMigrationError(err, `UpdateEventSourceMapping ${uuid} (enable)`, CutoverFailedError);
      }
      return { complete: false, step: 'ENABLING_TARGET_MAPPING', detail: uuid };
    }
    return await this.switchToTarget(recorded, target);
  }

  async switchToTarget(recorded: EventSourceMappingRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    if (!target.clusterArn)
      throw new CutoverFailedError(
        `${this.subject}: the target has no MSK cluster ARN; a Lambda MSK event source needs one.`,
      );
    const source = await this.get(recorded.UUID, CutoverFailedError);
    if (source) {
      if (source.State !== 'Deleting') await this.delete(recorded.UUID, CutoverFailedError);
      return {
        complete: false,
        step: 'DELETING_SOURCE_MAPPING',
        detail: `${recorded.UUID} is ${source.State ?? 'present'}`,
      };
    }
    const { SourceAccessConfigurations: _sourceAuth, ...rest } = creationOf(recorded);
    const auth = this.spec.targetSourceAccessConfigurations;
    // `return await`: the public method stays on the async stack (the iam tier attributes each request to it).
    return await this.ensureMapping(
      recorded,
      { ...rest, EventSourceArn: target.clusterArn, ...(auth ? { SourceAccessConfigurations: auth } : {}) },
      CutoverFailedError,
      'TARGET',
    );
  }

  async revert(recorded: EventSourceMappingRecord): Promise<SwitchStep> {
    // The target mapping (same function and group, another event source) goes first: the group ID is unique.
    const onTarget = (await this.list(recorded.FunctionArn, RollbackFailedError)).filter(
      (m) => groupOf(m) === groupOf(recorded) && m.EventSourceArn !== recorded.EventSourceArn,
    );
    for (const m of onTarget) {
      if (m.State !== 'Deleting' && m.UUID) await this.delete(m.UUID, RollbackFailedError);
    }
    if (onTarget.length > 0)
      return { complete: false, step: 'DELETING_TARGET_MAPPING', detail: onTarget.map((m) => m.UUID).join(', ') };
    return await this.ensureMapping(recorded, creationOf(recorded), RollbackFailedError, 'SOURCE');
  }

  private async ensureMapping(
    recorded: EventSourceMappingRecord,
    request: CreateEventSourceMappingRequest,
    fatal: typeof CutoverFailedError | typeof RollbackFailedError,
    where: 'SOURCE' | 'TARGET',
  ): Promise<SwitchStep> {
    const existing = (await this.list(recorded.FunctionArn, fatal)).find(
      (m) => m.EventSourceArn === request.EventSourceArn && groupOf(m) === groupOf(recorded),
    );
    if (!existing) {
      try {
        const created = await this.client.send(new CreateEventSourceMappingCommand(request));
        return { complete: false, step: `CREATING_${where}_MAPPING`, detail: created.UUID ?? '' };
      } catch (err) {
        throw toMigrationError(err, `CreateEventSourceMapping for ${recorded.FunctionArn}`, fatal);
      }
    }
    const state = existing.State ?? '';
    if (where === 'SOURCE' && recorded.State !== 'Disabled' && (state === 'Disabled' || state === 'Disabling')) {
      // Disabled at the fence (hold) by this execution: enabled again, the same mapping resumes from the group's offsets.
      if (state === 'Disabled') await this.enable(existing.UUID ?? recorded.UUID);
      return { complete: false, step: 'ENABLING_SOURCE_MAPPING', detail: existing.UUID ?? '' };
    }
    if (state === 'Enabled' || (state === 'Disabled' && recorded.State === 'Disabled'))
      return { complete: true, step: `${where}_MAPPING_${state.toUpperCase()}`, detail: existing.UUID ?? '' };
    if (['Creating', 'Enabling', 'Updating'].includes(state))
      return { complete: false, step: `${where}_MAPPING_${state.toUpperCase()}`, detail: existing.UUID ?? '' };
    throw new fatal(
      `${this.subject}: the ${where.toLowerCase()} mapping ${existing.UUID ?? ''} is ${state}${existing.StateTransitionReason ? ` (${existing.StateTransitionReason})` : ''}${existing.LastProcessingResult ? `; last processing result: ${existing.LastProcessingResult}` : ''}.`,
    );
  }

  /** The function's mapping of the recorded group on the target (the target's ARN; else any other event source). */
  private async targetMapping(
    recorded: EventSourceMappingRecord,
    target: ClientSwitchTarget,
    fatal: Fatal,
  ): Promise<EventSourceMappingConfiguration | undefined> {
    return (await this.list(recorded.FunctionArn, fatal)).find(
      (m) =>
        groupOf(m) === groupOf(recorded) &&
        (target.clusterArn ? m.EventSourceArn === target.clusterArn : m.EventSourceArn !== recorded.EventSourceArn),
    );
  }

  private async enable(uuid: string): Promise<void> {
    try {
      await this.client.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    } catch (err) {
      throw toMigrationError(err, `UpdateEventSourceMapping ${uuid} (enable)`, RollbackFailedError);
    }
  }

  private async get(uuid: string, fatal: Fatal): Promise<EventSourceMappingConfiguration | undefined> {
    try {
      return await this.client.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    } catch (err) {
      if ((err as { name?: string }).name === GONE) return undefined;
      throw toMigrationError(err, `GetEventSourceMapping ${uuid}`, fatal);
    }
  }

  private async delete(uuid: string, fatal: Fatal): Promise<void> {
    try {
      await this.client.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    } catch (err) {
      if ((err as { name?: string }).name === GONE) return;
      throw toMigrationError(err, `DeleteEventSourceMapping ${uuid}`, fatal);
    }
  }

  private async list(functionArn: string, fatal: Fatal): Promise<EventSourceMappingConfiguration[]> {
    const out: EventSourceMappingConfiguration[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 20; page++) {
      try {
        const res = await this.client.send(
          new ListEventSourceMappingsCommand({ FunctionName: functionArn, ...(marker ? { Marker: marker } : {}) }),
        );
        out.push(...(res.EventSourceMappings ?? []));
        marker = res.NextMarker;
      } catch (err) {
        throw toMigrationError(err, `ListEventSourceMappings ${functionArn}`, fatal);
      }
      if (!marker) break;
    }
    return out;
  }
}

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

function groupOf(m: EventSourceMappingConfiguration): string | undefined {
  return m.AmazonManagedKafkaEventSourceConfig?.ConsumerGroupId ?? m.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId;
}

/** The CreateEventSourceMapping request that makes the recorded mapping again (same function, topics, group, settings). */
function creationOf(r: EventSourceMappingRecord): CreateEventSourceMappingRequest {
  const copy = <K extends keyof EventSourceMappingConfiguration & keyof CreateEventSourceMappingRequest>(k: K) =>
    r[k] === undefined ? {} : { [k]: r[k] };
  return {
    FunctionName: r.FunctionArn,
    EventSourceArn: r.EventSourceArn,
    Enabled: r.State !== 'Disabled',
    ...copy('Topics'),
    ...copy('StartingPosition'),
    ...copy('StartingPositionTimestamp'),
    ...copy('BatchSize'),
    ...copy('MaximumBatchingWindowInSeconds'),
    ...copy('FilterCriteria'),
    ...copy('DestinationConfig'),
    ...copy('SourceAccessConfigurations'),
    ...copy('AmazonManagedKafkaEventSourceConfig'),
    ...copy('ProvisionedPollerConfig'),
    ...copy('KMSKeyArn'),
    ...copy('MetricsConfig'),
  };
}
