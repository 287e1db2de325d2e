import type { AwsPortFactory } from '../aws';
import { awsConsumerHolds } from '../../tasks/shared/consumer-holds';

/**
 * CommitConsumerOffsets' client switches: only the two kinds whose consumers it holds at the source's end (Lambda
 * event source mappings, MSK Connect connectors), so that its bundle carries no ECS client nor the pointer's adapters.
 */
export const consumerHolds: AwsPortFactory = async () => awsConsumerHolds();
