/**
 * Confluent-compatible schema registries read over their REST API: a real HTTP server on 127.0.0.1 started by the
 * test answers as Confluent Schema Registry does (its paths, bodies and error shapes), with HTTP Basic
 * authentication; the adapter talks to it with fetch, unmocked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BasicAuthJsonHttp } from '../../lambdas/adapters/http/json-http';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { schemaRegistryInventoryRule } from '../../lambdas/core/assessment/rules/schema-registries';
import type { Inventory } from '../../lambdas/core/inventory/model';
import {
  readSchemaRegistries,
  schemaRegistryGaps,
  type SchemaRegistriesPlan,
} from '../../lambdas/core/inventory/schema-registries';
import { resolveProfile } from '../../lambdas/core/profiles';
import { inventoryWithSchemaIds } from './inventory-fixtures';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:AmazonMSK_registry-AbCdEf';
const profile = resolveProfile('msk-serverless');
const ORDER_SCHEMA = '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}';
const PAYMENT_SCHEMA = '{"type":"record","name":"Payment","fields":[{"name":"id","type":"long"}]}';

type Route = { status: number; body: string } | ((req: IncomingMessage) => { status: number; body: string });

/** A registry: its routes (path with query → answer), and the credentials it accepts (none: open). */
interface Registry {
  readonly url: string;
  readonly requests: string[];
  readonly authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

const json = (status: number, value: unknown): { status: number; body: string } => ({
  status,
  body: JSON.stringify(value),
});
const notFound = (code: number, message: string) => json(404, { error_code: code, message });

async function startRegistry(routes: Record<string, Route>, credentials?: string): Promise<Registry> {
  const requests: string[] = [];
  const authorizations: Array<string | undefined> = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    authorizations.push(req.headers.authorization);
    const expected = credentials ? `Basic ${Buffer.from(credentials).toString('base64')}` : undefined;
    const answer =
      expected && req.headers.authorization !== expected
        ? json(401, { error_code: 401, message: 'Unauthorized' })
        : ((): { status: number; body: string } => {
            const route = routes[req.url ?? ''];
            if (!route) return notFound(404, 'HTTP 404 Not Found');
            return typeof route === 'function' ? route(req) : route;
          })();
    res.writeHead(answer.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The routes of a registry holding the orders subjects under ids 1 and 2 (and payments-value under 3). */
function registryRoutes(o: { schemaOfId2?: string; withPayments?: boolean; compatibility?: string } = {}) {
  return {
    '/subjects': json(200, ['orders-value', 'orders-key', ...(o.withPayments === false ? [] : ['payments-value'])]),
    '/config': json(200, { compatibilityLevel: o.compatibility ?? 'BACKWARD' }),
    '/mode': json(200, { mode: 'READWRITE' }),
    '/subjects/orders-key/versions': json(200, [1]),
    '/subjects/orders-value/versions': json(200, [2, 1]),
    '/subjects/payments-value/versions': json(200, [1]),
    '/config/orders-key?defaultToGlobal=false': notFound(
      40408,
      "Subject 'orders-key' does not have subject-level compatibility configured",
    ),
    '/config/orders-value?defaultToGlobal=false': json(200, { compatibilityLevel: 'FULL' }),
    '/config/payments-value?defaultToGlobal=false': notFound(40408, 'not configured'),
    '/schemas/ids/1': json(200, { schema: ORDER_SCHEMA }),
    '/schemas/ids/2': json(200, { schema: o.schemaOfId2 ?? ORDER_SCHEMA.replace('string', 'bytes') }),
    ...(o.withPayments === false ? {} : { '/schemas/ids/3': json(200, { schema: PAYMENT_SCHEMA }) }),
  };
}

/** The source's topics, their sampled values in the Confluent wire format with these schema ids. */
const withRecords = (byTopic: Record<string, string[]>): Inventory => inventoryWithSchemaIds('confluent', byTopic);

/** Secrets as Secrets Manager would give them, by ARN; counts the reads. */
function secrets(values: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    read: async (arn: string): Promise<string> => {
      reads.push(arn);
      const v = values[arn];
      if (v === undefined)
        throw Object.assign(new Error(`Secrets Manager can't find ${arn}`), { name: 'ResourceNotFoundException' });
      return v;
    },
  };
}

const started: Registry[] = [];
async function registry(routes: Record<string, Route>, credentials?: string): Promise<Registry> {
  const r = await startRegistry(routes, credentials);
  started.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.close()));
});

const read = (
  http: BasicAuthJsonHttp,
  plan: SchemaRegistriesPlan,
  inv: Inventory,
): ReturnType<typeof readSchemaRegistries> => readSchemaRegistries({ confluent: http }, plan, inv);

describe('Confluent-compatible registries over REST', () => {
  it('reads subjects, versions, global and per-subject compatibility and the records’ ids, with Basic credentials', async () => {
    // Prepare
    const r = await registry(registryRoutes(), 'sr-user:s3cr3t');
    const s = secrets({ [SECRET]: JSON.stringify({ username: 'sr-user', password: 's3cr3t' }) });
    const inv = withRecords({ orders: ['1', '2'], payments: ['3'] });
    // Act
    const regs = await read(
      new BasicAuthJsonHttp(s.read),
      { confluent: [{ url: `${r.url}/`, credentialsSecretArn: SECRET, usedBy: 'BOTH' }] },
      inv,
    );
    // Assess
    expect(r.authorizations.every((a) => a === `Basic ${Buffer.from('sr-user:s3cr3t').toString('base64')}`)).toBe(true);
    expect(r.requests).toEqual(
      expect.arrayContaining([
        'GET /subjects',
        'GET /config',
        'GET /mode',
        'GET /subjects/orders-value/versions',
        'GET /config/orders-value?defaultToGlobal=false',
        'GET /schemas/ids/3',
      ]),
    );
    const [c] = regs?.confluent ?? [];
    expect(c).toMatchObject({
      status: 'COLLECTED',
      usedBy: 'BOTH',
      globalCompatibility: 'BACKWARD',
      mode: 'READWRITE',
      subjectCount: 3,
      partial: [],
      topicSubjects: [
        { subject: 'orders-key', versions: [1], compatibility: null },
        { subject: 'orders-value', versions: [1, 2], compatibility: 'FULL' },
        { subject: 'payments-value', versions: [1], compatibility: null },
      ],
    });
    expect(c?.status === 'COLLECTED' && c.schemaIds.map((i) => [i.id, i.result])).toEqual([
      ['1', 'FOUND'],
      ['2', 'FOUND'],
      ['3', 'FOUND'],
    ]);
    // The secret's value is sent to the registry only: never in what the inventory keeps.
    expect(JSON.stringify(regs)).not.toContain('s3cr3t');
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: regs! }, profile, assessmentOptions());
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['schema-registry.confluent-inventory:INFO']);
    expect(findings[0]?.items).toContain(`${r.url}/ orders-value: versions 1, 2, compatibility FULL`);
  });

  it('says which credentials the registry refused, or that it needs some, as a finding and an inventory gap', async () => {
    const r = await registry(registryRoutes(), 'sr-user:s3cr3t');
    const wrong = secrets({ [SECRET]: JSON.stringify({ username: 'sr-user', password: 'stale' }) });
    const inv = withRecords({ orders: ['1'] });
    const refused = await read(
      new BasicAuthJsonHttp(wrong.read),
      { confluent: [{ url: r.url, credentialsSecretArn: SECRET, usedBy: 'BOTH' }] },
      inv,
    );
    expect(refused?.confluent[0]).toEqual({
      status: 'NOT_COLLECTED',
      url: r.url,
      usedBy: 'BOTH',
      reason: `GET /subjects answered HTTP 401 error_code 401: Unauthorized: the registry refused the credentials of secret ${SECRET} (check the username and password in it, and that the user may read subjects).`,
    });
    expect(schemaRegistryGaps(refused)).toEqual([`${r.url}: ${(refused?.confluent[0] as { reason: string }).reason}`]);
    const anonymous = await read(
      new BasicAuthJsonHttp(wrong.read),
      { confluent: [{ url: r.url, usedBy: 'BOTH' }] },
      inv,
    );
    expect(anonymous?.confluent[0]).toMatchObject({
      status: 'NOT_COLLECTED',
      reason: expect.stringMatching(
        /401.*the registry needs credentials: name a secret holding them \(credentialsSecretArn\)/,
      ),
    });
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: refused! }, profile, assessmentOptions());
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['schema-registry.confluent-not-read:WARNING']);
    expect(findings[0]?.evidence).toContain('refused the credentials of secret');
    expect(JSON.stringify(findings)).not.toContain('stale');
  });

  it('turns a malformed answer, a missing or malformed secret and an unreachable registry into clear reasons', async () => {
    const html = await registry({ '/subjects': { status: 200, body: '<html>Schema Registry UI</html>' } });
    const notJsonList = await registry({ '/subjects': json(200, { subjects: ['orders-value'] }) });
    const partial = await registry({
      ...registryRoutes(),
      '/config': { status: 200, body: 'not json' },
      '/subjects/orders-value/versions': json(200, { versions: [1] }),
      '/schemas/ids/2': json(200, { schemaType: 'AVRO' }),
      '/schemas/ids/4': json(500, { error_code: 50001, message: 'Error in the backend data store' }),
    });
    // A port that was open a moment ago and is closed now: connection refused.
    const gone = await startRegistry({});
    await gone.close();
    const s = secrets({ [SECRET]: 'not-json' });
    const http = new BasicAuthJsonHttp(s.read, 2_000);
    const inv = withRecords({ orders: ['1', '2', '4'] });
    const otherSecret = `${SECRET.slice(0, -6)}Zz9Zz9`;
    const regs = await read(
      http,
      {
        confluent: [
          { url: html.url, usedBy: 'BOTH' },
          { url: notJsonList.url, usedBy: 'BOTH' },
          { url: partial.url, usedBy: 'SOURCE' },
          { url: gone.url, usedBy: 'TARGET' },
          { url: `https://${new URL(partial.url).host}`, credentialsSecretArn: SECRET, usedBy: 'TARGET' },
          { url: `https://${new URL(partial.url).host}/x`, credentialsSecretArn: otherSecret, usedBy: 'TARGET' },
        ],
      },
      inv,
    );
    const reasons = (regs?.confluent ?? []).map((c) => (c.status === 'NOT_COLLECTED' ? c.reason : c.partial));
    expect(reasons[0]).toMatch(/not a JSON array of subject names: is this a Confluent-compatible schema registry/);
    expect(reasons[1]).toMatch(/not a JSON array of subject names/);
    expect(reasons[2]).toEqual([
      'GET /config: no compatibilityLevel in the answer',
      'GET /subjects/orders-value/versions: not a JSON array of version numbers',
    ]);
    expect(reasons[3]).toMatch(
      new RegExp(`GET ${gone.url}/subjects failed: ECONNREFUSED\\. Check that the Inventory function can reach it`),
    );
    expect(reasons[4]).toMatch(/Secret .* is not \{"username": "…", "password": "…"\}/);
    expect(reasons[4]).not.toContain('not-json');
    expect(reasons[5]).toMatch(/ResourceNotFoundException|can't find/);
    const ids = regs?.confluent[2];
    expect(ids?.status === 'COLLECTED' && ids.schemaIds).toEqual([
      { id: '1', result: 'FOUND', schemaDigest: expect.stringMatching(/^[0-9a-f]{16}$/) },
      { id: '2', result: 'UNREADABLE', reason: 'the answer has no "schema" string' },
      { id: '4', result: 'UNREADABLE', reason: 'HTTP 500 error_code 50001: Error in the backend data store' },
    ]);
    // Every one of them a finding, none a crash.
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: regs! }, profile, assessmentOptions());
    expect(findings.find((f) => f.id === 'schema-registry.confluent-not-read')?.items).toHaveLength(7);
  });

  it("blocks when the target's registry lacks an id the records carry or gives it another schema", async () => {
    const source = await registry(registryRoutes());
    const target = await registry({
      ...registryRoutes({ schemaOfId2: PAYMENT_SCHEMA, withPayments: false, compatibility: 'NONE' }),
      '/mode': json(200, { mode: 'IMPORT' }),
      '/subjects/orders-value/versions': json(200, [1]),
    });
    const inv = withRecords({ orders: ['1', '2'], payments: ['3'] });
    const regs = await read(
      new BasicAuthJsonHttp(secrets({}).read),
      {
        confluent: [
          { url: source.url, usedBy: 'SOURCE' },
          { url: target.url, usedBy: 'TARGET' },
        ],
      },
      inv,
    );
    const findings = schemaRegistryInventoryRule({ ...inv, schemaRegistries: regs! }, profile, assessmentOptions());
    const byId = new Map(findings.map((f) => [f.id, f]));
    expect(byId.get('schema-registry.confluent-id-unresolved')).toMatchObject({
      severity: 'BLOCKER',
      items: [
        `schema id 3 (payments): not in ${target.url} (TARGET)`,
        `schema id 2 (orders): another schema in ${target.url} than in ${source.url}`,
      ],
    });
    expect(byId.get('schema-registry.confluent-subjects')?.items).toEqual([
      `payments-value: not a subject of ${target.url} (TARGET)`,
      `orders-value: 2 versions in ${source.url}, 1 in ${target.url}`,
      `payments-value: in ${source.url}, not in ${target.url}`,
    ]);
    expect(byId.get('schema-registry.confluent-settings')?.items).toEqual([
      `${target.url}: mode IMPORT (producers cannot register schemas until it is READWRITE)`,
      `global compatibility BACKWARD in ${source.url}, NONE in ${target.url}`,
      // orders-key has no level of its own on either side: the global ones apply, and differ.
      `orders-key: compatibility BACKWARD in ${source.url}, NONE in ${target.url}`,
    ]);
    // Acknowledging nothing, the assessment would stop; outside the migrated topics, nothing blocks.
    const narrowed = schemaRegistryInventoryRule(
      { ...inv, schemaRegistries: regs! },
      profile,
      assessmentOptions({ topics: { include: ['orders'] } }),
    );
    expect(narrowed.find((f) => f.id === 'schema-registry.confluent-id-unresolved')?.items).toEqual([
      `schema id 2 (orders): another schema in ${target.url} than in ${source.url}`,
    ]);
  });
});
