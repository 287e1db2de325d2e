/**
 * The Kafka Connect connectors of the account and Region (MSK Connect), as the Inventory reads them: what each
 * connects to and the configuration keys that say which topics it reads and writes. Adapter:
 * adapters/aws/msk-connect-inventory.ts. An AWS refusal (AccessDenied) is Migration.AuthFailed: the inventory records
 * the part as not collected.
 */

/**
 * The only configuration keys an adapter keeps: a connector's configuration may hold secrets (database passwords,
 * keys), so everything else is dropped where it is read.
 */
export const CONNECTOR_TOPIC_KEYS = [
  'connector.class',
  'tasks.max',
  'topics',
  'topics.regex',
  'topic',
  'kafka.topic',
  'topic.prefix',
  'database.server.name',
  'errors.deadletterqueue.topic.name',
  'consumer.override.group.id',
] as const;

export interface ConnectorDescription {
  readonly name: string;
  readonly arn: string;
  /** RUNNING, CREATING, FAILED, … as the platform says. */
  readonly state: string;
  /** The Kafka cluster the connector's workers connect to. */
  readonly bootstrapServers: readonly string[];
  /** Only CONNECTOR_TOPIC_KEYS. */
  readonly config: Readonly<Record<string, string>>;
}

export interface ConnectorInventoryReads {
  /** `MSK Connect`. */
  readonly platform: string;
  listConnectors(): Promise<ConnectorDescription[]>;
}

/** The connector configuration restricted to CONNECTOR_TOPIC_KEYS. */
export function topicKeysOf(config: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const key of CONNECTOR_TOPIC_KEYS) {
    const value = config?.[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}
