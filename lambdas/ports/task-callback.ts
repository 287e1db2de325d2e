/**
 * How a decision reaches the waiting `.waitForTaskToken` state (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat
 * in AWS; the local runner's task locally).
 *
 * `TASK_GONE`: the task no longer waits for this token (it timed out, the execution stopped, or the token is not
 * one Step Functions knows). Any other failure is thrown (Migration.Transient when worth retrying).
 */
export type CallbackDelivery = 'DELIVERED' | 'TASK_GONE';

export interface TaskCallback {
  succeed(taskToken: string, output: unknown): Promise<CallbackDelivery>;
  fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery>;
  heartbeat(taskToken: string): Promise<CallbackDelivery>;
}
