import * as z from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * The plan's recovery requirements (`input.recovery`): how many records a topic accepts twice on the target (a
 * replicator's replayed range) and how many a consumer group may read again after the cutover. Absent, both are
 * NONE: continuity stays strict and a translated position must point after the group's last record.
 */

export type Tolerance = 'NONE' | 'ANY' | { readonly maxRecords: number };

/** The plan's `recovery` as the tasks that read it take it (the plan schema is the strict one). */
const ToleranceSchema = lazySchema(() =>
  z.union([z.enum(['NONE', 'ANY']), z.object({ maxRecords: z.number().int().positive() })]),
);
export const RecoveryPolicySchema = lazySchema(() =>
  z.object({
    duplicateTolerance: ToleranceSchema.optional(),
    replayTolerance: ToleranceSchema.optional(),
    topics: z
      .array(
        z.object({
          include: z.array(z.string()),
          duplicateTolerance: ToleranceSchema.optional(),
          replayTolerance: ToleranceSchema.optional(),
        }),
      )
      .optional(),
    freshGroups: z
      .array(z.object({ groupId: z.string().min(1), startAt: z.string(), acceptedBy: z.string().min(1) }))
      .optional(),
  }),
);

export interface RecoveryPolicy {
  readonly duplicateTolerance?: Tolerance;
  readonly replayTolerance?: Tolerance;
  readonly topics?: ReadonlyArray<{
    readonly include: readonly string[];
    readonly duplicateTolerance?: Tolerance;
    readonly replayTolerance?: Tolerance;
  }>;
}

export interface TopicTolerances {
  readonly duplicates: Tolerance;
  readonly replay: Tolerance;
  /** Where they come from, for messages: `recovery.topics[0]` or `recovery`. */
  readonly source: string;
}

/** The first `recovery.topics` rule whose pattern matches the whole name, else the defaults. */
export function tolerancesFor(policy: RecoveryPolicy | undefined, topic: string): TopicTolerances {
  const duplicates = policy?.duplicateTolerance ?? 'NONE';
  const replay = policy?.replayTolerance ?? 'NONE';
  const rules = policy?.topics ?? [];
  const index = rules.findIndex((r) => r.include.some((p) => new RegExp(`^(?:${p})$`).test(topic)));
  const rule = index >= 0 ? rules[index] : undefined;
  if (!rule) return { duplicates, replay, source: 'recovery' };
  return {
    duplicates: rule.duplicateTolerance ?? duplicates,
    replay: rule.replayTolerance ?? replay,
    source: `recovery.topics[${index}]`,
  };
}

export function allows(tolerance: Tolerance, records: number): boolean {
  if (records <= 0) return true;
  if (tolerance === 'ANY') return true;
  if (tolerance === 'NONE') return false;
  return records <= tolerance.maxRecords;
}

/** `none`, `any`, `at most 500 records`. */
export function describeTolerance(tolerance: Tolerance): string {
  if (tolerance === 'NONE') return 'none';
  if (tolerance === 'ANY') return 'any number';
  return `at most ${tolerance.maxRecords} record${tolerance.maxRecords === 1 ? '' : 's'}`;
}
