import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { reportKeysFromOutput } from '../../cli/commands/report';
import { runReport } from '../../lambdas/tasks/report/task';
import type { ArtifactStore } from '../../lambdas/ports/artifact-store';
import { cli, executionArn, NOW } from './cli-operator-harness';

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const ARN = executionArn('orders-1');
const env = { AWS_REGION: 'eu-west-1', MSK_MIGRATION_EVIDENCE_BUCKET: 'evidence-bucket' };
const MARKDOWN = '# Migration orders\n\nAll gates passed.\n';
const REPORT = { migrationId: 'orders', outcome: 'SUCCEEDED', gates: [{ name: 'Data copy', status: 'PASS' }] };

/** Serves the given objects; any other key is NoSuchKey, as S3 answers. */
function serve(objects: Record<string, string>): void {
  s3.on(GetObjectCommand).callsFake(async (req: { Key?: string }) => {
    const body = objects[req.Key ?? ''];
    if (body === undefined)
      throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: { transformToString: async () => body } };
  });
}

const execution = (over: Record<string, unknown> = {}) => ({
  executionArn: ARN,
  name: 'orders-1',
  status: 'SUCCEEDED' as const,
  startDate: NOW,
  input: JSON.stringify({ migrationId: 'orders' }),
  ...over,
});

beforeEach(() => {
  sfn.reset();
  s3.reset();
});

describe('msk-migrate report', () => {
  it("prints the Markdown report named by the Report state's output", async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(
      execution({
        output: JSON.stringify({
          report: {
            markdown: 's3://evidence-bucket/migrations/orders/orders-1/report/summary.md',
            json: 's3://evidence-bucket/migrations/orders/orders-1/report/summary.json',
          },
        }),
      }),
    );
    serve({
      'migrations/orders/orders-1/report/summary.md': MARKDOWN,
      'migrations/orders/orders-1/report/summary.json': JSON.stringify(REPORT),
    });
    // Act
    const result = await cli({ env: { AWS_REGION: 'eu-west-1' } }).run('report', ARN);
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(MARKDOWN);
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, {
      Bucket: 'evidence-bucket',
      Key: 'migrations/orders/orders-1/report/summary.md',
    });
  });

  it('finds the report the Report task wrote for a rolled-back execution, which has no output', async () => {
    // Prepare: the real Report task writes into a store, whose objects S3 then serves
    const objects: Record<string, string> = {};
    const store: ArtifactStore = {
      putJson: async (key, value) => ((objects[key] = JSON.stringify(value)), key),
      putText: async (key, body) => ((objects[key] = body), key),
      getJson: async () => undefined,
      getText: async (key) => objects[key],
      list: async (prefix) =>
        Object.keys(objects)
          .filter((k) => k.startsWith(prefix))
          .sort(),
    };
    const written = await runReport(
      {
        outcome: 'ROLLED_BACK',
        state: {
          input: { migrationId: 'orders' },
          identity: { migrationId: 'orders', executionName: 'orders-1' },
          execution: { id: ARN, name: 'orders-1', startedAt: NOW.toISOString() },
          error: { Error: 'Migration.LagTimeout', Cause: 'not caught up' },
        },
      },
      { artifacts: store, now: () => NOW },
    );
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'FAILED', error: 'Migration.RolledBack' }));
    serve(objects);
    // Act
    const result = await cli({ env }).run('report', ARN, '--json');
    // Assess
    expect(result.exitCode).toBe(0);
    expect(result.json()).toMatchObject({
      markdownKey: written.markdownKey,
      jsonKey: written.reportKey,
      report: { outcome: 'ROLLED_BACK', migrationId: 'orders' },
      markdown: expect.stringContaining('Outcome: ROLLED_BACK'),
    });
  });

  it("reads the keys from the Report task's output of a succeeded execution", async () => {
    // Prepare
    const output = {
      report: {
        reportKey: 'migrations/orders/orders-1/report/report.json',
        markdownKey: 'migrations/orders/orders-1/report/report.md',
        outcome: 'SUCCEEDED',
      },
    };
    sfn.on(DescribeExecutionCommand).resolves(execution({ output: JSON.stringify(output) }));
    serve({
      'migrations/orders/orders-1/report/report.md': MARKDOWN,
      'migrations/orders/orders-1/report/report.json': JSON.stringify(REPORT),
    });
    // Act
    const result = await cli({ env }).run('report', ARN, '--json');
    // Assess
    expect(result.json()).toMatchObject({
      markdownKey: 'migrations/orders/orders-1/report/report.md',
      jsonKey: 'migrations/orders/orders-1/report/report.json',
      report: REPORT,
      markdown: MARKDOWN,
    });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
  });

  it('writes both files into --out', async () => {
    // Prepare
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    sfn.on(DescribeExecutionCommand).resolves(execution());
    serve({
      'migrations/orders/orders-1/report/report.md': MARKDOWN,
      'migrations/orders/orders-1/report/report.json': JSON.stringify(REPORT),
    });
    // Act
    const result = await cli({ env }).run('report', ARN, '--out', dir);
    // Assess
    expect(result.stdout).toContain('Wrote');
    expect(fs.readFileSync(path.join(dir, 'orders-1-report.md'), 'utf8')).toBe(MARKDOWN);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'orders-1-report.json'), 'utf8'))).toEqual(REPORT);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says a running execution has no report yet and how to follow it (exit 3)', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'RUNNING' }));
    serve({});
    // Act
    const result = await cli({ env }).run('report', ARN, '--json');
    // Assess
    expect(result.exitCode).toBe(3);
    expect(result.json()).toEqual({
      error: expect.objectContaining({ code: 'REPORT_NOT_FOUND', hint: expect.stringContaining('msk-migrate status') }),
    });
  });

  it('asks for the evidence bucket when neither the option, the environment nor the output names it (exit 2)', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves(execution());
    // Act
    const result = await cli({ env: { AWS_REGION: 'eu-west-1' } }).run('report', ARN);
    // Assess
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('MSK_MIGRATION_EVIDENCE_BUCKET');
  });

  it('reads report keys from an output of keys or s3:// locations', () => {
    expect(reportKeysFromOutput({ markdownKey: 'a/report.md', jsonKey: 'a/report.json', passed: true })).toEqual({
      markdownKey: 'a/report.md',
      jsonKey: 'a/report.json',
    });
    expect(reportKeysFromOutput({ location: 's3://b/k/report.md' })).toEqual({
      bucket: 'b',
      markdownKey: 'k/report.md',
    });
    expect(reportKeysFromOutput(undefined)).toEqual({});
  });
});
