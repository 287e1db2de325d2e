import {
  CreateConnectorCommand,
  DeleteConnectorCommand,
  DescribeConnectorCommand,
  KafkaConnectClient,
  ListConnectorsCommand,
  type CreateConnectorRequest,
  type DescribeConnectorResponse,
} from '@aws-sdk/client-kafkaconnect';
import { CutoverFailedError, RollbackFailedError, type MigrationError } from '../../core/errors';
import type { ClientRole, ClientSwitch, ClientSwitchTarget, SwitchStep } from '../../ports/client-switch';
import { toMigrationError } from './msk-provisioner';

/* Its AWS calls (and so its IAM) are declared in lib/iam/operations.ts. */

/** What the connector ran before the cutover: CreateConnector recreates exactly this on rollback. */
export interface MskConnectorRecord {
  readonly connectorArn: string;
  readonly connectorName: string;
  readonly request: CreateConnectorRequest;
}

export interface MskConnectSwitchSpec {
  readonly connectorArn: string;
  readonly role: ClientRole;
  /** The target's VPC for the workers; default the recorded one (the target reachable from the same subnets). */
  readonly targetVpc?: { readonly subnets: readonly string[]; readonly securityGroups: readonly string[] };
  /** How the workers authenticate to the target; default IAM (the only mode of MSK Serverless). */
  readonly targetAuthentication?: 'IAM' | 'NONE';
}

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;
const GONE = 'NotFoundException';

/**
 * MSK_CONNECT_CONNECTOR: an MSK Connect connector moved to the target. MSK Connect cannot point a connector at
 * another cluster, so it is deleted and created again under the same name with the same configuration, plugins,
 * capacity, workers' configuration, role and log delivery, against the target's bootstrap servers. A sink connector's
 * consumer group is named after the connector (`connect-<name>`, or its `consumer.override.group.id`): with the same
 * name, the recreated connector joins the group whose translated offsets CommitConsumerOffsets committed on the
 * target, and resumes there. Each call is one step: delete, wait until gone, create, wait until RUNNING.
 * Rollback deletes the connector on the target and recreates the recorded one on the source, whose group offsets
 * there are untouched.
 *
 * At the fence (`hold`, a sink connector, called by CommitConsumerOffsets once its group has consumed to the source's
 * end or the plan's catch-up time has passed): the connector on the source is deleted, its configuration journaled
 * before. Kafka Connect commits a sink task's offsets when the task stops, and its workers leave the group: the
 * group's committed offsets are final, and CommitConsumerOffsets translates them. Not PauseConnector: a paused Kafka
 * Connect task keeps its consumer (and its place in the group) allocated, and the action is not in the IAM Service
 * Authorization Reference data this project proves its grants with. A rollback creates the recorded connector again
 * on the source, where it resumes from the group's offsets; the switch creates it on the target (nothing to delete).
 * On the way back (`holdOnTarget`, FailbackCutover) the connector on the target is deleted the same way before the
 * group's offsets are translated back; a failback that stops in between creates it on the target again.
 */
export class MskConnectClientSwitch implements ClientSwitch<MskConnectorRecord> {
  readonly kind = 'MSK_CONNECT_CONNECTOR';
  readonly subject: string;

  constructor(
    private readonly client: KafkaConnectClient,
    private readonly spec: MskConnectSwitchSpec,
  ) {
    this.subject = `msk-connect:${spec.connectorArn.split('/').slice(-2, -1)[0] ?? spec.connectorArn}`;
  }

  get role(): ClientRole {
    return this.spec.role;
  }

  async record(): Promise<MskConnectorRecord> {
    const found = await this.describe(this.spec.connectorArn, CutoverFailedError);
    if (!found?.connectorName || !found.kafkaCluster?.apacheKafkaCluster)
      throw new CutoverFailedError(
        `Connector ${this.spec.connectorArn} ${found ? 'has no Apache Kafka cluster' : 'does not exist'}: check cutover.switches.`,
      );
    if (found.connectorState !== 'RUNNING')
      throw new CutoverFailedError(
        `Connector ${found.connectorName} is ${found.connectorState ?? 'in no state'}, not RUNNING: it cannot be moved as it runs.`,
      );
    return { connectorArn: this.spec.connectorArn, connectorName: found.connectorName, request: creationOf(found) };
  }

  async stop(): Promise<SwitchStep> {
    return { complete: true, step: 'NOTHING_TO_STOP' };
  }

  /** A sink connector's consumer group: `consumer.override.group.id`, else Kafka Connect's `connect-<name>`. */
  consumerGroup(recorded: MskConnectorRecord): string | undefined {
    const config = recorded.request.connectorConfiguration ?? {};
    return config['consumer.override.group.id'] ?? `connect-${recorded.connectorName}`;
  }

  async hold(recorded: MskConnectorRecord): Promise<SwitchStep> {
    const current = await this.byName(recorded.connectorName, CutoverFailedError);
    const source = recorded.request.kafkaCluster?.apacheKafkaCluster?.bootstrapServers;
    if (!current) return { complete: true, step: 'SOURCE_CONNECTOR_DELETED', detail: recorded.connectorName };
    if (current.kafkaCluster?.apacheKafkaCluster?.bootstrapServers !== source)
      throw new CutoverFailedError(
        `${this.subject}: the connector ${recorded.connectorName} runs against another cluster than the recorded source; it cannot be held at the fence.`,
      );
    if (current.connectorState !== 'DELETING') await this.delete(current.connectorArn ?? '', CutoverFailedError);
    return { complete: false, step: 'DELETING_SOURCE_CONNECTOR', detail: current.connectorState ?? '' };
  }

  /**
   * Failback: the connector SwitchToTarget created on the target deleted as `hold` deletes the source one (its sink
   * tasks commit their offsets as they stop and its workers leave the group), before FailbackCutover translates the
   * group's offsets back; `revert` then creates the recorded connector on the source.
   */
  async holdOnTarget(recorded: MskConnectorRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    const current = await this.byName(recorded.connectorName, CutoverFailedError);
    if (!current) return { complete: true, step: 'TARGET_CONNECTOR_DELETED', detail: recorded.connectorName };
    if (current.kafkaCluster?.apacheKafkaCluster?.bootstrapServers !== target.bootstrapServers)
      throw new CutoverFailedError(
        `${this.subject}: the connector ${recorded.connectorName} runs against another cluster than the target; it cannot be held for the failback.`,
      );
    if (current.connectorState !== 'DELETING') await this.delete(current.connectorArn ?? '', CutoverFailedError);
    return { complete: false, step: 'DELETING_TARGET_CONNECTOR', detail: current.connectorState ?? '' };
  }

  /** The failback stopped after `holdOnTarget`: the connector created on the target again (its group resumes there). */
  async resumeOnTarget(recorded: MskConnectorRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    return await this.switchToTarget(recorded, target);
  }

  async switchToTarget(recorded: MskConnectorRecord, target: ClientSwitchTarget): Promise<SwitchStep> {
    const cluster = recorded.request.kafkaCluster?.apacheKafkaCluster;
    const request: CreateConnectorRequest = {
      ...recorded.request,
      kafkaCluster: {
        apacheKafkaCluster: {
          bootstrapServers: target.bootstrapServers,
          vpc: this.spec.targetVpc
            ? { subnets: [...this.spec.targetVpc.subnets], securityGroups: [...this.spec.targetVpc.securityGroups] }
            : cluster?.vpc,
        },
      },
      kafkaClusterClientAuthentication: { authenticationType: this.spec.targetAuthentication ?? 'IAM' },
      kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
    };
    return await this.move(recorded, request, CutoverFailedError, 'TARGET');
  }

  async revert(recorded: MskConnectorRecord): Promise<SwitchStep> {
    return await this.move(recorded, recorded.request, RollbackFailedError, 'SOURCE');
  }

  /** One step towards the connector of this name running against `request`'s cluster. */
  private async move(
    recorded: MskConnectorRecord,
    request: CreateConnectorRequest,
    fatal: Fatal,
    where: 'SOURCE' | 'TARGET',
  ): Promise<SwitchStep> {
    const wanted = request.kafkaCluster?.apacheKafkaCluster?.bootstrapServers;
    const current = await this.byName(recorded.connectorName, fatal);
    if (current) {
      const at = current.kafkaCluster?.apacheKafkaCluster?.bootstrapServers;
      const state = current.connectorState ?? '';
      if (at !== wanted) {
        if (state !== 'DELETING') await this.delete(current.connectorArn ?? '', fatal);
        return {
          complete: false,
          step: `DELETING_${where === 'TARGET' ? 'SOURCE' : 'TARGET'}_CONNECTOR`,
          detail: state,
        };
      }
      if (state === 'RUNNING')
        return { complete: true, step: `${where}_CONNECTOR_RUNNING`, detail: current.connectorArn };
      // DELETING where it should run: held at the fence a moment ago; created again once gone.
      if (state === 'CREATING' || state === 'UPDATING' || state === 'DELETING')
        return { complete: false, step: `${where}_CONNECTOR_${state}`, detail: current.connectorArn };
      throw new fatal(
        `${this.subject}: the connector on the ${where.toLowerCase()} is ${state}${current.stateDescription?.message ? ` (${current.stateDescription.message})` : ''}.`,
      );
    }
    try {
      const out = await this.client.send(new CreateConnectorCommand(request));
      return { complete: false, step: `CREATING_${where}_CONNECTOR`, detail: out.connectorArn ?? '' };
    } catch (err) {
      throw toMigrationError(err, `CreateConnector ${recorded.connectorName}`, fatal);
    }
  }

  private async describe(arn: string, fatal: Fatal): Promise<DescribeConnectorResponse | undefined> {
    try {
      return await this.client.send(new DescribeConnectorCommand({ connectorArn: arn }));
    } catch (err) {
      if ((err as { name?: string }).name === GONE) return undefined;
      throw toMigrationError(err, `DescribeConnector ${arn}`, fatal);
    }
  }

  /** The connector of this name (names are unique per account and Region), described; undefined when there is none. */
  private async byName(name: string, fatal: Fatal): Promise<DescribeConnectorResponse | undefined> {
    let token: string | undefined;
    for (let page = 0; page < 20; page++) {
      let out;
      try {
        out = await this.client.send(
          new ListConnectorsCommand({ connectorNamePrefix: name, ...(token ? { nextToken: token } : {}) }),
        );
      } catch (err) {
        throw toMigrationError(err, `ListConnectors ${name}`, fatal);
      }
      const found = (out.connectors ?? []).find((c) => c.connectorName === name);
      if (found?.connectorArn) return this.describe(found.connectorArn, fatal);
      token = out.nextToken;
      if (!token) return undefined;
    }
    return undefined;
  }

  private async delete(arn: string, fatal: Fatal): Promise<void> {
    try {
      await this.client.send(new DeleteConnectorCommand({ connectorArn: arn }));
    } catch (err) {
      if ((err as { name?: string }).name === GONE) return;
      throw toMigrationError(err, `DeleteConnector ${arn}`, fatal);
    }
  }
}

/** The CreateConnector request that makes the described connector again (same name, configuration and settings). */
function creationOf(d: DescribeConnectorResponse): CreateConnectorRequest {
  const capacity = d.capacity?.autoScaling
    ? {
        autoScaling: {
          maxWorkerCount: d.capacity.autoScaling.maxWorkerCount ?? 2,
          minWorkerCount: d.capacity.autoScaling.minWorkerCount ?? 1,
          mcuCount: d.capacity.autoScaling.mcuCount ?? 1,
          scaleInPolicy: {
            cpuUtilizationPercentage: d.capacity.autoScaling.scaleInPolicy?.cpuUtilizationPercentage ?? 20,
          },
          scaleOutPolicy: {
            cpuUtilizationPercentage: d.capacity.autoScaling.scaleOutPolicy?.cpuUtilizationPercentage ?? 80,
          },
        },
      }
    : {
        provisionedCapacity: {
          mcuCount: d.capacity?.provisionedCapacity?.mcuCount ?? 1,
          workerCount: d.capacity?.provisionedCapacity?.workerCount ?? 1,
        },
      };
  const cluster = d.kafkaCluster?.apacheKafkaCluster;
  const logs = d.logDelivery?.workerLogDelivery;
  return {
    connectorName: d.connectorName ?? '',
    ...(d.connectorDescription ? { connectorDescription: d.connectorDescription } : {}),
    connectorConfiguration: { ...(d.connectorConfiguration ?? {}) },
    capacity,
    kafkaCluster: {
      apacheKafkaCluster: {
        bootstrapServers: cluster?.bootstrapServers ?? '',
        vpc: { subnets: cluster?.vpc?.subnets ?? [], securityGroups: cluster?.vpc?.securityGroups ?? [] },
      },
    },
    kafkaClusterClientAuthentication: {
      authenticationType: d.kafkaClusterClientAuthentication?.authenticationType ?? 'NONE',
    },
    kafkaClusterEncryptionInTransit: {
      encryptionType: d.kafkaClusterEncryptionInTransit?.encryptionType ?? 'PLAINTEXT',
    },
    kafkaConnectVersion: d.kafkaConnectVersion ?? '2.7.1',
    plugins: (d.plugins ?? []).map((p) => ({
      customPlugin: {
        customPluginArn: p.customPlugin?.customPluginArn ?? '',
        revision: p.customPlugin?.revision ?? 1,
      },
    })),
    serviceExecutionRoleArn: d.serviceExecutionRoleArn ?? '',
    ...(d.workerConfiguration?.workerConfigurationArn
      ? {
          workerConfiguration: {
            workerConfigurationArn: d.workerConfiguration.workerConfigurationArn,
            revision: d.workerConfiguration.revision ?? 1,
          },
        }
      : {}),
    ...(logs
      ? {
          logDelivery: {
            workerLogDelivery: {
              ...(logs.cloudWatchLogs
                ? {
                    cloudWatchLogs: {
                      enabled: logs.cloudWatchLogs.enabled ?? false,
                      ...(logs.cloudWatchLogs.logGroup ? { logGroup: logs.cloudWatchLogs.logGroup } : {}),
                    },
                  }
                : {}),
              ...(logs.s3
                ? {
                    s3: {
                      enabled: logs.s3.enabled ?? false,
                      ...(logs.s3.bucket ? { bucket: logs.s3.bucket } : {}),
                      ...(logs.s3.prefix ? { prefix: logs.s3.prefix } : {}),
                    },
                  }
                : {}),
              ...(logs.firehose
                ? {
                    firehose: {
                      enabled: logs.firehose.enabled ?? false,
                      ...(logs.firehose.deliveryStream ? { deliveryStream: logs.firehose.deliveryStream } : {}),
                    },
                  }
                : {}),
            },
          },
        }
      : {}),
  };
}
