import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { TransientError } from '../../core/errors';
import type { CallbackDelivery, TaskCallback } from '../../ports/task-callback';

/** The task no longer waits: timed out, execution ended, or not a token Step Functions issued. */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const TRANSIENT = new Set([
  'ThrottlingException',
  'ServiceUnavailable',
  'InternalServerError',
  'TooManyRequestsException',
]);
/** Step Functions' limits on SendTaskFailure. */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

export class SfnTaskCallback implements TaskCallback {
  constructor(private readonly client: SFNClient) {}

  private async deliver(send: () => Promise<unknown>): Promise<CallbackDelivery> {
    try {
      await send();
      return 'DELIVERED';
    } catch (err) {
      const name = (err as Error).name;
      if (GONE.has(name)) return 'TASK_GONE';
      if (
        TRANSIENT.has(name) ||
        ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500
      ) {
        throw new TransientError(`Step Functions did not take the task callback (${name}); retry.`);
      }
      throw err;
    }
  }

  succeed(taskToken: string, output: unknown): Promise<CallbackDelivery> {
    return this.deliver(() =>
      this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  fail(taskToken: string, error: string, cause: string): Promise<CallbackDelivery> {
    return this.deliver(() =>
      this.client.send(
        new SendTaskFailureCommand({ taskToken, error: error.slice(0, MAX_ERROR), cause: cause.slice(0, MAX_CAUSE) }),
      ),
    );
  }

  heartbeat(taskToken: string): Promise<CallbackDelivery> {
    return this.deliver(() => this.client.send(new SendTaskHeartbeatCommand({ taskToken })));
  }
}
