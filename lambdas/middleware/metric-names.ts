/**
 * The metric names the task functions emit (EMF through Powertools) and the dashboard graphs: defined in the contract
 * (lambdas/contract/telemetry.ts), which lib/ imports at synth.
 */
export { METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../contract/telemetry';
