import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { KafkaConnectClient } from '@aws-sdk/client-kafkaconnect';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { CloudWatchLagSignals } from '../../lambdas/adapters/aws/cloudwatch-lag-signals';
import { MskConnectMirrorMaker2 } from '../../lambdas/adapters/aws/msk-connect-mm2';
import { MskReplicator } from '../../lambdas/adapters/aws/msk-replicator';
import { validateMigrationPlan, type MigrationPlan } from '../../lambdas/core/plan/migration-plan';
import {
  canaryTopicName,
  isOwnedBy,
  replicatorName,
  type ExecutionIdentity,
} from '../../lambdas/core/replication/naming';
import type { Replicator } from '../../lambdas/ports/replicator';
import { undoReplicationByNames } from '../../lambdas/tasks/shared/replication-undo';
import {
  awsVerb,
  CliError,
  executionArnOf,
  ExitCode,
  resolveRegion,
  STATE_MACHINE_ENV,
  toCliError,
  type CommonOptions,
  type OperatorDeps,
} from './operator-context';

/**
 * `msk-migrate finish-replication EXECUTION --confirm`: stops the forward replication an ended execution kept running
 * for consumers-first readers (docs/operator-guide.md, "Finishing a kept replication"). A migration keeps it when a
 * consumers-first wave reads topics whose producers never move (`waves[].producersStay`: Finalize keeps it), and when a
 * later wave's rollback or a Stop left those readers on the target (`ReplicationFeedsConsumers?`, the compensator).
 * Nothing in the workflow stops it afterwards: this verb does, once the operator confirms that nothing reads through it
 * any more (the producers write to the target, or the readers are back on the source).
 *
 * It acts on one replicator: the one named after this execution (`replicatorName`), and only when its ownership tags
 * name this execution; its CloudWatch alarms go with it. It refuses a RUNNING execution (the workflow owns its
 * replicator until it ends: `msk-migrate abort`). The CLI reaches no Kafka cluster, so the canary topic is left where
 * it is. It calls states:DescribeExecution, then the engine's control plane in the execution's Region — MSK Replicator:
 * kafka:ListReplicators, kafka:DescribeReplicator, kafka:DeleteReplicator, cloudwatch:DescribeAlarms,
 * cloudwatch:DeleteAlarms; MirrorMaker 2 on MSK Connect: kafkaconnect:ListConnectors, kafkaconnect:ListTagsForResource,
 * kafkaconnect:DeleteConnector (`MigrationOrchestrator.grantFinishReplication`).
 */

/** The AWS clients of this verb (tests mock them with aws-sdk-client-mock). */
export interface ReplicationClients {
  kafka(region: string): KafkaClient;
  kafkaConnect(region: string): KafkaConnectClient;
  cloudwatch(region: string): CloudWatchClient;
}

export function defaultReplicationClients(): ReplicationClients {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    kafka: (region) => once(`kafka:${region}`, () => new KafkaClient({ region })),
    kafkaConnect: (region) => once(`kafkaconnect:${region}`, () => new KafkaConnectClient({ region })),
    cloudwatch: (region) => once(`cloudwatch:${region}`, () => new CloudWatchClient({ region })),
  };
}

interface FinishOptions extends CommonOptions {
  readonly confirm?: boolean;
  readonly stateMachineArn?: string;
}

export interface ReplicationFinished {
  readonly executionArn: string;
  readonly executionStatus: string;
  readonly replicatorName: string;
  /** STOPPED: deleted now; NOTHING_LEFT: no replicator of this execution exists (already stopped or never kept). */
  readonly status: 'STOPPED' | 'NOTHING_LEFT';
  readonly engine: MigrationPlan['replication']['engine'];
  readonly alarmsDeleted: number;
  /** The consumers-first waves that read through it (their readers get no new record from the source now). */
  readonly consumersFirstWaves: readonly string[];
  /** The canary topic this execution may have left on the source and the target (the CLI reaches no cluster). */
  readonly canaryTopic: string;
  readonly notes: readonly string[];
}

export async function finishReplication(
  execution: string,
  options: FinishOptions,
  deps: OperatorDeps,
  clients: ReplicationClients,
): Promise<ReplicationFinished> {
  const executionArn = executionArnOf(execution, options.stateMachineArn ?? deps.env[STATE_MACHINE_ENV]);
  const region = resolveRegion(options, deps.env, executionArn);
  let described: { status?: string; input?: string; name?: string };
  try {
    described = await deps.clients.sfn(region).send(new DescribeExecutionCommand({ executionArn }));
  } catch (err) {
    throw toCliError(err, { region, action: 'states:DescribeExecution on the orchestrator' });
  }
  const status = described.status ?? 'UNKNOWN';
  if (status === 'RUNNING')
    throw new CliError(
      'EXECUTION_RUNNING',
      `Execution ${executionArn} is RUNNING: it owns its replicator until it ends (Finalize or its rollback removes it, or keeps it and says so).`,
      ExitCode.RUNTIME,
      'Wait for it to end, or ask it to roll back with `msk-migrate abort`.',
      { executionArn, status },
    );
  const plan = planOf(described.input, executionArn);
  const identity: ExecutionIdentity = {
    migrationId: plan.migrationId,
    executionName: described.name ?? executionArn.split(':').at(-1) ?? execution,
  };
  const name = replicatorName(identity);
  const replicator = replicatorFor(plan, region, clients);
  const readers = (plan.waves ?? []).filter((w) => w.consumersFirst).map((w) => w.name);
  const base = {
    executionArn,
    executionStatus: status,
    replicatorName: name,
    engine: plan.replication.engine,
    consumersFirstWaves: readers,
    canaryTopic: canaryTopicName(identity),
  };
  const found = await control(() => replicator.find(name), region, `find the replicator ${name}`);
  if (!found)
    return {
      ...base,
      status: 'NOTHING_LEFT',
      alarmsDeleted: 0,
      notes: [`No replicator named ${name} exists: this execution's replication is already stopped.`],
    };
  if (!isOwnedBy(found.tags, identity))
    throw new CliError(
      'NOT_OURS',
      `Replicator ${name} does not carry this execution's ownership tags (migration ${identity.migrationId}, execution ${identity.executionName}): left untouched.`,
      ExitCode.RUNTIME,
      'Stop it by hand if it is yours: this command stops only the replicator its execution created.',
      { replicatorName: name, tags: found.tags },
    );
  if (!options.confirm)
    throw new CliError(
      'NOT_CONFIRMED',
      `Replicator ${name} (${found.state}) of ${executionArn} would be stopped and deleted${readers.length > 0 ? `: the readers of the consumers-first wave${readers.length === 1 ? '' : 's'} ${readers.join(', ')} then get no new record from the source` : ''}. Nothing was changed.`,
      ExitCode.INVALID_INPUT,
      'Once the producers of those topics write to the target (or those readers are back on the source), run this again with --confirm.',
      { replicatorName: name, state: found.state, consumersFirstWaves: readers },
    );
  const result = await control(
    () =>
      undoReplicationByNames(plan, identity, {
        replicator,
        lagSignals: new CloudWatchLagSignals(clients.cloudwatch(region)),
        now: deps.now,
      }),
    region,
    `delete the replicator ${name} and its alarms`,
  );
  return {
    ...base,
    status: 'STOPPED',
    alarmsDeleted: result.alarmsDeleted,
    notes: [
      ...result.notes,
      `The canary topic ${base.canaryTopic} is left where it is, if the run did not remove it (this command reaches no Kafka cluster).`,
    ],
  };
}

/** The execution's input as the plan it ran (ValidateInput accepted it when the execution started). */
function planOf(input: string | undefined, executionArn: string): MigrationPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(input ?? '');
  } catch {
    raw = undefined;
  }
  const checked = validateMigrationPlan(raw);
  if (!checked.valid)
    throw new CliError(
      'INPUT_INVALID',
      `The input of ${executionArn} is not a migration plan this version reads (${checked.issues
        .slice(0, 3)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}): it created no replicator this command can identify.`,
      ExitCode.INVALID_INPUT,
    );
  return checked.plan;
}

/** The engine's adapter: the CLI finds and deletes, it never creates (no service role is needed). */
function replicatorFor(plan: MigrationPlan, region: string, clients: ReplicationClients): Replicator {
  return plan.replication.engine === 'MSK_REPLICATOR'
    ? new MskReplicator(clients.kafka(region), { serviceExecutionRoleArn: '', region })
    : new MskConnectMirrorMaker2(clients.kafkaConnect(region), { serviceExecutionRoleArn: '', region });
}

/** A control-plane call; the adapters' errors keep the AWS error's name in `details.awsError`. */
async function control<T>(call: () => Promise<T>, region: string, action: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const awsError = (err as { details?: { awsError?: unknown } }).details?.awsError;
    const named =
      typeof awsError === 'string' ? Object.assign(new Error((err as Error).message), { name: awsError }) : err;
    throw toCliError(named, { region, action });
  }
}

export function registerFinishReplication(
  program: Command,
  deps: OperatorDeps,
  clients: ReplicationClients = defaultReplicationClients(),
): Command {
  const command = program
    .command('finish-replication')
    .description(
      "Stop the replication an ended migration kept for consumers-first readers, once nothing reads through it (only that execution's replicator)",
    )
    .argument('<execution>', 'execution name or ARN')
    .option('--confirm', 'the producers write to the target (or the readers are back on the source): stop it')
    .option(
      '--state-machine-arn <arn>',
      `the orchestrator, to find an execution by name (default: $${STATE_MACHINE_ENV})`,
    );
  return awsVerb(command, deps, async (execution: string, options: FinishOptions) => {
    const done = await finishReplication(execution, options, deps, clients);
    return {
      data: done,
      text: [
        done.status === 'STOPPED'
          ? `Replication of ${done.executionArn} stopped: ${done.replicatorName} deleted (${done.engine})`
          : `Nothing to stop for ${done.executionArn}: no replicator ${done.replicatorName}`,
        ...done.notes.map((n) => `  ${n}`),
      ].join('\n'),
    };
  });
}
