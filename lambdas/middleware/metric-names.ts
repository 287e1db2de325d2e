/**
 * Names shared by the task functions (which emit the metrics in EMF through Powertools) and the CloudWatch dashboard
 * (which graphs them), so that the two cannot drift apart. No runtime dependency: `lib/` imports it at synth.
 */
export const METRICS_NAMESPACE = 'MskMigration';
export const SERVICE_NAME = 'msk-migration';

export const MetricName = {
  /** Count, dimensions {service, Phase}: one per task invocation that returned. */
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
