/**
 * Self-managed Kafka Connect clusters read over their REST API: a real HTTP server on 127.0.0.1 started by the test
 * answers as Connect's workers do (GET /, /connectors with and without `expand`, /status, /topics), with HTTP Basic
 * authentication; the adapter talks to it with fetch, unmocked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BasicAuthJsonHttp } from '../../lambdas/adapters/http/json-http';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { connectClusterRule } from '../../lambdas/core/assessment/rules/connect-clusters';
import { InventorySchema, type Inventory } from '../../lambdas/core/inventory/model';
import { takeInventory } from '../../lambdas/core/inventory/take-inventory';
import type { HttpEndpoint } from '../../lambdas/ports/http-json';
import { resolveProfile } from '../../lambdas/core/profiles';
import { FakeInventoryCluster } from './inventory-fake-cluster';
import { MemoryArtifacts } from './validation-fake-kafka';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_connect-AbCdEf';
/** FakeInventoryCluster's cluster id: workers that report it use the source. */
const SOURCE_CLUSTER_ID = 'abc';
const profile = resolveProfile('msk-serverless');

type Answer = { status: number; body: string };
const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });

interface Worker {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

const started: Worker[] = [];
async function worker(routes: Record<string, Answer>, credentials?: string): Promise<Worker> {
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const expected = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined;
    const a =
      expected && req.headers.authorization !== expected
        ? json(401, { error_code: 401, message: 'User cannot access the resource.' })
        : (routes[req.url ?? ''] ?? json(404, { error_code: 404, message: `HTTP 404 Not Found` }));
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const w: Worker = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  started.push(w);
  return w;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.close()));
});

const S3_SINK_CONFIG = {
  'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
  topics: 'orders',
  'aws.secret.access.key': 'never-kept',
  name: 's3-sink',
};
const JDBC_CONFIG = {
  'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
  'topic.prefix': 'shop-',
  'connection.password': 'never-kept-either',
  name: 'jdbc',
};
const status = (name: string, type: string, ...tasks: string[]) => ({
  name,
  connector: { state: 'RUNNING', worker_id: '10.0.0.5:8083' },
  tasks: tasks.map((state, id) => ({ id, state, worker_id: '10.0.0.5:8083' })),
  type,
});

/** A Kafka 3.x worker: `expand` answered, topics tracked. */
function modernRoutes(clusterId = SOURCE_CLUSTER_ID): Record<string, Answer> {
  return {
    '/': json(200, { version: '3.7.1', commit: 'abc123', kafka_cluster_id: clusterId }),
    '/connectors?expand=info&expand=status': json(200, {
      's3-sink': {
        info: { name: 's3-sink', config: S3_SINK_CONFIG, tasks: [], type: 'sink' },
        status: status('s3-sink', 'sink', 'RUNNING', 'FAILED'),
      },
      jdbc: {
        info: { name: 'jdbc', config: JDBC_CONFIG, tasks: [], type: 'source' },
        status: status('jdbc', 'source', 'RUNNING'),
      },
    }),
    '/connectors/s3-sink/topics': json(200, { 's3-sink': { topics: ['payments', 'orders'] } }),
    '/connectors/jdbc/topics': json(200, { jdbc: { topics: ['shop-customers'] } }),
  };
}

function source(): FakeInventoryCluster {
  const kafka = new FakeInventoryCluster();
  for (const t of ['orders', 'payments', 'shop-customers']) kafka.topics.set(t, { partitions: 1, configs: {} });
  return kafka;
}

async function inventoryWith(clusters: HttpEndpoint[], secrets: Record<string, string> = {}): Promise<Inventory> {
  const http = new BasicAuthJsonHttp(async (arn) => {
    const v = secrets[arn];
    if (v === undefined) throw Object.assign(new Error(`can't find ${arn}`), { name: 'ResourceNotFoundException' });
    return v;
  }, 2_000);
  const { inventory } = await takeInventory(
    { migrationId: 'orders', executionName: 'exec-1', connectClusters: clusters },
    { kafka: source(), connectClusters: http, store: new MemoryArtifacts() },
  );
  return InventorySchema.parse(inventory);
}

describe('Kafka Connect clusters over their REST API', () => {
  it('lists the connectors of workers on the source, what each reads and writes, keeping no secret', async () => {
    // Prepare
    const w = await worker(modernRoutes(), 'connect-admin:pw');
    // Act
    const inv = await inventoryWith([{ url: w.url, credentialsSecretArn: SECRET }], {
      [SECRET]: JSON.stringify({ username: 'connect-admin', password: 'pw' }),
    });
    // Assess
    expect(w.requests).toEqual([
      'GET /',
      'GET /connectors?expand=info&expand=status',
      'GET /connectors/s3-sink/topics',
      'GET /connectors/jdbc/topics',
    ]);
    const [c] = inv.connectClusters ?? [];
    expect(c).toMatchObject({
      status: 'COLLECTED',
      version: '3.7.1',
      kafkaClusterId: SOURCE_CLUSTER_ID,
      boundToSource: true,
      truncated: false,
      partial: [],
    });
    expect(c?.status === 'COLLECTED' && c.connectors).toEqual([
      expect.objectContaining({
        name: 'jdbc',
        kind: 'SOURCE',
        writes: ['shop-.*'],
        activeTopics: ['shop-customers'],
        arn: `${w.url}/connectors/jdbc`,
      }),
      expect.objectContaining({
        name: 's3-sink',
        kind: 'SINK',
        state: 'RUNNING',
        reads: ['orders'],
        activeTopics: ['orders', 'payments'],
        taskStates: ['RUNNING', 'FAILED'],
        boundToSource: true,
      }),
    ]);
    expect(JSON.stringify(inv)).not.toMatch(/never-kept|"pw"/);
    expect(inv.gaps.filter((g) => g.part === 'connectClusters')).toEqual([]);

    // Only orders migrates: the sink also read payments, which would be empty on the target.
    const findings = connectClusterRule(
      inv,
      profile,
      assessmentOptions({ topics: { include: ['orders', 'shop-.*'] } }),
    );
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get('connect-clusters.bound-to-source')).toMatchObject({
      severity: 'WARNING',
      subject: w.url,
      items: [
        'jdbc (source, io.confluent.connect.jdbc.JdbcSourceConnector, RUNNING): writes shop-.*, shop-customers',
        's3-sink (sink, io.confluent.connect.s3.S3SinkConnector, RUNNING, 1 task FAILED): reads orders, payments',
      ],
    });
    expect(byId.get('connect-clusters.bound-to-source')?.remediation).toMatch(
      /the 1 sink with the consumers.*connect-<name>.*the 1 source connector after the fence/,
    );
    expect(byId.get('connect-clusters.topics-not-replicated')?.items).toEqual(['s3-sink: payments']);
    expect(byId.get('connect-clusters.inventory')?.severity).toBe('INFO');
  });

  it('describes each connector on workers older than Kafka 2.3 (no expand), without topic tracking', async () => {
    const w = await worker({
      '/': json(200, { version: '2.2.1', commit: 'x' }),
      '/connectors?expand=info&expand=status': json(200, ['s3-sink']),
      '/connectors/s3-sink': json(200, { name: 's3-sink', config: S3_SINK_CONFIG, tasks: [] }),
      '/connectors/s3-sink/status': json(200, status('s3-sink', 'sink', 'RUNNING')),
    });
    const inv = await inventoryWith([{ url: w.url }]);
    const [c] = inv.connectClusters ?? [];
    // GET / without kafka_cluster_id (older workers): which cluster the workers use is unknown, and said so.
    expect(c).toMatchObject({ status: 'COLLECTED', version: '2.2.1', kafkaClusterId: null, boundToSource: null });
    expect(c?.status === 'COLLECTED' && c.connectors.map((x) => [x.name, x.kind, x.activeTopics])).toEqual([
      ['s3-sink', 'SINK', null],
    ]);
    expect(c?.status === 'COLLECTED' && c.partial).toEqual([]);
    const findings = connectClusterRule(inv, profile, assessmentOptions());
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual([
      'connect-clusters.binding-unknown:WARNING',
      'connect-clusters.inventory:INFO',
    ]);
  });

  it('turns refused credentials, a wrong URL, a malformed answer and an unreachable worker into reasons and gaps', async () => {
    const guarded = await worker(modernRoutes(), 'connect-admin:pw');
    const ui = await worker({ '/': { status: 200, body: '<html>Connect UI</html>' } });
    const odd = await worker({
      '/': json(200, { version: '3.7.1', kafka_cluster_id: SOURCE_CLUSTER_ID }),
      '/connectors?expand=info&expand=status': json(200, 'not a list'),
    });
    const gone = await worker({});
    await gone.close();
    started.splice(started.indexOf(gone), 1);
    const elsewhere = await worker(modernRoutes('another-cluster'));
    const inv = await inventoryWith(
      [
        { url: guarded.url, credentialsSecretArn: SECRET },
        { url: ui.url },
        { url: odd.url },
        { url: gone.url },
        { url: elsewhere.url },
      ],
      { [SECRET]: JSON.stringify({ username: 'connect-admin', password: 'stale' }) },
    );
    const reasons = (inv.connectClusters ?? []).map((c) => (c.status === 'NOT_COLLECTED' ? c.reason : c.status));
    expect(reasons).toEqual([
      `GET / answered HTTP 401: User cannot access the resource.: the Connect REST API refused the credentials of secret ${SECRET}.`,
      `GET / answered HTTP 200 without a "version": is ${ui.url} a Kafka Connect REST URL (its listener, port 8083 by default)?`,
      'GET /connectors answered 200 with neither a JSON object of connectors nor a list of their names: is this a Kafka Connect REST API?',
      expect.stringMatching(
        /^Migration\.Unreachable: GET http:\/\/127\.0\.0\.1:\d+\/ failed: ECONNREFUSED\. Check that the Inventory function can reach it/,
      ),
      'COLLECTED',
    ]);
    expect(JSON.stringify(inv)).not.toContain('stale');
    expect(inv.complete).toBe(false);
    expect(inv.gaps.filter((g) => g.part === 'connectClusters')).toHaveLength(4);
    const findings = connectClusterRule(inv, profile, assessmentOptions());
    // Workers on another Kafka cluster: listed, nothing to move.
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual([
      'connect-clusters.not-read:WARNING',
      'connect-clusters.inventory:INFO',
    ]);
    expect(findings[1]?.evidence).toContain('workers on another Kafka cluster');
  });
});
