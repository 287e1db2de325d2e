/**
 * What a task's error becomes in the execution state. Lambda's Node.js runtime turns a thrown error into
 * `{errorType, errorMessage, trace}` (the stack, line by line) and Step Functions puts that document in the caught
 * error's `Cause`; three caught errors can stand in one state ($.error, $.rollbackError, $.reportError) and a state
 * over 256 KiB fails the execution with States.DataLimitExceeded, which no Catch can handle. So before the error
 * leaves the handler its message is capped and its stack cut to one line: name, message and a short cause.
 */

/** Longest error message carried into the state (characters). */
export const MAX_ERROR_MESSAGE_CHARS = 4_000;
/** Longest `cause` summary appended to the one-line trace. */
const MAX_CAUSE_CHARS = 300;

const cap = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 12)} … (trimmed)`;

/** Caps the message and replaces the stack with one line (`Name: message`, plus the cause's first line). */
export function trimForStepFunctions<E extends Error>(error: E): E {
  const message = cap(error.message ?? '', MAX_ERROR_MESSAGE_CHARS);
  const cause = (error as { cause?: unknown }).cause;
  const causeLine =
    cause instanceof Error ? cap(`${cause.name}: ${cause.message}`.split('\n')[0] ?? '', MAX_CAUSE_CHARS) : undefined;
  try {
    error.message = message;
    error.stack = `${error.name}: ${message.split('\n')[0] ?? ''}${causeLine ? ` (caused by ${causeLine})` : ''}`;
  } catch {
    // a frozen error keeps what it has: the runtime still caps nothing, but it is not ours
  }
  return error;
}

/** The document the Lambda runtime serializes for a thrown error (what Step Functions puts in `Cause`). */
export function lambdaErrorDocument(error: Error): { errorType: string; errorMessage: string; trace: string[] } {
  return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
}
