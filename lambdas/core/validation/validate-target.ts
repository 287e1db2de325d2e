import { ValidationFailedError } from '../errors';
import { artifactKey, type ArtifactStore } from '../../ports/artifact-store';
import type { KafkaDataPlane, PartitionOffsets } from '../../ports/kafka';
import type { ExecutionIdentity } from '../replication/naming';
import { selectGroups, type NameFilter } from '../replication/topic-selection';
import type { Difference } from './differences';
import { checkGroupOffsets, type PartitionView } from './group-offsets';
import type { AccessChecker } from '../access/access-checker';
import type { AclBinding } from '../access/acl-binding';
import {
  checkPrincipalAccess,
  type AccessSummary,
  type LostAccess,
  type PrincipalExpectation,
} from '../access/principal-access';
import { checkPartitionContinuity } from './record-continuity';
import { allows, describeTolerance, tolerancesFor, type RecoveryPolicy } from './recovery-policy';
import type { ReplayedRange } from './replay-ledger';
import { DEFAULT_IGNORED_HEADERS } from './record-digest';
import { configParity, topicParity, type ConfigPolicy } from './topic-parity';

/**
 * ValidateTarget: proves the copy before anyone is asked to approve a cutover. Topic and partition parity, config
 * parity (minus what the target profile changes), record continuity by content over the head and tail of every
 * partition, consumer-group offsets that point at the same records, and the listed principals' access where it can
 * be checked. Every difference is listed; any difference fails with Migration.ValidationFailed.
 */

export interface ValidationRequest {
  readonly identity: ExecutionIdentity;
  /** The replicated topics (the replication plan's list, without the canary topic). */
  readonly topics: readonly string[];
  readonly consumerGroups: NameFilter;
  readonly startingPosition: 'EARLIEST' | 'LATEST';
  readonly configPolicy: ConfigPolicy;
  /** @default 10 */
  readonly sampleRecords?: number;
  /** @default 200 */
  readonly searchWindow?: number;
  /** For groups with no active member on the source. @default 0 — the translated offset points at exactly the same record */
  readonly maxRewindRecords?: number;
  /** @default DEFAULT_IGNORED_HEADERS */
  readonly ignoredHeaders?: readonly string[];
  /** @default 5_000 */
  readonly readTimeoutMs?: number;
  /** Records read per partition to align replayed ranges (both sides). @default 200_000 */
  readonly maxScanRecords?: number;
  /** The plan's `recovery`: how many records each topic accepts twice on the target. Absent: none. */
  readonly recovery?: RecoveryPolicy;
  /**
   * Whose access is checked: listed (the plan's validation.principals), or what the source's ACLs allow their
   * principals on the replicated topics and the selected groups. Absent: not checked, reported as SKIPPED.
   */
  readonly principals?: readonly PrincipalExpectation[] | { readonly fromSourceAcls: readonly AclBinding[] };
  /** How `deps.access` decides, for the evidence (`the target's 8 ACL bindings …`). */
  readonly accessBasis?: string;
  /** Why access is not checked at all (reported as SKIPPED with this reason, never as a pass). */
  readonly accessSkipped?: string;
}

export interface ValidationDeps {
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly access?: AccessChecker;
  readonly now: () => Date;
}

export interface ValidationSummary {
  readonly passed: true;
  readonly evidenceKey: string;
  readonly checked: {
    readonly topics: number;
    readonly partitions: number;
    readonly configs: number;
    readonly sampledRecords: number;
    readonly groups: number;
    readonly groupPartitions: number;
    readonly accessChecks: number;
  };
  /** Whose access was checked and how, or why it was not. */
  readonly access: AccessSummary;
  /** Records a restarted replicator copied twice, accepted by the plan's duplicate tolerance (absent: none found). */
  readonly duplicates?: DuplicateSummary;
  /** What could not be checked, and accepted deviations (offset rewinds within the tolerance). */
  readonly notes: string[];
}

/** Duplicates found on the target, per partition with their replayed ranges (the evidence lists every range). */
export interface DuplicateSummary {
  readonly records: number;
  /** The first 20 partitions, the most duplicated first. */
  readonly partitions: Array<{
    readonly subject: string;
    readonly records: number;
    /** `target 600–749 = source 450–599` for the first three ranges. */
    readonly ranges: string[];
  }>;
}

const DIFFERENCES_IN_STATE = 20;

export async function validateTarget(request: ValidationRequest, deps: ValidationDeps): Promise<ValidationSummary> {
  const { source, target } = deps;
  const startedAt = deps.now().toISOString();
  const options = {
    sampleRecords: request.sampleRecords ?? 10,
    searchWindow: request.searchWindow ?? 200,
    ignoredHeaders: request.ignoredHeaders ?? DEFAULT_IGNORED_HEADERS,
    startingPosition: request.startingPosition,
    readTimeoutMs: request.readTimeoutMs ?? 5_000,
    ...(request.maxScanRecords !== undefined ? { maxScanRecords: request.maxScanRecords } : {}),
  };
  const differences: Difference[] = [];
  const notes: string[] = [];

  const sourceTopics = new Set(await source.listTopics());
  const targetTopics = new Set(await target.listTopics());
  const topics = request.topics.filter((t) => sourceTopics.has(t));
  for (const gone of request.topics.filter((t) => !sourceTopics.has(t)))
    notes.push(`Topic ${gone} no longer exists on the source: not compared.`);
  const onBoth = topics.filter((t) => targetTopics.has(t));

  const [sourceDescriptions, targetDescriptions] = await Promise.all([
    source.describeTopics(topics),
    onBoth.length > 0 ? target.describeTopics(onBoth) : Promise.resolve([]),
  ]);
  differences.push(...topicParity(topics, sourceDescriptions, targetDescriptions));

  const [sourceConfigs, targetConfigs] = await Promise.all([
    source.describeTopicConfigs(onBoth),
    onBoth.length > 0 ? target.describeTopicConfigs(onBoth) : Promise.resolve({}),
  ]);
  differences.push(...configParity(onBoth, sourceConfigs, targetConfigs, request.configPolicy));
  const configsCompared = onBoth.reduce((n, t) => n + (sourceConfigs[t] ?? []).filter((e) => !e.isDefault).length, 0);

  // Per-partition offsets and continuity, a few topics at a time.
  const views = new Map<string, PartitionView>();
  const replayed: Array<{ topic: string; subject: string; records: number; ranges: ReplayedRange[] }> = [];
  let sampledRecords = 0;
  let partitions = 0;
  await forEachBounded(onBoth, 4, async (topic) => {
    // The target's offsets first, then the source's: while producers write, every record the target holds when its
    // offsets are read was copied from the source earlier, so it lies below the source's end read after it. Read the
    // other way round (or at once), a record copied in between is on the target and past the source's end: the
    // continuity check reads the source only up to that end and reports the record as not in the source.
    const tOffsets = await target.fetchTopicOffsets(topic);
    const sOffsets = await source.fetchTopicOffsets(topic);
    const tByPartition = new Map<number, PartitionOffsets>(tOffsets.map((o) => [o.partition, o]));
    for (const s of sOffsets) {
      const t = tByPartition.get(s.partition);
      partitions++;
      if (!t) {
        views.set(`${topic}\u0000${s.partition}`, { source: s, target: undefined, delta: null });
        continue; // reported by the partition-count parity
      }
      const result = await checkPartitionContinuity(source, target, topic, s, t, options);
      differences.push(...result.differences);
      sampledRecords += result.sampledRecords;
      if (result.replay && result.replay.duplicateRecords > 0)
        replayed.push({
          topic,
          subject: `${topic}-${s.partition}`,
          records: result.replay.duplicateRecords,
          ranges: result.replay.duplicates,
        });
      views.set(`${topic}\u0000${s.partition}`, { source: s, target: t, delta: result.delta });
    }
  });

  // Duplicates: within the plan's tolerance (per topic) they are a figure; beyond it, a difference per partition.
  const duplicateNotes: string[] = [];
  for (const topic of new Set(replayed.map((r) => r.topic))) {
    const partitionsOf = replayed.filter((r) => r.topic === topic);
    const total = partitionsOf.reduce((n, r) => n + r.records, 0);
    const tolerance = tolerancesFor(request.recovery, topic);
    const allowed = describeTolerance(tolerance.duplicates);
    if (allows(tolerance.duplicates, total)) {
      duplicateNotes.push(
        `${topic}: ${total} record(s) present twice on the target (replayed by a replicator restart: ${partitionsOf.map((r) => `${r.subject} ${r.records}`).join(', ')}), within ${tolerance.source}.duplicateTolerance (${allowed}).`,
      );
      continue;
    }
    for (const r of partitionsOf)
      differences.push({
        check: 'DUPLICATES',
        subject: r.subject,
        detail: `${r.records} record(s) are present twice on the target (replayed ranges: ${r.ranges
          .slice(0, 3)
          .map(rangeText)
          .join(
            '; ',
          )}${r.ranges.length > 3 ? '; …' : ''}); topic ${topic} has ${total} and ${tolerance.source}.duplicateTolerance allows ${allowed}.`,
        source: `[${r.ranges[0]?.sourceFrom}, ${r.ranges.at(-1)?.sourceTo}]`,
        target: `[${r.ranges[0]?.targetFrom}, ${r.ranges.at(-1)?.targetTo}]`,
      });
  }
  notes.push(...duplicateNotes);
  const duplicates: DuplicateSummary | undefined =
    replayed.length > 0
      ? {
          records: replayed.reduce((n, r) => n + r.records, 0),
          partitions: [...replayed]
            .sort((a, b) => b.records - a.records)
            .slice(0, 20)
            .map((r) => ({ subject: r.subject, records: r.records, ranges: r.ranges.slice(0, 3).map(rangeText) })),
        }
      : undefined;

  // Consumer groups: those of the source the replicator was told to take, checked on the replicated topics.
  const groups = selectGroups(
    (await source.listGroups()).map((g) => g.groupId),
    request.consumerGroups,
  );
  // A group still consuming on the source commits ahead of any translation: behind is expected there, ahead never.
  const active = new Set(
    (groups.length > 0 ? await source.describeGroups(groups) : [])
      .filter((g) => g.members.length > 0)
      .map((g) => g.groupId),
  );
  let groupPartitions = 0;
  const topicSet = new Set(onBoth);
  for (const groupId of groups) {
    const sourceCommitted = (await source.fetchCommittedOffsets(groupId, onBoth)).filter((c) => topicSet.has(c.topic));
    if (sourceCommitted.every((c) => c.offset === '-1')) continue;
    const targetCommitted = await target.fetchCommittedOffsets(groupId, onBoth);
    const result = await checkGroupOffsets(source, target, groupId, sourceCommitted, targetCommitted, views, {
      maxRewindRecords: active.has(groupId) ? Number.MAX_SAFE_INTEGER : (request.maxRewindRecords ?? 0),
      untranslatedIsPending: active.has(groupId),
      searchWindow: options.searchWindow,
      ignoredHeaders: options.ignoredHeaders,
      readTimeoutMs: options.readTimeoutMs,
    });
    differences.push(...result.differences);
    groupPartitions += result.partitionsChecked;
    for (const r of result.rewinds)
      notes.push(
        `${r.subject}: the translated offset is ${r.records} record(s) behind${active.has(groupId) ? ' (the group is still active on the source)' : ' (within the allowed rewind)'}.`,
      );
    for (const subject of result.pending)
      notes.push(
        `${subject}: not translated yet (the group is still active on the source and commits after the replicator's last offset sync); CommitConsumerOffsets translates it by content at the cutover.`,
      );
  }

  const access = await checkPrincipalAccess(
    {
      ...(request.principals !== undefined ? { principals: request.principals } : {}),
      ...(request.accessBasis !== undefined ? { basis: request.accessBasis } : {}),
      ...(request.accessSkipped !== undefined ? { skipped: request.accessSkipped } : {}),
    },
    deps.access,
    onBoth,
    groups,
  );
  differences.push(...access.differences);
  notes.push(...access.notes);
  const accessChecks = access.checks;

  const checked = {
    topics: topics.length,
    partitions,
    configs: configsCompared,
    sampledRecords,
    groups: groups.length,
    groupPartitions,
    accessChecks,
  };
  const evidenceKey = artifactKey(
    request.identity.migrationId,
    request.identity.executionName,
    'validation/target-validation.json',
  );
  await deps.artifacts.putJson(evidenceKey, {
    kind: 'target-validation',
    startedAt,
    finishedAt: deps.now().toISOString(),
    passed: differences.length === 0,
    checked,
    options: { ...options, maxRewindRecords: request.maxRewindRecords ?? 0, configPolicy: request.configPolicy },
    access: { ...access.summary, lostAccess: access.lost },
    duplicates: { records: duplicates?.records ?? 0, recovery: request.recovery ?? null, partitions: replayed },
    differences,
    notes,
  });
  if (differences.length > 0) {
    const others = differences.filter((d) => d.check !== 'ACCESS');
    const shown = others.slice(0, 3).map((d) => `${d.subject}: ${d.detail}`);
    const message = [
      others.length > 0
        ? `The target differs from the source in ${others.length} place(s): ${shown.join(' ')}${others.length > 3 ? ' …' : ''}`
        : undefined,
      access.lost.length > 0 ? lostAccessSentence(access.lost) : undefined,
      `Full list: ${evidenceKey}`,
    ].filter((part): part is string => part !== undefined);
    throw new ValidationFailedError(message.join(' '), {
      evidenceKey,
      total: differences.length,
      differences: differences.slice(0, DIFFERENCES_IN_STATE),
      ...(access.lost.length > 0
        ? {
            lostAccess: access.lost
              .slice(0, DIFFERENCES_IN_STATE)
              .map((l) => ({ principal: l.principal, loses: l.loses.slice(0, 10) })),
          }
        : {}),
    });
  }
  return {
    passed: true,
    evidenceKey,
    checked,
    access: access.summary,
    ...(duplicates ? { duplicates } : {}),
    notes: notes.slice(0, 50),
  };
}

/** `2 principal(s) would lose access on the target: User:billing (READ group billing); …` */
function lostAccessSentence(lost: readonly LostAccess[]): string {
  const named = lost
    .slice(0, 5)
    .map((l) => `${l.principal} (${l.loses.slice(0, 4).join(', ')}${l.loses.length > 4 ? ', …' : ''})`);
  return `${lost.length} principal(s) would lose access on the target: ${named.join('; ')}${lost.length > 5 ? '; …' : ''}. Grant it on the target (ACLs or IAM policies) before the cutover.`;
}

function rangeText(r: ReplayedRange): string {
  return `target ${r.targetFrom}–${r.targetTo} = source ${r.sourceFrom}–${r.sourceTo}`;
}

async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
