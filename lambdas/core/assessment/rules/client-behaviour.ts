import type { ClientBehaviourInventory, Inventory, TopicRecordSample } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { bytes, firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { selectGroups } from '../../replication/topic-selection';
import { scopeOf } from '../scope';

/**
 * What the brokers showed of the clients' behaviour (inventory `clientBehaviour`, read with @platformatic/kafka):
 * idempotent producers, codecs in use, observed record sizes against the target's limit, consumer groups on the
 * KIP-848 protocol, and what Kafka keeps to the clients. Transactions are the transaction rule's.
 */

/** A record batch's header (61 bytes) and a record's length prefix: a record alone in a batch is this much larger. */
export const RECORD_BATCH_OVERHEAD = 66;
const KAFKA_DEFAULT_MAX = 1_048_588;

function behaviourOf(inventory: Inventory): ClientBehaviourInventory | undefined {
  return inventory.clientBehaviour;
}

function selectedSamples(inventory: Inventory, options: AssessmentOptions): TopicRecordSample[] {
  const records = behaviourOf(inventory)?.records;
  if (records?.status !== 'COLLECTED') return [];
  const selected = new Set(scopeOf(inventory, options).topics.map((t) => t.name));
  return records.topics.filter((s) => selected.has(s.topic));
}

/** Parts of the client behaviour the inventory could not read: the rules below cannot vouch for them. */
export function clientBehaviourGapRule(inventory: Inventory): Finding[] {
  const behaviour = behaviourOf(inventory);
  if (!behaviour) return [];
  const unread = (['producers', 'transactions', 'records', 'groupTypes'] as const).flatMap((part) => {
    const read = behaviour[part];
    return read.status === 'NOT_COLLECTED' ? [`${part}: ${read.reason}`] : [];
  });
  if (unread.length === 0) return [];
  return [
    {
      id: 'inventory.client-behaviour-unread',
      severity: 'WARNING',
      subject: plural(unread.length, 'part'),
      criterion: 'apiCompatibility',
      evidence: `Not read from the source's brokers: ${firstFew(unread, 4)}`,
      remediation:
        'Grant what each reason names to the inventory principal and run again; until then transactional and idempotent producers, codecs, record sizes and group protocols are not checked against the target.',
      items: unread,
    },
  ];
}

/** Idempotent producers: producer IDs on the selected topics that are not transactional ones. */
export function idempotentProducerRule(
  inventory: Inventory,
  profile: TargetProfile,
  options: AssessmentOptions,
): Finding[] {
  const behaviour = behaviourOf(inventory);
  if (!behaviour) return [];
  const selected = new Set(scopeOf(inventory, options).topics.map((t) => t.name));
  const transactional = new Set(
    behaviour.transactions.status === 'COLLECTED' ? behaviour.transactions.transactions.map((t) => t.producerId) : [],
  );
  const byTopic =
    behaviour.producers.status === 'COLLECTED'
      ? behaviour.producers.topics
          .filter((t) => selected.has(t.topic))
          .map((t) => ({ topic: t.topic, ids: t.producerIds.filter((id) => !transactional.has(id)) }))
          .filter((t) => t.ids.length > 0)
      : [];
  const sampled = selectedSamples(inventory, options).filter((s) => s.idempotentBatches > s.transactionalBatches);
  const topics = [...new Set([...byTopic.map((t) => t.topic), ...sampled.map((s) => s.topic)])].sort();
  if (topics.length === 0) return [];
  const producerIds = new Set(byTopic.flatMap((t) => t.ids));
  const iam = profile.access.acls === 'NONE';
  return [
    {
      id: 'producers.idempotent',
      severity: iam ? 'WARNING' : 'INFO',
      subject: plural(topics.length, 'topic'),
      criterion: 'networkAndIdentity',
      evidence: `Idempotent producers write ${firstFew(topics, 4)}: ${plural(producerIds.size, 'producer ID')} with state on their partitions (DescribeProducers)${sampled.length > 0 ? `, batches with a producer ID at the tail of ${plural(sampled.length, 'topic')}` : ''}. Producer IDs and sequence numbers are not replicated: on the target each producer starts a new ID.`,
      remediation: iam
        ? `${profile.name} authorizes with IAM: give these producers' roles kafka-cluster:WriteDataIdempotently on the target cluster, or their writes fail with CLUSTER_AUTHORIZATION_FAILED after the switch (idempotence is on by default in Kafka clients from 3.0).`
        : 'Give their principals WRITE on the topics on the target (Kafka 2.8+ implies IDEMPOTENT_WRITE from it); prove one in the rehearsal.',
      items: topics,
    },
  ];
}

function codecsOf(sample: TopicRecordSample): string {
  return Object.entries(sample.codecs)
    .map(([codec, n]) => `${codec}×${n}`)
    .join(', ');
}

/** The codecs the producers use, and what replication does to them. */
export function compressionRule(inventory: Inventory, _profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const samples = selectedSamples(inventory, options).filter((s) => s.batches > 0);
  if (samples.length === 0) return [];
  const compressed = samples.filter((s) => Object.keys(s.codecs).some((c) => c !== 'none'));
  const codecs = [...new Set(samples.flatMap((s) => Object.keys(s.codecs)))].sort();
  const findings: Finding[] = [
    {
      id: 'compression.in-use',
      severity: 'INFO',
      subject: plural(samples.length, 'topic'),
      criterion: 'dataControlAndCost',
      evidence: `Codecs of the record batches sampled at the tail of ${plural(samples.length, 'topic')}: ${codecs.join(', ')} (${firstFew(
        samples.map((s) => `${s.topic}: ${codecsOf(s)}`),
        3,
      )}).`,
      remediation:
        'The target must accept every codec listed (zstd needs Kafka 2.1+ brokers and clients); its consumers decompress what the producers chose.',
      items: samples.map((s) => `${s.topic}: ${codecsOf(s)}`),
    },
  ];
  const topicsByName = new Map(scopeOf(inventory, options).topics.map((t) => [t.name, t]));
  const recompressedByBroker = (topic: string): boolean => {
    const setting = topicsByName.get(topic)?.configs['compression.type'];
    return setting !== undefined && setting !== null && setting !== 'producer' && setting !== 'uncompressed';
  };
  const uncompressedOnTarget = compressed.filter((s) => !recompressedByBroker(s.topic)).map((s) => s.topic);
  if (uncompressedOnTarget.length > 0 && options.replicator !== undefined) {
    findings.push({
      id: 'compression.replicated-uncompressed',
      severity: 'WARNING',
      subject: plural(uncompressedOnTarget.length, 'topic'),
      criterion: 'dataControlAndCost',
      evidence: `Producers compress ${firstFew(uncompressedOnTarget, 4)}; ${options.replicator === 'MSK_REPLICATOR' ? 'MSK Replicator re-produces records with its TargetCompressionType (this tool creates it with NONE)' : "MirrorMaker 2 re-produces records with its producer's compression.type (Kafka's default none)"}, and these topics leave the codec to the producer (compression.type=producer): the target stores and serves them uncompressed until the producers switch.`,
      remediation:
        "Set compression.type on these target topics to the producers' codec (the broker then compresses what the replicator writes), or the replicator's producer compression; size the target's storage and throughput for the uncompressed bytes otherwise.",
      items: uncompressedOnTarget,
    });
  }
  return findings;
}

/** Observed record and batch sizes against the target's largest message. */
export function recordSizeRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const samples = selectedSamples(inventory, options).filter((s) => s.maxBatchBytes !== null);
  if (samples.length === 0) return [];
  const limit = profile.quotas.maxMessageBytes?.value ?? null;
  const describe = (s: TopicRecordSample): string =>
    `${s.topic}: largest record ${s.maxRecordBytes === null ? 'unknown (not decompressed here)' : bytes(s.maxRecordBytes)}, p99 ${s.p99RecordBytes === null ? 'unknown' : bytes(s.p99RecordBytes)}, largest batch ${bytes(s.maxBatchBytes ?? 0)} (${codecsOf(s)})`;
  const bySize = [...samples].sort(
    (a, b) => (b.maxRecordBytes ?? b.maxBatchBytes ?? 0) - (a.maxRecordBytes ?? a.maxBatchBytes ?? 0),
  );
  const largest = bySize[0] as TopicRecordSample;
  const sampledNote = `sampled at the tail of each topic (up to ${plural(
    samples.reduce((n, s) => n + s.records, 0),
    'record',
  )}); older or rarer records may be larger`;
  if (limit === null) {
    return [
      {
        id: 'record-size.observed',
        severity: 'INFO',
        subject: plural(samples.length, 'topic'),
        criterion: 'apiCompatibility',
        evidence: `Observed sizes, ${sampledNote}: ${describe(largest)}. The target's limit is not known (Kafka's default is ${bytes(KAFKA_DEFAULT_MAX)}).`,
        remediation: `Check the target's message.max.bytes is above ${bytes((largest.maxRecordBytes ?? largest.maxBatchBytes ?? 0) + RECORD_BATCH_OVERHEAD)}, or give maxMessageBytes in assessment.profileOverrides.`,
        items: bySize.map(describe),
      },
    ];
  }
  const tooLarge = bySize.filter((s) => s.maxRecordBytes !== null && s.maxRecordBytes + RECORD_BATCH_OVERHEAD > limit);
  const batchesTooLarge = bySize.filter((s) => !tooLarge.includes(s) && (s.maxBatchBytes ?? 0) > limit);
  const findings: Finding[] = [];
  if (tooLarge.length > 0)
    findings.push({
      id: 'record-size.exceeds-target',
      severity: 'BLOCKER',
      subject: plural(tooLarge.length, 'topic'),
      criterion: 'apiCompatibility',
      evidence: `Records larger than ${profile.name} accepts (${bytes(limit)}, ${profile.quotas.maxMessageBytes?.source ?? ''}) were observed, ${sampledNote}: ${firstFew(tooLarge.map(describe), 3)}. Replicating them fails with MESSAGE_TOO_LARGE and stops their partitions.`,
      remediation: `Shrink these records below ${bytes(limit - RECORD_BATCH_OVERHEAD)} at the producers (claim-check: payload in S3, a reference in Kafka), or keep these topics on a target that accepts them; then acknowledge record-size.exceeds-target.`,
      items: tooLarge.map(describe),
    });
  if (batchesTooLarge.length > 0)
    findings.push({
      id: 'record-size.batches-exceed-target',
      severity: 'WARNING',
      subject: plural(batchesTooLarge.length, 'topic'),
      criterion: 'apiCompatibility',
      evidence: `Every record fits ${bytes(limit)}, but producers write batches up to ${bytes(Math.max(...batchesTooLarge.map((s) => s.maxBatchBytes ?? 0)))}: ${firstFew(batchesTooLarge.map(describe), 3)}.`,
      remediation: `Lower these producers' batch.size and max.request.size below ${bytes(limit)} before they switch (the Java client splits a refused batch; other clients fail the send).`,
      items: batchesTooLarge.map(describe),
    });
  if (findings.length === 0)
    findings.push({
      id: 'record-size.observed',
      severity: 'INFO',
      subject: plural(samples.length, 'topic'),
      criterion: 'apiCompatibility',
      evidence: `Observed sizes fit ${profile.name}'s ${bytes(limit)}, ${sampledNote}: ${describe(largest)}.`,
      remediation: 'None; the message-size finding, if any, is about what the topics allow, not what was observed.',
      items: bySize.map(describe),
    });
  return findings;
}

/** Consumer groups on a protocol other than the classic one (KIP-848 `consumer`, share and streams groups). */
export function groupProtocolRule(inventory: Inventory, profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const types = behaviourOf(inventory)?.groupTypes;
  if (types?.status !== 'COLLECTED') return [];
  const modern = types.groups.filter((g) => g.groupType !== null && g.groupType !== 'classic');
  const selected = new Set(
    selectGroups(
      modern.map((g) => g.groupId),
      options.groups,
    ),
  );
  const inScope = modern.filter((g) => selected.has(g.groupId));
  if (inScope.length === 0) return [];
  return [
    {
      id: 'groups.consumer-protocol',
      severity: 'WARNING',
      subject: plural(inScope.length, 'consumer group'),
      criterion: 'apiCompatibility',
      evidence: `${plural(inScope.length, 'group')} use a protocol other than the classic one (ListGroups v5): ${firstFew(
        inScope.map((g) => `${g.groupId} (${g.groupType ?? ''})`),
        4,
      )}. ${profile.name} must run Kafka 4.0+ with that protocol enabled (group.coordinator.rebalance.protocols) for these clients to join after the switch.`,
      remediation:
        'Prove these clients against the target in the rehearsal; where the target lacks the protocol, switch the clients to group.protocol=classic before the cutover (their committed offsets carry over).',
      items: inScope.map((g) => g.groupId),
    },
  ];
}

/** What the brokers keep to the clients: said once, so that the report never implies it was checked. */
export function notVisibleRule(inventory: Inventory): Finding[] {
  const behaviour = behaviourOf(inventory);
  if (!behaviour) return [];
  return [
    {
      id: 'clients.not-visible',
      severity: 'INFO',
      subject: 'client settings',
      criterion: 'apiCompatibility',
      evidence: `Not visible to the Admin API: ${behaviour.notVisible.map((n) => n.split(':')[0]).join('; ')}.`,
      remediation:
        "Collect them from the applications' configuration: a group the cutover does not commit offsets for starts where its auto.offset.reset says, and clients older than the target's minimum API versions fail to connect.",
      items: [...behaviour.notVisible],
    },
  ];
}

/** Most of a topic's sampled values (90%) in one wire format: a schema registry's serde wrote them. */
function dominantWireFormat(s: TopicRecordSample): 'confluent' | 'glue' | undefined {
  const w = s.wireFormats;
  if (!w) return undefined;
  const total = w.confluent + w.glue + w.other;
  if (w.confluent > 0 && w.confluent >= 0.9 * total) return 'confluent';
  if (w.glue > 0 && w.glue >= 0.9 * total) return 'glue';
  return undefined;
}

/**
 * Schema registries in use, read from the record values (the serdes' wire formats), and whether the target's clients
 * will resolve them: replication copies the values byte for byte, schema IDs included.
 */
export function schemaRegistryRule(
  inventory: Inventory,
  _profile: TargetProfile,
  options: AssessmentOptions,
): Finding[] {
  const samples = selectedSamples(inventory, options);
  const findings: Finding[] = [];
  const confluent = samples.filter((s) => dominantWireFormat(s) === 'confluent');
  const glue = samples.filter((s) => dominantWireFormat(s) === 'glue');
  const describe = (s: TopicRecordSample, what: string): string =>
    `${s.topic}: ${what} ${firstFew(s.wireFormats?.schemaIds ?? [], 5)}`;
  if (confluent.length > 0)
    findings.push({
      id: 'schema-registry.confluent-ids',
      severity: 'WARNING',
      subject: plural(confluent.length, 'topic'),
      criterion: 'apiCompatibility',
      evidence: `Record values in the Confluent schema registry wire format (magic byte 0, a schema ID) on ${firstFew(
        confluent.map((s) => describe(s, 'schema IDs')),
        3,
      )}. Replication copies them unchanged: the target's consumers look these IDs up in whichever registry their schema.registry.url names.`,
      remediation:
        "Keep one registry for both sides (the producers' and consumers' schema.registry.url unchanged), or a copy that keeps the same subjects under the same IDs (schema linking / an exporter, a registry in IMPORT mode); a new registry that assigns its own IDs breaks every consumer of these topics. Prove a consumer on the target in the rehearsal.",
      items: confluent.map((s) => describe(s, 'schema IDs')),
    });
  if (glue.length > 0)
    findings.push({
      id: 'schema-registry.glue-versions',
      severity: 'INFO',
      subject: plural(glue.length, 'topic'),
      criterion: 'networkAndIdentity',
      evidence: `Record values written by the AWS Glue Schema Registry serde (header 3, a schema version UUID) on ${firstFew(
        glue.map((s) => describe(s, 'schema versions')),
        3,
      )}. The clients resolve them with glue:GetSchemaVersion in the registry's account and Region, not through Kafka: the target needs no copy.`,
      remediation:
        "Keep the clients' registry settings (Region, registry name) when they switch; a client in another account needs a resource policy on the registry; one in another Region, the registry's Region in its serde configuration.",
      items: glue.map((s) => describe(s, 'schema versions')),
    });
  return findings;
}
