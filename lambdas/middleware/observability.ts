import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type middy from '@middy/core';
import { EventBridgePhaseEvents } from '../adapters/aws/eventbridge-phase-events';
import type { PhaseChanged, PhaseEvents } from '../ports/phase-events';
import { readTaskEnv } from '../contract/env';
import { METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../contract/telemetry';
import { buildLazySchemas } from '../core/lazy-schema';
import { isWarmEvent, warmUp as loadAhead } from '../workflow/define-task';
import { trimForStepFunctions } from './lambda-error';

/**
 * One line gives a task handler Powertools logging, metrics and tracing:
 *
 *   export const handler = middy(lambdaHandler).use(withObservability('Inventory'));
 *
 * - The STATE's name: several Task states share one function (FailbackCutover runs RollbackCutover's, the six Report*
 *   states run Report's), so the ASL passes `"stateName.$": "$$.State.Name"` and the logs, the metrics and the phase
 *   events carry that name; without it (a direct invocation) they carry the function's name given here.
 * - Logger: JSON logs with `function` (persistent) and, per invocation, `phase` (the state's name), `executionId`
 *   and `migrationId` read from the execution state (reset between invocations: a warm container serves several
 *   executions). The event itself is never logged (it can name secrets' ARNs and carries task tokens).
 * - Metrics (EMF, namespace `MskMigration`, dimension `Phase` = the state's name): TaskSucceeded / TaskFailed /
 *   TaskDuration, and the gate, approval and health metrics below.
 * - Tracer: the handler as an X-Ray subsegment, without the response (large, and not the tracer's business).
 * - A `MskMigration.PhaseChanged` event after the task returns or throws, when `PHASE_EVENT_BUS_NAME` is set (or a
 *   `phaseEvents` port is given). Poll-loop tasks pass `announce` so that only the transition is announced.
 */

export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

export interface ObservabilityOptions {
  /**
   * When to publish a PhaseChanged event: after every invocation, never, or when the predicate holds for the task's
   * output (a poll loop announces `healthy: true` only). A failure is always announced unless `never`.
   * @default 'always'
   */
  readonly announce?: 'always' | 'never' | ((output: unknown) => boolean);
  /** The sentence and figures of the event, from the task's output. @default `<phase> succeeded` */
  readonly summarize?: (output: unknown) => { summary: string; figures?: Record<string, string | number | boolean> };
  /** Status of an announced success (`WAITING` for a task that starts a wait, e.g. an approval request). @default 'SUCCEEDED' */
  readonly successStatus?: 'SUCCEEDED' | 'WAITING';
  /** @default EventBridge on `PHASE_EVENT_BUS_NAME` when the variable is set, else no events */
  readonly phaseEvents?: PhaseEvents;
  /** @default the shared telemetry of this phase (telemetryFor(phase)) */
  readonly telemetry?: Telemetry;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

const telemetryByPhase = new Map<string, Telemetry>();

/** The logger, metrics and tracer of one phase (created once per process, shared by the handler and the middleware). */
export function telemetryFor(phase: string): Telemetry {
  let telemetry = telemetryByPhase.get(phase);
  if (!telemetry) {
    const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { function: phase } });
    const metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
      defaultDimensions: { Phase: phase },
    });
    const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: true });
    telemetry = { logger, metrics, tracer };
    telemetryByPhase.set(phase, telemetry);
  }
  return telemetry;
}

/** Execution identity as the workflow passes it in the state; '-' when absent (a direct invocation). */
export function executionContextOf(event: unknown): { executionId: string; migrationId: string } {
  const pick = (...paths: string[][]): string | undefined => {
    for (const path of paths) {
      let value: unknown = event;
      for (const key of path)
        value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      if (typeof value === 'string' && value.length > 0) return value;
    }
    return undefined;
  };
  return {
    executionId:
      pick(
        ['execution', 'id'],
        ['execution', 'Id'],
        ['execution', 'arn'],
        ['executionArn'],
        ['executionId'],
        ['identity', 'executionArn'],
        ['identity', 'executionName'],
      ) ?? '-',
    migrationId:
      pick(['migrationId'], ['input', 'migrationId'], ['identity', 'migrationId'], ['execution', 'migrationId']) ?? '-',
  };
}

let defaultPhaseEvents: PhaseEvents | null | undefined;
function phaseEventsFromEnv(): PhaseEvents | null {
  if (defaultPhaseEvents === undefined) {
    const bus = readTaskEnv(process.env, [], ['PHASE_EVENT_BUS_NAME']).PHASE_EVENT_BUS_NAME;
    defaultPhaseEvents = bus ? new EventBridgePhaseEvents(new EventBridgeClient({}), bus) : null;
  }
  return defaultPhaseEvents;
}

/** The name of the Task state that invoked the function (`stateName`, from `$$.State.Name`), if the event carries it. */
export function stateNameOf(event: unknown): string | undefined {
  const name = typeof event === 'object' && event !== null ? (event as { stateName?: unknown }).stateName : undefined;
  return typeof name === 'string' && /^[A-Za-z0-9_?-]{1,80}$/.test(name) ? name : undefined;
}

interface Internal extends Record<string, unknown> {
  observabilityStartedAt?: number;
  observabilityState?: string;
  observabilityExecution?: { executionId: string; migrationId: string };
}

export function withObservability(phase: string, options: ObservabilityOptions = {}): middy.MiddlewareObj[] {
  const { logger, metrics, tracer } = options.telemetry ?? telemetryFor(phase);
  const clock = options.clock ?? (() => new Date());
  const announce = options.announce ?? 'always';

  const publish = async (event: Omit<PhaseChanged, 'phase' | 'at'>, state: string): Promise<void> => {
    const port = options.phaseEvents ?? phaseEventsFromEnv();
    if (!port) return;
    try {
      await port.publish({ ...event, phase: state, at: clock().toISOString() });
    } catch (err) {
      // Best effort: the migration must not fail because a notification could not be sent.
      logger.warn('Phase event not published', {
        errorName: (err as Error).name,
        errorMessage: (err as Error).message,
      });
    }
  };

  const phaseMiddleware: middy.MiddlewareObj<unknown, unknown, Error, import('aws-lambda').Context, Internal> = {
    name: 'msk-migration-observability',
    before: (request) => {
      const execution = executionContextOf(request.event);
      const state = stateNameOf(request.event) ?? phase;
      request.internal.observabilityExecution = execution;
      request.internal.observabilityStartedAt = clock().getTime();
      request.internal.observabilityState = state;
      logger.appendKeys({ phase: state, ...execution });
      metrics.setDefaultDimensions({ Phase: state });
      logger.info('Task started');
    },
    after: async (request) => {
      const execution = request.internal.observabilityExecution ?? executionContextOf(request.event);
      metrics.addMetric(MetricName.TaskSucceeded, MetricUnit.Count, 1);
      metrics.addMetric(
        MetricName.TaskDuration,
        MetricUnit.Milliseconds,
        clock().getTime() - (request.internal.observabilityStartedAt ?? clock().getTime()),
      );
      logger.info('Task succeeded');
      const output = request.response;
      if (announce === 'never' || (typeof announce === 'function' && !announce(output))) return;
      const state = request.internal.observabilityState ?? phase;
      const described = options.summarize?.(output) ?? { summary: `${state} succeeded` };
      await publish(
        {
          ...execution,
          status: options.successStatus ?? 'SUCCEEDED',
          summary: described.summary,
          ...(described.figures ? { figures: described.figures } : {}),
        },
        state,
      );
    },
    onError: async (request) => {
      const execution = request.internal.observabilityExecution ?? executionContextOf(request.event);
      // Name, capped message, one-line trace: what reaches the state's Catch never carries a stack (lambda-error.ts).
      const error = request.error ? trimForStepFunctions(request.error) : request.error;
      metrics.addMetric(MetricName.TaskFailed, MetricUnit.Count, 1);
      metrics.addMetric(
        MetricName.TaskDuration,
        MetricUnit.Milliseconds,
        clock().getTime() - (request.internal.observabilityStartedAt ?? clock().getTime()),
      );
      // Name and message only: the taxonomy's messages say what was wrong and never carry secrets.
      logger.error('Task failed', { errorName: error?.name, errorMessage: error?.message });
      if (announce === 'never') return;
      const state = request.internal.observabilityState ?? stateNameOf(request.event) ?? phase;
      await publish(
        {
          ...execution,
          status: 'FAILED',
          summary: `${state} failed: ${error?.message ?? 'unknown error'}`.slice(0, 500),
          ...(error?.name ? { errorName: error.name } : {}),
        },
        state,
      );
      // Leaving request.response unset lets middy rethrow the original error to Lambda (and to the ASL's Catch).
    },
  };

  // First, so that a warm-up call (the ASL's Warm* states) runs nothing else: no trace, log, metric or event. It builds
  // the schemas the function would otherwise build at its first call, which may fall inside the write pause, and loads
  // the modules its ports load on first use (define-task.ts, warmUp).
  const warmUp: middy.MiddlewareObj = {
    name: 'msk-migration-warm-up',
    before: async (request) => {
      if (!isWarmEvent(request.event)) return undefined;
      buildLazySchemas();
      await loadAhead();
      return { warm: true, function: phase };
    },
  };
  return [
    warmUp,
    captureLambdaHandler(tracer, { captureResponse: false }),
    injectLambdaContext(logger, { resetKeys: true }),
    logMetrics(metrics, { captureColdStartMetric: true }),
    phaseMiddleware as middy.MiddlewareObj,
  ];
}

/** One gate evaluation as metrics (EvaluateCatchUp, the rollback window's health checks): healthy or not, and the lag. */
export function recordGateEvaluation(
  phase: string,
  verdict: { readonly healthy: boolean; readonly lagRecords?: number | null },
  telemetry: Telemetry = telemetryFor(phase),
): void {
  const single = telemetry.metrics.singleMetric();
  single.addDimension('Result', verdict.healthy ? 'Healthy' : 'Unhealthy');
  single.addMetric(MetricName.GateEvaluations, MetricUnit.Count, 1);
  if (typeof verdict.lagRecords === 'number')
    telemetry.metrics.addMetric(MetricName.GateLagRecords, MetricUnit.Count, verdict.lagRecords);
}

/** How long a person took to decide (the approval callback, once a decision is recorded). */
export function recordApprovalWait(
  phase: string,
  kind: 'CUTOVER' | 'FINALIZE' | 'FAILBACK',
  seconds: number,
  telemetry: Telemetry = telemetryFor(phase),
): void {
  const single = telemetry.metrics.singleMetric();
  single.addDimension('Kind', kind);
  single.addMetric(MetricName.ApprovalWaitSeconds, MetricUnit.Seconds, seconds);
}

/** One health check of the target (cutover watch, rollback window). */
export function recordTargetHealth(phase: string, healthy: boolean, telemetry: Telemetry = telemetryFor(phase)): void {
  const single = telemetry.metrics.singleMetric();
  single.addDimension('Result', healthy ? 'Healthy' : 'Unhealthy');
  single.addMetric(MetricName.TargetHealthChecks, MetricUnit.Count, 1);
}
