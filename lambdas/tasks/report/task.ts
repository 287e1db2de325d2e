import { z } from 'zod';
import { STATE_NAMES, STATES } from '../../workflow/catalogue';
import { InputInvalidError } from '../../core/errors';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import {
  AssessmentStateSchema,
  CaughtErrorSchema,
  IdentitySchema,
  InventoryStateSchema,
  ReplicationPhaseSchema,
  ReplicationTeardownStateSchema,
  TargetRollbackStateSchema,
  TargetStateSchema,
} from '../shared/execution-state';
import { CatchUpStateSchema, ValidationStateSchema } from '../../core/replication/state';
import { defineTask } from '../../workflow/define-task';

/**
 * Report: the execution's report, JSON and Markdown, under its prefix in the ArtifactStore, for every outcome. It reads
 * the state leniently (Report has no Catch: a phase result it cannot read is listed as unreadable, never a failure)
 * and says which phases ran, the outcome and error, what was created and what was undone, the assessment's findings,
 * the gate evidence keys, the approvals and the point of no return.
 */

const OUTCOMES = ['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'FAILED_BACK', 'NEEDS_ATTENTION', 'ROLLBACK_FAILED'] as const;

export const Input = z.object({
  outcome: z.enum(OUTCOMES),
  state: z.looseObject({
    input: z.looseObject({ migrationId: z.string() }).optional(),
    identity: z.looseObject({ migrationId: z.string(), executionName: z.string() }).optional(),
    execution: z
      .looseObject({ id: z.string().optional(), name: z.string().optional(), startedAt: z.string().optional() })
      .optional(),
  }),
});
export type Input = z.infer<typeof Input>;

export const Output = z.object({ reportKey: z.string(), markdownKey: z.string(), outcome: z.enum(OUTCOMES) });
export type Output = z.infer<typeof Output>;

export interface Deps {
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

type Raw = Record<string, unknown>;
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Raw)[k] : undefined), value);

/**
 * The phases in workflow order, with where each leaves its result: the first Task state of the workflow catalogue to
 * write each ResultPath (the loops' later states write the same one), and the PointOfNoReturn Pass state's record.
 */
const PHASES: ReadonlyArray<readonly [string, readonly string[]]> = (() => {
  const phases: Array<readonly [string, readonly string[]]> = [];
  const seen = new Set<string>();
  for (const name of STATE_NAMES) {
    const { resultPath } = STATES[name];
    if (resultPath === '$' || resultPath === '$.report' || seen.has(resultPath)) continue;
    seen.add(resultPath);
    phases.push([name, resultPath.replace(/^\$\./, '').split('.')]);
    if (name === 'CheckTargetHealth') phases.push(['PointOfNoReturn', ['pointOfNoReturn']]);
  }
  return phases;
})();

const HEADLINE: Record<Input['outcome'], string> = {
  SUCCEEDED: 'The migration succeeded: clients use the target, the forward replication is stopped.',
  ROLLED_BACK: 'The migration was rolled back: what this execution created was removed, clients stay on the source.',
  FAILED: 'The migration failed before anything was created.',
  FAILED_BACK: 'The migration was failed back to the source after the point of no return.',
  NEEDS_ATTENTION:
    'The migration needs attention: after the point of no return nothing is switched back automatically.',
  ROLLBACK_FAILED: 'A rollback step failed: a person must finish it (see what was and was not undone).',
};

/** A Catch's Cause is Lambda's JSON `{errorType, errorMessage, trace}`: keep the message, drop the stack. */
function describeError(value: unknown): { error: string; cause: string } | undefined {
  const parsed = CaughtErrorSchema.safeParse(value);
  if (!parsed.success || (!parsed.data.Error && !parsed.data.Cause)) return undefined;
  let cause = parsed.data.Cause ?? '';
  try {
    const inner = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof inner.errorMessage === 'string') cause = inner.errorMessage;
  } catch {
    // a plain-text Cause (States.Timeout, a Fail state) is kept as is
  }
  return { error: parsed.data.Error ?? 'unknown', cause: cause.slice(0, 4000) };
}

function read<T>(schema: z.ZodType<T>, value: unknown, unreadable: string[], what: string): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) unreadable.push(what);
  return parsed.success ? parsed.data : undefined;
}

const ApprovalSchema = z.looseObject({
  approved: z.boolean().optional(),
  approver: z.string().optional(),
  approverName: z.string().optional(),
  channel: z.string().optional(),
  decidedAt: z.string().optional(),
  comment: z.string().optional(),
  approvalId: z.string().optional(),
});

const cell = (v: unknown): string =>
  String(v ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const table = (header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string[] => [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
];

export async function runReport(input: Input, deps: Deps): Promise<Output> {
  const { state, outcome } = input;
  const identity = IdentitySchema.safeParse(state.identity).data ?? {
    migrationId: state.input?.migrationId,
    executionName: state.execution?.name,
  };
  if (!identity.migrationId || !identity.executionName)
    throw new InputInvalidError(
      'Report needs $.identity (or $.input.migrationId and $.execution.name) to know where the report goes.',
    );
  const { migrationId, executionName } = identity as { migrationId: string; executionName: string };
  const reportedAt = deps.now().toISOString();
  const unreadable: string[] = [];

  const phasesReached = PHASES.filter(([, path]) => at(state, ...path) !== undefined).map(([name]) => name);
  const error = describeError(at(state, 'error'));
  const rollbackError = describeError(at(state, 'rollbackError'));
  const inventory = read(InventoryStateSchema, at(state, 'inventory'), unreadable, 'inventory');
  const assessment = read(AssessmentStateSchema, at(state, 'assessment'), unreadable, 'assessment');
  const target = read(TargetStateSchema, at(state, 'target'), unreadable, 'target');
  const replication = read(ReplicationPhaseSchema, at(state, 'replication'), unreadable, 'replication');
  const catchUp = read(CatchUpStateSchema, at(state, 'catchUp'), unreadable, 'catchUp');
  const validation = read(ValidationStateSchema, at(state, 'validation'), unreadable, 'validation');
  const finalize = read(ReplicationTeardownStateSchema, at(state, 'finalize'), unreadable, 'finalize');
  const rollbackReplication = read(
    ReplicationTeardownStateSchema,
    at(state, 'rollback', 'replication'),
    unreadable,
    'rollback.replication',
  );
  const rollbackTarget = read(
    TargetRollbackStateSchema,
    at(state, 'rollback', 'target'),
    unreadable,
    'rollback.target',
  );
  const rollbackCutover = at(state, 'rollback', 'cutover');
  const pointOfNoReturn = at(state, 'pointOfNoReturn', 'passedAt');
  const approvals = Object.entries((at(state, 'approvals') ?? {}) as Raw).map(([kind, value]) => ({
    kind,
    ...(ApprovalSchema.safeParse(value).data ?? {}),
  }));

  const created = [
    ...(target?.source === 'CREATE' && target.clusterArn
      ? [{ what: 'target cluster', id: target.clusterArn, createdByThisExecution: true }]
      : []),
    ...(replication
      ? [{ what: `${replication.handle.engine} replicator`, id: replication.handle.id, createdByThisExecution: true }]
      : []),
    ...(replication?.canaryTopic
      ? [
          {
            what: 'canary topic (source, and its copy on the target)',
            id: replication.canaryTopic,
            createdByThisExecution: true,
          },
        ]
      : []),
    ...(replication?.alarmNames ?? []).map((name) => ({
      what: 'CloudWatch alarm',
      id: name,
      createdByThisExecution: true,
    })),
  ];
  const undone = [
    ...(rollbackCutover !== undefined ? [{ step: 'RollbackCutover', detail: rollbackCutover }] : []),
    ...(rollbackReplication
      ? [{ step: 'RollbackReplication', outcome: rollbackReplication.outcome, notes: rollbackReplication.notes }]
      : []),
    ...(rollbackTarget
      ? [{ step: 'RollbackTarget', outcome: rollbackTarget.outcome, notes: rollbackTarget.notes }]
      : []),
    ...(finalize ? [{ step: 'Finalize', outcome: finalize.outcome, notes: finalize.notes }] : []),
  ];
  const evidencePrefix = artifactKey(migrationId, executionName, '');
  const evidenceKeys = {
    ...(inventory ? { inventory: inventory.inventoryKey } : {}),
    ...(assessment ? { assessment: assessment.reportKey, assessmentMarkdown: assessment.markdownKey } : {}),
    ...(replication ? { replicatedTopics: replication.topicsKey } : {}),
    ...(catchUp?.lastEvidenceKey ? { lastCatchUpEvaluation: catchUp.lastEvidenceKey } : {}),
    ...(validation ? { validation: validation.evidenceKey } : {}),
  };
  const reportKey = artifactKey(migrationId, executionName, 'report/report.json');
  const markdownKey = artifactKey(migrationId, executionName, 'report/report.md');
  const allEvidence = (await deps.artifacts.list(evidencePrefix)).filter((k) => k !== reportKey && k !== markdownKey);

  const report = {
    kind: 'migration-report',
    schemaVersion: 1,
    outcome,
    headline: HEADLINE[outcome],
    migrationId,
    execution: { id: state.execution?.id, name: executionName, startedAt: state.execution?.startedAt },
    reportedAt,
    phasesReached,
    ...(error ? { error } : {}),
    ...(rollbackError ? { rollbackError } : {}),
    ...(typeof pointOfNoReturn === 'string' ? { pointOfNoReturn } : {}),
    target: target ?? null,
    created,
    undone,
    assessment: assessment
      ? {
          profile: assessment.profile,
          counts: assessment.counts,
          findings: assessment.findings,
          acknowledged: assessment.acknowledged,
        }
      : null,
    inventory: inventory ? { counts: inventory.counts, complete: inventory.complete, gaps: inventory.gaps } : null,
    catchUp: catchUp ?? null,
    validation: validation ? { checked: validation.checked, notes: validation.notes } : null,
    approvals,
    evidenceKeys,
    evidence: allEvidence,
    ...(unreadable.length > 0 ? { unreadable } : {}),
  };

  const md: string[] = [`# Migration report: ${migrationId}`, '', `**Outcome: ${outcome}.** ${HEADLINE[outcome]}`, ''];
  md.push(
    ...table(
      ['', ''],
      [
        ['Execution', state.execution?.id ?? executionName],
        ['Started', state.execution?.startedAt],
        ['Reported', reportedAt],
        ['Point of no return', typeof pointOfNoReturn === 'string' ? pointOfNoReturn : 'not passed'],
      ],
    ),
  );
  md.push(
    '',
    '## Phases reached',
    '',
    phasesReached.length > 0 ? phasesReached.map((p) => `\`${p}\``).join(' → ') : 'None after ValidateInput.',
  );
  if (error) md.push('', '## Error', '', `\`${error.error}\`: ${error.cause}`);
  if (rollbackError) md.push('', '## Rollback error', '', `\`${rollbackError.error}\`: ${rollbackError.cause}`);
  md.push('', '## Created by this execution', '');
  md.push(
    ...(created.length > 0
      ? table(
          ['What', 'Id'],
          created.map((c) => [c.what, c.id]),
        )
      : ['Nothing.']),
  );
  if (target && target.source !== 'CREATE')
    md.push(
      '',
      `Target named by the plan (${target.clusterArn ?? (target.bootstrapServers ?? []).join(', ')}): never created nor deleted by this execution.`,
    );
  md.push('', '## Undone', '');
  md.push(
    ...(undone.length > 0
      ? undone.flatMap((u) => [
          `- **${u.step}**${'outcome' in u ? ` (${u.outcome})` : ''}: ${'notes' in u && u.notes ? u.notes.join(' ') : JSON.stringify('detail' in u ? u.detail : null)}`,
        ])
      : ['Nothing was undone.']),
  );
  if (assessment) {
    md.push(
      '',
      '## Assessment',
      '',
      `Against ${assessment.profile}: ${assessment.counts.BLOCKER} blockers, ${assessment.counts.WARNING} warnings, ${assessment.counts.INFO} information. Full report: \`${assessment.markdownKey}\`.`,
      '',
    );
    if (assessment.findings.length > 0)
      md.push(
        ...table(
          ['Finding', 'Severity', 'Subject'],
          assessment.findings.map((f) => [`\`${f.id}\``, f.severity, f.subject]),
        ),
      );
  }
  if (catchUp)
    md.push(
      '',
      '## Catch-up gate',
      '',
      `${catchUp.passed ? 'Passed' : 'Not passed'} after ${catchUp.evaluations} evaluations (${catchUp.consecutiveHealthy} healthy in a row), first at ${catchUp.startedAt}, last at ${catchUp.lastEvaluatedAt}.${catchUp.lastReasons.length > 0 ? ` Last reasons: ${catchUp.lastReasons.join('; ')}.` : ''}`,
    );
  if (validation)
    md.push(
      '',
      '## Validation',
      '',
      `Passed: ${Object.entries(validation.checked)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')}.`,
      ...validation.notes.map((n) => `- ${n}`),
    );
  md.push('', '## Approvals', '');
  md.push(
    ...(approvals.length > 0
      ? table(
          ['Kind', 'Decision', 'By', 'Channel', 'At', 'Comment'],
          approvals.map((a) => [
            a.kind,
            a.approved === undefined ? '—' : a.approved ? 'approved' : 'rejected',
            a.approverName ?? a.approver,
            a.channel,
            a.decidedAt,
            a.comment,
          ]),
        )
      : ['None requested.']),
  );
  md.push(
    '',
    '## Evidence',
    '',
    ...table(['Gate', 'Key'], Object.entries(evidenceKeys)),
    '',
    `All ${allEvidence.length} artifacts of this execution are under \`${evidencePrefix}\`.`,
  );
  if (unreadable.length > 0)
    md.push('', `Unreadable state sections (reported raw in the JSON): ${unreadable.join(', ')}.`);

  await deps.artifacts.putJson(
    reportKey,
    unreadable.length > 0
      ? { ...report, raw: Object.fromEntries(unreadable.map((k) => [k, at(state, ...k.split('.'))])) }
      : report,
  );
  await deps.artifacts.putText(markdownKey, `${md.join('\n')}\n`, 'text/markdown; charset=utf-8');
  return { reportKey, markdownKey, outcome };
}

/** Report as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'Report',
  Input,
  Output,
  needs: { artifacts: 'artifacts', now: 'clock' },
  run: runReport,
});
