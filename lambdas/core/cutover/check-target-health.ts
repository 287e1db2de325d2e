import * as z from 'zod';
import { TargetUnhealthyError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { LagSignals } from '../../ports/lag-signals';
import { CommitProgressSchema, type OffsetTranslation } from './commit-consumer-offsets';
import {
  ExecutionIdentitySchema,
  cutoverKey,
  readEndOffsets,
  watchedTopics,
  type PartitionEnd,
  partitionKey,
} from './model';
import { SwitchRecordSchema } from './switch-consumers';
import { lazySchema } from '../lazy-schema';

/**
 * CheckTargetHealth: one poll of the rollback window's Wait/Check/Choice loop. The target is healthy when it answers,
 * holds every replicated topic, its health alarms (where there are any) are not in ALARM, and every consumer group
 * that got translated offsets has resumed on it — active members, offsets committed past the translated ones, or
 * nothing to read — within `groupGraceSeconds` of the switch. End offsets that do not move are not a failure (an
 * idle workload); they are reported. `unhealthyChecks` unhealthy polls in a row fail with Migration.TargetUnhealthy,
 * whose Catch runs RollbackCutover while the window is open. `windowClosed` tells the Choice to go to FinalizeApproval.
 */

export const HealthProgressSchema = lazySchema(() =>
  z.object({
    healthy: z.boolean(),
    checkedAt: z.string(),
    checks: z.number().int().positive(),
    consecutiveUnhealthy: z.number().int().nonnegative(),
    windowEndsAt: z.string(),
    windowClosed: z.boolean(),
    reasons: z.array(z.string()),
    figures: z.object({
      reachable: z.boolean(),
      topicsMissing: z.number().int().nonnegative(),
      /** Σ target end offsets now − at the switch. */
      recordsSinceSwitch: z.string().nullable(),
      /** Σ target end offsets now − at the previous check (0: idle). */
      recordsSinceLastCheck: z.string().nullable(),
      groups: z.number().int().nonnegative(),
      groupsResumed: z.number().int().nonnegative(),
      alarmsInAlarm: z.number().int().nonnegative(),
    }),
    /** Σ target end offsets at this check (the next check's reference). */
    totalEnd: z.string().nullable(),
    evidenceKey: z.string(),
  }),
);
export type HealthProgress = z.infer<typeof HealthProgressSchema>;

export const CheckTargetHealthRequestSchema = lazySchema(() =>
  z.object({
    identity: ExecutionIdentitySchema,
    topics: z.array(z.string().min(1)).min(1),
    canaryTopic: z.string().optional(),
    switch: SwitchRecordSchema,
    offsets: CommitProgressSchema,
    rollbackWindowMinutes: z.number().int().positive(),
    previous: HealthProgressSchema.optional(),
    /** Unhealthy polls in a row that fail the window. */
    unhealthyChecks: z.number().int().positive().default(3),
    /** How long a consumer group may take to resume on the target after the switch. */
    groupGraceSeconds: z.number().int().nonnegative().default(300),
    /** Health alarms on the target (AWS), for example its broker or client-error alarms. */
    alarmNames: z.array(z.string()).default([]),
  }),
);
export type CheckTargetHealthRequest = z.input<typeof CheckTargetHealthRequestSchema>;

export interface CheckTargetHealthDeps {
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  readonly lagSignals?: LagSignals;
}

type GroupStatus = 'ACTIVE' | 'ADVANCED' | 'CAUGHT_UP' | 'NOT_RESUMED';

export function windowEndsAt(switchedAt: string, rollbackWindowMinutes: number): string {
  return new Date(Date.parse(switchedAt) + rollbackWindowMinutes * 60_000).toISOString();
}

export async function checkTargetHealth(
  input: CheckTargetHealthRequest,
  deps: CheckTargetHealthDeps,
): Promise<HealthProgress> {
  const request = CheckTargetHealthRequestSchema.parse(input);
  const now = deps.now();
  const at = now.toISOString();
  const checks = (request.previous?.checks ?? 0) + 1;
  const endsAt = windowEndsAt(request.switch.switchedAt, request.rollbackWindowMinutes);
  const topics = watchedTopics(request.topics, request.canaryTopic);
  const reasons: string[] = [];
  const evidence: Record<string, unknown> = { kind: 'cutover-target-health', at };

  let reachable = true;
  let topicsMissing = 0;
  let totalEnd: bigint | null = null;
  let groupsResumed = 0;
  let groups = 0;
  try {
    const present = new Set(await deps.target.listTopics());
    const missing = topics.filter((t) => !present.has(t));
    topicsMissing = missing.length;
    if (missing.length > 0)
      reasons.push(
        `${missing.length} replicated topic(s) are missing on the target: ${missing.slice(0, 5).join(', ')}.`,
      );
    const ends = await readEndOffsets(
      deps.target,
      topics.filter((t) => present.has(t)),
    );
    totalEnd = ends.reduce((n, e) => n + BigInt(e.high), 0n);
    const statuses = await groupStatuses(request, deps, ends);
    groups = statuses.length;
    groupsResumed = statuses.filter((s) => s.status !== 'NOT_RESUMED').length;
    const stuck = statuses.filter((s) => s.status === 'NOT_RESUMED');
    const graceOver = now.getTime() - Date.parse(request.switch.switchedAt) >= request.groupGraceSeconds * 1000;
    if (stuck.length > 0 && graceOver) {
      reasons.push(
        `${stuck.length} consumer group(s) have not resumed on the target ${request.groupGraceSeconds} s after the switch (no member, no commit, records waiting): ${stuck
          .slice(0, 5)
          .map((s) => `${s.groupId} (lag ${s.lag})`)
          .join(', ')}.`,
      );
    }
    evidence.groups = statuses;
    evidence.partitions = ends;
  } catch (err) {
    reachable = false;
    reasons.push(`The target cannot be read: ${(err as Error).name}: ${(err as Error).message}`);
  }

  let alarmsInAlarm = 0;
  if (request.alarmNames.length > 0 && deps.lagSignals) {
    const alarms = await deps.lagSignals.describeAlarms(request.alarmNames);
    const firing = alarms.filter((a) => a.state === 'ALARM');
    alarmsInAlarm = firing.length;
    if (firing.length > 0)
      reasons.push(`${firing.length} target health alarm(s) in ALARM: ${firing.map((a) => a.alarmName).join(', ')}.`);
    evidence.alarms = alarms;
  }

  const atSwitch = BigInt(request.switch.targetEndsAtSwitch.totalEnd);
  const previousTotal = request.previous?.totalEnd ?? request.switch.targetEndsAtSwitch.totalEnd;
  const healthy = reasons.length === 0;
  const consecutiveUnhealthy = healthy ? 0 : (request.previous?.consecutiveUnhealthy ?? 0) + 1;
  const evidenceKey = cutoverKey(request.identity, `window/health-${String(checks).padStart(4, '0')}.json`);
  await deps.artifacts.putJson(evidenceKey, { ...evidence, healthy, reasons });
  const progress: HealthProgress = {
    healthy,
    checkedAt: at,
    checks,
    consecutiveUnhealthy,
    windowEndsAt: endsAt,
    windowClosed: now.getTime() >= Date.parse(endsAt),
    reasons: reasons.slice(0, 5),
    figures: {
      reachable,
      topicsMissing,
      recordsSinceSwitch: totalEnd === null ? null : (totalEnd - atSwitch).toString(),
      recordsSinceLastCheck: totalEnd === null ? null : (totalEnd - BigInt(previousTotal)).toString(),
      groups,
      groupsResumed,
      alarmsInAlarm,
    },
    totalEnd: totalEnd === null ? null : totalEnd.toString(),
    evidenceKey,
  };
  if (consecutiveUnhealthy >= request.unhealthyChecks) {
    throw new TargetUnhealthyError(
      `The target was unhealthy in ${consecutiveUnhealthy} checks in a row: ${reasons.slice(0, 2).join(' ')} The pointers are put back to the source; see ${evidenceKey}.`,
      {
        evidenceKey,
        reasons: reasons.slice(0, 5),
        consecutiveUnhealthy,
      },
    );
  }
  return progress;
}

async function groupStatuses(
  request: z.output<typeof CheckTargetHealthRequestSchema>,
  deps: CheckTargetHealthDeps,
  ends: readonly PartitionEnd[],
): Promise<Array<{ groupId: string; status: GroupStatus; lag: string }>> {
  const evidenceKey = request.offsets.evidenceKey;
  const recorded = evidenceKey
    ? ((
        await deps.artifacts.getJson<{ groups: Array<{ groupId: string; translations: OffsetTranslation[] }> }>(
          evidenceKey,
        )
      )?.groups ?? [])
    : [];
  if (recorded.length === 0) return [];
  const endBy = new Map(ends.map((e) => [partitionKey(e), BigInt(e.high)]));
  const described = new Map(
    (await deps.target.describeGroups(recorded.map((g) => g.groupId))).map((g) => [g.groupId, g]),
  );
  const out: Array<{ groupId: string; status: GroupStatus; lag: string }> = [];
  for (const group of recorded) {
    const topics = [...new Set(group.translations.map((t) => t.topic))];
    const committed = new Map(
      (await deps.target.fetchCommittedOffsets(group.groupId, topics)).map((c) => [partitionKey(c), c.offset]),
    );
    let lag = 0n;
    let advanced = false;
    for (const t of group.translations) {
      const k = partitionKey(t);
      const current = BigInt(committed.get(k) ?? '-1');
      if (current > BigInt(t.targetOffset)) advanced = true;
      const end = endBy.get(k);
      if (end !== undefined) lag += end - (current >= 0n ? current : BigInt(t.targetOffset));
    }
    const members = described.get(group.groupId)?.members.length ?? 0;
    const status: GroupStatus =
      members > 0 ? 'ACTIVE' : advanced ? 'ADVANCED' : lag <= 0n ? 'CAUGHT_UP' : 'NOT_RESUMED';
    out.push({ groupId: group.groupId, status, lag: lag.toString() });
  }
  return out;
}
