import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../cli/commands/operator-context';

/** The installed command, run as a user runs it: `node cli/msk-migrate.cjs validate …` in a child process. */

const ROOT = path.join(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'cli', 'msk-migrate.cjs');
const EXAMPLE = path.join(ROOT, 'examples', 'msk-to-serverless-replicator.json');
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function msk(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const example = (): Record<string, any> => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- edited freely below

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'msk-migrate-validate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
jest.setTimeout(60_000);

describe('msk-migrate validate', () => {
  it('notes, for an IAM_POLICY fence, that the source shows no producer roles and whose writes are denied', async () => {
    const plan = example();
    plan.cutover.fence = { type: 'IAM_POLICY', roleNames: ['orders-writer', 'payments-writer'] };

    const run = await msk('validate', file('iam-fence.json', JSON.stringify(plan)));

    expect(run.code).toBe(ExitCode.OK);
    const notes = run.stdout.split('\n').filter((l) => l.startsWith('Note: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(
      "denies writes to the 2 role(s) of cutover.fence.roleNames and the producer switches' roles only",
    );
    expect(notes[0]).toContain('the Kafka protocol gives producers and group members no principal');
  });

  it('exits 0 with a summary line and the history budget per path for a valid plan', async () => {
    const run = await msk('validate', EXAMPLE);

    expect(run.code).toBe(ExitCode.OK);
    expect(run.stderr).toBe('');
    const [summary, budget, pause, assumptions, ...rest] = run.stdout.trim().split('\n');
    expect(rest).toEqual([]);
    expect(summary).toContain(
      'orders-to-serverless: orders-prod → orders-serverless (MSK_SERVERLESS), MSK_REPLICATOR, switch SSM parameter /orders/kafka/bootstrap-servers',
    );
    expect(budget).toMatch(
      /^History budget \(worst case, events of 25,000\): forward [\d,]+, rollback [\d,]+, failback [\d,]+; polls every 240 s \(catch-up\), 10 s \(drain\), 300 s \(rollback window\)$/,
    );
    expect(pause).toMatch(
      /^Expected write pause at the cutover \(modeled on AWS, replication p99 1 s assumed\): ≈ [\d.]+ s \(.*notice 1\.00 s.*\); producers' delivery\.timeout\.ms 120 s$/,
    );
    // what the model took of AWS, and the round trips each step waits for on S3, the SSM pointer and DynamoDB
    expect(assumptions).toMatch(
      /^The model assumes AWS: transition 50 ms, .*S3 request 30 ms, pointer request 30 ms \(a set is 1 at an expected revision, else 2\), DynamoDB abort check 10 ms; round trips .*SwitchToTarget 0\/1\/0; drain ready at fence \+ max\(settle 2\.00 s, last write 1\.50 s \+ p99 1\.00 s\), its looks from the notice 1\.50 s on as soon as the pacer allows: caught up only after the settle's end, no confirming look \(round trips counted from the code; .*\)$/,
    );
  });

  it('lists the waves of a plan in waves, what each moves and what each adds to the history budget', async () => {
    const waves = path.join(ROOT, 'examples', 'msk-to-serverless-waves.json');
    const run = await msk('validate', waves);

    expect(run.code).toBe(ExitCode.OK);
    const lines = run.stdout.trim().split('\n');
    expect(lines[4]).toMatch(
      /^Waves \(3, in this order, one execution; each wave after the first adds up to [\d,]+ events to the worst path; a failback after the last wave returns every wave\):$/,
    );
    expect(lines.slice(5)).toEqual([
      '  1. audit (Audit (read-only pipeline)): consumers first (producers stay on the source); topics orders.created; groups audit-trail; pointer SSM parameter /audit/kafka/bootstrap-servers; approved by audit-owner@example.com, platform-lead@example.com',
      '  2. analytics (Analytics): producers and consumers; topics clickstream; groups analytics-sessions; pointer SSM parameter /analytics/kafka/bootstrap-servers; approved by analytics-owner@example.com, platform-lead@example.com',
      '  3. orders (Orders): producers and consumers; topics orders.created, orders.paid; groups orders-billing, orders-shipping; pointer SSM parameter /orders/kafka/bootstrap-servers; approved by orders-owner@example.com',
    ]);
    const json = JSON.parse((await msk('validate', waves, '--json')).stdout);
    expect(json.waves.map((w: { moves: string }) => w.moves)).toEqual([
      'CONSUMERS_FIRST',
      'PRODUCERS_AND_CONSUMERS',
      'PRODUCERS_AND_CONSUMERS',
    ]);
    expect(json.historyBudget.perWave).toBeGreaterThan(0);
  });

  it('says when a consumers-first wave keeps the replicator after the migration (producersStay)', async () => {
    const waves = JSON.parse(
      readFileSync(path.join(ROOT, 'examples', 'msk-to-serverless-waves.json'), 'utf8'),
    ) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- edited freely below
    waves.waves[0].producersStay = true;
    waves.waves[2].topics = ['orders.paid'];
    const run = await msk('validate', file('stay.json', JSON.stringify(waves)));

    expect(run.code).toBe(ExitCode.OK);
    expect(run.stdout).toContain(
      '  1. audit (Audit (read-only pipeline)): consumers first (producers stay on the source for good: the replicator is kept after the migration, until finish-replication); topics orders.created;',
    );
    const json = JSON.parse((await msk('validate', file('stay.json', JSON.stringify(waves)), '--json')).stdout);
    expect(json.waves[0]).toMatchObject({ moves: 'CONSUMERS_FIRST', producersStay: true });
  });

  it('prints a longer expected pause for a plan that settles longer', async () => {
    const plan = example();
    plan.cutover.fenceSettleSeconds = 90;

    const run = await msk('validate', file('long-settle.json', JSON.stringify(plan)), '--json');

    expect(run.code).toBe(ExitCode.OK);
    const short = JSON.parse((await msk('validate', EXAMPLE, '--json')).stdout) as {
      expectedPause: { totalMs: number };
    };
    const long = JSON.parse(run.stdout) as { expectedPause: { totalMs: number; shares: { wait: number } } };
    expect(long.expectedPause.totalMs).toBeGreaterThan(short.expectedPause.totalMs + 60_000);
    expect(long.expectedPause.totalMs).toBeGreaterThanOrEqual(90_000);
  });

  it('exits 2 naming cutover.drainTimeoutMinutes when a day-long drain would not fit the history budget', async () => {
    const plan = example();
    plan.cutover.drainTimeoutMinutes = 1440;

    const run = await msk('validate', file('long-drain.json', JSON.stringify(plan)));

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stderr).toMatch(/cutover\.drainTimeoutMinutes: expected at most 45 minutes/);
    expect(run.stderr).toMatch(/history events, over Step Functions' 25,000/);
  });

  it('exits 2 and lists every problem by field path, without a stack trace', async () => {
    const plan = example();
    plan.gates.pollIntervalSeconds = 5;
    plan.replication.topics.include.push('orders-(');
    plan.cutover.switch.ttl = 60;
    delete plan.approval.email;
    delete plan.approval.slack;

    const run = await msk('validate', file('invalid.json', JSON.stringify(plan)));

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/is not a valid migration input \(4 problems\)/);
    for (const line of [
      '  - replication.topics.include.2: "orders-(" is not a valid regular expression',
      '  - gates.pollIntervalSeconds: expected at least 10 seconds',
      '  - approval: expected at least one approval channel',
      '  - cutover.switch.ttl: unknown field "ttl"',
    ]) {
      expect(run.stderr).toContain(line);
    }
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses a rehearsal plan for AWS, naming the switch and MSK Connect, and accepts it with --runtime local', async () => {
    const plan = JSON.parse(
      readFileSync(path.join(ROOT, 'examples', 'msk-to-automq-mirrormaker2.json'), 'utf8'),
    ) as Record<
      string,
      any // eslint-disable-line @typescript-eslint/no-explicit-any -- edited freely below
    >;
    delete plan.replication.mskConnect;
    plan.cutover.switch = { type: 'LOCAL_FILE', path: '/tmp/rehearsal/pointer.json' };
    const input = file('rehearsal.json', JSON.stringify(plan));

    const [aws, local] = await Promise.all([msk('validate', input), msk('validate', input, '--runtime', 'local')]);

    expect(aws.code).toBe(ExitCode.INVALID_INPUT);
    expect(aws.stderr).toMatch(/\(2 problems\)/);
    expect(aws.stderr).toContain('  - cutover.switch.type: LOCAL_FILE is a cutover switch of the local rehearsal');
    expect(aws.stderr).toContain('  - replication.mskConnect: required for MIRROR_MAKER_2 in AWS');
    expect({ code: local.code, stderr: local.stderr }).toEqual({ code: ExitCode.OK, stderr: '' });
  });

  it('names field, cross-field, runtime and history-budget problems in one run', async () => {
    const plan = example();
    plan.approval.email = ['not-an-address'];
    plan.target = { type: 'KAFKA', bootstrapServers: ['kafka-0.internal:9092', 'no port'], auth: { mechanism: 'TLS' } };
    plan.cutover.switch = { type: 'LOCAL_FILE', path: '/tmp/pointer.json' };
    plan.cutover.drainTimeoutMinutes = 1440;

    const run = await msk('validate', file('every-problem.json', JSON.stringify(plan)));

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stderr).toMatch(/is not a valid migration input \(5 problems\)/);
    for (const field of [
      'approval.email.0',
      'target.bootstrapServers.1',
      'replication.engine',
      'cutover.switch.type',
      'cutover.drainTimeoutMinutes',
    ])
      expect(run.stderr).toContain(`  - ${field}: `);
  });

  it('exits 2 with a clear message for a file that is not JSON', async () => {
    const run = await msk('validate', file('broken.json', '{ "migrationId": "orders", '));

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stderr).toMatch(/^Error: .*broken\.json is not JSON: /);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 2 for a path it cannot read as a file', async () => {
    const run = await msk('validate', dir);

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stderr).toMatch(/^Error: Cannot read .*EISDIR/);
  });

  it('exits 3 (not found, as for every verb) for a missing file', async () => {
    const run = await msk('validate', path.join(dir, 'no-such-plan.json'));

    expect(run.code).toBe(ExitCode.NOT_FOUND);
    expect(run.stderr).toMatch(/^Error: No file .*no-such-plan\.json\./);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('prints the summary and the plan with its defaults as JSON with --json', async () => {
    const run = await msk('validate', EXAMPLE, '--json');

    expect(run.code).toBe(ExitCode.OK);
    const out = JSON.parse(run.stdout) as {
      valid: boolean;
      migrationId: string;
      engine: string;
      plan: { cutover: { drainTimeoutMinutes: number } };
    };
    expect(out).toMatchObject({
      valid: true,
      migrationId: 'orders-to-serverless',
      engine: 'MSK_REPLICATOR',
      source: 'orders-prod',
    });
    expect(out.plan.cutover.drainTimeoutMinutes).toBe(15);
  });

  it('prints every problem as JSON with --json', async () => {
    const plan = example();
    plan.migrationId = 'Orders';
    const run = await msk('validate', file('invalid-json.json', JSON.stringify(plan)), '--json');

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    const out = JSON.parse(run.stdout) as {
      error: { code: string; exitCode: number; details: { issues: { path: string; message: string }[] } };
    };
    expect(out.error).toMatchObject({ code: 'INPUT_INVALID', exitCode: 2 });
    expect(out.error.details.issues).toEqual([
      { path: 'migrationId', message: expect.stringMatching(/lowercase slug/) },
    ]);
  });

  it('reads a 5 MB plan and reports its size and the one bad pattern deep in it', async () => {
    const plan = example();
    plan.replication.topics.include = Array.from(
      { length: 250_000 },
      (_, i) => `orders-${String(i).padStart(6, '0')}\\..*`,
    );
    plan.replication.topics.include[200_000] = 'orders-[';
    const text = JSON.stringify(plan);
    expect(text.length).toBeGreaterThan(5_000_000);

    const run = await msk('validate', file('huge.json', text));

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stderr).toMatch(/\(2 problems\)/);
    expect(run.stderr).toMatch(/ {2}- \(root\): the plan is \d+ bytes/);
    expect(run.stderr).toContain('  - replication.topics.include.200000: "orders-[" is not a valid regular expression');
  });

  it('exits 2 for an unknown verb', async () => {
    const run = await msk('frobnicate');

    expect(run.code).toBe(ExitCode.INVALID_INPUT);
    expect(run.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});
