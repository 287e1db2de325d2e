import { FenceRecordSchema, type FenceRecord } from '../../core/cutover/fence-producers';
import { readJournal } from '../../core/cutover/journal';
import { loadEndOffsets, type PartitionEnd } from '../../core/cutover/model';
import { SwitchRecordSchema, type SwitchRecord } from '../../core/cutover/switch-consumers';
import { InputInvalidError } from '../../core/errors';
import { failbackFenceJournalKey, FailbackFenceSchema, type FailbackFence } from '../../core/failback/fence';
import type { MigrationPlan } from '../../core/plan/migration-plan';
import type { ExecutionIdentity } from '../../core/replication/naming';
import type { ArtifactStore } from '../../ports/artifact-store';

/**
 * The failback of a plan in waves (docs/failback.md, "A plan in waves"). The failback starts after the last wave's
 * point of no return, when every wave is on the target; `NextWave` dropped the earlier waves' `$.cutover`, so what
 * each wave did forward is read from its own journals (`cutover/waves/<name>/journal/{fence,switch}.json`), and what
 * the failback does to it is journaled beside them (`failback-fence.json`, `failback-cutover.json`). Without waves the
 * state's `$.cutover` is the one cutover and nothing here is read.
 */

/** What a wave did forward, from its journals: the fence (the pointer's value before) and the switch. */
interface WaveForward {
  readonly wave: string;
  readonly fence: FenceRecord;
  readonly switched: SwitchRecord;
}

/** The forward fence and switch of the wave `identity` names, or undefined when that wave never switched. */
export async function waveForward(
  identity: ExecutionIdentity & { readonly wave: string },
  artifacts: ArtifactStore,
): Promise<WaveForward | undefined> {
  const switched = await readJournal<unknown, unknown>(artifacts, identity, 'switch');
  if (switched?.status !== 'DONE') return undefined;
  const fence = await readJournal<unknown, unknown>(artifacts, identity, 'fence');
  if (fence?.status !== 'DONE')
    throw new InputInvalidError(
      `Wave ${identity.wave} switched to the target but its fence journal (cutover/waves/${identity.wave}/journal/fence.json) is missing or unfinished: the failback does not know what its pointer held before, so it does not move it.`,
    );
  return {
    wave: identity.wave,
    fence: FenceRecordSchema.parse(fence.record),
    switched: SwitchRecordSchema.parse(switched.record),
  };
}

/** Every wave of the plan that switched to the target in this execution, in the plan's order. */
export async function wavesOnTarget(
  plan: Pick<MigrationPlan, 'waves'>,
  identity: ExecutionIdentity,
  artifacts: ArtifactStore,
): Promise<WaveForward[]> {
  const out: WaveForward[] = [];
  for (const w of plan.waves ?? []) {
    const forward = await waveForward({ ...base(identity), wave: w.name }, artifacts);
    if (forward) out.push(forward);
  }
  return out;
}

/** The failback fence each wave holds (FenceForFailback's journal, DONE), in the plan's order. */
export async function waveFailbackFences(
  plan: Pick<MigrationPlan, 'waves'>,
  identity: ExecutionIdentity,
  artifacts: ArtifactStore,
): Promise<Array<{ readonly wave: string; readonly fence: FailbackFence }>> {
  const out: Array<{ wave: string; fence: FailbackFence }> = [];
  for (const w of plan.waves ?? []) {
    const journal = await artifacts.getJson<{ status: string; record?: unknown }>(
      failbackFenceJournalKey({ ...base(identity), wave: w.name }),
    );
    if (journal?.status === 'DONE') out.push({ wave: w.name, fence: FailbackFenceSchema.parse(journal.record) });
  }
  return out;
}

/**
 * The drain's baseline over every wave fenced for the failback: the target's end offsets of each wave's fence
 * snapshot, one entry per partition (a topic in two waves — a consumers-first wave and the wave of its producers —
 * from the later fence), in readEndOffsets' order; fenced at the last fence.
 */
export async function unionOfFenceSnapshots(
  fences: ReadonlyArray<{ readonly wave: string; readonly fence: FailbackFence }>,
  artifacts: ArtifactStore,
): Promise<{ readonly ends: PartitionEnd[]; readonly fencedAt: string; readonly totalEnd: bigint }> {
  const byPartition = new Map<string, PartitionEnd>();
  let fencedAt = '';
  for (const { wave, fence } of [...fences].sort(
    (a, b) => Date.parse(a.fence.fencedAt) - Date.parse(b.fence.fencedAt),
  )) {
    const ends = await loadEndOffsets(artifacts, fence.targetEndsAtFence.key);
    if (!ends)
      throw new InputInvalidError(
        `The target's end offsets at wave ${wave}'s failback fence (${fence.targetEndsAtFence.key}) are missing.`,
      );
    for (const e of ends) byPartition.set(`${e.topic}\u0000${e.partition}`, e);
    fencedAt = fence.fencedAt;
  }
  const ends = sortedEnds([...byPartition.values()]);
  return { ends, fencedAt, totalEnd: ends.reduce((n, e) => n + BigInt(e.high), 0n) };
}

/** readEndOffsets' order: topics sorted, partitions ascending (digestEnds compares in order). */
function sortedEnds(ends: readonly PartitionEnd[]): PartitionEnd[] {
  return [...ends].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

function base(identity: ExecutionIdentity): ExecutionIdentity {
  return { migrationId: identity.migrationId, executionName: identity.executionName };
}
