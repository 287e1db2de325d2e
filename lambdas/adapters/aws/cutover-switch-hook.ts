import { createHash } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CutoverFailedError, RollbackFailedError, TransientError, type MigrationError } from '../../core/errors';
import {
  decideSet,
  type CutoverSwitch,
  type PointerValue,
  type SetPointerOptions,
  type SetPointerResult,
} from '../../ports/cutover-switch';
import { toMigrationError } from './msk-provisioner';

/**
 * The pointer is whatever a Lambda function of the user's moves (cutover.switch.type HOOK): a config service, a
 * service-discovery entry, a feature flag. The orchestrator invokes it synchronously with one JSON request:
 *
 *   {"action": "read"}                                   → {"value": "<what clients read>" | null, "revision"?: "…"}
 *   {"action": "set",    "value": "…", "expected": "…" | null}  → {"changed"?: boolean, "changeId"?: "…"}
 *   {"action": "revert", "value": "…" | null, "expected": "…"}  → {"changed"?: boolean, "changeId"?: "…"}
 *
 * `expected` is what the orchestrator read just before (set: what it recorded before the cutover, or the fence):
 * a hook that can compare-and-set should refuse when the pointer holds something else. `revert` with `value: null`
 * removes a pointer the cutover created. A thrown error (FunctionError) fails the step with the function's message.
 * As with SSM, the adapter reads before it writes and writes nothing when the pointer already holds the value.
 *
 * `set` and `revert` carry an `idempotencyKey` when the adapter is given the calling step's scope: the same key for
 * every attempt of the same step of the same execution writing the same value (Step Functions retries a step whose
 * function timed out, and the hook may have acted on the first attempt). A hook that cannot compare-and-set should
 * remember the keys it applied and answer a repeated one without acting again.
 */

/** The execution and step a hook call belongs to: what makes two attempts the same call. */
export interface HookCallScope {
  /** The execution ARN. */
  readonly execution: string;
  /** The step within it (`SwitchToTarget`, `FenceProducers:FAILBACK`, …). */
  readonly step: string;
}

/** Same execution, step, action and value → same key; independent of the attempt and of what was read before. */
export function hookIdempotencyKey(scope: HookCallScope, action: HookAction, value: string | null): string {
  return createHash('sha256')
    .update(JSON.stringify([scope.execution, scope.step, action, value]))
    .digest('hex')
    .slice(0, 32);
}

/** Lambda answers these when the hook is busy or being updated: worth a retry. */
const LAMBDA_TRANSIENT = new Set([
  'TooManyRequestsException',
  'ResourceConflictException',
  'ResourceNotReadyException',
  'ServiceException',
  'EC2ThrottledException',
]);

type Fatal = new (message: string, details?: Record<string, unknown>) => MigrationError;

export type HookAction = 'read' | 'set' | 'revert';

export interface HookRequest {
  readonly action: HookAction;
  readonly value?: string | null;
  readonly expected?: string | null;
  readonly idempotencyKey?: string;
}

interface HookReply {
  readonly value?: unknown;
  readonly revision?: unknown;
  readonly changed?: unknown;
  readonly changeId?: unknown;
}

export class HookCutoverSwitch implements CutoverSwitch {
  readonly pointer: string;

  constructor(
    private readonly client: LambdaClient,
    private readonly functionArn: string,
    private readonly scope?: HookCallScope,
  ) {
    this.pointer = `hook:${functionArn}`;
  }

  private async invoke(request: HookRequest, fatal: Fatal): Promise<HookReply> {
    const what = `Invoking the cutover hook ${this.functionArn} (${request.action})`;
    let out;
    try {
      out = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionArn,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
      );
    } catch (err) {
      const name = (err as { name?: string }).name ?? '';
      if (LAMBDA_TRANSIENT.has(name))
        throw new TransientError(`${what} failed: ${name}: ${(err as Error).message}`, { awsError: name });
      throw toMigrationError(err, what, fatal);
    }
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) {
      // The hook's own error: its errorMessage says why (never the request, which holds only pointer values).
      let message = text;
      try {
        message = String((JSON.parse(text) as { errorMessage?: unknown }).errorMessage ?? text);
      } catch {
        // not JSON: keep the text
      }
      throw new fatal(`${what} failed in the function: ${message.slice(0, 500)}`, {
        pointer: this.pointer,
        functionError: out.FunctionError,
      });
    }
    if (text.trim() === '' || text.trim() === 'null') return {};
    try {
      const reply = JSON.parse(text) as unknown;
      if (reply === null || typeof reply !== 'object') throw new Error('not an object');
      return reply as HookReply;
    } catch {
      throw new fatal(`${what}: the function's reply is not a JSON object (got ${text.slice(0, 100)}).`, {
        pointer: this.pointer,
      });
    }
  }

  private keyFor(action: HookAction, value: string | null): { idempotencyKey?: string } {
    return this.scope ? { idempotencyKey: hookIdempotencyKey(this.scope, action, value) } : {};
  }

  async read(): Promise<PointerValue | undefined> {
    return this.readOr(CutoverFailedError);
  }

  private async readOr(fatal: Fatal): Promise<PointerValue | undefined> {
    const reply = await this.invoke({ action: 'read' }, fatal);
    if (reply.value === null || reply.value === undefined) return undefined;
    if (typeof reply.value !== 'string')
      throw new fatal(`The cutover hook ${this.functionArn} answered read with a non-string value.`, {
        pointer: this.pointer,
      });
    return { value: reply.value, ...(typeof reply.revision === 'string' ? { revision: reply.revision } : {}) };
  }

  async set(value: string, options: SetPointerOptions = {}): Promise<SetPointerResult> {
    const current = await this.read();
    const decision = decideSet(this.pointer, current, value, options.expected);
    if (decision.action === 'refuse') throw new CutoverFailedError(decision.reason, { pointer: this.pointer });
    if (decision.action === 'none')
      return { previous: decision.previous, current: current ?? { value }, changed: false };
    const reply = await this.invoke(
      { action: 'set', value, expected: current?.value ?? null, ...this.keyFor('set', value) },
      CutoverFailedError,
    );
    return {
      previous: current,
      current: { value, ...(typeof reply.revision === 'string' ? { revision: reply.revision } : {}) },
      changed: reply.changed !== false,
      ...(typeof reply.changeId === 'string' ? { changeId: reply.changeId } : {}),
    };
  }

  async revert(previous: PointerValue | undefined): Promise<{ changed: boolean; changeId?: string }> {
    const current = await this.readOr(RollbackFailedError);
    if (current?.value === previous?.value) return { changed: false };
    const reply = await this.invoke(
      {
        action: 'revert',
        value: previous?.value ?? null,
        expected: current?.value ?? null,
        ...this.keyFor('revert', previous?.value ?? null),
      },
      RollbackFailedError,
    );
    return {
      changed: reply.changed !== false,
      ...(typeof reply.changeId === 'string' ? { changeId: reply.changeId } : {}),
    };
  }
}
