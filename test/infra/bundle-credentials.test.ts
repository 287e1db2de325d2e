import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildHandlers } from '../../lib/handler-bundles';
import { taskEntry } from '../../lib/migration-orchestrator';

/**
 * The credentials of a deployed function's SDK clients: its bundle takes lambdas/adapters/aws/lambda-credentials.ts
 * for the SDK's default chain (lib/handler-bundles.ts), so they come from the environment variables in which Lambda
 * gives a function its role's credentials. Report's bundle, as the construct builds it, is imported in a plain Node
 * process as Lambda imports it and reads an artifact from a local HTTP server standing in for S3, which sees how the request was signed.
 */

const ROOT = path.join(__dirname, '../..');
const OUT = path.join(ROOT, 'cdk.out', '.bundle-credentials-test');

const PROBE = `
import(require('node:url').pathToFileURL(process.argv[1]).href)
  .then(({ reportHandler }) => reportHandler.factories.artifacts({ fn: 'Report', env: { ARTIFACT_BUCKET: 'probe-bucket' }, onClose: () => {} }))
  .then((store) => store.getJson('probe.json'))
  .then((doc) => process.stdout.write(JSON.stringify({ doc: doc ?? null })))
  .catch((err) => process.stdout.write(JSON.stringify({ error: String(err && err.message) })));
`;

interface Seen {
  readonly method?: string;
  readonly url?: string;
  readonly authorization?: string;
  readonly token?: string;
}

describe("a deployed function's SDK clients", () => {
  jest.setTimeout(120_000);
  const seen: Seen[] = [];
  let server: http.Server;
  let endpoint: string;
  let home: string;

  beforeAll(async () => {
    fs.rmSync(OUT, { recursive: true, force: true });
    buildHandlers(
      ROOT,
      { Report: taskEntry('Report') },
      OUT,
      { kafkaClient: 'kafkajs' },
      { sourcemap: false, logLevel: 'silent' },
    );
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-credentials-'));
    server = http.createServer((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        token: req.headers['x-amz-security-token'] as string | undefined,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"probe":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(home, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  /** The probe's answer, in an environment holding no AWS variable but `aws` (and no profile files). */
  function probe(aws: Record<string, string>): Promise<unknown> {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(process.env))
      if (value !== undefined && !name.startsWith('AWS_')) env[name] = value;
    Object.assign(env, {
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_S3: endpoint,
      ARTIFACT_BUCKET: 'probe-bucket',
      MIGRATION_LOCK_TABLE: 'probe',
      ...aws,
    });
    return new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        ['-e', PROBE, path.join(OUT, 'Report', 'index.mjs')],
        { env, encoding: 'utf8', timeout: 60_000 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`probe failed: ${stderr.slice(0, 500)}`, { cause: err }))
            : resolve(JSON.parse(stdout)),
      ),
    );
  }

  it("sign with the role's credentials Lambda puts in the environment", async () => {
    const answer = await probe({
      AWS_ACCESS_KEY_ID: 'AKIDBUNDLEPROBE',
      AWS_SECRET_ACCESS_KEY: 'probe-secret',
      AWS_SESSION_TOKEN: 'probe-session-token',
    });

    expect(answer).toEqual({ doc: { probe: true } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.url).toMatch(/^\/probe-bucket\/probe\.json/);
    expect(seen[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDBUNDLEPROBE\/\d{8}\/eu-west-1\/s3\/aws4_request/,
    );
    expect(seen[0]?.token).toBe('probe-session-token');
  });

  it('send nothing and name the environment when it holds no credentials', async () => {
    const answer = await probe({});

    expect(answer).toEqual({ error: expect.stringMatching(/environment variable credentials/) });
    expect(seen).toEqual([]);
  });
});
