import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricAlarmCommand,
  LimitExceededFault,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CloudWatchLagSignals } from '../../lambdas/adapters/aws/cloudwatch-lag-signals';
import { replicatorAlarms, replicatorMetric } from '../../lambdas/core/gates/replicator-alarms';

const cloudwatch = mockClient(CloudWatchClient);
const topicArn = 'arn:aws:sns:eu-west-1:111122223333:msk-migration';
const signals = new CloudWatchLagSignals(new CloudWatchClient({ region: 'eu-west-1' }), [topicArn]);

describe('CloudWatch lag signals', () => {
  beforeEach(() => {
    cloudwatch.reset();
  });

  it('puts one alarm per replicator metric on the ReplicatorName dimension, with tags and the notification topic', async () => {
    cloudwatch.on(PutMetricAlarmCommand).resolves({});
    await signals.putAlarms(
      replicatorAlarms(
        'mskmig-orders-x',
        'msk-migration-orders-x-',
        { maxLagRecords: 500 },
        { 'msk-migration:execution': 'exec-1' },
      ),
    );
    expect(cloudwatch).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 4);
    expect(cloudwatch).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      AlarmName: 'msk-migration-orders-x-MessageLag',
      Namespace: 'AWS/Kafka',
      MetricName: 'MessageLag',
      Dimensions: [{ Name: 'ReplicatorName', Value: 'mskmig-orders-x' }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 500,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [topicArn],
      Tags: [{ Key: 'msk-migration:execution', Value: 'exec-1' }],
    });
  });

  it('reports each requested alarm in order, MISSING for one that does not exist', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'b', StateValue: 'INSUFFICIENT_DATA', StateReason: 'no data' },
        { AlarmName: 'a', StateValue: 'OK', StateUpdatedTimestamp: new Date('2026-11-01T12:00:00Z') },
      ],
    });
    expect(await signals.describeAlarms(['a', 'b', 'c'])).toEqual([
      { alarmName: 'a', state: 'OK', updatedAt: '2026-11-01T12:00:00.000Z' },
      { alarmName: 'b', state: 'INSUFFICIENT_DATA', reason: 'no data' },
      { alarmName: 'c', state: 'MISSING' },
    ]);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['a', 'b', 'c'],
      AlarmTypes: ['MetricAlarm'],
    });
  });

  it('deletes alarms in batches of one hundred names', async () => {
    cloudwatch.on(DeleteAlarmsCommand).resolves({});
    await signals.deleteAlarms(Array.from({ length: 150 }, (_, i) => `alarm-${i}`));
    expect(cloudwatch).toHaveReceivedCommandTimes(DeleteAlarmsCommand, 2);
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(2, DeleteAlarmsCommand, {
      AlarmNames: Array.from({ length: 50 }, (_, i) => `alarm-${100 + i}`),
    });
  });

  it('reads the datapoints of each metric across pages, oldest first', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'messageLag', Timestamps: [new Date('2026-11-01T12:02:00Z')], Values: [3] }],
        NextToken: 'n',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'messageLag', Timestamps: [new Date('2026-11-01T12:01:00Z')], Values: [40] },
          { Id: 'replicationFailures', Timestamps: [], Values: [] },
        ],
      });
    const series = await signals.getMetricSeries(
      [
        { id: 'messageLag', metric: replicatorMetric('r', 'MessageLag') },
        { id: 'replicationFailures', metric: replicatorMetric('r', 'ReplicationFailures') },
      ],
      { start: '2026-11-01T11:57:00Z', end: '2026-11-01T12:02:30Z' },
    );
    expect(series).toEqual([
      {
        id: 'messageLag',
        points: [
          { timestamp: '2026-11-01T12:01:00.000Z', value: 40 },
          { timestamp: '2026-11-01T12:02:00.000Z', value: 3 },
        ],
      },
      { id: 'replicationFailures', points: [] },
    ]);
    expect(cloudwatch).toHaveReceivedNthSpecificCommandWith(1, GetMetricDataCommand, {
      MetricDataQueries: [
        {
          Id: 'messageLag',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'MessageLag',
              Dimensions: [{ Name: 'ReplicatorName', Value: 'r' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
          ReturnData: true,
        },
        {
          Id: 'replicationFailures',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'ReplicationFailures',
              Dimensions: [{ Name: 'ReplicatorName', Value: 'r' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
      StartTime: new Date('2026-11-01T11:57:00Z'),
      EndTime: new Date('2026-11-01T12:02:30Z'),
    });
  });

  it('fails with Migration.ReplicationFailed when the account has no room for more alarms', async () => {
    cloudwatch.on(PutMetricAlarmCommand).rejects(new LimitExceededFault({ message: 'too many alarms', $metadata: {} }));
    await expect(signals.putAlarms(replicatorAlarms('r', 'p-', { maxLagRecords: 1 }, {}))).rejects.toMatchObject({
      name: 'Migration.ReplicationFailed',
      message: expect.stringContaining('LimitExceeded'),
    });
  });
});
