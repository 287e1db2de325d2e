import { describedGroups, describedTopics, type Inventory, type Peak } from '../inventory/model';
import type { Assessment } from './assess';
import { bytes, type Finding, type Severity } from './finding';

/**
 * The assessment as a person reads it (Markdown: verdict, counts, blockers first, the five criteria, the inventory in
 * tables) and as a program reads it (JSON: the assessment and the whole inventory). Pure: strings in, strings out.
 */

const TABLE_ROWS = 25;
const ITEMS_SHOWN = 20;

function cell(value: unknown): string {
  return String(value ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

function table(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const lines = [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const n = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : v.toLocaleString('en-US'));
const peak = (p: Peak | null | undefined, unit: 'bytes' | 'count'): string =>
  p ? (unit === 'bytes' ? `${bytes(p.peak)}/s` : n(Math.round(p.peak))) : '—';

const TITLES: Record<Severity, string> = { BLOCKER: 'Blockers', WARNING: 'Warnings', INFO: 'Information' };

function findingBlock(f: Finding, index: number): string {
  const lines = [
    `### ${index}. \`${f.id}\` — ${f.subject}${f.acknowledged ? ' (acknowledged blocker)' : ''}`,
    '',
    `**Evidence.** ${f.evidence}`,
    '',
    `**Remediation.** ${f.remediation}`,
  ];
  if (f.items && f.items.length > 0) {
    lines.push('', ...f.items.slice(0, ITEMS_SHOWN).map((i) => `- ${i}`));
    if (f.items.length > ITEMS_SHOWN) lines.push(`- … and ${f.items.length - ITEMS_SHOWN} more (see the JSON report)`);
  }
  return lines.join('\n');
}

function verdictLine(a: Assessment): string {
  if (a.blocked)
    return `**Verdict: blocked.** ${n(a.counts.BLOCKER)} ${a.counts.BLOCKER === 1 ? 'blocker' : 'blockers'} must be resolved or acknowledged before anything is created.`;
  if (a.counts.WARNING > 0)
    return `**Verdict: fits with changes.** No blocker; ${n(a.counts.WARNING)} ${a.counts.WARNING === 1 ? 'warning needs' : 'warnings need'} a decision before cutover.`;
  return '**Verdict: fits.** No blocker and no warning.';
}

function inventorySection(inventory: Inventory): string {
  const out: string[] = ['## Source inventory', ''];
  const cp = inventory.controlPlane;
  const dp = inventory.dataPlane;
  const rows: Array<[string, string]> = [
    ['Name', inventory.source.name],
    ['Bootstrap servers', inventory.source.bootstrapServers.join(', ')],
    ['Inventory connected with', inventory.source.authMechanism],
    ['Kafka cluster id', dp.clusterId ?? '—'],
    ['Brokers (data plane)', n(dp.brokers.length)],
  ];
  if (cp.status === 'COLLECTED') {
    const c = cp.cluster;
    rows.push(
      ['MSK cluster', `${c.clusterName} (${c.clusterType}, ${c.state})`],
      ['Kafka version', c.kafkaVersion ?? '—'],
      [
        'Brokers (MSK)',
        c.brokers
          ? `${c.brokers.count} × ${c.brokers.instanceType}, ${c.brokers.storageGiB ?? '?'} GiB ${c.brokers.storageMode ?? ''}`.trim()
          : '—',
      ],
      [
        'Authentication',
        (['iam', 'scram', 'mtls', 'unauthenticated'] as const).filter((k) => c.authentication[k]).join(', ') || 'none',
      ],
      ['Encryption in transit', c.encryptionInTransit.clientBroker ?? '—'],
      [
        'Configuration',
        c.configuration ? `${c.configuration.arn} revision ${c.configuration.revision}` : 'MSK default',
      ],
      ['Enhanced monitoring', c.enhancedMonitoring ?? '—'],
    );
  } else rows.push(['MSK control plane', `not collected: ${cp.reason}`]);
  out.push(table(['', ''], rows), '');

  const topics = describedTopics(inventory);
  const partitions = topics.reduce((s, t) => s + t.partitionCount, 0);
  out.push(
    `### Topics: ${n(topics.length)} (${n(partitions)} partitions; ${n(topics.filter((t) => t.compacted).length)} compacted; ${n(dp.topics.filter((t) => t.status === 'UNDESCRIBABLE').length)} undescribable)`,
    '',
  );
  const biggest = [...topics].sort((a, b) => b.partitionCount - a.partitionCount || (a.name < b.name ? -1 : 1));
  out.push(
    table(
      [
        'Topic',
        'Partitions',
        'RF',
        'cleanup.policy',
        'max.message.bytes',
        'retention.ms',
        'Non-default configs',
        'Records',
      ],
      biggest.slice(0, TABLE_ROWS).map((t) => [
        t.name,
        t.partitionCount,
        t.replicationFactor,
        t.cleanupPolicy,
        t.maxMessageBytes,
        t.retentionMs,
        Object.entries(t.configs)
          .map(([k, v]) => `${k}=${v ?? '(sensitive)'}`)
          .join(', ') || '—',
        n(t.retainedRecords),
      ]),
    ),
  );
  if (topics.length > TABLE_ROWS)
    out.push('', `The ${TABLE_ROWS} topics with the most partitions; all ${n(topics.length)} are in the JSON report.`);
  const undescribable = dp.topics.filter((t) => t.status === 'UNDESCRIBABLE');
  if (undescribable.length > 0)
    out.push(
      '',
      table(
        ['Undescribable topic', 'Reason'],
        undescribable.slice(0, TABLE_ROWS).map((t) => [t.name, t.status === 'UNDESCRIBABLE' ? t.reason : '']),
      ),
    );

  const groups = describedGroups(inventory);
  const states = new Map<string, number>();
  for (const g of groups) states.set(g.state, (states.get(g.state) ?? 0) + 1);
  out.push(
    '',
    `### Consumer groups: ${n(dp.groups.length)} (${[...states.entries()].map(([s, c]) => `${c} ${s}`).join(', ') || 'none'})`,
    '',
  );
  const byLag = [...groups].sort((a, b) => (b.totalLag ?? -1) - (a.totalLag ?? -1) || (a.groupId < b.groupId ? -1 : 1));
  if (byLag.length > 0) {
    out.push(
      table(
        ['Group', 'State', 'Members', 'Topics', 'Lag', 'Partitions committed below log start'],
        byLag
          .slice(0, TABLE_ROWS)
          .map((g) => [
            g.groupId,
            g.state,
            g.members.length,
            g.topics.join(', ') || '—',
            n(g.totalLag),
            g.partitionsBehindLogStart,
          ]),
      ),
    );
  }

  const undescribableGroups = dp.groups.filter((g) => g.status === 'UNDESCRIBABLE');
  if (undescribableGroups.length > 0)
    out.push(
      '',
      table(
        ['Undescribable group', 'Reason'],
        undescribableGroups.slice(0, TABLE_ROWS).map((g) => [g.groupId, g.status === 'UNDESCRIBABLE' ? g.reason : '']),
      ),
    );

  out.push('', '### ACLs', '');
  if (dp.acls.status === 'NOT_COLLECTED') out.push(`Not collected: ${dp.acls.reason}`);
  else if (!dp.acls.authorizerEnabled)
    out.push('No authorizer on the source: every authenticated principal may do everything.');
  else if (dp.acls.bindings.length === 0) out.push('Authorizer on, no ACL binding.');
  else {
    const byPrincipal = new Map<string, number>();
    for (const b of dp.acls.bindings) byPrincipal.set(b.principal, (byPrincipal.get(b.principal) ?? 0) + 1);
    out.push(
      table(
        ['Principal', 'Bindings'],
        [...byPrincipal.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(0, TABLE_ROWS),
      ),
    );
  }

  out.push('', '### Client quotas', '');
  if (dp.clientQuotas.status === 'NOT_COLLECTED') out.push(`Not collected: ${dp.clientQuotas.reason}`);
  else if (dp.clientQuotas.quotas.length === 0) out.push('None.');
  else
    out.push(
      table(
        ['Entity', 'Quotas'],
        dp.clientQuotas.quotas.slice(0, TABLE_ROWS).map((q) => [
          q.entity.map((e) => `${e.type}=${e.name ?? '<default>'}`).join(', '),
          Object.entries(q.values)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        ]),
      ),
    );

  out.push('', '### Throughput', '');
  const tp = inventory.throughput;
  if (tp.status === 'NOT_COLLECTED') out.push(`Not collected: ${tp.reason}`);
  else {
    out.push(
      `Window ${tp.window.start} → ${tp.window.end}, period ${tp.window.periodSeconds} s (statistic Maximum).`,
      '',
    );
    out.push(
      table(
        ['Metric', 'Peak', 'Peak at', 'Mean'],
        [
          [
            'BytesInPerSec',
            peak(tp.cluster.bytesInPerSec, 'bytes'),
            tp.cluster.bytesInPerSec?.peakAt ?? '—',
            tp.cluster.bytesInPerSec?.mean ? `${bytes(tp.cluster.bytesInPerSec.mean)}/s` : '—',
          ],
          [
            'BytesOutPerSec',
            peak(tp.cluster.bytesOutPerSec, 'bytes'),
            tp.cluster.bytesOutPerSec?.peakAt ?? '—',
            tp.cluster.bytesOutPerSec?.mean ? `${bytes(tp.cluster.bytesOutPerSec.mean)}/s` : '—',
          ],
          [
            'MessagesInPerSec',
            peak(tp.cluster.messagesInPerSec, 'count'),
            tp.cluster.messagesInPerSec?.peakAt ?? '—',
            '—',
          ],
          [
            'ConnectionCount',
            peak(tp.cluster.connectionCount, 'count'),
            tp.cluster.connectionCount?.peakAt ?? '—',
            '—',
          ],
        ],
      ),
    );
    const busiest = [...tp.topics]
      .sort((a, b) => (b.bytesInPerSec?.peak ?? 0) - (a.bytesInPerSec?.peak ?? 0))
      .slice(0, 10);
    if (busiest.length > 0)
      out.push(
        '',
        table(
          ['Topic', 'Peak in', 'Peak out', 'Peak messages/s'],
          busiest.map((t) => [
            t.topic,
            peak(t.bytesInPerSec, 'bytes'),
            peak(t.bytesOutPerSec, 'bytes'),
            peak(t.messagesInPerSec, 'count'),
          ]),
        ),
      );
    for (const note of tp.notes) out.push('', `Note: ${note}`);
  }

  if (inventory.gaps.length > 0) {
    out.push(
      '',
      `### What the inventory could not read (${n(inventory.gaps.length)})`,
      '',
      table(
        ['Part', 'Reason'],
        inventory.gaps.slice(0, TABLE_ROWS).map((g) => [g.part, g.reason]),
      ),
    );
  }
  return out.join('\n');
}

export function renderAssessmentReport(
  inventory: Inventory,
  assessment: Assessment,
  context: { title?: string; inventoryKey?: string } = {},
): { markdown: string; json: string } {
  const a = assessment;
  const out: string[] = [
    `# ${context.title ?? `Migration assessment: ${inventory.source.name} → ${a.profile.name}`}`,
    '',
    verdictLine(a),
    '',
    `Inventory taken ${inventory.collectedAt} (${inventory.complete ? 'complete' : `incomplete: ${inventory.gaps.length} ${inventory.gaps.length === 1 ? 'part' : 'parts'} not read`}); assessed ${a.assessedAt} against ${a.profile.name}, keeping ${Math.round(a.options.headroom * 100)}% headroom on every quota.` +
      (context.inventoryKey ? ` Inventory: \`${context.inventoryKey}\`.` : ''),
    '',
    table(
      ['Severity', 'Findings'],
      (['BLOCKER', 'WARNING', 'INFO'] as const).map((s) => [s, n(a.counts[s])]),
    ),
    '',
    table(
      ['In scope', 'Count'],
      [
        ['Topics selected', n(a.scope.topics)],
        ['Partitions selected', n(a.scope.partitions)],
        ['Consumer groups selected', n(a.scope.groups)],
        ['Topics not selected by any include pattern', n(a.scope.notSelected)],
        ['Topics excluded', n(a.scope.excluded)],
        ['Selected topics that could not be described', n(a.scope.undescribable)],
      ],
    ),
  ];
  let index = 1;
  for (const severity of ['BLOCKER', 'WARNING'] as const) {
    const mine = a.findings.filter((f) => f.severity === severity);
    if (mine.length === 0) continue;
    out.push('', `## ${TITLES[severity]} (${mine.length})`);
    for (const f of mine) out.push('', findingBlock(f, index++));
  }
  const info = a.findings.filter((f) => f.severity === 'INFO');
  if (info.length > 0) {
    out.push(
      '',
      `## ${TITLES.INFO} (${info.length})`,
      '',
      table(
        ['Id', 'Subject', 'Evidence', 'Remediation'],
        info.map((f) => [`\`${f.id}\``, f.subject, f.evidence, f.remediation]),
      ),
    );
  }
  out.push(
    '',
    '## The five criteria',
    '',
    table(
      ['Criterion', 'Verdict', `${a.profile.name} offers`, 'Findings'],
      a.criteria.map((c) => [
        c.title,
        c.verdict.replace(/_/g, ' ').toLowerCase(),
        c.target,
        c.findingIds.join(', ') || '—',
      ]),
    ),
  );
  for (const c of a.criteria) {
    out.push(
      '',
      `### ${c.title}: measured on the source`,
      '',
      table(
        ['Measure', 'Value'],
        c.measured.map((m) => [m.label, m.value]),
      ),
    );
  }
  if (a.profile.mustTest.length > 0)
    out.push('', '## To prove in the rehearsal', '', ...a.profile.mustTest.map((t) => `- ${t}`));
  const quotaRows = Object.entries(a.profile.quotas).map(([name, q]) => [
    name,
    q?.value === null || q?.value === undefined ? 'unknown' : n(q.value),
    q?.unit ?? '',
    q?.adjustable ? 'yes' : 'no',
    q?.source ?? '',
  ]);
  out.push('', '## Target quotas used', '', table(['Quota', 'Value', 'Unit', 'Adjustable', 'Source'], quotaRows));
  out.push('', inventorySection(inventory), '');
  const json = JSON.stringify(
    { assessment: a, inventory, ...(context.inventoryKey ? { inventoryKey: context.inventoryKey } : {}) },
    null,
    2,
  );
  return { markdown: out.join('\n'), json };
}
