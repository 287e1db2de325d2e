import {
  InvokeCommand,
  LambdaClient,
  TooManyRequestsException,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  HookCutoverSwitch,
  hookIdempotencyKey,
  type HookRequest,
} from '../../lambdas/adapters/aws/cutover-switch-hook';
import { runCutover } from '../../lambdas/tasks/cutover/task';
import { SOURCE_SERVERS, cutoverWorld } from './task-cutover-world';

const FN = 'arn:aws:lambda:eu-central-1:123456789012:function:clickstream-switch-bootstrap';
const lambda = mockClient(LambdaClient);
/** A reply payload as Lambda returns it (the SDK wraps the bytes in a blob adapter the mock does not need). */
const bytes = (text: string) => new TextEncoder().encode(text) as unknown as InvokeCommandOutput['Payload'];

/** The hook as the user would write it: a pointer held in memory, answering the three actions. */
function hookHolding(initial: string | null): { requests: HookRequest[]; value: () => string | null } {
  let value = initial;
  const requests: HookRequest[] = [];
  lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const request = JSON.parse(new TextDecoder().decode(input.Payload)) as HookRequest;
    requests.push(request);
    if (request.action !== 'read') value = request.value ?? null;
    const reply = request.action === 'read' ? { value } : { changed: true };
    return { StatusCode: 200, Payload: bytes(JSON.stringify(reply)) };
  });
  return { requests, value: () => value };
}

const payloadOf = (call: number): unknown =>
  JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[call]?.args[0].input.Payload as Uint8Array));

describe('HookCutoverSwitch (request shapes and errors)', () => {
  beforeEach(() => lambda.reset());

  it('reads the pointer with a synchronous Invoke of the hook carrying {action: read}', async () => {
    // Prepare
    hookHolding('b-1:9098');
    // Act
    const value = await new HookCutoverSwitch(new LambdaClient({}), FN).read();
    // Assess
    expect(value).toEqual({ value: 'b-1:9098' });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FN, InvocationType: 'RequestResponse' });
    expect(payloadOf(0)).toEqual({ action: 'read' });
  });

  it('sets the value with {action: set, value, expected} where expected is what the pointer held just before', async () => {
    // Prepare
    const hook = hookHolding('source:9092');
    // Act
    const result = await new HookCutoverSwitch(new LambdaClient({}), FN).set('fenced:orders/exec-1', {
      expected: 'source:9092',
    });
    // Assess
    expect(payloadOf(1)).toEqual({ action: 'set', value: 'fenced:orders/exec-1', expected: 'source:9092' });
    expect(result).toMatchObject({ previous: { value: 'source:9092' }, changed: true });
    expect(hook.value()).toBe('fenced:orders/exec-1');
  });

  it('gives every attempt of the same step the same idempotency key, and another step or value another key', async () => {
    // Prepare: the first attempt's hook acted but its answer was lost; the pointer was put back by hand, so the retry writes again.
    const scope = { execution: 'arn:aws:states:eu-central-1:123456789012:execution:m:exec-1', step: 'SwitchToTarget' };
    const hook = hookHolding('fenced:x');
    const pointer = new HookCutoverSwitch(new LambdaClient({}), FN, scope);
    // Act
    await pointer.set('target:9098', { expected: 'fenced:x' });
    await pointer.revert({ value: 'fenced:x' });
    await pointer.set('target:9098', { expected: 'fenced:x' });
    // Assess
    const [first, revert, retry] = hook.requests.filter((r) => r.action !== 'read');
    expect(first?.idempotencyKey).toMatch(/^[0-9a-f]{32}$/);
    expect(retry?.idempotencyKey).toBe(first?.idempotencyKey);
    expect(revert?.idempotencyKey).not.toBe(first?.idempotencyKey);
    expect(hookIdempotencyKey({ ...scope, step: 'FenceProducers:FORWARD' }, 'set', 'target:9098')).not.toBe(
      first?.idempotencyKey,
    );
    expect(hookIdempotencyKey(scope, 'set', 'other:9098')).not.toBe(first?.idempotencyKey);
  });

  it('invokes nothing but the read when the pointer already holds the value (a retried set)', async () => {
    // Prepare
    const hook = hookHolding('target:9098');
    // Act
    const result = await new HookCutoverSwitch(new LambdaClient({}), FN).set('target:9098', { expected: 'fenced:x' });
    // Assess
    expect(result.changed).toBe(false);
    expect(hook.requests.map((r) => r.action)).toEqual(['read']);
  });

  it('refuses to set when the pointer holds neither the expected value nor the new one, without invoking set', async () => {
    // Prepare
    const hook = hookHolding('someone-else:9092');
    // Act
    const set = new HookCutoverSwitch(new LambdaClient({}), FN).set('target:9098', { expected: 'fenced:x' });
    // Assess
    await expect(set).rejects.toMatchObject({ name: 'Migration.CutoverFailed' });
    expect(hook.requests.map((r) => r.action)).toEqual(['read']);
  });

  it('reverts with {action: revert, value: previous, expected: current}, and value null removes the pointer', async () => {
    // Prepare
    hookHolding('target:9098');
    const pointer = new HookCutoverSwitch(new LambdaClient({}), FN);
    // Act
    await pointer.revert({ value: 'source:9092' });
    await pointer.revert(undefined);
    // Assess
    expect(payloadOf(1)).toEqual({ action: 'revert', value: 'source:9092', expected: 'target:9098' });
    expect(payloadOf(3)).toEqual({ action: 'revert', value: null, expected: 'source:9092' });
  });

  it("fails the set with the hook's own error message when the function throws", async () => {
    // Prepare
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: bytes('{"value":"a"}') })
      .resolves({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: bytes('{"errorType":"Error","errorMessage":"config service said 409"}'),
      });
    // Act
    const set = new HookCutoverSwitch(new LambdaClient({}), FN).set('b');
    // Assess
    await expect(set).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('config service said 409'),
    });
  });

  it('fails a revert as Migration.RollbackFailed when the function throws', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: bytes('{"value":"target"}') })
      .resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: bytes('"boom"') });

    await expect(new HookCutoverSwitch(new LambdaClient({}), FN).revert({ value: 'source' })).rejects.toMatchObject({
      name: 'Migration.RollbackFailed',
    });
  });

  it('turns a throttled Invoke into Migration.Transient', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'slow down', $metadata: {} }));

    await expect(new HookCutoverSwitch(new LambdaClient({}), FN).read()).rejects.toMatchObject({
      name: 'Migration.Transient',
    });
  });

  it('refuses a reply that is not a JSON object', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: bytes('"b-1:9098"') });

    await expect(new HookCutoverSwitch(new LambdaClient({}), FN).read()).rejects.toMatchObject({
      name: 'Migration.CutoverFailed',
      message: expect.stringContaining('not a JSON object'),
    });
  });
});

describe('a HOOK pointer in the one-invocation Cutover', () => {
  beforeEach(() => lambda.reset());

  it('fences and switches through the hook in one invocation, with a different idempotency key for each', async () => {
    // Prepare: the AutoMQ example's HOOK pointer, the hook holding the source's servers; the step as the runtime names it
    const w = await cutoverWorld({ plan: 'msk-to-automq-mirrormaker2' });
    const hook = hookHolding(SOURCE_SERVERS);
    const scope = { execution: 'arn:aws:states:eu-central-1:123456789012:execution:m:exec-1', step: 'Cutover' };
    const pointer = new HookCutoverSwitch(new LambdaClient({}), FN, scope);
    // Act
    const out = await runCutover(
      { state: w.state },
      {
        pointer,
        source: w.source,
        target: w.target,
        artifacts: w.artifacts,
        now: w.clock.now,
        pacer: {
          everyMs: 250,
          budgetMs: 120_000,
          sleep: async (ms) => w.clock.advance(ms / 1000),
        },
      },
    );
    // Assess: no step-by-step state; the fence's set and the switch's, each applied once, under two keys
    expect(out.oneInvocation.reached).toBe('SWITCHED');
    const sets = hook.requests.filter((r) => r.action === 'set');
    expect(sets.map((r) => r.value)).toEqual([out.fence?.fenceValue, out.switch?.producers.value]);
    expect(sets[0]?.idempotencyKey).not.toBe(sets[1]?.idempotencyKey);
    expect(hook.value()).toBe(out.switch?.producers.value);
  });
});
