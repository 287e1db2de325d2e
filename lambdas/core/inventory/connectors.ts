import type { ConnectorDescription, ConnectorInventoryReads } from '../../ports/connectors';
import { TransientError } from '../errors';
import { reasonOf } from './data-plane';
import type { Connector, ConnectorsInventory } from './model';

/**
 * The connectors of the Region and what each reads and writes, from the configuration keys that name topics. A sink
 * names its topics (`topics`, `topics.regex`); a source connector's topics come from connector-specific keys, listed
 * where a known key names them and otherwise left empty (the assessment says to read them from the connector's
 * documentation). Bound to the source when its workers' bootstrap servers share a broker host with the source's.
 */

/** The broker's host: MSK serves each listener (IAM, SCRAM, TLS) on the same hosts, other ports. */
function hostOf(server: string): string {
  return server.trim().toLowerCase().replace(/:\d+$/, '');
}

function split(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function describeConnector(d: ConnectorDescription, sourceBootstrap: readonly string[]): Connector {
  const c = d.config;
  const connectorClass = c['connector.class'] ?? null;
  const reads = split(c.topics);
  const readsPattern = c['topics.regex'] ?? null;
  const simpleClass = (connectorClass ?? '').split('.').pop() ?? '';
  const kind: Connector['kind'] =
    reads.length > 0 || readsPattern !== null || /Sink/i.test(simpleClass)
      ? 'SINK'
      : /Source/i.test(simpleClass) || /^io\.debezium\./.test(connectorClass ?? '')
        ? 'SOURCE'
        : 'UNKNOWN';
  const prefix = c['topic.prefix'] ?? c['database.server.name'];
  const writes = [
    ...split(c.topic),
    ...split(c['kafka.topic']),
    ...(kind === 'SOURCE' && prefix ? [`${prefix}.*`] : []),
    ...split(c['errors.deadletterqueue.topic.name']),
  ];
  const source = new Set(sourceBootstrap.map(hostOf));
  return {
    name: d.name,
    arn: d.arn,
    state: d.state,
    kind,
    connectorClass,
    reads,
    readsPattern,
    writes: [...new Set(writes)],
    boundToSource: d.bootstrapServers.some((s) => source.has(hostOf(s))),
    bootstrapServers: [...d.bootstrapServers],
  };
}

export async function readConnectors(
  reads: ConnectorInventoryReads,
  sourceBootstrap: readonly string[],
): Promise<ConnectorsInventory> {
  try {
    const listed = await reads.listConnectors();
    return {
      status: 'COLLECTED',
      platform: reads.platform,
      connectors: listed.map((d) => describeConnector(d, sourceBootstrap)),
    };
  } catch (err) {
    // Throttling is retried by the state machine; a refusal or anything else is a gap to report.
    if (err instanceof TransientError) throw err;
    return {
      status: 'NOT_COLLECTED',
      reason: `${reads.platform} refused: ${reasonOf(err)}. Grant kafkaconnect:ListConnectors and kafkaconnect:DescribeConnector to the Inventory task's role.`,
    };
  }
}
