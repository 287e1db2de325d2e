import {
  CloudWatchClient,
  GetMetricDataCommand,
  LimitExceededException,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchThroughput, packCalls } from '../../lambdas/adapters/aws/cloudwatch-throughput';
import { ThroughputInventorySchema } from '../../lambdas/core/inventory/model';
import { metricWindow, readThroughput, throughputQueries } from '../../lambdas/core/inventory/throughput';
import type { SummedSeriesQuery } from '../../lambdas/ports/metrics';

const cloudwatch = mockClient(CloudWatchClient);
const adapter = new CloudWatchThroughput(new CloudWatchClient({ region: 'eu-west-1' }));
const now = new Date('2026-11-15T10:37:00.000Z');
const cluster = { clusterName: 'orders', clusterType: 'PROVISIONED' as const, enhancedMonitoring: 'DEFAULT' };
const t = (h: number): Date => new Date(Date.UTC(2026, 10, 15, h));

describe('throughput queries', () => {
  it('asks for the four cluster metrics per broker and BytesIn/Out per topic and broker, Maximum per period', () => {
    // Act
    const { queries, notes } = throughputQueries({ cluster, brokerIds: [1, 2, 3], topics: ['orders'], now });
    // Assess
    expect(queries.map((q) => q.id)).toEqual([
      'cluster.BytesInPerSec.max',
      'cluster.BytesInPerSec.avg',
      'cluster.BytesOutPerSec.max',
      'cluster.BytesOutPerSec.avg',
      'cluster.MessagesInPerSec.max',
      'cluster.ConnectionCount.max',
      'topic.0.BytesInPerSec.max',
      'topic.0.BytesOutPerSec.max',
    ]);
    expect(queries[6]).toEqual({
      id: 'topic.0.BytesInPerSec.max',
      statistic: 'Maximum',
      metrics: [1, 2, 3].map((b) => ({
        namespace: 'AWS/Kafka',
        metricName: 'BytesInPerSec',
        dimensions: { 'Cluster Name': 'orders', 'Broker ID': String(b), Topic: 'orders' },
      })),
    });
    expect(notes[0]).toContain('PER_TOPIC_PER_BROKER');
  });

  it('adds MessagesInPerSec per topic at PER_TOPIC_PER_BROKER, and uses Cluster Name + Topic on Serverless', () => {
    expect(
      throughputQueries({
        cluster: { ...cluster, enhancedMonitoring: 'PER_TOPIC_PER_BROKER' },
        brokerIds: [1],
        topics: ['a'],
        now,
      }).queries.map((q) => q.id),
    ).toContain('topic.0.MessagesInPerSec.max');
    const serverless = throughputQueries({
      cluster: { clusterName: 'sls', clusterType: 'SERVERLESS' },
      brokerIds: [],
      topics: ['a'],
      now,
    }).queries;
    expect(serverless.every((q) => q.id.startsWith('topic.'))).toBe(true);
    expect(serverless[0]?.metrics[0]?.dimensions).toEqual({ 'Cluster Name': 'sls', Topic: 'a' });
  });

  it('ends the window on a period boundary and looks back 14 days by default', () => {
    expect(metricWindow(now, 336, 3600)).toEqual({
      start: '2026-11-01T10:00:00.000Z',
      end: '2026-11-15T10:00:00.000Z',
      periodSeconds: 3600,
    });
  });
});

describe('CloudWatch throughput adapter', () => {
  beforeEach(() => {
    cloudwatch.reset();
  });

  it('sums brokers server-side with a SUM expression over metrics it does not return', async () => {
    // Prepare
    cloudwatch
      .on(GetMetricDataCommand)
      .resolves({ MetricDataResults: [{ Id: 'q0', Timestamps: [t(2), t(1)], Values: [30, 10] }] });
    const query: SummedSeriesQuery = {
      id: 'cluster.BytesInPerSec.max',
      statistic: 'Maximum',
      metrics: [1, 2].map((b) => ({
        namespace: 'AWS/Kafka',
        metricName: 'BytesInPerSec',
        dimensions: { 'Cluster Name': 'orders', 'Broker ID': String(b) },
      })),
    };
    // Act
    const [series] = await adapter.readSeries([query], {
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-11-15T00:00:00.000Z',
      periodSeconds: 3600,
    });
    // Assess
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date('2026-11-01T00:00:00.000Z'),
      EndTime: new Date('2026-11-15T00:00:00.000Z'),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'q0_0',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'BytesInPerSec',
              Dimensions: [
                { Name: 'Cluster Name', Value: 'orders' },
                { Name: 'Broker ID', Value: '1' },
              ],
            },
            Period: 3600,
            Stat: 'Maximum',
          },
        },
        {
          Id: 'q0_1',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'BytesInPerSec',
              Dimensions: [
                { Name: 'Cluster Name', Value: 'orders' },
                { Name: 'Broker ID', Value: '2' },
              ],
            },
            Period: 3600,
            Stat: 'Maximum',
          },
        },
        { Id: 'q0', Expression: 'SUM([q0_0,q0_1])', ReturnData: true },
      ],
    });
    expect(series).toEqual({
      id: 'cluster.BytesInPerSec.max',
      points: [
        { timestamp: t(1).toISOString(), value: 10 },
        { timestamp: t(2).toISOString(), value: 30 },
      ],
    });
  });

  it('packs queries into calls of at most 500 without splitting a summed series', () => {
    const query = (i: number): SummedSeriesQuery => ({
      id: `s${i}`,
      statistic: 'Maximum',
      metrics: [1, 2, 3].map((b) => ({
        namespace: 'AWS/Kafka',
        metricName: 'BytesInPerSec',
        dimensions: { Broker: String(b) },
      })),
    });
    // 200 series × 4 queries (3 metrics + 1 expression) = 800 → 500 (125 series) + 300.
    const calls = packCalls(
      Array.from({ length: 200 }, (_, i) => query(i)),
      3600,
    );
    expect(calls.map((c) => c.length)).toEqual([500, 300]);
    expect(calls[1]?.[0]?.Id).toBe('q125_0');
  });

  it('follows NextToken and joins the pages of a series', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', Timestamps: [t(1)], Values: [5] }], NextToken: 'next' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', Timestamps: [t(2)], Values: [7] }] });
    const one: SummedSeriesQuery = {
      id: 'x',
      statistic: 'Average',
      metrics: [{ namespace: 'AWS/Kafka', metricName: 'BytesInPerSec', dimensions: {} }],
    };
    const [series] = await adapter.readSeries([one], {
      start: t(0).toISOString(),
      end: t(3).toISOString(),
      periodSeconds: 3600,
    });
    expect(series?.points.map((p) => p.value)).toEqual([5, 7]);
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(
      (cloudwatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input as GetMetricDataCommandInput).NextToken,
    ).toBe('next');
  });

  it('maps throttling to Migration.Transient', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(new LimitExceededException({ $metadata: {}, message: 'rate' }));
    const one: SummedSeriesQuery = {
      id: 'x',
      statistic: 'Average',
      metrics: [{ namespace: 'AWS/Kafka', metricName: 'BytesInPerSec', dimensions: {} }],
    };
    await expect(
      adapter.readSeries([one], { start: t(0).toISOString(), end: t(3).toISOString(), periodSeconds: 3600 }),
    ).rejects.toMatchObject({ name: 'Migration.Transient' });
  });
});

describe('peak throughput through the metrics port', () => {
  beforeEach(() => {
    cloudwatch.reset();
  });

  it('keeps the peak, when it happened and the mean, per cluster and per topic with traffic', async () => {
    // Prepare: q0 = cluster BytesIn max, q1 = its average, q6 = topic 0 BytesIn max.
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'q0', Timestamps: [t(1), t(2), t(3)], Values: [100, 400, 200] },
        { Id: 'q1', Timestamps: [t(1), t(2), t(3)], Values: [50, 100, 150] },
        { Id: 'q6', Timestamps: [t(1), t(2)], Values: [90, 10] },
      ],
    });
    // Act
    const inv = await readThroughput(adapter, { cluster, brokerIds: [1, 2], topics: ['orders', 'zz-idle'], now });
    // Assess
    expect(ThroughputInventorySchema.parse(inv)).toEqual(inv);
    if (inv.status !== 'COLLECTED') throw new Error('expected COLLECTED');
    expect(inv.cluster.bytesInPerSec).toEqual({ peak: 400, peakAt: t(2).toISOString(), mean: 100, datapoints: 3 });
    expect(inv.cluster.bytesOutPerSec).toBeNull();
    expect(inv.topics).toEqual([
      {
        topic: 'orders',
        bytesInPerSec: { peak: 90, peakAt: t(1).toISOString(), mean: null, datapoints: 2 },
        bytesOutPerSec: null,
        messagesInPerSec: null,
      },
    ]);
  });

  it('sums the topic series for an MSK Serverless source, which has no broker metrics', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'q0', Timestamps: [t(1), t(2)], Values: [10, 20] },
        { Id: 'q5', Timestamps: [t(1), t(2)], Values: [5, 1] },
      ],
    });
    const inv = await readThroughput(adapter, {
      cluster: { clusterName: 'sls', clusterType: 'SERVERLESS' },
      brokerIds: [],
      topics: ['a', 'b'],
      now,
    });
    if (inv.status !== 'COLLECTED') throw new Error('expected COLLECTED');
    // q0 = topic a BytesIn max; q5 = topic b BytesIn max (a has 5 queries: in max/avg, out max/avg, messages).
    expect(inv.cluster.bytesInPerSec?.peak).toBe(21);
    expect(inv.cluster.connectionCount).toBeNull();
  });
});
