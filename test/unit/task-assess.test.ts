import { summarizeInventory } from '../../lambdas/core/inventory/take-inventory';
import { runAssess } from '../../lambdas/tasks/assess/task';
import { at, examplePlan, stateOf } from './task-fixtures';
import { inventory, topic } from './inventory-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

const INVENTORY_KEY = 'migrations/orders-to-serverless/exec-1/inventory.json';

async function stateWith(topics: ReturnType<typeof topic>[], change?: (raw: Record<string, unknown>) => void) {
  const artifacts = new MemoryArtifacts();
  const inv = inventory({ topics });
  await artifacts.putJson(INVENTORY_KEY, inv);
  return {
    artifacts,
    state: stateOf(examplePlan('msk-to-serverless-replicator', change), {
      inventory: summarizeInventory(inv, INVENTORY_KEY, `mem://${INVENTORY_KEY}`),
    }),
  };
}

describe('Assess task', () => {
  it('writes the assessment report (JSON and Markdown) and returns the counts when nothing blocks', async () => {
    const { artifacts, state } = await stateWith([
      topic('orders.created', { partitionCount: 6 }),
      topic('payments', { partitionCount: 3 }),
    ]);
    const assessment = await runAssess({ state }, { artifacts, now: at('2026-11-01T10:02:00.000Z') });
    expect(assessment).toMatchObject({ blocked: false, profile: 'msk-serverless', counts: { BLOCKER: 0 } });
    expect(await artifacts.getJson(assessment.reportKey)).toMatchObject({ assessment: { blocked: false } });
    expect(await artifacts.getText(assessment.markdownKey)).toContain('# Migration assessment');
  });

  it('fails with Migration.AssessmentBlocked naming the blockers, after writing the report', async () => {
    const { artifacts, state } = await stateWith([topic('orders.created', { partitionCount: 3000 })]);
    const failure = await runAssess({ state }, { artifacts, now: at('2026-11-01T10:02:00.000Z') }).then(
      () => undefined,
      (err: unknown) => err as Error & { details?: Record<string, unknown> },
    );
    expect(failure).toMatchObject({
      name: 'Migration.AssessmentBlocked',
      message: expect.stringContaining('Nothing was created'),
    });
    expect(failure?.details?.blockers).toEqual(expect.arrayContaining([expect.stringMatching(/partition/)]));
    expect(await artifacts.getText('migrations/orders-to-serverless/exec-1/assessment/assessment.md')).toContain(
      'Verdict: blocked',
    );
  });

  it("goes on when the plan's assessment section acknowledges the blocker, reporting it as an accepted warning", async () => {
    const { state: blockedState, artifacts: a1 } = await stateWith([topic('orders.created', { partitionCount: 3000 })]);
    const blocked = await runAssess(
      { state: blockedState },
      { artifacts: a1, now: at('2026-11-01T10:02:00.000Z') },
    ).catch((err: { details?: { blockerIds?: string[]; blockers?: string[] } }) => err);
    const ids = (
      (
        await a1.getJson<{ assessment: { findings: Array<{ id: string; severity: string }> } }>(
          'migrations/orders-to-serverless/exec-1/assessment/assessment.json',
        )
      )?.assessment.findings ?? []
    )
      .filter((f) => f.severity === 'BLOCKER')
      .map((f) => f.id);
    expect(blocked).toMatchObject({ name: 'Migration.AssessmentBlocked' });
    expect(ids.length).toBeGreaterThan(0);

    const { state, artifacts } = await stateWith([topic('orders.created', { partitionCount: 3000 })], (raw) => {
      raw.assessment = { acknowledge: ids };
    });
    const assessment = await runAssess({ state }, { artifacts, now: at('2026-11-01T10:02:00.000Z') });
    expect(assessment).toMatchObject({ blocked: false, counts: { BLOCKER: 0 } });
  });
});
