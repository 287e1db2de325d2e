import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { S3ArtifactStore } from '../../lambdas/adapters/aws/s3-artifact-store';
import { artifactKey } from '../../lambdas/ports/artifact-store';
import {
  CliError,
  EVIDENCE_BUCKET_ENV,
  executionArnOf,
  ExitCode,
  resolveRegion,
  awsVerb,
  STATE_MACHINE_ENV,
  toCliError,
  type CommonOptions,
  type OperatorDeps,
} from './operator-context';

/**
 * `msk-migrate report EXECUTION [--out DIR]`: the migration's report (Markdown and JSON) from the evidence bucket.
 * The keys come from the execution's `$.report` output when it has one (`{reportKey, markdownKey}`, written by the
 * Report task, lambdas/tasks/report/task.ts; only a SUCCEEDED execution has an output: the other outcomes end in a
 * Fail state), else the keys that task writes: `migrations/<migrationId>/<executionName>/report/report.{json,md}`.
 */

interface ReportOptions extends CommonOptions {
  readonly stateMachineArn?: string;
  readonly bucket?: string;
  readonly out?: string;
}

export interface FetchedReport {
  readonly executionArn: string;
  readonly status: string;
  readonly bucket: string;
  readonly markdownKey: string | null;
  readonly jsonKey: string | null;
  readonly markdown: string | null;
  readonly report: unknown;
  /** Files written with --out. */
  readonly written: string[];
}

/** Where the Report task puts the report under the execution's prefix (artifactKey of lambdas/ports/artifact-store.ts). */
export const REPORT_JSON = 'report/report.json';
export const REPORT_MARKDOWN = 'report/report.md';

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

/** Report keys named by the Report state's output, in whatever shape it carries them. */
export function reportKeysFromOutput(report: unknown): { bucket?: string; markdownKey?: string; jsonKey?: string } {
  if (!report || typeof report !== 'object') return {};
  const found: { bucket?: string; markdownKey?: string; jsonKey?: string } = {};
  for (const value of Object.values(report as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    const uri = S3_URI.exec(value);
    const key = uri ? uri[2] : value;
    if (uri?.[1]) found.bucket = uri[1];
    if (key?.endsWith('.md') && !found.markdownKey) found.markdownKey = key;
    if (key?.endsWith('.json') && !found.jsonKey) found.jsonKey = key;
  }
  return found;
}

export async function fetchReport(
  execution: string,
  options: ReportOptions,
  deps: OperatorDeps,
): Promise<FetchedReport> {
  const executionArn = executionArnOf(execution, options.stateMachineArn ?? deps.env[STATE_MACHINE_ENV]);
  const region = resolveRegion(options, deps.env, executionArn);
  let described;
  try {
    described = await deps.clients.sfn(region).send(new DescribeExecutionCommand({ executionArn }));
  } catch (err) {
    throw toCliError(err, { region, action: 'states:DescribeExecution' });
  }
  const status = described.status ?? 'UNKNOWN';
  const parse = (text: string | undefined): Record<string, unknown> => {
    try {
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const input = parse(described.input);
  const output = parse(described.output);
  const fromOutput = reportKeysFromOutput(output.report);
  const bucket = options.bucket ?? deps.env[EVIDENCE_BUCKET_ENV] ?? fromOutput.bucket;
  if (!bucket) {
    throw new CliError(
      'SETTING_MISSING',
      'No evidence bucket given.',
      ExitCode.INVALID_INPUT,
      `Pass --bucket or set ${EVIDENCE_BUCKET_ENV} (the EvidenceBucketName output of the stack).`,
    );
  }
  const migrationId = typeof input.migrationId === 'string' ? input.migrationId : undefined;
  const name = described.name ?? executionArn.split(':').pop() ?? '';
  const conventional = (file: string): string | undefined =>
    migrationId ? artifactKey(migrationId, name, file) : undefined;
  const markdownCandidates = [...new Set([fromOutput.markdownKey, conventional(REPORT_MARKDOWN)])].filter(
    (k): k is string => !!k,
  );
  const jsonCandidates = [...new Set([fromOutput.jsonKey, conventional(REPORT_JSON)])].filter((k): k is string => !!k);

  const store = new S3ArtifactStore(deps.clients.s3(region), bucket);
  const first = async (keys: string[]): Promise<{ key: string; text: string } | null> => {
    for (const key of keys) {
      const text = await store.getText(key);
      if (text !== undefined) return { key, text };
    }
    return null;
  };
  let markdown: { key: string; text: string } | null;
  let json: { key: string; text: string } | null;
  try {
    [markdown, json] = await Promise.all([first(markdownCandidates), first(jsonCandidates)]);
  } catch (err) {
    throw toCliError(err, { region, action: `s3:GetObject on ${bucket}` });
  }
  if (!markdown && !json) {
    throw new CliError(
      'REPORT_NOT_FOUND',
      `No report for ${name} in s3://${bucket}/ (looked for ${markdownCandidates.join(', ') || "the execution's report keys"}).`,
      ExitCode.NOT_FOUND,
      status === 'RUNNING'
        ? 'The execution is still RUNNING: the Report state writes it at the end. `msk-migrate status` shows where it stands.'
        : 'Check --bucket: it must be the evidence bucket of the stack that ran this execution.',
    );
  }
  let report: unknown = null;
  if (json) {
    try {
      report = JSON.parse(json.text);
    } catch {
      report = json.text;
    }
  }
  const written: string[] = [];
  if (options.out) {
    await fs.mkdir(options.out, { recursive: true });
    if (markdown) {
      const file = path.join(options.out, `${name}-report.md`);
      await fs.writeFile(file, markdown.text);
      written.push(file);
    }
    if (json) {
      const file = path.join(options.out, `${name}-report.json`);
      await fs.writeFile(file, json.text);
      written.push(file);
    }
  }
  return {
    executionArn,
    status,
    bucket,
    markdownKey: markdown?.key ?? null,
    jsonKey: json?.key ?? null,
    markdown: markdown?.text ?? null,
    report,
    written,
  };
}

export function registerReport(program: Command, deps: OperatorDeps): Command {
  const command = program
    .command('report')
    .description('Fetch the migration report (Markdown and JSON) from the evidence bucket')
    .argument('<execution>', 'execution name or ARN')
    .option('--out <dir>', 'write <name>-report.md and <name>-report.json into this folder')
    .option('--bucket <name>', `evidence bucket (default: $${EVIDENCE_BUCKET_ENV}, else the execution's output)`)
    .option('--state-machine-arn <arn>', `to find an execution by name (default: $${STATE_MACHINE_ENV})`);
  return awsVerb(
    command,
    deps,
    async (execution: string, options: ReportOptions) => {
      const fetched = await fetchReport(execution, options, deps);
      const text =
        fetched.written.length > 0
          ? `Wrote ${fetched.written.join(' and ')}`
          : (fetched.markdown ??
            `No Markdown report; the JSON report is s3://${fetched.bucket}/${fetched.jsonKey ?? ''} (use --json).`);
      return { data: fetched, text };
    },
    { json: 'print the report JSON (or the error) as JSON' },
  );
}
