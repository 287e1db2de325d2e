import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { TransientError } from '../../core/errors';
import type {
  MetricId,
  MetricWindow,
  SummedSeriesQuery,
  ThroughputMetrics,
  ThroughputSeries,
} from '../../ports/metrics';
import { toMigrationError } from './msk-provisioner';

/** GetMetricData takes at most 500 queries per call (metrics and expressions together). */
const QUERIES_PER_CALL = 500;
/** Pages read per call at most (a page holds up to 100,800 datapoints). */
const MAX_PAGES = 20;

function metricStat(
  id: string,
  metric: MetricId,
  statistic: string,
  periodSeconds: number,
  returnData: boolean,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: metric.namespace,
        MetricName: metric.metricName,
        Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodSeconds,
      Stat: statistic,
    },
    ReturnData: returnData,
  };
}

/**
 * The CloudWatch queries for one summed series: the metric itself, or its metrics (not returned) and a `SUM([...])`
 * expression over them, so that CloudWatch adds the brokers up and returns one series. Ids are CloudWatch-safe
 * (`q<index>`, `q<index>_<metric>`), mapped back to the caller's ids.
 */
export function queriesFor(query: SummedSeriesQuery, index: number, periodSeconds: number): MetricDataQuery[] {
  const id = `q${index}`;
  if (query.metrics.length === 1)
    return [metricStat(id, query.metrics[0] as MetricId, query.statistic, periodSeconds, true)];
  const parts = query.metrics.map((m, j) => metricStat(`${id}_${j}`, m, query.statistic, periodSeconds, false));
  return [...parts, { Id: id, Expression: `SUM([${parts.map((p) => p.Id).join(',')}])`, ReturnData: true }];
}

/** Packs the queries into GetMetricData calls of at most 500 queries, never splitting one summed series. */
export function packCalls(queries: readonly SummedSeriesQuery[], periodSeconds: number): MetricDataQuery[][] {
  const calls: MetricDataQuery[][] = [];
  let current: MetricDataQuery[] = [];
  queries.forEach((q, i) => {
    const group = queriesFor(q, i, periodSeconds);
    if (group.length > QUERIES_PER_CALL)
      throw new TransientError(
        `Series ${q.id} sums ${q.metrics.length} metrics, more than one GetMetricData call can take.`,
      );
    if (current.length + group.length > QUERIES_PER_CALL) {
      calls.push(current);
      current = [];
    }
    current.push(...group);
  });
  if (current.length > 0) calls.push(current);
  return calls;
}

/** Throughput series from CloudWatch GetMetricData, batched and paged. */
export class CloudWatchThroughput implements ThroughputMetrics {
  constructor(private readonly cloudwatch: CloudWatchClient) {}

  async readSeries(queries: readonly SummedSeriesQuery[], window: MetricWindow): Promise<ThroughputSeries[]> {
    const points = new Map<string, Array<{ timestamp: string; value: number }>>();
    for (const call of packCalls(queries, window.periodSeconds)) {
      let nextToken: string | undefined;
      let page = 0;
      do {
        if (page++ >= MAX_PAGES)
          throw new TransientError(
            `GetMetricData: more than ${MAX_PAGES} pages for one call; shorten the look-back window or lengthen the period.`,
          );
        const out = await this.call(() =>
          this.cloudwatch.send(
            new GetMetricDataCommand({
              MetricDataQueries: call,
              StartTime: new Date(window.start),
              EndTime: new Date(window.end),
              ScanBy: 'TimestampAscending',
              NextToken: nextToken,
            }),
          ),
        );
        for (const result of out.MetricDataResults ?? []) {
          if (!result.Id) continue;
          const list = points.get(result.Id) ?? [];
          const values = result.Values ?? [];
          (result.Timestamps ?? []).forEach((t, k) => {
            const value = values[k];
            if (value !== undefined) list.push({ timestamp: t.toISOString(), value });
          });
          points.set(result.Id, list);
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    return queries.map((q, i) => ({
      id: q.id,
      points: (points.get(`q${i}`) ?? []).sort((a, b) =>
        a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0,
      ),
    }));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toMigrationError(err, 'CloudWatch GetMetricData', TransientError);
    }
  }
}
