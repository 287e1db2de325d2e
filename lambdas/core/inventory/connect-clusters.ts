import type { HttpEndpoint, JsonHttpReads, JsonResponse } from '../../ports/http-json';
import { topicKeysOf } from '../../ports/connectors';
import { TransientError } from '../errors';
import { describeConnector } from './connectors';
import { reasonOf } from './data-plane';
import type { ConnectClusterConnector, ConnectClusterInventory, DataPlaneInventory } from './model';

/**
 * The Kafka Connect clusters a plan names (`connectClusters`), read over Connect's REST API, GET only: `GET /` (the
 * workers' version and the id of the Kafka cluster they use), `GET /connectors?expand=info&expand=status` (or, on
 * workers older than Kafka 2.3, each connector's `GET /connectors/<name>` and `/status`), and each connector's
 * `GET /connectors/<name>/topics` (Kafka 2.5+). Only the configuration keys that name topics are kept
 * (CONNECTOR_TOPIC_KEYS): the rest may hold secrets. A cluster that cannot be read is NOT_COLLECTED with why.
 */

export const MAX_CONNECT_CONNECTORS = 200;

type Collected = Extract<ConnectClusterInventory, { status: 'COLLECTED' }>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function answer(r: JsonResponse): string {
  const b = r.body as { error_code?: unknown; message?: unknown } | undefined;
  return `HTTP ${r.status}${typeof b?.message === 'string' ? `: ${b.message.slice(0, 200)}` : ''}`;
}

/** A connector's `info` and `status` as Connect gives them, to the inventory's shape. */
function connectorOf(
  url: string,
  name: string,
  info: Record<string, unknown> | undefined,
  status: Record<string, unknown> | undefined,
  boundToSource: boolean,
): ConnectClusterConnector {
  const rawConfig = isObject(info?.config) ? info.config : {};
  const config = topicKeysOf(
    Object.fromEntries(Object.entries(rawConfig).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : []))),
  );
  const described = describeConnector(
    {
      name,
      arn: `${url.replace(/\/+$/, '')}/connectors/${encodeURIComponent(name)}`,
      state: '',
      bootstrapServers: [],
      config,
    },
    [],
  );
  // Connect says which kind it is; the class name is only a guess.
  const type = str(info?.type) ?? str(status?.type);
  const connectorState = isObject(status?.connector) ? str(status.connector.state) : undefined;
  const tasks = Array.isArray(status?.tasks) ? status.tasks : [];
  return {
    ...described,
    kind: type === 'sink' ? 'SINK' : type === 'source' ? 'SOURCE' : described.kind,
    state: connectorState ?? 'UNKNOWN',
    boundToSource,
    activeTopics: null,
    taskStates: tasks.map((t) => (isObject(t) ? (str(t.state) ?? 'UNKNOWN') : 'UNKNOWN')),
  };
}

async function readCluster(
  reads: JsonHttpReads,
  endpoint: HttpEndpoint,
  sourceClusterId: string | null,
): Promise<ConnectClusterInventory> {
  const { url } = endpoint;
  const notCollected = (reason: string): ConnectClusterInventory => ({ status: 'NOT_COLLECTED', url, reason });
  try {
    const root = await reads.get(endpoint, '/');
    if (root.status === 401 || root.status === 403)
      return notCollected(
        `GET / answered ${answer(root)}: ${
          endpoint.credentialsSecretArn
            ? `the Connect REST API refused the credentials of secret ${endpoint.credentialsSecretArn}`
            : 'the Connect REST API needs credentials: name a secret holding them (credentialsSecretArn)'
        }.`,
      );
    if (root.status !== 200 || !isObject(root.body) || typeof root.body.version !== 'string')
      return notCollected(
        `GET / answered ${root.status === 200 ? 'HTTP 200 without a "version"' : answer(root)}: is ${url} a Kafka Connect REST URL (its listener, port 8083 by default)?`,
      );
    const version = root.body.version;
    const kafkaClusterId = str(root.body.kafka_cluster_id) ?? null;
    const boundToSource =
      kafkaClusterId !== null && sourceClusterId !== null ? kafkaClusterId === sourceClusterId : null;
    const bound = boundToSource === true;
    const partial: string[] = [];

    const connectors: ConnectClusterConnector[] = [];
    let truncated = false;
    const expanded = await reads.get(endpoint, '/connectors?expand=info&expand=status');
    if (expanded.status === 401 || expanded.status === 403)
      return notCollected(`GET /connectors answered ${answer(expanded)}: the credentials may not list connectors.`);
    if (expanded.status !== 200) return notCollected(`GET /connectors answered ${answer(expanded)}.`);
    if (isObject(expanded.body)) {
      const entries = Object.entries(expanded.body);
      truncated = entries.length > MAX_CONNECT_CONNECTORS;
      for (const [name, value] of entries.slice(0, MAX_CONNECT_CONNECTORS)) {
        const v = isObject(value) ? value : {};
        connectors.push(
          connectorOf(
            url,
            name,
            isObject(v.info) ? v.info : undefined,
            isObject(v.status) ? v.status : undefined,
            bound,
          ),
        );
      }
    } else if (Array.isArray(expanded.body) && expanded.body.every((n) => typeof n === 'string')) {
      // Workers before Kafka 2.3 ignore `expand` and list names: describe each.
      const names = expanded.body as string[];
      truncated = names.length > MAX_CONNECT_CONNECTORS;
      for (const name of names.slice(0, MAX_CONNECT_CONNECTORS)) {
        const enc = encodeURIComponent(name);
        const info = await reads.get(endpoint, `/connectors/${enc}`);
        const status = await reads.get(endpoint, `/connectors/${enc}/status`);
        if (info.status !== 200 || !isObject(info.body)) partial.push(`GET /connectors/${name}: ${answer(info)}`);
        if (status.status !== 200 || !isObject(status.body))
          partial.push(`GET /connectors/${name}/status: ${answer(status)}`);
        connectors.push(
          connectorOf(
            url,
            name,
            isObject(info.body) ? info.body : undefined,
            isObject(status.body) ? status.body : undefined,
            bound,
          ),
        );
      }
    } else
      return notCollected(
        'GET /connectors answered 200 with neither a JSON object of connectors nor a list of their names: is this a Kafka Connect REST API?',
      );

    for (const [i, c] of connectors.entries()) {
      const r = await reads.get(endpoint, `/connectors/${encodeURIComponent(c.name)}/topics`);
      const body = isObject(r.body) ? r.body[c.name] : undefined;
      const topics = isObject(body) ? body.topics : undefined;
      if (r.status === 200 && Array.isArray(topics) && topics.every((t) => typeof t === 'string'))
        connectors[i] = { ...c, activeTopics: [...(topics as string[])].sort() };
      // 404: workers before Kafka 2.5; 403 / 409: topic tracking disabled (topic.tracking.enable=false).
      else if (![403, 404, 409].includes(r.status))
        partial.push(
          `GET /connectors/${c.name}/topics: ${r.status === 200 ? 'not {"<name>": {"topics": [...]}}' : answer(r)}`,
        );
    }
    const out: Collected = {
      status: 'COLLECTED',
      url,
      version,
      kafkaClusterId,
      boundToSource,
      connectors: connectors.sort((a, b) => a.name.localeCompare(b.name)),
      truncated,
      partial,
    };
    return out;
  } catch (err) {
    if (err instanceof TransientError) throw err;
    return notCollected(reasonOf(err));
  }
}

/** Every Connect cluster the plan names; `undefined` when it names none. */
export async function readConnectClusters(
  reads: JsonHttpReads | undefined,
  endpoints: readonly HttpEndpoint[] | undefined,
  dataPlane: Pick<DataPlaneInventory, 'clusterId'>,
): Promise<ConnectClusterInventory[] | undefined> {
  if (!endpoints || endpoints.length === 0) return undefined;
  if (!reads)
    return endpoints.map((e) => ({
      status: 'NOT_COLLECTED',
      url: e.url,
      reason: 'No HTTP reader for Kafka Connect clusters in this runtime.',
    }));
  const out: ConnectClusterInventory[] = [];
  for (const endpoint of endpoints) out.push(await readCluster(reads, endpoint, dataPlane.clusterId));
  return out;
}
