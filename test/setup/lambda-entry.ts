import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The Lambda entry a test is invoking, for the AWS request recorder (test/setup/aws-request-recorder.ts): a request
 * sent while `asLambdaEntry` runs is recorded as sent by that function, also when the handler's own frames are not on
 * the stack (a middy handler's middlewares run from node_modules). One store per process, on the global object, so
 * that the recorder and the test file share it whichever module registry loads them.
 */
const KEY = Symbol.for('msk-migration.aws-request-recorder.entry');
const scope = ((globalThis as Record<symbol, unknown>)[KEY] ??=
  new AsyncLocalStorage<string>()) as AsyncLocalStorage<string>;

/** The entry (`lambdas/approval/handler.ts`) the current asynchronous call runs under, if a test said so. */
export function currentLambdaEntry(): string | undefined {
  return scope.getStore();
}

/** Runs `invoke` as the function whose handler module is `entry` (a path relative to the repository root). */
export function asLambdaEntry<T>(entry: string, invoke: () => Promise<T>): Promise<T> {
  return scope.run(entry, invoke);
}
