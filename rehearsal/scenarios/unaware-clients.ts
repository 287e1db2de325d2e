import { defineScenario } from './definition';

/**
 * The happy path with migration-unaware applications beside the pointer workload: a producer and a consumer that are
 * plain Kafka clients on the source's SCRAM listener, knowing nothing of the migration. The plan's KAFKA_ACL fence
 * makes the source refuse the producer's writes (it keeps its records and sends them again), its LOCAL_PROCESS
 * switches stop the consumer at the fence and restart both on the target with the target's bootstrap servers and
 * credentials after CommitConsumerOffsets. The run must succeed with nothing lost; the report gives their write pause.
 */
export const unawareClients = defineScenario({
  name: 'unaware-clients',
  fault:
    'none: migration-unaware producer and consumer (no pointer) moved by LOCAL_PROCESS switches, held by a KAFKA_ACL fence',
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
  unawareClients: true,
});
