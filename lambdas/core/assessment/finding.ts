import * as z from 'zod';
import { CRITERIA } from '../profiles/profile';
import { ProfileOverridesSchema } from '../profiles/profile';
import { lazySchema } from '../lazy-schema';

/**
 * What an assessment rule says about the source against a target profile. A BLOCKER stops the workflow before anything
 * is created (unless the operator acknowledges it by id in the execution input), a WARNING needs a decision or a
 * change before cutover, an INFO is worth knowing.
 */

export const SEVERITIES = ['BLOCKER', 'WARNING', 'INFO'] as const;
export const SeveritySchema = lazySchema(() => z.enum(SEVERITIES));
export type Severity = z.infer<typeof SeveritySchema>;

export const FindingSchema = lazySchema(() =>
  z.object({
    /** Stable rule id (`quota.partitions`, `acl.principals-lose-access`): what an operator acknowledges. */
    id: z.string(),
    severity: SeveritySchema,
    /** What it is about: a topic, a principal, `cluster`, "12 consumer groups". */
    subject: z.string(),
    /** What was measured, with the values. */
    evidence: z.string(),
    /** What to do about it. */
    remediation: z.string(),
    criterion: z.enum(CRITERIA),
    /** The full list behind a finding about many things (topics, principals, groups); the evidence names the first few. */
    items: z.array(z.string()).optional(),
    /** Set when the operator acknowledged a BLOCKER in the input: it is reported as a WARNING and no longer blocks. */
    acknowledged: z.boolean().optional(),
  }),
);
export type Finding = z.infer<typeof FindingSchema>;

export const NameFilterSchema = lazySchema(() =>
  z.object({
    /** Regular expressions matched against the whole name (Java `Pattern.matches`, like the replicators). */
    include: z.array(z.string()).default(['.*']),
    exclude: z.array(z.string()).default([]),
  }),
);

export const AssessmentOptionsSchema = lazySchema(() =>
  z.object({
    /** Fraction of each quota kept free at the source's peak: 0.3 means the peak may use at most 70% of it. */
    headroom: z.number().min(0).max(0.95).default(0.3),
    topics: NameFilterSchema.default({ include: ['.*'], exclude: [] }),
    groups: NameFilterSchema.default({ include: ['.*'], exclude: [] }),
    /** The engine that will replicate (decides the replicator's own needs: IAM on the source, compacted partitions). */
    replicator: z.enum(['MSK_REPLICATOR', 'MIRROR_MAKER_2']).optional(),
    /** Finding ids the operator accepts: a BLOCKER with one of these ids is reported as an acknowledged WARNING. */
    acknowledge: z.array(z.string()).default([]),
    profileOverrides: ProfileOverridesSchema.optional(),
    /** The plan's MSK_CONNECT_CONNECTOR switches (cutover.switches): which connectors the cutover moves, and as what. */
    connectorSwitches: z
      .array(z.object({ connectorArn: z.string(), role: z.enum(['CONSUMERS', 'PRODUCERS']) }))
      .default([]),
    /** The Region of the target cluster (its ARN's), where its clients resolve Glue schemas; absent when unknown. */
    targetRegion: z.string().optional(),
    /** The execution creates the target in the Region it runs in (the inventory's): that Region is the target's. */
    targetRegionIsInventoryRegion: z.boolean().default(false),
    /** How the cutover holds producers (the plan's cutover section), for the cutover rules; absent: not judged. */
    cutover: z
      .object({
        fence: z.object({
          type: z.enum(['POINTER', 'KAFKA_ACL', 'IAM_POLICY']),
          /** KAFKA_ACL: whom it denies (the plan's principals and its producer switches', aclFencePrincipals). */
          principals: z.array(z.string()).default([]),
          /** IAM_POLICY: the producers' roles it denies (the plan's and its producer switches', iamFenceRoleNames). */
          roleNames: z.array(z.string()).default([]),
        }),
        /** The longest the fence can hold producers: the drain timeout. */
        maxHoldSeconds: z.number().nonnegative(),
        /** The producers' delivery.timeout.ms (Kafka's default 120 s). */
        producerDeliveryTimeoutMs: z.number().int().positive().default(120_000),
        /** The write pause the cutover is expected to impose on AWS (lambdas/core/cutover/pause-model.ts), ms. */
        expectedPauseMs: z.number().nonnegative().optional(),
        /** The plan's client switches (cutover.switches): which applications are moved, and held at the fence. */
        switches: z
          .array(
            z.object({
              name: z.string(),
              type: z.string(),
              role: z.enum(['PRODUCERS', 'CONSUMERS', 'BOTH']),
              stopAtFence: z.boolean().default(false),
              /** The Kafka principals the switch declares its application authenticates as. */
              principals: z.array(z.string()).default([]),
              /** The IAM roles the switch declares its application authenticates as (IAM-auth source). */
              roles: z.array(z.string()).default([]),
            }),
          )
          .default([]),
      })
      .optional(),
  }),
);
export type AssessmentOptionsInput = z.input<typeof AssessmentOptionsSchema>;
export type AssessmentOptions = z.output<typeof AssessmentOptionsSchema>;

export function assessmentOptions(input: AssessmentOptionsInput = {}): AssessmentOptions {
  return AssessmentOptionsSchema.parse(input);
}

/** The first `n` names, then how many more: findings about thousands of topics stay readable. */
export function firstFew(names: readonly string[], n = 5): string {
  if (names.length <= n) return names.join(', ');
  return `${names.slice(0, n).join(', ')} and ${names.length - n} more`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
/** Decimal units, as AWS states its throughput quotas. */
export function bytes(n: number): string {
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${UNITS[i]}`;
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
