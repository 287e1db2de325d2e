/**
 * Metric and event names shared by the task functions (which emit them) and lib/ (the dashboard graphs the metrics,
 * the notifications rule matches the events), so that the two cannot drift apart.
 */
export const METRICS_NAMESPACE = 'MskMigration';
export const SERVICE_NAME = 'msk-migration';

export const MetricName = {
  /** Count, dimensions {service, Phase}: one per task invocation that returned. Phase is the Task state's name. */
  TaskSucceeded: 'TaskSucceeded',
  /** Count, dimensions {service, Phase}: one per task invocation that threw. */
  TaskFailed: 'TaskFailed',
  /** Milliseconds, dimensions {service, Phase}. */
  TaskDuration: 'TaskDuration',
  /** Count, dimensions {service, Phase, Result = Healthy | Unhealthy}: one per gate evaluation. */
  GateEvaluations: 'GateEvaluations',
  /** Count (records), dimensions {service, Phase}: the lag a gate evaluation measured. */
  GateLagRecords: 'GateLagRecords',
  /** Seconds, dimensions {service, Phase, Kind = CUTOVER | FINALIZE}: from approval request to decision. */
  ApprovalWaitSeconds: 'ApprovalWaitSeconds',
  /** Count, dimensions {service, Phase, Result = Healthy | Unhealthy}: one per target health check. */
  TargetHealthChecks: 'TargetHealthChecks',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** EventBridge `source` of the phase events. */
export const PHASE_EVENT_SOURCE = 'msk-migration';
/** EventBridge `detail-type` of the phase events. */
export const PHASE_CHANGED_DETAIL_TYPE = 'MskMigration.PhaseChanged';
