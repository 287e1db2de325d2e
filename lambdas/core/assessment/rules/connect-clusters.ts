import type { ConnectClusterConnector, ConnectClusterInventory, Inventory } from '../../inventory/model';
import { matchesFilter } from '../../replication/topic-selection';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';
import { scopeOf } from '../scope';

/**
 * The self-managed Kafka Connect clusters the plan names (`connectClusters`): a Connect cluster's workers use one
 * Kafka cluster (their bootstrap.servers), which holds the connectors' consumer groups (connect-<name>), and the
 * workers' internal topics (connector configs, source offsets, status). One whose workers use the source keeps its
 * connectors on the source after the cutover unless its workers are moved; the assessment says what moving them takes.
 */

type Collected = Extract<ConnectClusterInventory, { status: 'COLLECTED' }>;

/** What a connector reads: its `topics`, its `topics.regex`, and the topics Connect says it used. */
function readsOf(c: ConnectClusterConnector): string[] {
  return [...new Set([...c.reads, ...(c.kind === 'SINK' ? (c.activeTopics ?? []) : [])])];
}

function describe(c: ConnectClusterConnector): string {
  const reads = [...readsOf(c), ...(c.readsPattern ? [`/${c.readsPattern}/`] : [])];
  const writes = [...new Set([...c.writes, ...(c.kind === 'SOURCE' ? (c.activeTopics ?? []) : [])])];
  const failed = c.taskStates.filter((s) => s === 'FAILED').length;
  const head = `${c.name} (${c.kind.toLowerCase()}, ${c.connectorClass ?? 'class not set'}, ${c.state}${failed ? `, ${plural(failed, 'task')} FAILED` : ''})`;
  const parts = [
    reads.length ? `reads ${firstFew(reads, 3)}` : '',
    writes.length ? `writes ${firstFew(writes, 3)}` : '',
  ];
  const named = parts.filter(Boolean);
  return named.length ? `${head}: ${named.join(', ')}` : head;
}

export function connectClusterRule(
  inventory: Inventory,
  _profile: TargetProfile,
  options: AssessmentOptions,
): Finding[] {
  const clusters = inventory.connectClusters;
  if (!clusters || clusters.length === 0) return [];
  const findings: Finding[] = [];

  const notRead = [
    ...clusters.flatMap((c) => (c.status === 'NOT_COLLECTED' ? [`${c.url}: ${c.reason}`] : [])),
    ...clusters.flatMap((c) => (c.status === 'COLLECTED' ? c.partial.map((p) => `${c.url}: ${p}`) : [])),
  ];
  if (notRead.length > 0)
    findings.push({
      id: 'connect-clusters.not-read',
      severity: 'WARNING',
      subject: plural(notRead.length, 'Connect cluster read'),
      criterion: 'apiCompatibility',
      evidence: `Not read (or read in part): ${firstFew(notRead, 2)}. Its connectors cannot be planned.`,
      remediation:
        "Fix what the reason names (the credentials secret, the URL of a worker's REST listener, the Inventory function's network path to it) and run the inventory again.",
      items: notRead,
    });

  const collected = clusters.filter((c): c is Collected => c.status === 'COLLECTED');
  const selected = new Set(scopeOf(inventory, options).topics.map((t) => t.name));
  for (const c of collected.filter((x) => x.boundToSource === true && x.connectors.length > 0)) {
    const sinks = c.connectors.filter((x) => x.kind === 'SINK');
    const sources = c.connectors.filter((x) => x.kind === 'SOURCE');
    findings.push({
      id: 'connect-clusters.bound-to-source',
      severity: 'WARNING',
      subject: c.url,
      criterion: 'apiCompatibility',
      evidence: `The workers of ${c.url} (Kafka Connect ${c.version ?? '?'}) use the source (Kafka cluster id ${c.kafkaClusterId ?? '?'}) and run ${plural(c.connectors.length, 'connector')}: ${firstFew(c.connectors.map(describe), 3)}. The cutover does not move them: after it they keep ${sources.length ? 'writing to' : 'reading from'} the source.`,
      remediation: `Move the workers to the target (bootstrap.servers, and the producer./consumer./admin. overrides) with the clients: ${sinks.length ? `the ${plural(sinks.length, 'sink')} with the consumers, their groups (connect-<name>) selected in replication.consumerGroups so they resume at translated offsets` : ''}${sinks.length && sources.length ? '; ' : ''}${sources.length ? `the ${plural(sources.length, 'source connector')} after the fence, its source offsets kept only if the workers' offset.storage.topic is replicated` : ''}. The workers' config, offset and status topics must exist on the target (replicate them, or let the workers create them and re-create the connectors).`,
      items: c.connectors.map(describe),
    });
    // A sink reading a topic the replication does not select reads nothing on the target.
    const unreplicated = sinks.flatMap((s) => {
      const topics = readsOf(s).filter((t) => !selected.has(t));
      const pattern = s.readsPattern;
      const patternMisses =
        pattern && ![...selected].some((t) => matchesFilter(t, { include: [pattern], exclude: [] }))
          ? [`/${pattern}/ (no selected topic matches)`]
          : [];
      return [...topics, ...patternMisses].map((t) => `${s.name}: ${t}`);
    });
    if (unreplicated.length > 0)
      findings.push({
        id: 'connect-clusters.topics-not-replicated',
        severity: 'WARNING',
        subject: plural(unreplicated.length, 'topic'),
        criterion: 'apiCompatibility',
        evidence: `Sinks of ${c.url} read topics the replication does not select: ${firstFew(unreplicated, 3)}.`,
        remediation:
          'Add them to replication.topics, or keep these connectors on the source until their topics move (a sink on the target would find them empty).',
        items: unreplicated,
      });
  }

  const unknown = collected.filter((c) => c.boundToSource === null && c.connectors.length > 0);
  if (unknown.length > 0)
    findings.push({
      id: 'connect-clusters.binding-unknown',
      severity: 'WARNING',
      subject: plural(unknown.length, 'Connect cluster'),
      criterion: 'apiCompatibility',
      evidence: `Which Kafka cluster the workers of ${firstFew(
        unknown.map((c) => c.url),
        3,
      )} use is not known (GET / gave no kafka_cluster_id, or the source's id was not read).`,
      remediation:
        "Check the workers' bootstrap.servers: if they name the source, their connectors need moving with the clients.",
      items: unknown.flatMap((c) => c.connectors.map((x) => `${c.url} ${describe(x)}`)),
    });

  if (collected.length > 0)
    findings.push({
      id: 'connect-clusters.inventory',
      severity: 'INFO',
      subject: plural(collected.length, 'Connect cluster'),
      criterion: 'apiCompatibility',
      evidence: collected
        .map(
          (c) =>
            `${c.url}: Kafka Connect ${c.version ?? '?'}, ${c.boundToSource === true ? 'workers on the source' : c.boundToSource === false ? 'workers on another Kafka cluster' : 'Kafka cluster unknown'}, ${plural(c.connectors.length, 'connector')}${c.truncated ? ' (more not described)' : ''}`,
        )
        .join('; '),
      remediation: 'Nothing to do for a cluster whose workers use another Kafka cluster.',
      items: collected.flatMap((c) => c.connectors.map((x) => `${c.url} ${describe(x)}`)),
    });
  return findings;
}
