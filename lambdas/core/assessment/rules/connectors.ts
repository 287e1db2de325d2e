import type { Connector, Inventory } from '../../inventory/model';
import type { TargetProfile } from '../../profiles/profile';
import { firstFew, plural, type AssessmentOptions, type Finding } from '../finding';

/**
 * Each connector bound to the source, with its plan: a sink moves with the consumers, a source connector with the
 * producers; MSK Connect cannot repoint a connector, so the plan's MSK_CONNECT_CONNECTOR switch recreates it on the
 * target (docs/client-switches.md). A connector the plan does not switch keeps reading or writing the source after the
 * cutover.
 */

function topicsOf(c: Connector): string {
  const reads = [...c.reads, ...(c.readsPattern ? [`/${c.readsPattern}/`] : [])];
  const parts = [
    reads.length > 0 ? `reads ${firstFew(reads, 3)}` : '',
    c.writes.length > 0 ? `writes ${firstFew(c.writes, 3)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'its topics are not named by a known configuration key';
}

export function connectorRule(inventory: Inventory, _profile: TargetProfile, options: AssessmentOptions): Finding[] {
  const connectors = inventory.connectors;
  if (connectors?.status !== 'COLLECTED') return [];
  const switched = new Map(options.connectorSwitches.map((s) => [s.connectorArn, s.role]));
  const findings: Finding[] = [];
  for (const c of connectors.connectors.filter((x) => x.boundToSource)) {
    const role = switched.get(c.arn);
    const expected = c.kind === 'SOURCE' ? 'PRODUCERS' : 'CONSUMERS';
    const what = `${c.name} (${c.kind === 'UNKNOWN' ? 'kind unknown' : c.kind.toLowerCase()} connector, ${c.connectorClass ?? 'class not set'}, ${c.state})`;
    if (role === undefined) {
      findings.push({
        id: 'connectors.not-switched',
        severity: 'WARNING',
        subject: c.name,
        criterion: 'apiCompatibility',
        evidence: `${what} runs against the source: ${topicsOf(c)}. The plan's cutover.switches do not move it, so after the cutover it keeps ${c.kind === 'SOURCE' ? 'writing to' : 'reading from'} the source.`,
        remediation:
          c.kind === 'UNKNOWN'
            ? `Its configuration does not say whether it reads or writes: add an MSK_CONNECT_CONNECTOR switch for ${c.arn} with role CONSUMERS for a sink, PRODUCERS for a source connector.`
            : c.kind === 'SOURCE'
              ? `Add an MSK_CONNECT_CONNECTOR switch with role PRODUCERS and connectorArn ${c.arn}: it is recreated on the target after the fence. Its source offsets (Connect's offset storage on the source cluster) are not carried: expect a re-snapshot or duplicates unless the connector can resume from its own system.`
              : `Add an MSK_CONNECT_CONNECTOR switch with role CONSUMERS and connectorArn ${c.arn}: it is recreated on the target under its name and resumes at the translated offsets of its group (connect-${c.name}); select that group in replication.consumerGroups.`,
        items: [c.arn],
      });
    } else if (c.kind !== 'UNKNOWN' && role !== expected) {
      findings.push({
        id: 'connectors.switch-role',
        severity: 'WARNING',
        subject: c.name,
        criterion: 'apiCompatibility',
        evidence: `${what} ${topicsOf(c)}, but its switch has role ${role}.`,
        remediation: `Give its MSK_CONNECT_CONNECTOR switch role ${expected}: ${expected === 'PRODUCERS' ? 'a source connector writes, and moves after the fence' : 'a sink connector reads, and moves with the consumers'}.`,
        items: [c.arn],
      });
    }
  }
  const bound = connectors.connectors.filter((x) => x.boundToSource);
  if (bound.length > 0)
    findings.push({
      id: 'connectors.inventory',
      severity: 'INFO',
      subject: plural(bound.length, 'connector'),
      criterion: 'apiCompatibility',
      evidence: `${connectors.platform} connectors bound to the source: ${firstFew(
        bound.map((c) => `${c.name}: ${topicsOf(c)}`),
        4,
      )}.`,
      remediation:
        'Each is planned above (switched by the plan, or a warning). Select the topics they read and write for replication; a sink connector of another Kafka Connect cluster (self-managed) is not listed here: move it by hand.',
      items: bound.map((c) => `${c.name} (${c.kind}): ${topicsOf(c)}`),
    });
  return findings;
}
