import type { CallbackDelivery, TaskCallback } from '../../ports/task-callback';

export type TaskResult =
  | { readonly kind: 'SUCCESS'; readonly output: unknown }
  | { readonly kind: 'FAILURE'; readonly error: string; readonly cause: string };

/**
 * The local stand-in for SendTaskSuccess / SendTaskFailure: the local runner registers the token its waiting task
 * holds and awaits the result; a token it no longer waits for (timed out, finished, never issued) is TASK_GONE,
 * exactly as Step Functions answers TaskTimedOut / TaskDoesNotExist / InvalidToken.
 */
export class LocalTaskCallback implements TaskCallback {
  private readonly waiting = new Map<string, (result: TaskResult) => void>();
  /** Every result delivered, in order (for the rehearsal report and tests). */
  readonly delivered: Array<{ taskToken: string; result: TaskResult }> = [];
  readonly heartbeats: string[] = [];

  /** The waiting task's side: resolves with the first result sent for `taskToken`. */
  waitFor(taskToken: string): Promise<TaskResult> {
    return new Promise((resolve) => this.waiting.set(taskToken, resolve));
  }

  /** The task stopped waiting (its timeout fired): later callbacks are TASK_GONE. */
  abandon(taskToken: string): void {
    this.waiting.delete(taskToken);
  }

  private settle(taskToken: string, result: TaskResult): CallbackDelivery {
    const resolve = this.waiting.get(taskToken);
    if (!resolve) return 'TASK_GONE';
    this.waiting.delete(taskToken);
    this.delivered.push({ taskToken, result });
    resolve(result);
    return 'DELIVERED';
  }

  async succeed(taskToken: string, output: unknown): Promise<CallbackDelivery> {
    return this.settle(taskToken, { kind: 'SUCCESS', output });
  }

  async fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery> {
    return this.settle(taskToken, { kind: 'FAILURE', error, cause });
  }

  async heartbeat(taskToken: string): Promise<CallbackDelivery> {
    if (!this.waiting.has(taskToken)) return 'TASK_GONE';
    this.heartbeats.push(taskToken);
    return 'DELIVERED';
  }
}
