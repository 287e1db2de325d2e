import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { Command } from 'commander';

/**
 * What the operator verbs (start, status, approve, reject, report) share: exit codes, errors a person can act on,
 * output as text or JSON, the Region and the names of the stack's resources, and the AWS clients (injected, so tests
 * mock them with aws-sdk-client-mock).
 */

/** The one list of exit codes: docs/operator-guide.md, "Exit codes" (keep the two in step). */
export const ExitCode = {
  OK: 0,
  /** Something failed while running (AWS error, refused decision, execution in the wrong state). */
  RUNTIME: 1,
  /** The command line or the input file is wrong. */
  INVALID_INPUT: 2,
  /** The file, execution, approval or report does not exist. */
  NOT_FOUND: 3,
  /** No credentials, expired or refused credentials, missing permission, or no/wrong Region. */
  CREDENTIALS: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    /** A stable code for scripts (`EXECUTION_NOT_FOUND`). */
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    /** What to do about it. */
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface AwsClients {
  sfn(region: string): SFNClient;
  s3(region: string): S3Client;
  sts(region: string): STSClient;
  dynamodb(region: string): DynamoDBClient;
}

export interface InputValidation {
  readonly valid: boolean;
  /** Every bad field, with its path (`source.clusterArn`) and what is wrong. */
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

export interface OperatorDeps {
  readonly io: CliIo;
  readonly env: NodeJS.ProcessEnv;
  readonly clients: AwsClients;
  readonly now: () => Date;
  /** The execution input's schema check (the same as ValidateInput's), run before StartExecution. */
  readonly validateInput: (input: unknown) => InputValidation;
  readonly setExitCode: (code: ExitCode) => void;
  readonly readFile: (path: string) => Promise<string>;
  /** The caller's AWS credentials, to sign requests to the approval API. @default the SDK's default chain */
  readonly credentials?: (
    region: string,
  ) => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  /** HTTP for the approval API. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Real clients, one per Region, created on first use. */
export function defaultAwsClients(): AwsClients {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    sfn: (region) => once(`sfn:${region}`, () => new SFNClient({ region })),
    s3: (region) => once(`s3:${region}`, () => new S3Client({ region })),
    sts: (region) => once(`sts:${region}`, () => new STSClient({ region })),
    dynamodb: (region) => once(`ddb:${region}`, () => new DynamoDBClient({ region })),
  };
}

export interface CommonOptions {
  readonly region?: string;
  readonly json?: boolean;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The Region of an ARN (`arn:aws:states:eu-west-1:…`), when the value is one. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const parts = arn?.split(':');
  return parts && parts[0] === 'arn' && parts.length > 4 && parts[3] ? parts[3] : undefined;
}

/**
 * The Region to call: the one in the ARN being acted on (a resource lives in one Region; calling another can only
 * say "not found"), else --region, else AWS_REGION / AWS_DEFAULT_REGION.
 */
export function resolveRegion(options: CommonOptions, env: NodeJS.ProcessEnv, arn?: string): string {
  const region = regionOfArn(arn) ?? options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new CliError(
      'REGION_MISSING',
      'No AWS Region given.',
      ExitCode.CREDENTIALS,
      'Pass --region eu-west-1 or set AWS_REGION.',
    );
  }
  if (!REGION.test(region)) {
    throw new CliError(
      'REGION_INVALID',
      `"${region}" is not an AWS Region name.`,
      ExitCode.CREDENTIALS,
      'Use a Region code such as eu-west-1 or us-east-1.',
    );
  }
  return region;
}

/** A setting from its option, else its environment variable; a missing one says where to find it. */
export function setting(
  value: string | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
  what: string,
  option: string,
): string {
  const resolved = value ?? env[variable];
  if (!resolved)
    throw new CliError(
      'SETTING_MISSING',
      `No ${what} given.`,
      ExitCode.INVALID_INPUT,
      `Pass ${option} or set ${variable} (a stack output of the deployed orchestrator).`,
    );
  return resolved;
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);
const PERMISSION_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
]);

/** An AWS SDK error (or anything thrown) as an error a person can act on. Never a stack trace. */
export function toCliError(err: unknown, context: { region?: string; action?: string } = {}): CliError {
  if (err instanceof CliError) return err;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const message = e?.message ?? String(err);
  if (
    CREDENTIAL_ERRORS.has(name) ||
    /Could not load credentials|security token included in the request is (invalid|expired)/i.test(message)
  ) {
    return new CliError(
      'CREDENTIALS',
      `AWS refused or could not find credentials: ${message}`,
      ExitCode.CREDENTIALS,
      'Configure credentials (aws configure sso, AWS_PROFILE, or environment variables) and try again.',
    );
  }
  if (PERMISSION_ERRORS.has(name)) {
    return new CliError(
      'ACCESS_DENIED',
      message,
      ExitCode.CREDENTIALS,
      `Your IAM identity may not ${context.action ?? 'do this'}: see "The IAM an operator needs" in docs/operator-guide.md.`,
    );
  }
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN' || /getaddrinfo|ENOTFOUND/.test(message)) {
    return new CliError(
      'ENDPOINT_UNREACHABLE',
      `The AWS endpoint${context.region ? ` of ${context.region}` : ''} could not be reached: ${message}`,
      ExitCode.CREDENTIALS,
      'Check the Region name and your network (proxy, VPN).',
    );
  }
  if (name === 'ExecutionDoesNotExist' || name === 'StateMachineDoesNotExist') {
    const what = name === 'ExecutionDoesNotExist' ? 'execution' : 'state machine';
    return new CliError(
      name === 'ExecutionDoesNotExist' ? 'EXECUTION_NOT_FOUND' : 'STATE_MACHINE_NOT_FOUND',
      `No such ${what}${context.region ? ` in ${context.region}` : ''}: ${message}`,
      ExitCode.NOT_FOUND,
      `Check the name; if it runs in another Region, pass its ARN or --region. \`msk-migrate status\` shows the latest execution.`,
    );
  }
  if (name === 'NoSuchBucket') {
    return new CliError(
      'BUCKET_NOT_FOUND',
      `The evidence bucket does not exist${context.region ? ` in ${context.region}` : ''}: ${message}`,
      ExitCode.NOT_FOUND,
      'Pass --bucket or set MSK_MIGRATION_EVIDENCE_BUCKET to the EvidenceBucketName output of the stack.',
    );
  }
  if (
    name === 'InvalidArn' ||
    name === 'ValidationException' ||
    name === 'InvalidName' ||
    name === 'InvalidExecutionInput'
  ) {
    return new CliError('INVALID_ARGUMENT', message, ExitCode.INVALID_INPUT);
  }
  return new CliError('AWS_ERROR', `${name}: ${message}`, ExitCode.RUNTIME);
}

/**
 * Runs one verb: prints its result as text or JSON, or its error (JSON too with --json) with the documented exit
 * code. Nothing escapes as a stack trace.
 */
/**
 * The tail every AWS verb of the CLI shares: `--region`, `--json`, and the action run through `runVerb` (the result
 * as JSON or text, the error as one line and a hint, the exit code). The verb's argument and own options come first.
 */
export function awsVerb<A, O extends CommonOptions, T>(
  command: Command,
  deps: OperatorDeps,
  verb: (arg: A, options: O) => Promise<{ readonly data: T; readonly text: string }>,
  help: { readonly json?: string } = {},
): Command {
  return command
    .option('--region <region>', "AWS Region (default: the ARN's, else $AWS_REGION)")
    .option('--json', help.json ?? 'print the result (or the error) as JSON')
    .action(async (arg: A, options: O) => runVerb(deps, options, () => verb(arg, options)));
}

export async function runVerb<T>(
  deps: OperatorDeps,
  options: CommonOptions,
  verb: () => Promise<{ readonly data: T; readonly text: string }>,
): Promise<void> {
  try {
    const result = await verb();
    deps.io.stdout(options.json ? `${JSON.stringify(result.data, null, 2)}\n` : `${result.text.replace(/\n*$/, '')}\n`);
    deps.setExitCode(ExitCode.OK);
  } catch (err) {
    const error = toCliError(err);
    if (options.json) {
      deps.io.stdout(
        `${JSON.stringify({ error: { code: error.code, message: error.message, exitCode: error.exitCode, ...(error.hint ? { hint: error.hint } : {}), ...(error.details ? { details: error.details } : {}) } }, null, 2)}\n`,
      );
    } else {
      deps.io.stderr(`Error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
    }
    deps.setExitCode(error.exitCode);
  }
}

/** Execution names and ARNs: an ARN is used as is, a name is joined to the state machine's ARN. */
export function executionArnOf(execution: string, stateMachineArn: string | undefined): string {
  if (execution.startsWith('arn:')) {
    if (!/^arn:[^:]+:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(execution)) {
      throw new CliError(
        'INVALID_ARGUMENT',
        `"${execution}" is not a Step Functions execution ARN.`,
        ExitCode.INVALID_INPUT,
        'Give the execution name, or its ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>).',
      );
    }
    return execution;
  }
  if (!stateMachineArn) {
    throw new CliError(
      'SETTING_MISSING',
      `"${execution}" is an execution name, and no state machine is given to find it in.`,
      ExitCode.INVALID_INPUT,
      'Pass the execution ARN, or --state-machine-arn / MSK_MIGRATION_STATE_MACHINE_ARN.',
    );
  }
  // A version or alias ARN (`…:stateMachine:<name>:live`) names the same executions as the state machine's.
  const parts = stateMachineArn.split(':');
  if (![7, 8].includes(parts.length) || parts[2] !== 'states' || parts[5] !== 'stateMachine') {
    throw new CliError('INVALID_ARGUMENT', `"${stateMachineArn}" is not a state machine ARN.`, ExitCode.INVALID_INPUT);
  }
  return [...parts.slice(0, 5), 'execution', parts[6], execution].join(':');
}

export function consoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export const STATE_MACHINE_ENV = 'MSK_MIGRATION_STATE_MACHINE_ARN';
export const EVIDENCE_BUCKET_ENV = 'MSK_MIGRATION_EVIDENCE_BUCKET';
/** The approval API's base URL (the stack's ApprovalUrl output), for `approve` and `reject`. */
export const APPROVAL_URL_ENV = 'MSK_MIGRATION_APPROVAL_URL';
