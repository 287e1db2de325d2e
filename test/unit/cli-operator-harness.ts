import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { Command } from 'commander';
import { registerOperatorCommands } from '../../cli/commands/operator';
import type { InputValidation, OperatorDeps } from '../../cli/commands/operator-context';

/**
 * Runs `msk-migrate <verb> …` in-process with the operator verbs registered on a fresh commander program: output,
 * exit code and the Regions clients were created for are captured; AWS calls are mocked by the tests
 * (aws-sdk-client-mock intercepts every client instance).
 */

export const NOW = new Date('2026-11-24T12:00:00.000Z');
export const REGION = 'eu-west-1';
export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:MskMigration';
export const executionArn = (name: string): string =>
  `arn:aws:states:eu-west-1:123456789012:execution:MskMigration:${name}`;

export interface CliRun {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for --json). */
  json<T = Record<string, unknown>>(): T;
}

export interface HarnessOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly files?: Record<string, string>;
  readonly validateInput?: (input: unknown) => InputValidation;
  /** The caller's AWS credentials (what the default chain would resolve). */
  readonly credentials?: OperatorDeps['credentials'];
}

/** A stand-in for the execution input schema: a migrationId is required. */
export const requireMigrationId = (input: unknown): InputValidation =>
  typeof (input as { migrationId?: unknown })?.migrationId === 'string'
    ? { valid: true, issues: [] }
    : { valid: false, issues: [{ path: 'migrationId', message: 'Required: a name for the migration' }] };

export function cli(options: HarnessOptions = {}): { run: (...args: string[]) => Promise<CliRun>; regions: string[] } {
  const regions: string[] = [];
  const run = async (...args: string[]): Promise<CliRun> => {
    let stdout = '';
    let stderr = '';
    let exitCode: number | undefined;
    const deps: OperatorDeps = {
      io: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      env: options.env ?? { AWS_REGION: REGION, MSK_MIGRATION_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
      clients: {
        sfn: (region) => (regions.push(region), new SFNClient({ region })),
        s3: (region) => (regions.push(region), new S3Client({ region })),
        sts: (region) => (regions.push(region), new STSClient({ region })),
        dynamodb: (region) => (regions.push(region), new DynamoDBClient({ region })),
      },
      now: () => NOW,
      validateInput: options.validateInput ?? requireMigrationId,
      setExitCode: (code) => {
        exitCode = code;
      },
      ...(options.credentials ? { credentials: options.credentials } : {}),
      readFile: async (file) => {
        const content = options.files?.[file];
        if (content === undefined)
          throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
        return content;
      },
    };
    const program = new Command('msk-migrate')
      .exitOverride()
      .configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
    registerOperatorCommands(program, deps);
    await program.parseAsync(args, { from: 'user' });
    return { exitCode, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
  };
  return { run, regions };
}

/** An AWS SDK-style error with a name (what the SDK throws for service exceptions). */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}
