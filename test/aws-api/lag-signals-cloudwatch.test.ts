import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLagSignals } from '../../lambdas/adapters/aws/cloudwatch-lag-signals';
import type { AlarmDefinition, MetricRef } from '../../lambdas/ports/lag-signals';
import { countRequests, emulatorClientConfig } from './emulator/aws-clients';
import { startMotoServer, type MotoServer } from './emulator/moto-server';

const NOTIFICATIONS = 'arn:aws:sns:us-east-1:123456789012:msk-migration-notifications';

function messageLag(replicator: string): MetricRef {
  return {
    namespace: 'AWS/Kafka',
    metricName: 'MessageLag',
    dimensions: { ReplicatorName: replicator },
    statistic: 'Maximum',
    periodSeconds: 60,
  };
}

function lagAlarm(alarmName: string, replicator = 'orders-replicator'): AlarmDefinition {
  return {
    alarmName,
    description: `Replication lag of ${replicator} above 1,000 messages for 3 minutes`,
    metric: messageLag(replicator),
    threshold: 1000,
    comparison: 'GreaterThanThreshold',
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'missing',
    tags: { 'msk-migration:execution': 'orders-2026-11-02' },
  };
}

/** Whole minutes before `anchor` (a minute boundary), so that each datapoint falls in its own 60-second period. */
function minutesBefore(anchor: Date, n: number): Date {
  return new Date(anchor.getTime() - n * 60_000);
}

function thisMinute(): Date {
  const now = new Date();
  now.setUTCSeconds(0, 0);
  return now;
}

describe('CloudWatchLagSignals against the CloudWatch API (moto server)', () => {
  let server: MotoServer;
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    server = await startMotoServer({ services: ['CloudWatch'] });
    cloudwatch = new CloudWatchClient(emulatorClientConfig(server));
  }, 45_000);

  afterAll(async () => {
    cloudwatch?.destroy();
    await server?.stop();
  });

  async function setState(alarmName: string, state: StateValue, reason: string): Promise<void> {
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarmName, StateValue: state, StateReason: reason }));
  }

  it('creates the alarm as defined, notifying the topic on ALARM and OK, and a second put updates it in place', async () => {
    // Prepare
    const signals = new CloudWatchLagSignals(cloudwatch, [NOTIFICATIONS]);

    // Act
    await signals.putAlarms([lagAlarm('put-lag')]);
    await signals.putAlarms([{ ...lagAlarm('put-lag'), threshold: 500 }]);

    // Assess
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['put-lag'] }));
    expect(out.MetricAlarms).toHaveLength(1);
    expect(out.MetricAlarms?.[0]).toMatchObject({
      Namespace: 'AWS/Kafka',
      MetricName: 'MessageLag',
      Dimensions: [{ Name: 'ReplicatorName', Value: 'orders-replicator' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 500,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
      ActionsEnabled: true,
      AlarmActions: [NOTIFICATIONS],
      OKActions: [NOTIFICATIONS],
    });
  });

  it('reads ALARM, OK and INSUFFICIENT_DATA with their reasons, in the order asked, and MISSING for an alarm that does not exist', async () => {
    // Prepare
    const signals = new CloudWatchLagSignals(cloudwatch);
    await signals.putAlarms([lagAlarm('state-breaching'), lagAlarm('state-healthy'), lagAlarm('state-no-data')]);
    await setState(
      'state-breaching',
      'ALARM',
      'Threshold Crossed: 3 datapoints [4200.0, 3900.0, 3100.0] were greater than the threshold (1000.0).',
    );
    await setState(
      'state-healthy',
      'OK',
      'Threshold Crossed: 3 datapoints [0.0, 0.0, 0.0] were not greater than the threshold (1000.0).',
    );
    await setState('state-no-data', 'INSUFFICIENT_DATA', 'Insufficient Data: 3 datapoints were unknown.');

    // Act
    const statuses = await signals.describeAlarms([
      'state-no-data',
      'state-breaching',
      'state-deleted-by-hand',
      'state-healthy',
    ]);

    // Assess
    expect(statuses.map((s) => [s.alarmName, s.state])).toEqual([
      ['state-no-data', 'INSUFFICIENT_DATA'],
      ['state-breaching', 'ALARM'],
      ['state-deleted-by-hand', 'MISSING'],
      ['state-healthy', 'OK'],
    ]);
    expect(statuses[1]?.reason).toContain('greater than the threshold');
    expect(Date.parse(statuses[1]?.updatedAt ?? '')).not.toBeNaN();
  });

  it('asks for more than 100 alarms in batches of 100 and still answers one status per name', async () => {
    // Prepare
    const names = Array.from({ length: 105 }, (_, i) => `batch-${String(i).padStart(3, '0')}`);
    const signals = new CloudWatchLagSignals(cloudwatch);
    await signals.putAlarms(names.map((n) => lagAlarm(n)));
    await setState('batch-104', 'ALARM', 'lag');
    const requests = countRequests(cloudwatch);

    // Act
    const statuses = await signals.describeAlarms(names);

    // Assess
    expect(requests.get('DescribeAlarmsCommand')).toBe(2);
    expect(statuses).toHaveLength(105);
    expect(statuses.filter((s) => s.state === 'ALARM').map((s) => s.alarmName)).toEqual(['batch-104']);
    expect(statuses.every((s) => s.state !== 'MISSING')).toBe(true);
  });

  it('reads the datapoints of each metric oldest first, one Maximum per period', async () => {
    // Prepare
    const signals = new CloudWatchLagSignals(cloudwatch);
    const anchor = thisMinute();
    const minutesAgo = (n: number): Date => minutesBefore(anchor, n);
    const orders = messageLag('series-orders');
    const payments = messageLag('series-payments');
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Kafka',
        MetricData: [
          {
            MetricName: 'MessageLag',
            Dimensions: [{ Name: 'ReplicatorName', Value: 'series-orders' }],
            Timestamp: minutesAgo(3),
            Value: 900,
          },
          {
            MetricName: 'MessageLag',
            Dimensions: [{ Name: 'ReplicatorName', Value: 'series-orders' }],
            Timestamp: new Date(minutesAgo(3).getTime() + 20_000),
            Value: 1200,
          },
          {
            MetricName: 'MessageLag',
            Dimensions: [{ Name: 'ReplicatorName', Value: 'series-orders' }],
            Timestamp: minutesAgo(1),
            Value: 40,
          },
          {
            MetricName: 'MessageLag',
            Dimensions: [{ Name: 'ReplicatorName', Value: 'series-orders' }],
            Timestamp: minutesAgo(2),
            Value: 300,
          },
          {
            MetricName: 'MessageLag',
            Dimensions: [{ Name: 'ReplicatorName', Value: 'series-payments' }],
            Timestamp: minutesAgo(2),
            Value: 0,
          },
        ],
      }),
    );

    // Act
    const series = await signals.getMetricSeries(
      [
        { id: 'orders', metric: orders },
        { id: 'payments', metric: payments },
        { id: 'silent', metric: messageLag('series-never-reported') },
      ],
      { start: minutesAgo(10).toISOString(), end: new Date().toISOString() },
    );

    // Assess
    expect(series.map((s) => [s.id, s.points.map((p) => p.value)])).toEqual([
      ['orders', [1200, 300, 40]],
      ['payments', [0]],
      ['silent', []],
    ]);
    expect(series[0]?.points.map((p) => p.timestamp)).toEqual(
      [minutesAgo(3), minutesAgo(2), minutesAgo(1)].map((d) => d.toISOString()),
    );
  });

  it('deletes the execution’s alarms and ignores names that do not exist', async () => {
    const signals = new CloudWatchLagSignals(cloudwatch);
    await signals.putAlarms([lagAlarm('delete-a'), lagAlarm('delete-b')]);

    await signals.deleteAlarms(['delete-a', 'delete-b', 'delete-never-created']);

    await expect(signals.describeAlarms(['delete-a', 'delete-b'])).resolves.toEqual([
      { alarmName: 'delete-a', state: 'MISSING' },
      { alarmName: 'delete-b', state: 'MISSING' },
    ]);
  });
});
