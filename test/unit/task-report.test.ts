import { runReport } from '../../lambdas/tasks/report/task';
import { at, examplePlan, stateOf } from './task-fixtures';
import { MemoryArtifacts } from './validation-fake-kafka';

const now = at('2026-11-02T12:00:00.000Z');
const OUTCOMES = ['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'FAILED_BACK', 'NEEDS_ATTENTION', 'ROLLBACK_FAILED'] as const;

describe('Report task', () => {
  it.each(OUTCOMES)(
    'writes report.json and report.md under the execution prefix for outcome %s, even when no phase after ValidateInput ran',
    async (outcome) => {
      const artifacts = new MemoryArtifacts();
      const state = stateOf(examplePlan('msk-to-serverless-replicator'));
      const output = await runReport({ state, outcome }, { artifacts, now });
      expect(output).toEqual({
        outcome,
        reportKey: 'migrations/orders-to-serverless/exec-1/report/report.json',
        markdownKey: 'migrations/orders-to-serverless/exec-1/report/report.md',
        htmlKey: 'migrations/orders-to-serverless/exec-1/report/report.html',
        gates: expect.objectContaining({ Compatibility: 'NOT_RUN', 'Data copy': 'NOT_RUN' }),
      });
      expect(await artifacts.getJson(output.reportKey)).toMatchObject({
        outcome,
        phasesReached: [],
        created: [],
        undone: [],
      });
      expect(await artifacts.getText(output.markdownKey)).toContain(`**Outcome: ${outcome}.**`);
    },
  );

  it('reports the phases reached, the error without its stack, what was created and undone, approvals and the point of no return', async () => {
    // Prepare
    const artifacts = new MemoryArtifacts();
    await artifacts.putJson('migrations/orders-to-serverless/exec-1/catch-up/evaluation-0001.json', {});
    const state = stateOf(examplePlan('msk-to-msk-new-version'), {
      target: {
        type: 'MSK_PROVISIONED',
        source: 'CREATE',
        clusterArn: 'arn:target',
        clusterName: 't',
        created: true,
        state: 'ACTIVE',
        ready: true,
        startedAt: '2026-11-01T10:00:00.000Z',
      },
      replication: {
        handle: { engine: 'MSK_REPLICATOR', name: 'rep', id: 'arn:rep' },
        created: true,
        state: 'RUNNING',
        running: true,
        startingPosition: 'EARLIEST',
        topicsKey: 'k/topics.json',
        topicCount: 3,
        canaryTopic: 'msk-migration.canary.x',
        alarmNames: ['a-1'],
        startedAt: '2026-11-01T10:30:00.000Z',
      },
      approvals: {
        cutover: {
          approved: true,
          approver: 'lead@example.com',
          channel: 'EMAIL',
          decidedAt: '2026-11-02T09:00:00.000Z',
        },
      },
      pointOfNoReturn: { passedAt: '2026-11-02T11:00:00.000Z' },
      error: {
        Error: 'Migration.TargetUnhealthy',
        Cause: JSON.stringify({
          errorType: 'Migration.TargetUnhealthy',
          errorMessage: 'three unhealthy checks in a row',
          trace: ['at secret/stack.js:1'],
        }),
      },
      rollback: {
        replication: {
          outcome: 'DONE',
          replicator: 'DELETED',
          alarmsDeleted: 1,
          canaryTopicDeleted: true,
          notes: ['Replicator rep deleted.'],
          at: '2026-11-02T11:30:00.000Z',
        },
      },
    });
    // Act
    const output = await runReport({ state, outcome: 'ROLLED_BACK' }, { artifacts, now });
    // Assess
    const report = (await artifacts.getJson(output.reportKey)) as Record<string, unknown>;
    expect(report).toMatchObject({
      phasesReached: [
        'ProvisionTarget',
        'StartReplication',
        'CutoverApproval',
        'PointOfNoReturn',
        'RollbackReplication',
      ],
      error: { error: 'Migration.TargetUnhealthy', cause: 'three unhealthy checks in a row' },
      pointOfNoReturn: '2026-11-02T11:00:00.000Z',
      evidence: ['migrations/orders-to-serverless/exec-1/catch-up/evaluation-0001.json'],
    });
    expect((report.created as unknown[]).length).toBe(4);
    const markdown = (await artifacts.getText(output.markdownKey)) ?? '';
    expect(markdown).toContain('lead@example.com');
    expect(markdown).toContain('Replicator rep deleted.');
    expect(JSON.stringify(report) + markdown).not.toContain('stack.js');
  });

  it('reports a phase result it cannot read as unreadable instead of failing (Report has no Catch)', async () => {
    const artifacts = new MemoryArtifacts();
    const state = { ...stateOf(examplePlan('msk-to-serverless-replicator')), target: { something: 'else' } };
    const output = await runReport({ state, outcome: 'FAILED' }, { artifacts, now });
    expect(await artifacts.getJson(output.reportKey)).toMatchObject({
      unreadable: ['target'],
      raw: { target: { something: 'else' } },
    });
  });
});
