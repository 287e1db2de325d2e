import { KafkajsAclWriteFence } from '../../../adapters/kafka/kafkajs-acl-write-fence';
import type { AwsFenceMaker } from '../write-fence-kinds';

/** Kafka ACLs on the source as the write fence, with the orchestrator's own connection (asked for only then). */
export const kafkaAclFence: AwsFenceMaker<'KAFKA_ACL'> = async (spec, { sourceConnection }) =>
  new KafkajsAclWriteFence(await sourceConnection(), { principals: spec.principals, host: spec.host });
