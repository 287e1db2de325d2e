import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLagSignals } from '../../adapters/aws/cloudwatch-lag-signals';
import { CloudWatchThroughput } from '../../adapters/aws/cloudwatch-throughput';
import { perContainer, type AwsPortFactory } from '../aws';

/** CloudWatch: the source's throughput metrics, and the lag alarms and datapoints of the gates. */
const cloudwatch = () => perContainer('cloudwatch', async () => new CloudWatchClient({}));

export const metrics: AwsPortFactory = async () => new CloudWatchThroughput(await cloudwatch());

export const lagSignals: AwsPortFactory = async (inv) =>
  new CloudWatchLagSignals(await cloudwatch(), inv.env.ALARM_TOPIC_ARN ? [inv.env.ALARM_TOPIC_ARN] : []);
