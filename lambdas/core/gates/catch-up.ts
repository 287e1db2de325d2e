import * as z from 'zod';
import type { LagGateVerdict } from './lag-gate';
import { lazySchema } from '../lazy-schema';

/**
 * The catch-up gate over time: it passes after `consecutiveHealthyChecks` healthy evaluations in a row (an unhealthy
 * one resets the count, so a flapping replicator never passes), and times out `catchUpTimeoutMinutes` after the
 * first evaluation. Pure: the Wait/Evaluate/Choice loop of the state machine carries this progress between
 * evaluations in `$.catchUp`.
 */

export const CatchUpProgressSchema = lazySchema(() =>
  z.object({
    startedAt: z.string(),
    evaluations: z.number().int().nonnegative(),
    consecutiveHealthy: z.number().int().nonnegative(),
    passed: z.boolean(),
    lastHealthy: z.boolean(),
    lastEvaluatedAt: z.string(),
    /** The first sentences of why the last evaluation was not healthy (the full list is in its evidence). */
    lastReasons: z.array(z.string()),
    /** Artifact key of the last evaluation's evidence (the next one reads its partition offsets for progress). */
    lastEvidenceKey: z.string().optional(),
    /** When the current healthy run began (for the report: how long the gate took to confirm). */
    healthySince: z.string().optional(),
  }),
);
export type CatchUpProgress = z.infer<typeof CatchUpProgressSchema>;

export interface CatchUpPolicy {
  readonly consecutiveHealthyChecks: number;
  readonly catchUpTimeoutMinutes: number;
}

export type CatchUpOutcome = 'PASSED' | 'WAITING' | 'TIMED_OUT';

const REASONS_KEPT = 3;

export function advanceCatchUp(
  previous: CatchUpProgress | undefined,
  verdict: LagGateVerdict,
  at: string,
  policy: CatchUpPolicy,
  evidenceKey?: string,
): { progress: CatchUpProgress; outcome: CatchUpOutcome } {
  const startedAt = previous?.startedAt ?? at;
  const consecutiveHealthy = verdict.healthy ? (previous?.consecutiveHealthy ?? 0) + 1 : 0;
  const passed = consecutiveHealthy >= policy.consecutiveHealthyChecks;
  const healthySince = verdict.healthy
    ? previous?.lastHealthy && previous.healthySince
      ? previous.healthySince
      : at
    : undefined;
  const progress: CatchUpProgress = {
    startedAt,
    evaluations: (previous?.evaluations ?? 0) + 1,
    consecutiveHealthy,
    passed,
    lastHealthy: verdict.healthy,
    lastEvaluatedAt: at,
    lastReasons: verdict.reasons.slice(0, REASONS_KEPT),
    ...(evidenceKey ? { lastEvidenceKey: evidenceKey } : {}),
    ...(healthySince ? { healthySince } : {}),
  };
  if (passed) return { progress, outcome: 'PASSED' };
  const elapsedMs = Date.parse(at) - Date.parse(startedAt);
  if (elapsedMs >= policy.catchUpTimeoutMinutes * 60_000) return { progress, outcome: 'TIMED_OUT' };
  return { progress, outcome: 'WAITING' };
}
