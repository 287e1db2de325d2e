import { CHECKLIST_GATES, checklistHtml, checklistMarkdown, gatesLine } from '../../lambdas/core/report/checklist';
import { deployedChecklist } from '../../lambdas/core/report/deployed-checklist';
import {
  finalNotification,
  writeMigrationReport,
  type MigrationReportFacts,
} from '../../lambdas/core/report/migration-report';
import { MemoryArtifacts } from './validation-fake-kafka';

/**
 * The deployed report's checklist: each of the seven gates judged from what the execution left, one test per verdict
 * path, and the report files (Markdown, HTML) and the final notification that carry it.
 */

const P = 'migrations/m/exec-1/';
const base: MigrationReportFacts = {
  outcome: 'FAILED',
  migrationId: 'm',
  execution: { name: 'exec-1' },
  reportedAt: '2026-11-02T12:00:00.000Z',
  phasesReached: [],
  approvals: [],
  unreadable: [],
};
const assessment = (counts: { BLOCKER: number; WARNING: number; INFO: number }, acknowledged: string[] = []) => ({
  profile: 'MSK_SERVERLESS',
  counts,
  findings: [],
  acknowledged,
  reportKey: `${P}assessment/assessment.json`,
  markdownKey: `${P}assessment/assessment.md`,
});
const inventory = {
  inventoryKey: `${P}inventory/inventory.json`,
  counts: { topics: 2 },
  complete: true,
  gaps: [],
} as unknown as MigrationReportFacts['inventory'];
const replication = (alarmNames: string[] = ['lag-alarm']): MigrationReportFacts['replication'] => ({
  handle: { engine: 'MSK_REPLICATOR', name: 'rep', id: 'arn:rep' },
  topicsKey: `${P}replication/topics.json`,
  alarmNames,
});
const catchUp = {
  passed: true,
  evaluations: 4,
  consecutiveHealthy: 3,
  startedAt: '2026-11-01T10:00:00.000Z',
  lastEvaluatedAt: '2026-11-01T10:30:00.000Z',
  lastReasons: [],
  lastEvidenceKey: `${P}catch-up/evaluation-0004.json`,
} as unknown as MigrationReportFacts['catchUp'];
type Access = NonNullable<NonNullable<MigrationReportFacts['validation']>['access']>;
const validation = (
  more: { duplicates?: number; access?: Access } = {},
): NonNullable<MigrationReportFacts['validation']> => ({
  passed: true,
  evidenceKey: `${P}validation/validation.json`,
  checked: {
    topics: 2,
    partitions: 6,
    configs: 4,
    sampledRecords: 60,
    groups: 2,
    groupPartitions: 6,
    accessChecks: 3,
  },
  ...(more.access ? { access: more.access } : {}),
  ...(more.duplicates
    ? { duplicates: { records: more.duplicates, partitions: [{ subject: 'orders-0', records: 2, ranges: ['4-5'] }] } }
    : {}),
  notes: [],
});
const drain = (drained: boolean) =>
  ({
    drained,
    partitions: 6,
    partitionsDrained: drained ? 6 : 4,
    recordsAfterFence: '0',
    evidenceKey: `${P}cutover/drain-0002.json`,
  }) as unknown as NonNullable<NonNullable<MigrationReportFacts['cutover']>['drain']>;
const offsets = (complete: boolean, redelivered = 0) =>
  ({
    complete,
    groups: 2,
    partitionsCommitted: 6,
    committed: [
      { groupId: 'a', partitions: 3, status: 'COMMITTED' },
      { groupId: 'b', partitions: 3, status: 'COMMITTED' },
    ],
    redeliveredRecords: redelivered,
    evidenceKey: `${P}cutover/offsets.json`,
  }) as unknown as NonNullable<NonNullable<MigrationReportFacts['cutover']>['offsets']>;
const window = (closed: boolean) =>
  ({
    healthy: true,
    checks: 5,
    windowClosed: closed,
    figures: { alarmsInAlarm: 0 },
    evidenceKey: `${P}window/health-0005.json`,
  }) as unknown as NonNullable<MigrationReportFacts['window']>;
const err = (error: string, cause = 'what went wrong') => ({ error: { error, cause } });

const verdict = (facts: Partial<MigrationReportFacts>, evidence: string[] = []) =>
  deployedChecklist({ ...base, ...facts }, evidence);

describe('deployed checklist: Compatibility', () => {
  it('passes on an assessment with no blocker and no warning, naming the inventory and assessment keys', () => {
    const gate = verdict({ inventory, assessment: assessment({ BLOCKER: 0, WARNING: 0, INFO: 2 }) }).Compatibility;
    expect(gate.status).toBe('PASS');
    expect(gate.evidenceKeys).toEqual([
      `${P}inventory/inventory.json`,
      `${P}assessment/assessment.json`,
      `${P}assessment/assessment.md`,
    ]);
  });
  it('warns on warnings, and on acknowledged blockers', () => {
    expect(verdict({ assessment: assessment({ BLOCKER: 0, WARNING: 2, INFO: 0 }) }).Compatibility.status).toBe('WARN');
    const acked = verdict({ assessment: assessment({ BLOCKER: 1, WARNING: 0, INFO: 0 }, ['X']) }).Compatibility;
    expect(acked.status).toBe('WARN');
    expect(acked.evidence).toContain('acknowledged');
  });
  it('fails when the assessment blocked the migration, citing its report from the evidence', () => {
    const gate = verdict({ inventory, ...err('Migration.AssessmentBlocked', '1 blocker against MSK_SERVERLESS') }, [
      `${P}assessment/assessment.md`,
    ]).Compatibility;
    expect(gate).toMatchObject({
      status: 'FAIL',
      evidenceKeys: [`${P}inventory/inventory.json`, `${P}assessment/assessment.md`],
    });
    expect(gate.evidence).toContain('1 blocker against MSK_SERVERLESS');
  });
  it('is not run without an assessment', () => {
    expect(verdict({}).Compatibility.status).toBe('NOT_RUN');
  });
});

describe('deployed checklist: Data copy', () => {
  it('passes on a validated target, with the topics, catch-up and validation keys', () => {
    const gate = verdict({ replication: replication(), catchUp, validation: validation() })['Data copy'];
    expect(gate.status).toBe('PASS');
    expect(gate.evidence).toContain('60 sampled records');
    expect(gate.evidenceKeys).toEqual([
      `${P}replication/topics.json`,
      `${P}catch-up/evaluation-0004.json`,
      `${P}validation/validation.json`,
    ]);
  });
  it('warns when a restarted replicator copied records twice', () => {
    expect(verdict({ validation: validation({ duplicates: 2 }) })['Data copy'].status).toBe('WARN');
  });
  it.each(['Migration.ValidationFailed', 'Migration.LagTimeout', 'Migration.ReplicationFailed'])(
    'fails on %s',
    (name) => {
      expect(verdict({ replication: replication(), ...err(name) })['Data copy']).toMatchObject({ status: 'FAIL' });
    },
  );
  it('is not run when replication ran but the target was not validated', () => {
    expect(verdict({ replication: replication(), catchUp })['Data copy'].status).toBe('NOT_RUN');
  });
});

describe('deployed checklist: Offsets', () => {
  it('passes when every group was committed on the target with nothing read twice', () => {
    const gate = verdict({ validation: validation(), cutover: { offsets: offsets(true) } }).Offsets;
    expect(gate).toMatchObject({
      status: 'PASS',
      evidenceKeys: [`${P}cutover/offsets.json`, `${P}validation/validation.json`],
    });
  });
  it('warns when consumers read records again', () => {
    expect(verdict({ cutover: { offsets: offsets(true, 12) } }).Offsets.status).toBe('WARN');
  });
  it('fails when the cutover failed before every group was committed', () => {
    expect(verdict({ cutover: { offsets: offsets(false) }, ...err('Migration.CutoverFailed') }).Offsets.status).toBe(
      'FAIL',
    );
  });
  it('is not run before the cutover', () => {
    expect(verdict({ validation: validation() }).Offsets.status).toBe('NOT_RUN');
  });
});

describe('deployed checklist: Ordering', () => {
  it("passes when the drain found the source's tails on the target in order", () => {
    const gate = verdict({ validation: validation(), cutover: { drain: drain(true) } }).Ordering;
    expect(gate).toMatchObject({
      status: 'PASS',
      evidenceKeys: [`${P}validation/validation.json`, `${P}cutover/drain-0002.json`],
    });
  });
  it('warns on partition parity alone (the drain was not reached)', () => {
    expect(verdict({ validation: validation() }).Ordering.status).toBe('WARN');
  });
  it('fails when the drain did not prove the tails and the cutover failed', () => {
    expect(verdict({ cutover: { drain: drain(false) }, ...err('Migration.CutoverFailed') }).Ordering.status).toBe(
      'FAIL',
    );
  });
  it('is not run without validation or drain', () => {
    expect(verdict({}).Ordering.status).toBe('NOT_RUN');
  });
});

describe('deployed checklist: Security', () => {
  const access = (status: Access['status']): Access => ({ status, principals: 2, listedBy: 'SOURCE_ACLS' });
  it.each([
    ['CHECKED', 'PASS'],
    ['PARTLY_CHECKED', 'WARN'],
    ['NOT_CHECKABLE', 'WARN'],
    ['SKIPPED', 'WARN'],
  ] as const)('access %s on the target is %s', (status, expected) => {
    expect(verdict({ validation: validation({ access: access(status) }) }).Security.status).toBe(expected);
  });
  it('fails on Migration.AuthFailed', () => {
    expect(verdict(err('Migration.AuthFailed', 'SASL authentication failed')).Security.status).toBe('FAIL');
  });
  it('is not run when the access was not checked', () => {
    expect(verdict({}).Security.status).toBe('NOT_RUN');
  });
});

describe('deployed checklist: Observability', () => {
  it('passes with catch-up evaluations and the replicator alarms', () => {
    const gate = verdict({ replication: replication(), catchUp, window: window(true) }).Observability;
    expect(gate).toMatchObject({
      status: 'PASS',
      evidenceKeys: [`${P}catch-up/evaluation-0004.json`, `${P}window/health-0005.json`],
    });
  });
  it('warns when an MSK Replicator ran without alarms', () => {
    expect(verdict({ replication: replication([]), catchUp }).Observability.status).toBe('WARN');
  });
  it('is not run before the catch-up', () => {
    expect(verdict({ replication: replication() }).Observability.status).toBe('NOT_RUN');
  });
});

describe('deployed checklist: Rollback', () => {
  it('passes when the migration was rolled back, naming the steps', () => {
    const gate = verdict({
      outcome: 'ROLLED_BACK',
      ...err('Migration.LagTimeout'),
      rollbackReplication: { outcome: 'DONE', notes: [] },
    }).Rollback;
    expect(gate.status).toBe('PASS');
    expect(gate.evidence).toContain('RollbackReplication (DONE)');
  });
  it('fails when a rollback step failed', () => {
    expect(
      verdict({ outcome: 'ROLLBACK_FAILED', rollbackError: { error: 'Migration.RollbackFailed', cause: 'x' } }).Rollback
        .status,
    ).toBe('FAIL');
  });
  it('warns after the point of no return (failback is a person’s decision)', () => {
    expect(verdict({ outcome: 'NEEDS_ATTENTION' }).Rollback.status).toBe('WARN');
  });
  it('is not run when the window closed with the target healthy', () => {
    const gate = verdict({ outcome: 'SUCCEEDED', window: window(true) }).Rollback;
    expect(gate).toMatchObject({ status: 'NOT_RUN', evidenceKeys: [`${P}window/health-0005.json`] });
  });
});

describe('deployed report files and the final notification', () => {
  it('writes the seven gates with their evidence keys into report.json, report.md and report.html', async () => {
    // Prepare
    const artifacts = new MemoryArtifacts();
    const facts: MigrationReportFacts = {
      ...base,
      outcome: 'SUCCEEDED',
      inventory,
      assessment: assessment({ BLOCKER: 0, WARNING: 0, INFO: 0 }),
      replication: replication(),
      catchUp,
      validation: validation({ access: { status: 'CHECKED', principals: 1 } }),
      cutover: { drain: drain(true), offsets: offsets(true) },
      window: window(true),
    };
    // Act
    const keys = await writeMigrationReport(facts, { artifacts });
    // Assess
    const json = (await artifacts.getJson(keys.reportKey)) as { checklist: Record<string, { status: string }> };
    expect(Object.keys(json.checklist)).toEqual([...CHECKLIST_GATES]);
    expect(json.checklist.Rollback?.status).toBe('NOT_RUN');
    const md = (await artifacts.getText(keys.markdownKey)) ?? '';
    expect(md).toContain('## Checklist');
    expect(md).toContain('| Data copy | ✅ PASS |');
    expect(md).toContain(`\`${P}validation/validation.json\``);
    const html = (await artifacts.getText(keys.htmlKey)) ?? '';
    expect(keys.htmlKey).toBe(`${P}report/report.html`);
    expect(html.match(/<span class="pill good">Pass<\/span>/g)).toHaveLength(6);
    expect(html.match(/<span class="pill idle">Not run<\/span>/g)).toHaveLength(1);
    expect(html).toContain(`<code>${P}cutover/drain-0002.json</code>`);
  });

  it('renders the same checklist rows for the rehearsal and the deployed report (one model)', () => {
    const checklist = verdict({ validation: validation() });
    expect(checklistMarkdown(checklist).split('\n')).toHaveLength(2 + CHECKLIST_GATES.length);
    expect(checklistHtml(checklist).match(/<tr><td class="gate">/g)).toHaveLength(CHECKLIST_GATES.length);
  });

  it('links the HTML report from the final notification, with the gates in one line', () => {
    const gates = Object.fromEntries(CHECKLIST_GATES.map((g) => [g, 'PASS'])) as Parameters<typeof gatesLine>[0];
    const { summary, figures } = finalNotification(
      {
        outcome: 'SUCCEEDED',
        htmlKey: `${P}report/report.html`,
        gates: { ...gates, Rollback: 'NOT_RUN', Security: 'WARN' },
      },
      { bucket: 'evidence-bucket', region: 'eu-west-1' },
    );
    expect(summary).toBe(
      'Migration SUCCEEDED. Gates: 1 Warn (Security), 5 Pass, 1 Not run (Rollback). Report: https://eu-west-1.console.aws.amazon.com/s3/object/evidence-bucket?region=eu-west-1&bucketType=general&prefix=migrations%2Fm%2Fexec-1%2Freport%2Freport.html',
    );
    expect(figures.report).toBe(`s3://evidence-bucket/${P}report/report.html`);
  });

  it('tells the operator when the replicator was kept for consumers-first readers, and how to stop it', () => {
    const gates = Object.fromEntries(CHECKLIST_GATES.map((g) => [g, 'PASS'])) as Parameters<typeof gatesLine>[0];
    const { summary, figures } = finalNotification(
      { outcome: 'SUCCEEDED', htmlKey: `${P}report/report.html`, gates, replicationKept: 'mm-m-exec-1' },
      { bucket: 'evidence-bucket', region: 'eu-west-1' },
    );
    expect(summary).toContain(
      'Migration SUCCEEDED. Replicator mm-m-exec-1 is kept running for consumers-first readers whose producers stay on the source: stop it with `msk-migrate finish-replication` once nothing reads through it. Gates:',
    );
    expect(figures.replicationKept).toBe('mm-m-exec-1');
  });
});
