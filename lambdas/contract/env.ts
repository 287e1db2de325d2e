/**
 * The environment of the task functions: every variable's name (the construct sets them, lib/migration-orchestrator.ts)
 * and ONE reader (the handlers call it once, at cold start). A required variable missing, or a value that cannot be
 * used, fails the cold start naming it, never a later call.
 */
export const TASK_ENV = {
  /** Set by Lambda: the Region of the orchestrator (MSK, CloudWatch, MSK Connect clients; IAM tokens fall back to it). */
  AWS_REGION: 'AWS_REGION',
  /** The evidence bucket (inventory, assessment, gate evaluations, reports). Every task. */
  ARTIFACT_BUCKET: 'ARTIFACT_BUCKET',
  /** The role MSK Replicator assumes (StartReplication when replication.engine is MSK_REPLICATOR). */
  REPLICATOR_SERVICE_ROLE_ARN: 'REPLICATOR_SERVICE_ROLE_ARN',
  /** The role MSK Connect's MirrorMaker 2 connectors assume (StartReplication when the engine is MIRROR_MAKER_2). Optional. */
  MSK_CONNECT_SERVICE_ROLE_ARN: 'MSK_CONNECT_SERVICE_ROLE_ARN',
  /** CloudWatch Logs group of the MirrorMaker 2 workers. Optional. */
  MSK_CONNECT_LOG_GROUP: 'MSK_CONNECT_LOG_GROUP',
  /** SNS topic the replicator alarms notify (the notifications topic). Optional. */
  ALARM_TOPIC_ARN: 'ALARM_TOPIC_ARN',
  /** The DynamoDB table of the migration locks (AcquireLock, Report, the compensator). */
  MIGRATION_LOCK_TABLE: 'MIGRATION_LOCK_TABLE',
  /** Bound of each Kafka request in ms. Optional, default 10000. */
  KAFKA_REQUEST_TIMEOUT_MS: 'KAFKA_REQUEST_TIMEOUT_MS',
  /**
   * The Kafka client of the data-plane tasks: kafkajs (default) or platformatic (docs/kafka-clients.md). Optional.
   * Inventory always uses kafkajs (only it implements the inventory reads).
   */
  KAFKA_CLIENT: 'KAFKA_CLIENT',
  /** The EventBridge bus the phase events go to (every task function). Optional: no events without it. */
  PHASE_EVENT_BUS_NAME: 'PHASE_EVENT_BUS_NAME',
} as const;
export type TaskEnvName = keyof typeof TASK_ENV;
export type TaskEnv = Partial<Record<TaskEnvName, string>>;

/** The Kafka clients a data-plane task can run (`KAFKA_CLIENT`). */
export const KAFKA_CLIENTS = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/** The optional variables of a task that opens Kafka data planes: request bound and client. */
export const DATA_PLANE_ENV = ['KAFKA_REQUEST_TIMEOUT_MS', 'KAFKA_CLIENT'] as const satisfies readonly TaskEnvName[];

/**
 * The optional variables of a task that builds a replicator: the MSK Replicator role, and MSK Connect's role and log
 * group for MirrorMaker 2.
 */
export const REPLICATOR_ENV = [
  'REPLICATOR_SERVICE_ROLE_ARN',
  'MSK_CONNECT_SERVICE_ROLE_ARN',
  'MSK_CONNECT_LOG_GROUP',
] as const satisfies readonly TaskEnvName[];

/** Reads the task's variables once; a required one missing or empty, or an unusable value, fails naming it. */
export function readTaskEnv(
  env: Readonly<Record<string, string | undefined>>,
  required: readonly TaskEnvName[],
  optional: readonly TaskEnvName[] = [],
): TaskEnv {
  const missing = required.filter((name) => !env[TASK_ENV[name]]?.trim());
  if (missing.length > 0)
    throw new Error(
      `Task function misconfigured: environment variable${missing.length === 1 ? '' : 's'} ${missing.join(', ')} not set.`,
    );
  const out: TaskEnv = {};
  for (const name of [...required, ...optional]) {
    const value = env[TASK_ENV[name]]?.trim();
    if (value) out[name] = value;
  }
  if (out.KAFKA_REQUEST_TIMEOUT_MS !== undefined && !/^\d+$/.test(out.KAFKA_REQUEST_TIMEOUT_MS)) {
    throw new Error(
      `Task function misconfigured: KAFKA_REQUEST_TIMEOUT_MS must be a whole number of milliseconds, got "${out.KAFKA_REQUEST_TIMEOUT_MS}".`,
    );
  }
  if (
    out.KAFKA_CLIENT !== undefined &&
    !(KAFKA_CLIENTS as readonly string[]).includes(out.KAFKA_CLIENT.toLowerCase())
  ) {
    throw new Error(
      `Task function misconfigured: KAFKA_CLIENT must be one of ${KAFKA_CLIENTS.join(', ')}, got "${out.KAFKA_CLIENT}".`,
    );
  }
  return out;
}
