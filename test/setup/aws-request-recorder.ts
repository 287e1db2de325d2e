/**
 * Records every AWS SDK request a test makes — through a real client (the aws-api tier against moto) or a client
 * mocked with aws-sdk-client-mock (the unit and workflow tiers) — with the adapter method and the task that sent it
 * (from the call stack), to test-artifacts/aws-requests/<test file>.jsonl. The iam tier evaluates each record
 * against the synthesized roles (test/iam/iam-simulation.test.ts) and the AWS service models
 * (test/iam/request-shapes.test.ts).
 *
 * A jest setupFilesAfterEnv module: it patches the SDK's Client#send and aws-sdk-client-mock's mockClient in the
 * test file's own module registry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { currentLambdaEntry } from './lambda-entry';

export const REQUESTS_DIR = path.join(__dirname, '../../test-artifacts/aws-requests');

export interface RecordedRequest {
  /** SDK client class (`KafkaClient`). */
  readonly client: string;
  /** Command without the suffix (`DescribeClusterV2`). */
  readonly operation: string;
  readonly input: unknown;
  /** `MskReplicator.create`, when an adapter of lambdas/adapters/aws sent it. */
  readonly adapterMethod?: string;
  /** The ASL task whose module sent it (`lambdas/tasks/<task>/` on the stack). */
  readonly task?: string;
  /** Other lambdas/ code that sent it (approval handlers, notifications): its file. */
  readonly origin?: string;
  /**
   * The Lambda entry it ran under (`lambdas/approval/handler.ts`): the outermost handler module on the stack, when a
   * test drove a function's handler. The iam tier simulates such a request against that function's role.
   */
  readonly entry?: string;
  readonly test: string;
}

const ADAPTER_FRAME = /at (?:async )?([A-Za-z0-9_$]+)\.([A-Za-z0-9_$]+) \(.*lambdas\/adapters\/aws\/[^/]+\.ts:/;
const TASK_FRAME = /lambdas\/tasks\/([a-z0-9-]+)\/(?:handler|task)\.ts:/;
const LAMBDAS_FRAME = /\((.*?\/)?(lambdas\/[^:]+\.ts):/;
const ENTRY_FRAME = /(lambdas\/(?:[a-z0-9-]+\/)*[a-z0-9-]*handler\.ts):/;

function callSite(): Pick<RecordedRequest, 'adapterMethod' | 'task' | 'origin' | 'entry'> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 80;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const lines = stack.split('\n');
  let adapterMethod: string | undefined;
  for (const line of lines) {
    const m = ADAPTER_FRAME.exec(line);
    // The outermost frame of an adapter class: its public method (private helpers are inner frames).
    if (m && /^[A-Z]/.test(m[1] ?? '')) adapterMethod = `${m[1]}.${m[2]}`;
  }
  const origin = lines.map((l) => LAMBDAS_FRAME.exec(l)?.[2]).find((f) => f && !f.includes('adapters/aws/'));
  const taskDir = lines.map((l) => TASK_FRAME.exec(l)?.[1]).find(Boolean);
  // A handler that returns its task's promise without awaiting it leaves no frame of its own: its task module's does.
  const entry =
    currentLambdaEntry() ??
    lines
      .map((l) => ENTRY_FRAME.exec(l)?.[1])
      .filter(Boolean)
      .pop() ??
    (taskDir ? `lambdas/tasks/${taskDir}/handler.ts` : undefined);
  return {
    ...(adapterMethod ? { adapterMethod } : {}),
    ...(taskDir ? { task: taskDir.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()) } : {}),
    ...(origin ? { origin } : {}),
    ...(entry ? { entry } : {}),
  };
}

/** Bytes and streams as their size: the shape tier needs the members, not the payload. */
function serializable(input: unknown): unknown {
  return JSON.parse(
    JSON.stringify(input ?? {}, (_key, value: unknown) => {
      if (value instanceof Uint8Array) return { $bytes: value.length };
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Date) return value.toISOString();
      return value;
    }),
  );
}

let file: string | undefined;
let fresh = true;
function record(client: unknown, command: unknown): void {
  try {
    const c = command as { constructor?: { name?: string }; input?: unknown };
    const operation = (c.constructor?.name ?? '').replace(/Command$/, '');
    const clientName = (client as { constructor?: { name?: string } })?.constructor?.name ?? 'unknown';
    if (!operation || !clientName.endsWith('Client')) return;
    const testPath = (expect.getState().testPath ?? 'unknown') as string;
    file ??= path.join(
      REQUESTS_DIR,
      `${path.relative(path.join(__dirname, '..'), testPath).replace(/[/\\]/g, '__')}.jsonl`,
    );
    const entry: RecordedRequest = {
      client: clientName,
      operation,
      input: serializable(c.input),
      ...callSite(),
      test: expect.getState().currentTestName ?? '',
    };
    fs.mkdirSync(REQUESTS_DIR, { recursive: true });
    // The first record of a run replaces the file's records of an earlier run.
    if (fresh) fs.writeFileSync(file, `${JSON.stringify(entry)}\n`);
    else fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
    fresh = false;
  } catch {
    // Recording never changes what the test sees.
  }
}

type Send = (this: unknown, command: unknown, ...rest: unknown[]) => unknown;

// Real clients: every concrete client inherits Client#send from @smithy/core/client.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const smithy = require('@smithy/core/client') as { Client: { prototype: { send: Send } } };
const realSend = smithy.Client.prototype.send;
if (!(realSend as { recorded?: boolean }).recorded) {
  const recorded: Send = function (this: unknown, command, ...rest) {
    record(this, command);
    return realSend.call(this, command, ...rest);
  };
  (recorded as { recorded?: boolean }).recorded = true;
  smithy.Client.prototype.send = recorded;
}

// Mocked clients: aws-sdk-client-mock stubs `send` with sinon on the client (or its prototype); the stub is wrapped
// in a Proxy that records, and keeps the stub's own properties (restore, reset) for the library.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mockModule = require('aws-sdk-client-mock/dist/cjs/mockClient') as {
  mockClient: (client: unknown, options?: unknown) => unknown;
};
const mockClient = mockModule.mockClient;
mockModule.mockClient = (client: unknown, options?: unknown): unknown => {
  const stub = mockClient(client, options);
  const target = (
    (client as { send?: unknown }).send !== undefined ? client : (client as { prototype: unknown }).prototype
  ) as {
    send: Send;
  };
  const sinonStub = target.send;
  target.send = new Proxy(sinonStub, {
    apply(fn, thisArg, args: unknown[]) {
      record(thisArg, args[0]);
      return Reflect.apply(fn, thisArg, args);
    },
  });
  return stub;
};
