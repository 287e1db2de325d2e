import { z } from 'zod';
import { CHECKLIST_GATES, ChecklistGateSchema, type ChecklistGateName } from '../../lambdas/core/report/checklist';

/**
 * What one rehearsal run produced, as the rehearsal runner hands it to the report: the outcome, each phase with its
 * times, the records counted by the workload, the cutover and replication figures, and the seed's checklist gates
 * with their evidence. `report.json` is exactly this object; the Markdown and HTML reports are views of it.
 */

const Timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'an ISO 8601 timestamp' });
const Count = z.number().int().nonnegative();
const Millis = z.number().nonnegative();

export const OUTCOMES = ['SUCCEEDED', 'ROLLED_BACK', 'FAILED'] as const;
export const PHASE_STATUSES = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'SKIPPED', 'RUNNING'] as const;
/** The checklist model is shared with the deployed migration report (lambdas/core/report/checklist.ts). */
export { CHECKLIST_GATES, ChecklistGateSchema, type ChecklistGateName };

export const PhaseSchema = z.object({
  /** A phase of the runbook: `Inventory`, `Catch-up`, `Cutover`, `Rollback window`, … */
  name: z.string().min(1),
  /** The ASL states the phase ran (`EvaluateCatchUp`, …). */
  states: z.array(z.string()),
  start: Timestamp,
  /** Absent while the phase is still running (a report written mid-run). */
  end: Timestamp.optional(),
  status: z.enum(PHASE_STATUSES),
});
export type Phase = z.infer<typeof PhaseSchema>;

export const TopicRecordsSchema = z.object({
  produced: Count,
  consumed: Count,
  lost: Count,
  duplicatesConsumed: Count,
  outOfOrder: Count,
  compacted: z.boolean().optional(),
});

export const GateCheckSchema = z.object({
  at: Timestamp,
  /** The gate evaluated: `catch-up`, `validation`, `target-health`, … */
  gate: z.string(),
  passed: z.boolean(),
  summary: z.string(),
});
export type GateCheck = z.infer<typeof GateCheckSchema>;

export const LagSampleSchema = z.object({ at: Timestamp, lag: z.number().nonnegative() });
export type LagSample = z.infer<typeof LagSampleSchema>;

export const RehearsalResultSchema = z.object({
  outcome: z.enum(OUTCOMES),
  /** The last ASL state the execution ran. */
  finalState: z.string(),
  scenario: z.string(),
  /** The migration the rehearsal ran, for the title. @default - the scenario */
  migrationId: z.string().optional(),
  startedAt: Timestamp,
  endedAt: Timestamp,
  phases: z.array(PhaseSchema),
  records: z.object({
    produced: Count,
    lost: Count,
    duplicatesConsumed: Count,
    outOfOrder: Count,
    perTopic: z.record(z.string(), TopicRecordsSchema),
  }),
  cutover: z.object({
    /** Longest producer write pause across the pointer move; null when the cutover was not reached. */
    writePauseMs: Millis.nullable(),
    pointerPropagationMs: Millis.nullable(),
    /** When the pointer moved to the target. */
    at: Timestamp.nullable(),
  }),
  replication: z.object({
    latencyP99Ms: Millis.nullable(),
    latencyP50Ms: Millis.nullable(),
    /** Replication lag (records) over time, for the chart. */
    lagSamples: z.array(LagSampleSchema),
  }),
  gateChecks: z.array(GateCheckSchema),
  checklist: z.object(
    Object.fromEntries(CHECKLIST_GATES.map((g) => [g, ChecklistGateSchema])) as Record<
      ChecklistGateName,
      typeof ChecklistGateSchema
    >,
  ),
  pointOfNoReturn: z.object({
    /** True when the rollback window closed: no automatic switch-back after `at`. */
    passed: z.boolean(),
    /** When it was (or would have been) passed; null when the cutover was not reached. */
    at: Timestamp.nullable(),
    note: z.string().optional(),
  }),
  error: z.object({ name: z.string(), message: z.string() }).optional(),
});
export type RehearsalResult = z.infer<typeof RehearsalResultSchema>;
