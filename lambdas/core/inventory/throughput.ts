import type {
  MetricId,
  MetricWindow,
  SummedSeriesQuery,
  ThroughputMetrics,
  ThroughputSeries,
} from '../../ports/metrics';
import type { MskCluster, Peak, ThroughputInventory } from './model';

/**
 * Peak throughput of the source over a look-back window, from `AWS/Kafka`:
 * - per broker (dimensions Cluster Name, Broker ID): BytesInPerSec, BytesOutPerSec, MessagesInPerSec, ConnectionCount
 *   (DEFAULT monitoring level, free), summed over brokers at each period;
 * - per topic (Cluster Name, Broker ID, Topic): BytesInPerSec and BytesOutPerSec (DEFAULT level), MessagesInPerSec only
 *   from PER_TOPIC_PER_BROKER;
 * - MSK Serverless publishes per topic only (Cluster Name, Topic).
 * Statistic Maximum per period: the highest one-minute value, so the sums are an upper bound of the true peak.
 * Source: https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html
 */

export const MSK_NAMESPACE = 'AWS/Kafka';

export interface ThroughputRequest {
  readonly cluster: Pick<MskCluster, 'clusterName' | 'clusterType' | 'enhancedMonitoring'>;
  /** Broker IDs as the data plane reports them (MSK numbers brokers from 1). */
  readonly brokerIds: readonly number[];
  readonly topics: readonly string[];
  /** The window ends at `now`, rounded down to the period. */
  readonly now: Date;
  /** @default 336 (14 days: two weekly cycles) */
  readonly lookbackHours?: number;
  /** @default 3600 */
  readonly periodSeconds?: number;
  /** Topics beyond this are not queried one by one (the cluster figures still cover them). @default 5000 */
  readonly maxTopics?: number;
}

const TOPIC_LEVEL_MESSAGES = new Set(['PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION']);

export function metricWindow(now: Date, lookbackHours: number, periodSeconds: number): MetricWindow {
  const periodMs = periodSeconds * 1000;
  const end = Math.floor(now.getTime() / periodMs) * periodMs;
  return {
    start: new Date(end - lookbackHours * 3_600_000).toISOString(),
    end: new Date(end).toISOString(),
    periodSeconds,
  };
}

export function peakOf(series: ThroughputSeries | undefined, meanSeries?: ThroughputSeries): Peak | null {
  if (!series || series.points.length === 0) return null;
  let peak = series.points[0] as { timestamp: string; value: number };
  for (const p of series.points) if (p.value > peak.value) peak = p;
  // A mean only from an Average series: the mean of per-period maxima would overstate it.
  const meanPoints = meanSeries?.points ?? [];
  const mean = meanPoints.length === 0 ? null : meanPoints.reduce((s, p) => s + p.value, 0) / meanPoints.length;
  return { peak: peak.value, peakAt: peak.timestamp, mean, datapoints: series.points.length };
}

/** Adds series point-wise by timestamp (for MSK Serverless, whose cluster figure is the sum of its topics). */
export function sumByTimestamp(series: readonly ThroughputSeries[], id: string): ThroughputSeries {
  const sums = new Map<string, number>();
  for (const s of series) for (const p of s.points) sums.set(p.timestamp, (sums.get(p.timestamp) ?? 0) + p.value);
  return {
    id,
    points: [...sums.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([timestamp, value]) => ({ timestamp, value })),
  };
}

type TopicMetric = 'BytesInPerSec' | 'BytesOutPerSec' | 'MessagesInPerSec';
const CLUSTER_METRICS = ['BytesInPerSec', 'BytesOutPerSec', 'MessagesInPerSec', 'ConnectionCount'] as const;

export function throughputQueries(request: ThroughputRequest): {
  queries: SummedSeriesQuery[];
  topics: string[];
  notes: string[];
} {
  const { cluster } = request;
  const clusterName = cluster.clusterName;
  const notes: string[] = [];
  const topics = [...request.topics].sort().slice(0, request.maxTopics ?? 5000);
  if (topics.length < request.topics.length)
    notes.push(`Per-topic metrics read for the first ${topics.length} of ${request.topics.length} topics (maxTopics).`);
  const metric = (metricName: string, dimensions: Record<string, string>): MetricId => ({
    namespace: MSK_NAMESPACE,
    metricName,
    dimensions,
  });
  const queries: SummedSeriesQuery[] = [];
  const serverless = cluster.clusterType === 'SERVERLESS';
  const topicMetrics: TopicMetric[] = ['BytesInPerSec', 'BytesOutPerSec'];
  if (serverless || TOPIC_LEVEL_MESSAGES.has(cluster.enhancedMonitoring ?? 'DEFAULT'))
    topicMetrics.push('MessagesInPerSec');
  else
    notes.push(
      `MessagesInPerSec per topic needs PER_TOPIC_PER_BROKER monitoring (the cluster has ${cluster.enhancedMonitoring ?? 'DEFAULT'}); the cluster figure is per broker.`,
    );

  if (!serverless) {
    for (const name of CLUSTER_METRICS) {
      const perBroker = request.brokerIds.map((b) =>
        metric(name, { 'Cluster Name': clusterName, 'Broker ID': String(b) }),
      );
      queries.push({ id: `cluster.${name}.max`, metrics: perBroker, statistic: 'Maximum' });
      if (name === 'BytesInPerSec' || name === 'BytesOutPerSec')
        queries.push({ id: `cluster.${name}.avg`, metrics: perBroker, statistic: 'Average' });
    }
  } else {
    notes.push(
      'MSK Serverless publishes throughput per topic only: the cluster figures are sums of the topic series, and there is no connection count.',
    );
  }
  topics.forEach((topic, i) => {
    for (const name of topicMetrics) {
      const dims = serverless
        ? [metric(name, { 'Cluster Name': clusterName, Topic: topic })]
        : request.brokerIds.map((b) =>
            metric(name, { 'Cluster Name': clusterName, 'Broker ID': String(b), Topic: topic }),
          );
      queries.push({ id: `topic.${i}.${name}.max`, metrics: dims, statistic: 'Maximum' });
      if (serverless && name !== 'MessagesInPerSec')
        queries.push({ id: `topic.${i}.${name}.avg`, metrics: dims, statistic: 'Average' });
    }
  });
  return { queries, topics, notes };
}

export async function readThroughput(
  metrics: ThroughputMetrics,
  request: ThroughputRequest,
): Promise<ThroughputInventory> {
  const periodSeconds = request.periodSeconds ?? 3600;
  const window = metricWindow(request.now, request.lookbackHours ?? 336, periodSeconds);
  const { queries, topics, notes } = throughputQueries(request);
  const result = await metrics.readSeries(queries, window);
  const byId = new Map(result.map((s) => [s.id, s]));
  const topicPeaks = topics.map((topic, i) => ({
    topic,
    bytesInPerSec: peakOf(byId.get(`topic.${i}.BytesInPerSec.max`), byId.get(`topic.${i}.BytesInPerSec.avg`)),
    bytesOutPerSec: peakOf(byId.get(`topic.${i}.BytesOutPerSec.max`), byId.get(`topic.${i}.BytesOutPerSec.avg`)),
    messagesInPerSec: peakOf(byId.get(`topic.${i}.MessagesInPerSec.max`)),
  }));
  let cluster: Extract<ThroughputInventory, { status: 'COLLECTED' }>['cluster'];
  if (request.cluster.clusterType === 'SERVERLESS') {
    const sum = (name: TopicMetric, stat: 'max' | 'avg'): ThroughputSeries =>
      sumByTimestamp(
        topics
          .map((_, i) => byId.get(`topic.${i}.${name}.${stat}`))
          .filter((s): s is ThroughputSeries => s !== undefined),
        `cluster.${name}.${stat}`,
      );
    cluster = {
      bytesInPerSec: peakOf(sum('BytesInPerSec', 'max'), sum('BytesInPerSec', 'avg')),
      bytesOutPerSec: peakOf(sum('BytesOutPerSec', 'max'), sum('BytesOutPerSec', 'avg')),
      messagesInPerSec: peakOf(sum('MessagesInPerSec', 'max')),
      connectionCount: null,
    };
  } else {
    cluster = {
      bytesInPerSec: peakOf(byId.get('cluster.BytesInPerSec.max'), byId.get('cluster.BytesInPerSec.avg')),
      bytesOutPerSec: peakOf(byId.get('cluster.BytesOutPerSec.max'), byId.get('cluster.BytesOutPerSec.avg')),
      messagesInPerSec: peakOf(byId.get('cluster.MessagesInPerSec.max')),
      connectionCount: peakOf(byId.get('cluster.ConnectionCount.max')),
    };
  }
  if (cluster.bytesInPerSec === null)
    notes.push(
      'No BytesInPerSec datapoints in the window: the cluster had no traffic, or the metrics are not published.',
    );
  return {
    status: 'COLLECTED',
    window,
    cluster,
    topics: topicPeaks.filter((t) => t.bytesInPerSec || t.bytesOutPerSec || t.messagesInPerSec),
    notes,
  };
}
