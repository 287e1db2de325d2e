/** The rehearsal workload's public API, for the rehearsal runner. */
export { startWorkload, type WorkloadHandle, type WorkloadTally } from './workload';
export { DEFAULT_WORKLOAD_TOPICS, consumerGroupOf, ensureWorkloadTopics } from './topics';
export { sumTallies } from './tally';
