/** The rehearsal workload's public API, for the rehearsal runner. */
export {
  startWorkload,
  type WorkloadHandle,
  type WorkloadOptions,
  type WorkloadProgress,
  type WorkloadTally,
} from './workload';
export { verifyTopic, type TopicVerification } from './verifier';
export { DEFAULT_WORKLOAD_TOPICS, consumerGroupOf, ensureWorkloadTopics, type WorkloadTopic } from './topics';
export { FENCED_PREFIX, tallyTopic, sumTallies, type RecordsTally, type TopicTally, type WritePause } from './tally';
export type { AckedRecord } from './producer';
export type { ConsumedRecord } from './consumer';
