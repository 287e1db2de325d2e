import * as z from 'zod';
import { assess } from '../../core/assessment/assess';
import { assessmentOptions } from '../../core/assessment/finding';
import { planPauseModel } from '../../core/cutover/pause-model';
import { aclFencePrincipals, iamFenceRoleNames } from '../../core/plan/migration-plan';
import { renderAssessmentReport } from '../../core/assessment/report';
import { AssessmentBlockedError, TransientError } from '../../core/errors';
import type { Inventory } from '../../core/inventory/model';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import { AssessmentStateSchema, ExecutionStateSchema, InventoryStateSchema } from '../shared/execution-state';
import { targetProfileOf } from '../shared/plan-views';
import { WORKFLOW_DEFINITION } from '../shared/workflow-definition';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * Assess: the assessment rules against the target profile the plan names. The full report (Markdown and JSON) goes
 * to the ArtifactStore; an unacknowledged BLOCKER fails with Migration.AssessmentBlocked, before anything is created.
 */

export const Input = lazySchema(() =>
  z.object({ state: ExecutionStateSchema.extend({ inventory: InventoryStateSchema }) }),
);
export type Input = z.infer<typeof Input>;

export const Output = AssessmentStateSchema;
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

const FINDINGS_IN_STATE = 20;
const BLOCKERS_IN_MESSAGE = 5;

export async function runAssess(input: Input, deps: Deps): Promise<Output> {
  const { state } = input;
  const plan = state.input;
  const inventory = await deps.artifacts.getJson<Inventory>(state.inventory.inventoryKey);
  if (!inventory)
    throw new TransientError(
      `The inventory artifact ${state.inventory.inventoryKey} is not in the artifact store (yet).`,
      { inventoryKey: state.inventory.inventoryKey },
    );
  const { headroom, acknowledge, profileOverrides } = plan.assessment;
  const options = assessmentOptions({
    topics: plan.replication.topics,
    groups: plan.replication.consumerGroups,
    replicator: plan.replication.engine,
    headroom,
    acknowledge,
    ...(profileOverrides ? { profileOverrides } : {}),
    connectorSwitches: plan.cutover.switches.flatMap((s) =>
      s.type === 'MSK_CONNECT_CONNECTOR' ? [{ connectorArn: s.connectorArn, role: s.role }] : [],
    ),
    ...(plan.target.clusterArn ? { targetRegion: plan.target.clusterArn.split(':')[3] } : {}),
    targetRegionIsInventoryRegion: !plan.target.clusterArn && plan.target.create !== undefined,
    cutover: {
      fence: {
        type: plan.cutover.fence.type,
        principals: aclFencePrincipals(plan.cutover),
        roleNames: iamFenceRoleNames(plan.cutover),
      },
      maxHoldSeconds: plan.cutover.drainTimeoutMinutes * 60,
      producerDeliveryTimeoutMs: plan.cutover.producerDeliveryTimeoutMs,
      expectedPauseMs: planPauseModel(plan, WORKFLOW_DEFINITION).totalMs,
      switches: plan.cutover.switches.map((s) => ({
        name: s.name,
        type: s.type,
        role: s.role,
        stopAtFence: 'stopAtFence' in s && s.stopAtFence === true,
        principals: 'principals' in s ? (s.principals ?? []) : [],
        roles: 'roles' in s ? (s.roles ?? []) : [],
      })),
    },
  });
  const profile = targetProfileOf(plan, options.profileOverrides);
  const assessment = assess(inventory, profile, options, deps.now().toISOString());

  const { migrationId, executionName } = state.identity;
  const reportKey = artifactKey(migrationId, executionName, 'assessment/assessment.json');
  const markdownKey = artifactKey(migrationId, executionName, 'assessment/assessment.md');
  const report = renderAssessmentReport(inventory, assessment, { inventoryKey: state.inventory.inventoryKey });
  await deps.artifacts.putJson(reportKey, JSON.parse(report.json));
  await deps.artifacts.putText(markdownKey, report.markdown, 'text/markdown; charset=utf-8');

  if (assessment.blocked) {
    const blockers = assessment.findings.filter((f) => f.severity === 'BLOCKER');
    const listed = blockers.slice(0, BLOCKERS_IN_MESSAGE).map((f) => `${f.id} (${f.subject}): ${f.remediation}`);
    const more = blockers.length > BLOCKERS_IN_MESSAGE ? ` … and ${blockers.length - BLOCKERS_IN_MESSAGE} more` : '';
    throw new AssessmentBlockedError(
      `${blockers.length} blocker${blockers.length === 1 ? '' : 's'} against ${profile.name}: ${listed.join('; ')}${more}. Nothing was created. Resolve them, or acknowledge a finding by id in the plan, and start a new execution. Report: ${markdownKey}.`,
      { blockers: blockers.map((f) => f.id), counts: assessment.counts, reportKey, markdownKey },
    );
  }
  return Output.parse({
    blocked: false,
    profile: profile.id,
    counts: assessment.counts,
    findings: assessment.findings
      .slice(0, FINDINGS_IN_STATE)
      .map((f) => ({ id: f.id, severity: f.severity, subject: f.subject })),
    acknowledged: assessment.findings.filter((f) => f.acknowledged).map((f) => f.id),
    reportKey,
    markdownKey,
  });
}

/** Assess as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Assess',
  Input,
  Output,
  needs: { artifacts: 'artifacts', now: 'clock' },
  run: runAssess,
});
