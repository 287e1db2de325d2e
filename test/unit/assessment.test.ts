import { AssessmentSchema, assess } from '../../lambdas/core/assessment/assess';
import { assessmentOptions } from '../../lambdas/core/assessment/finding';
import { renderAssessmentReport } from '../../lambdas/core/assessment/report';
import { resolveProfile } from '../../lambdas/core/profiles';
import { acl, group, inventory, topic } from './inventory-fixtures';

const serverless = resolveProfile('msk-serverless');
const at = '2026-11-02T00:00:00.000Z';

/** A source with one blocker (ACLs) and one warning (a config Serverless does not accept). */
const source = inventory({
  topics: [topic('orders', { configs: { 'segment.bytes': '104857600' } }), topic('pay|ments')],
  groups: [group('orders-service')],
  acls: { status: 'COLLECTED', authorizerEnabled: true, bindings: [acl('User:orders-app', 'TOPIC', 'orders', 'READ')] },
});

describe('assessment', () => {
  it('lists blockers first, counts by severity and is blocked while a blocker remains', () => {
    // Act
    const a = assess(source, serverless, assessmentOptions(), at);
    // Assess
    expect(AssessmentSchema.parse(a)).toEqual(a);
    expect(a.findings.map((f) => f.severity)).toEqual(['BLOCKER', 'WARNING']);
    expect(a.counts).toEqual({ BLOCKER: 1, WARNING: 1, INFO: 0 });
    expect(a.blocked).toBe(true);
    expect(a.scope).toMatchObject({ topics: 2, partitions: 6, groups: 1 });
  });

  it('turns an acknowledged blocker into a warning that no longer blocks', () => {
    const a = assess(source, serverless, assessmentOptions({ acknowledge: ['acl.principals-lose-access'] }), at);
    expect(a.blocked).toBe(false);
    expect(a.findings.find((f) => f.id === 'acl.principals-lose-access')).toMatchObject({
      severity: 'WARNING',
      acknowledged: true,
    });
  });

  it('gives each of the five criteria a verdict from its findings and the figures measured on the source', () => {
    const a = assess(source, serverless, assessmentOptions(), at);
    const verdicts = Object.fromEntries(a.criteria.map((c) => [c.criterion, c.verdict]));
    expect(verdicts).toEqual({
      apiCompatibility: 'FITS_WITH_CHANGES',
      elasticCapacity: 'FITS',
      storageModel: 'FITS',
      networkAndIdentity: 'DOES_NOT_FIT',
      dataControlAndCost: 'FITS',
    });
    const capacity = a.criteria.find((c) => c.criterion === 'elasticCapacity');
    expect(capacity?.measured.find((m) => m.label.startsWith('non-compacted partitions'))?.value).toBe(
      '6 (target quota 2,400)',
    );
    const network = a.criteria.find((c) => c.criterion === 'networkAndIdentity');
    expect(network?.measured).toContainEqual({ label: 'ACL bindings / principals', value: '1 / 1' });
  });
});

describe('assessment report', () => {
  const a = assess(source, serverless, assessmentOptions(), at);
  const { markdown, json } = renderAssessmentReport(source, a, { inventoryKey: 'migrations/m/e/inventory.json' });

  it('opens with the verdict and the counts, and puts the blockers before the warnings', () => {
    expect(markdown.split('\n')[0]).toBe('# Migration assessment: source → Amazon MSK Serverless');
    expect(markdown).toContain(
      '**Verdict: blocked.** 1 blocker must be resolved or acknowledged before anything is created.',
    );
    expect(markdown).toContain('| BLOCKER | 1 |');
    expect(markdown.indexOf('## Blockers (1)')).toBeLessThan(markdown.indexOf('## Warnings (1)'));
    expect(markdown).toContain('### 1. `acl.principals-lose-access` — 1 principal');
  });

  it('has the five criteria, the quotas used with their sources, and the inventory in tables with pipes escaped', () => {
    expect(markdown).toContain('## The five criteria');
    for (const title of [
      'API compatibility',
      'Elastic capacity',
      'Storage model',
      'Network and identity',
      'Data control and cost',
    ])
      expect(markdown).toContain(`| ${title} |`);
    expect(markdown).toContain(
      '| partitions | 2,400 | count | yes | https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#serverless-quota |',
    );
    expect(markdown).toContain('| pay\\|ments | 3 | 3 | delete |');
    expect(markdown).toContain('| orders-service | Stable | 1 | orders | 0 | 0 |');
  });

  it('lists the topics and groups it could not describe, with the reason, apart from the described ones', () => {
    // Prepare
    const partial = inventory({
      topics: [topic('orders'), { status: 'UNDESCRIBABLE', name: 'secret', reason: 'TOPIC_AUTHORIZATION_FAILED' }],
      groups: [
        group('orders-service'),
        { status: 'UNDESCRIBABLE', groupId: 'payroll', reason: 'GROUP_AUTHORIZATION_FAILED' },
      ],
    });

    // Act
    const report = renderAssessmentReport(partial, assess(partial, serverless, assessmentOptions(), at)).markdown;

    // Assess
    expect(report).toContain('### Topics: 1 (3 partitions; 0 compacted; 1 undescribable)');
    expect(report).toContain('| secret | TOPIC_AUTHORIZATION_FAILED |');
    expect(report).toContain('### Consumer groups: 2 (1 Stable)');
    expect(report).toContain('| Undescribable group | Reason |');
    expect(report).toContain('| payroll | GROUP_AUTHORIZATION_FAILED |');
  });

  it('says fits when nothing needs a decision', () => {
    const clean = inventory();
    expect(renderAssessmentReport(clean, assess(clean, serverless, assessmentOptions(), at)).markdown).toContain(
      '**Verdict: fits.** No blocker and no warning.',
    );
  });

  it('gives the assessment and the whole inventory as JSON', () => {
    const parsed = JSON.parse(json) as { assessment: unknown; inventory: unknown; inventoryKey: string };
    expect(parsed.assessment).toEqual(JSON.parse(JSON.stringify(a)));
    expect(parsed.inventory).toEqual(JSON.parse(JSON.stringify(source)));
    expect(parsed.inventoryKey).toBe('migrations/m/e/inventory.json');
  });
});
