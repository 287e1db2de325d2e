import { DescribeConnectorCommand, KafkaConnectClient, ListConnectorsCommand } from '@aws-sdk/client-kafkaconnect';
import { AuthFailedError } from '../../core/errors';
import { topicKeysOf, type ConnectorDescription, type ConnectorInventoryReads } from '../../ports/connectors';
import { toMigrationError } from './msk-provisioner';

/* Its AWS calls (and so its IAM) are declared in lib/iam/operations.ts. */

/** ListConnectors pages read at most (100 connectors a page). */
const MAX_PAGES = 50;

/**
 * The MSK Connect connectors of the Region: ListConnectors, then DescribeConnector for each (ListConnectors gives no
 * configuration). Only the configuration keys that name topics are kept (CONNECTOR_TOPIC_KEYS).
 */
export class MskConnectInventory implements ConnectorInventoryReads {
  readonly platform = 'MSK Connect';

  constructor(private readonly client: KafkaConnectClient) {}

  async listConnectors(): Promise<ConnectorDescription[]> {
    try {
      const arns: string[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const listed = await this.client.send(new ListConnectorsCommand({ maxResults: 100, nextToken }));
        for (const c of listed.connectors ?? []) if (c.connectorArn) arns.push(c.connectorArn);
        nextToken = listed.nextToken;
        if (!nextToken) break;
      }
      const out: ConnectorDescription[] = [];
      for (const connectorArn of arns) {
        const d = await this.client.send(new DescribeConnectorCommand({ connectorArn }));
        out.push({
          name: d.connectorName ?? connectorArn,
          arn: connectorArn,
          state: d.connectorState ?? 'UNKNOWN',
          bootstrapServers: (d.kafkaCluster?.apacheKafkaCluster?.bootstrapServers ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
          config: topicKeysOf(d.connectorConfiguration),
        });
      }
      return out.sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      // Anything but throttling or a 5xx leaves the part not collected (the Inventory records why).
      throw toMigrationError(err, 'MSK Connect ListConnectors / DescribeConnector', AuthFailedError);
    }
  }
}
