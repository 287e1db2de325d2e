/**
 * Throughput metrics of a cluster over a look-back window (CloudWatch `AWS/Kafka` in AWS). The inventory asks for
 * series that are sums of several metrics at each timestamp (a topic's BytesInPerSec over all brokers), so a backend
 * with metric math sums server-side and returns one series per query.
 * Adapter: `adapters/aws/cloudwatch-throughput.ts` (GetMetricData, batched, paged). Locally there is no metrics
 * service: the inventory records throughput as not collected.
 */

export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface SummedSeriesQuery {
  /** Unique within one call; returned on the series. */
  readonly id: string;
  /** Summed at each timestamp (one metric: that metric's series). */
  readonly metrics: readonly MetricId[];
  /** `Maximum` for peaks (the highest per-minute value in each period), `Average` for means. */
  readonly statistic: 'Maximum' | 'Average';
}

export interface MetricWindow {
  /** ISO-8601. */
  readonly start: string;
  readonly end: string;
  readonly periodSeconds: number;
}

export interface ThroughputSeries {
  readonly id: string;
  /** Oldest first; empty when the metric has no data (not published, or no traffic). */
  readonly points: ReadonlyArray<{ readonly timestamp: string; readonly value: number }>;
}

export interface ThroughputMetrics {
  /** One series per query, in the same order. */
  readSeries(queries: readonly SummedSeriesQuery[], window: MetricWindow): Promise<ThroughputSeries[]>;
}
