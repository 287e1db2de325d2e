import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as z from 'zod';
import { EventBridgePhaseEvents } from '../../lambdas/adapters/aws/eventbridge-phase-events';
import { MemoryPhaseEvents } from '../../lambdas/adapters/local/memory-phase-events';
import { LagTimeoutError, TransientError } from '../../lambdas/core/errors';
import { lazySchema } from '../../lambdas/core/lazy-schema';
import {
  recordGateEvaluation,
  telemetryFor,
  withObservability,
  type ObservabilityOptions,
} from '../../lambdas/middleware/observability';
import type { PhaseChanged, PhaseEvents } from '../../lambdas/ports/phase-events';

const context = {
  functionName: 'inventory-fn',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:inventory-fn',
  memoryLimitInMB: '512',
  functionVersion: '$LATEST',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;
const state = (executionId: string) => ({
  execution: { id: executionId },
  input: {
    migrationId: 'orders',
    source: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:do-not-log' },
  },
});
const clock = () => new Date('2026-11-24T10:00:00.000Z');

/** Every JSON line Powertools writes (logs and EMF), parsed. */
let lines: Array<Record<string, unknown>>;
let raw: string;
beforeEach(() => {
  lines = [];
  raw = '';
  const capture = (chunk: string | Uint8Array): boolean => {
    const text = chunk.toString();
    raw += text;
    for (const line of text.split('\n').filter((l) => l.trim().startsWith('{')))
      lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  // Powertools writes INFO logs and EMF to stdout, WARN and ERROR to stderr.
  jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  jest.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => jest.restoreAllMocks());

let phaseCounter = 0;
function handlerFor(
  fn: (event: unknown) => Promise<unknown>,
  options: ObservabilityOptions = {},
): { handler: (event: unknown, ctx: Context) => Promise<unknown>; phase: string } {
  // A phase of its own per test: telemetry is cached per phase, like one function per state in AWS.
  const phase = `Phase${++phaseCounter}`;
  return { handler: middy(fn).use(withObservability(phase, { clock, ...options })), phase };
}

const emf = () => lines.filter((l) => '_aws' in l);
const logs = () => lines.filter((l) => 'message' in l);

describe('withObservability', () => {
  it('logs with the phase, the execution ID and the migration ID as keys, and never the event', async () => {
    // Prepare
    const { handler, phase } = handlerFor(async () => {
      telemetryFor(`Phase${phaseCounter}`).logger.info('Reading topics');
      return { topics: 3 };
    });
    // Act
    await handler(state('arn:aws:states:eu-west-1:123456789012:execution:msk-migration:exec-1'), context);
    // Assess
    const mine = logs().find((l) => l.message === 'Reading topics');
    expect(mine).toMatchObject({
      phase,
      executionId: 'arn:aws:states:eu-west-1:123456789012:execution:msk-migration:exec-1',
      migrationId: 'orders',
      service: 'msk-migration',
    });
    expect(raw).not.toContain('do-not-log');
  });

  it('answers a warm-up call (the ASL Warm* states) without running the task, logging, counting or announcing', async () => {
    // Prepare
    const task = jest.fn(async () => ({ ran: true }));
    const events = new MemoryPhaseEvents();
    const { handler, phase } = handlerFor(task, { phaseEvents: events });
    // Act
    const answer = await handler({ warm: true, stateName: 'WarmCheckDrain' }, context);
    // Assess
    expect(answer).toEqual({ warm: true, function: phase });
    expect(task).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
    expect(events.events).toEqual([]);
  });

  it('builds the schemas a warm-up call would otherwise leave to the first call', async () => {
    // Prepare
    const build = jest.fn(() => z.object({ name: z.string() }));
    const schema = lazySchema(build);
    const { handler } = handlerFor(async () => ({}));
    // Act
    await handler({ warm: true, stateName: 'WarmCheckDrain' }, context);
    // Assess
    expect(build).toHaveBeenCalledTimes(1);
    expect(schema.parse({ name: 'orders' })).toEqual({ name: 'orders' });
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('does not carry one execution ID into the next invocation of a warm function', async () => {
    // Prepare
    const { handler } = handlerFor(async () => ({}));
    // Act
    await handler(state('exec-A'), context);
    await handler({ input: { migrationId: 'orders' } }, context);
    // Assess
    const started = logs().filter((l) => l.message === 'Task started');
    expect(started.map((l) => l.executionId)).toEqual(['exec-A', '-']);
  });

  it('emits TaskSucceeded and TaskDuration in the MskMigration namespace with the phase as a dimension', async () => {
    // Prepare
    const { handler, phase } = handlerFor(async () => ({ ok: true }));
    // Act
    await handler(state('exec-1'), context);
    // Assess
    const document = emf().find((l) => 'TaskSucceeded' in l);
    expect(document).toMatchObject({ TaskSucceeded: 1, Phase: phase, service: 'msk-migration' });
    expect(document?._aws).toMatchObject({
      CloudWatchMetrics: [
        expect.objectContaining({
          Namespace: 'MskMigration',
          Dimensions: [expect.arrayContaining(['service', 'Phase'])],
        }),
      ],
    });
    expect(typeof document?.TaskDuration).toBe('number');
  });

  it('counts a failure, logs its name and message, and rethrows the same error for the ASL Catch', async () => {
    // Prepare
    const error = new LagTimeoutError(
      'Lag stayed above 1000 records for 2 h; raise catchUp.timeout or fix the replicator.',
    );
    const { handler } = handlerFor(async () => {
      throw error;
    });
    // Act
    const outcome = handler(state('exec-1'), context);
    // Assess
    await expect(outcome).rejects.toBe(error);
    expect(emf().find((l) => 'TaskFailed' in l)).toMatchObject({ TaskFailed: 1 });
    expect(logs().find((l) => l.message === 'Task failed')).toMatchObject({
      level: 'ERROR',
      errorName: 'Migration.LagTimeout',
    });
  });

  it('announces a succeeded phase with the summary and figures taken from the output', async () => {
    // Prepare
    const events = new MemoryPhaseEvents();
    const { handler, phase } = handlerFor(async () => ({ topics: 12 }), {
      phaseEvents: events,
      summarize: (out) => ({
        summary: `${(out as { topics: number }).topics} topics inventoried`,
        figures: { topics: (out as { topics: number }).topics },
      }),
    });
    // Act
    await handler(state('exec-1'), context);
    // Assess
    expect(events.events).toEqual<PhaseChanged[]>([
      {
        migrationId: 'orders',
        executionId: 'exec-1',
        phase,
        status: 'SUCCEEDED',
        summary: '12 topics inventoried',
        figures: { topics: 12 },
        at: '2026-11-24T10:00:00.000Z',
      },
    ]);
  });

  it('announces a failed phase with the error name', async () => {
    // Prepare
    const events = new MemoryPhaseEvents();
    const { handler } = handlerFor(
      async () => {
        throw new LagTimeoutError('Lag stayed high.');
      },
      { phaseEvents: events },
    );
    // Act
    await handler(state('exec-1'), context).catch(() => undefined);
    // Assess
    expect(events.events).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        errorName: 'Migration.LagTimeout',
        summary: expect.stringContaining('Lag stayed high.'),
      }),
    ]);
  });

  it('announces a poll loop only when its predicate holds', async () => {
    // Prepare
    const events = new MemoryPhaseEvents();
    let healthy = false;
    const { handler } = handlerFor(async () => ({ healthy }), {
      phaseEvents: events,
      announce: (out) => (out as { healthy: boolean }).healthy,
    });
    // Act
    await handler(state('exec-1'), context);
    await handler(state('exec-1'), context);
    healthy = true;
    await handler(state('exec-1'), context);
    // Assess
    expect(events.events).toHaveLength(1);
  });

  it('completes the task when the phase event cannot be published, with a warning in the log', async () => {
    // Prepare
    const failing: PhaseEvents = { publish: async () => Promise.reject(new TransientError('EventBridge throttled')) };
    const { handler } = handlerFor(async () => ({ done: true }), { phaseEvents: failing });
    // Act
    const result = await handler(state('exec-1'), context);
    // Assess
    expect(result).toEqual({ done: true });
    expect(logs().find((l) => l.message === 'Phase event not published')).toMatchObject({
      level: 'WARN',
      errorName: 'Migration.Transient',
    });
  });

  it("logs, counts and announces under the invoking STATE's name when one function serves several states", async () => {
    // Prepare: RollbackCutover's function invoked by the FailbackCutover state (`"stateName.$": "$$.State.Name"`)
    const events = new MemoryPhaseEvents();
    const { handler, phase } = handlerFor(
      async () => {
        telemetryFor(`Phase${phaseCounter}`).logger.info('Moving pointers back');
        return {};
      },
      { phaseEvents: events },
    );
    // Act
    await handler({ ...state('exec-1'), stateName: 'FailbackCutover' }, context);
    await handler(state('exec-2'), context);
    // Assess
    expect(logs().find((l) => l.message === 'Moving pointers back')).toMatchObject({
      phase: 'FailbackCutover',
      function: phase,
    });
    expect(
      emf()
        .filter((l) => 'TaskSucceeded' in l)
        .map((l) => l.Phase),
    ).toEqual(['FailbackCutover', phase]);
    expect(events.events.map((e) => [e.phase, e.summary])).toEqual([
      ['FailbackCutover', 'FailbackCutover succeeded'],
      [phase, `${phase} succeeded`],
    ]);
  });

  it('records a gate evaluation with its result as a dimension and the measured lag', async () => {
    // Prepare
    const { handler, phase } = handlerFor(async () => {
      recordGateEvaluation(`Phase${phaseCounter}`, { healthy: false, lagRecords: 1500 });
      return {};
    });
    // Act
    await handler(state('exec-1'), context);
    // Assess
    expect(emf().find((l) => 'GateEvaluations' in l)).toMatchObject({
      GateEvaluations: 1,
      Result: 'Unhealthy',
      Phase: phase,
    });
    expect(emf().find((l) => 'GateLagRecords' in l)).toMatchObject({ GateLagRecords: 1500 });
  });
});

describe('EventBridgePhaseEvents', () => {
  const eventBridge = mockClient(EventBridgeClient);
  beforeEach(() => eventBridge.reset());
  const event: PhaseChanged = {
    migrationId: 'orders',
    executionId: 'arn:aws:states:eu-west-1:123456789012:execution:m:exec-1',
    phase: 'Inventory',
    status: 'SUCCEEDED',
    summary: 'done',
    at: '2026-11-24T10:00:00.000Z',
  };

  it('puts one MskMigration.PhaseChanged event from source msk-migration with the execution as its resource', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    // Act
    await new EventBridgePhaseEvents(new EventBridgeClient({ region: 'eu-west-1' }), 'migrations').publish(event);
    // Assess
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'migrations',
          Source: 'msk-migration',
          DetailType: 'MskMigration.PhaseChanged',
          Resources: [event.executionId],
          Time: new Date(event.at),
          Detail: JSON.stringify(event),
        },
      ],
    });
  });

  it('reports a refused entry as a transient error', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    // Act
    const outcome = new EventBridgePhaseEvents(new EventBridgeClient({ region: 'eu-west-1' })).publish(event);
    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'Migration.Transient',
      message: expect.stringContaining('ThrottlingException'),
    });
  });
});
