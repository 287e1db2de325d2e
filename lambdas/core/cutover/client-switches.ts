import * as z from 'zod';
import { CutoverFailedError, RollbackFailedError } from '../errors';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { ClientSwitch, ClientSwitchFactory, ClientSwitchTarget, SwitchStep } from '../../ports/client-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { ClientSwitchSpec } from '../plan/migration-plan';
import { cutoverKey, ExecutionIdentitySchema, readEndOffsets, type PartitionEnd, partitionKey } from './model';
import { lazySchema } from '../lazy-schema';

/**
 * The plan's client switches (`cutover.switches`): applications that read no pointer, moved by the orchestrator
 * itself — a Lambda event source mapping recreated on the target, an ECS service redeployed with the target's
 * settings. Each adapter call is one idempotent step; the workflow calls again after a Wait until every switch is
 * complete (SwitchToTarget → ClientsSwitched? → WaitForClientSwitches, RollbackCutover → ClientsReverted? →
 * WaitForClientRevert), within `cutover.clientSwitchTimeoutMinutes`.
 *
 * Before the first change to an application, what it runs now (`record()`: the event source mapping's full
 * configuration, the service's task-definition revision and desired count) is journaled under
 * `cutover/journal/client-switch-<name>.json`. Rollback works from that journal only: an application this execution
 * never recorded was never changed, and is left alone.
 */

export const ClientSwitchStepSchema = lazySchema(() =>
  z.object({
    name: z.string(),
    kind: z.string(),
    subject: z.string(),
    role: z.enum(['PRODUCERS', 'CONSUMERS', 'BOTH']),
    complete: z.boolean(),
    step: z.string(),
    detail: z.string().optional(),
  }),
);
export type ClientSwitchStep = z.infer<typeof ClientSwitchStepSchema>;

/** `$.cutover.switch.clients` / `$.rollback.cutover.clients`: the Choice states read `complete`. */
export const ClientSwitchProgressSchema = lazySchema(() =>
  z.object({
    complete: z.boolean(),
    /** When the first call of this pass ran: the timeout counts from here. */
    startedAt: z.string(),
    switches: z.array(ClientSwitchStepSchema),
  }),
);
export type ClientSwitchProgress = z.infer<typeof ClientSwitchProgressSchema>;

const ClientSwitchJournalSchema = lazySchema(() =>
  z.object({
    name: z.string(),
    kind: z.string(),
    subject: z.string(),
    /** What the application ran before this execution changed it: `revert` returns to this. */
    recorded: z.unknown(),
    recordedAt: z.string(),
    stoppedAt: z.string().optional(),
    switchedAt: z.string().optional(),
    /** Where SwitchToTarget moved it: a failback stopped behind its fence starts it there again (the compensator too). */
    switchedTo: z.object({ bootstrapServers: z.string(), clusterArn: z.string().optional() }).optional(),
    /** Consumers held at the fence (holdConsumerSwitches): the mapping disabled, the connector deleted on the source. */
    heldAt: z.string().optional(),
    /** Records the group had not committed on the source's migrated topics when it was held (0: consumed to the end). */
    heldBehind: z.number().int().nonnegative().optional(),
    revertedAt: z.string().optional(),
    /** Failback: stopped at the failback fence (stopAtFence), started again on the target by its release, moved back. */
    failbackStoppedAt: z.string().optional(),
    failbackReleasedAt: z.string().optional(),
    failedBackAt: z.string().optional(),
    /** Failback: consumers held at the target's end (holdConsumerSwitchesOnTarget) before FailbackCutover translates. */
    failbackHeldAt: z.string().optional(),
    failbackHeldBehind: z.number().int().nonnegative().optional(),
  }),
);
type ClientSwitchJournal = z.infer<typeof ClientSwitchJournalSchema>;

export interface ClientSwitchDeps {
  readonly clientSwitches: ClientSwitchFactory;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
}

interface ClientSwitchRequest {
  readonly identity: z.infer<typeof ExecutionIdentitySchema>;
  readonly switches: readonly ClientSwitchSpec[];
  /** cutover.clientSwitchTimeoutMinutes. */
  readonly timeoutMinutes: number;
}

const journalKeyOf = (identity: ClientSwitchRequest['identity'], name: string): string =>
  cutoverKey(identity, `journal/client-switch-${name}.json`);

async function readSwitchJournal(
  artifacts: ArtifactStore,
  identity: ClientSwitchRequest['identity'],
  name: string,
): Promise<ClientSwitchJournal | undefined> {
  const raw = await artifacts.getJson(journalKeyOf(identity, name));
  return raw === undefined ? undefined : ClientSwitchJournalSchema.parse(raw);
}

/** The journal of a switch, recording what the application runs now first when this execution never did. */
async function recordedJournal(
  request: ClientSwitchRequest,
  spec: ClientSwitchSpec,
  adapter: ClientSwitch,
  deps: ClientSwitchDeps,
): Promise<ClientSwitchJournal> {
  const existing = await readSwitchJournal(deps.artifacts, request.identity, spec.name);
  if (existing) return existing;
  const journal: ClientSwitchJournal = {
    name: spec.name,
    kind: adapter.kind,
    subject: adapter.subject,
    recorded: await adapter.record(),
    recordedAt: deps.now().toISOString(),
  };
  await deps.artifacts.putJson(journalKeyOf(request.identity, spec.name), journal);
  return journal;
}

async function markJournal(
  deps: ClientSwitchDeps,
  request: ClientSwitchRequest,
  journal: ClientSwitchJournal,
  change: Partial<
    Pick<
      ClientSwitchJournal,
      | 'stoppedAt'
      | 'switchedAt'
      | 'switchedTo'
      | 'heldAt'
      | 'heldBehind'
      | 'revertedAt'
      | 'failbackStoppedAt'
      | 'failbackReleasedAt'
      | 'failedBackAt'
      | 'failbackHeldAt'
      | 'failbackHeldBehind'
    >
  >,
): Promise<void> {
  await deps.artifacts.putJson(journalKeyOf(request.identity, journal.name), { ...journal, ...change });
}

/** When this pass started (its own journal entry), so that the timeout spans every call of the poll. */
async function passStartedAt(
  deps: ClientSwitchDeps,
  request: ClientSwitchRequest,
  pass: 'switch' | 'revert' | 'failback' | 'hold' | 'failback-hold',
): Promise<string> {
  const key = cutoverKey(request.identity, `journal/client-switches-${pass}.json`);
  const found = await deps.artifacts.getJson<{ startedAt?: string }>(key);
  if (found?.startedAt) return found.startedAt;
  const startedAt = deps.now().toISOString();
  await deps.artifacts.putJson(key, { startedAt });
  return startedAt;
}

const stepOf = (spec: ClientSwitchSpec, adapter: ClientSwitch, step: SwitchStep): ClientSwitchStep => ({
  name: spec.name,
  kind: adapter.kind,
  subject: adapter.subject,
  role: adapter.role,
  complete: step.complete,
  step: step.step,
  ...(step.detail ? { detail: step.detail } : {}),
});

function overdue(request: ClientSwitchRequest, startedAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(startedAt) > request.timeoutMinutes * 60_000;
}

const pending = (steps: readonly ClientSwitchStep[]): string =>
  steps
    .filter((s) => !s.complete)
    .map((s) => `${s.name} (${s.subject}: ${s.step}${s.detail ? `, ${s.detail}` : ''})`)
    .join('; ');

/** A switch the plan stops at the fence (`stopAtFence` of an ECS_SERVICE or LOCAL_PROCESS). */
export function stopsAtFence(spec: ClientSwitchSpec): boolean {
  return 'stopAtFence' in spec && spec.stopAtFence === true;
}

/**
 * FenceProducers: the application of a switch with `stopAtFence` (ECS_SERVICE, LOCAL_PROCESS) is scaled to 0 (its
 * revision and desired count journaled first). One call: the drain's settle waits for its producers' writes to stop,
 * and its consumers leave their groups before CommitConsumerOffsets, which waits for no member on the source;
 * SwitchToTarget brings it back at the recorded count on the target.
 */
export async function stopClientSwitchesAtFence(
  request: ClientSwitchRequest,
  deps: ClientSwitchDeps,
): Promise<ClientSwitchStep[]> {
  const out: ClientSwitchStep[] = [];
  for (const spec of request.switches) {
    if (!stopsAtFence(spec)) continue;
    const adapter = deps.clientSwitches(spec);
    const journal = await recordedJournal(request, spec, adapter, deps);
    const step = await adapter.stop(journal.recorded);
    if (!journal.stoppedAt) await markJournal(deps, request, journal, { stoppedAt: deps.now().toISOString() });
    out.push(stepOf(spec, adapter, step));
  }
  return out;
}

/** `$.cutover.offsets.clients`: the consumers held at the fence, and the groups CommitConsumerOffsets may translate. */
export interface ConsumerHold {
  readonly complete: boolean;
  /** Groups of held consumers: final on the source even while a stopped member lingers there. */
  readonly heldGroups: string[];
  /** Groups of consumers not held yet (still consuming to the source's end): not to be translated yet. */
  readonly holdingGroups: string[];
  readonly switches: ClientSwitchStep[];
}

/** A switch whose consumers keep consuming from the source until their switch unless held at the fence. */
export function holdsAtFence(spec: Pick<ClientSwitchSpec, 'type' | 'role'> | { type: string; role: string }): boolean {
  return (
    (spec.type === 'LAMBDA_EVENT_SOURCE_MAPPING' || spec.type === 'MSK_CONNECT_CONNECTOR') && spec.role !== 'PRODUCERS'
  );
}

/**
 * CommitConsumerOffsets, before it translates (every poll): the consumers that would keep consuming from the source
 * until their switch — Lambda event source mappings, sink connectors — are held once their group has consumed to the
 * source's end (the producers are fenced and the source drained: the end is final), so that their committed offsets
 * are final and nothing they processed is read again on the target; or, when the group is still behind
 * `catchUpSeconds` after the first poll (a failing function, a slow sink), held anyway: the records after its
 * committed offset are then read on the target (at least once, none lost), counted in the journal (`heldBehind`).
 * What the application ran is journaled before the hold; every rollback returns it there (revertClientSwitches).
 */
export async function holdConsumerSwitches(
  request: ClientSwitchRequest & { readonly topics: readonly string[]; readonly catchUpSeconds: number },
  deps: ClientSwitchDeps & { readonly source: KafkaDataPlane },
): Promise<ConsumerHold> {
  return holdConsumers(request, deps, {
    pass: 'hold',
    cluster: deps.source,
    end: 'SOURCE',
    journal: async (spec, adapter) => recordedJournal(request, spec, adapter, deps),
    heldAt: (j) => j.heldAt,
    held: (at, behind) => ({ heldAt: at, heldBehind: behind }),
    holder: (adapter) => adapter.hold && ((recorded) => adapter.hold!(recorded)),
  });
}

/**
 * FailbackCutover, before it translates the offsets back (stepped within its invocation): the same consumers, where
 * SwitchToTarget moved them, held at the target's end — the target's producers are held by the failback fence and
 * its drain passed, so the end is final — or, `catchUpSeconds` after the first step, held anyway (`failbackHeldBehind`
 * records what the group had not committed on the target; its application reads those records again on the source).
 * A switch this execution never moved to the target, or already moved back, is UNTOUCHED. Journaled
 * (`failbackHeldAt`): a failback that stops after the hold resumes them on the target (restartClientSwitchesOnTarget),
 * one that goes on returns them to the source (revertClientSwitches). Migration.CutoverFailed naming those still
 * pending `catchUpSeconds` plus `timeoutMinutes` after the first step.
 */
export async function holdConsumerSwitchesOnTarget(
  request: ClientSwitchRequest & {
    readonly topics: readonly string[];
    readonly catchUpSeconds: number;
    readonly target: ClientSwitchTarget;
  },
  deps: ClientSwitchDeps & { readonly target: KafkaDataPlane },
): Promise<ConsumerHold> {
  const hold = await holdConsumers(request, deps, {
    pass: 'failback-hold',
    cluster: deps.target,
    end: 'TARGET',
    journal: async (spec) => {
      const journal = await readSwitchJournal(deps.artifacts, request.identity, spec.name);
      return journal?.switchedAt && !journal.failedBackAt ? journal : undefined;
    },
    heldAt: (j) => j.failbackHeldAt,
    held: (at, behind) => ({ failbackHeldAt: at, failbackHeldBehind: behind }),
    holder: (adapter) => adapter.holdOnTarget && ((recorded) => adapter.holdOnTarget!(recorded, request.target)),
  });
  if (!hold.complete) {
    const startedAt = await passStartedAt(deps, request, 'failback-hold');
    const deadline = Date.parse(startedAt) + request.catchUpSeconds * 1000 + request.timeoutMinutes * 60_000;
    if (deps.now().getTime() > deadline)
      throw new CutoverFailedError(
        `The consumers to hold on the target before the failback translates their offsets were not held within cutover.consumerCatchUpSeconds + cutover.clientSwitchTimeoutMinutes (${request.catchUpSeconds} s + ${request.timeoutMinutes} min): ${pending(hold.switches)}. The failback stops; ReleaseFailbackFence resumes them on the target.`,
        { pending: hold.switches.filter((s) => !s.complete).map((s) => s.name) },
      );
  }
  return hold;
}

/** One step of holding the consumers of the switches that consume until they are moved, at one cluster's end. */
async function holdConsumers(
  request: ClientSwitchRequest & { readonly topics: readonly string[]; readonly catchUpSeconds: number },
  deps: ClientSwitchDeps,
  at: {
    readonly pass: 'hold' | 'failback-hold';
    readonly cluster: KafkaDataPlane;
    readonly end: 'SOURCE' | 'TARGET';
    /** The switch's journal, or undefined when this pass leaves it alone (UNTOUCHED). */
    readonly journal: (spec: ClientSwitchSpec, adapter: ClientSwitch) => Promise<ClientSwitchJournal | undefined>;
    readonly heldAt: (journal: ClientSwitchJournal) => string | undefined;
    readonly held: (at: string, behind: number) => Partial<ClientSwitchJournal>;
    /** The adapter's hold at this end; undefined when it has none. */
    readonly holder: (adapter: ClientSwitch) => ((recorded: unknown) => Promise<SwitchStep>) | undefined;
  },
): Promise<ConsumerHold> {
  const specs = request.switches.filter(holdsAtFence);
  if (specs.length === 0) return { complete: true, heldGroups: [], holdingGroups: [], switches: [] };
  const startedAt = await passStartedAt(deps, request, at.pass);
  const overdueAt = Date.parse(startedAt) + request.catchUpSeconds * 1000;
  const where = at.end.toLowerCase();
  let ends: PartitionEnd[] | undefined;
  const heldGroups: string[] = [];
  const holdingGroups: string[] = [];
  const steps: ClientSwitchStep[] = [];
  for (const spec of specs) {
    const adapter = deps.clientSwitches(spec);
    const journal = await at.journal(spec, adapter);
    if (!journal) {
      steps.push(stepOf(spec, adapter, { complete: true, step: 'UNTOUCHED' }));
      continue;
    }
    const group = adapter.consumerGroup?.(journal.recorded);
    const hold = at.holder(adapter);
    if (!hold || !group) {
      steps.push(stepOf(spec, adapter, { complete: true, step: 'NOTHING_TO_HOLD' }));
      continue;
    }
    if (at.heldAt(journal)) {
      const step = await hold(journal.recorded);
      (step.complete ? heldGroups : holdingGroups).push(group);
      steps.push(stepOf(spec, adapter, step));
      continue;
    }
    ends ??= await readEndOffsets(at.cluster, request.topics);
    const behind = await recordsBehind(at.cluster, group, request.topics, ends);
    if (behind > 0 && deps.now().getTime() < overdueAt) {
      holdingGroups.push(group);
      steps.push(
        stepOf(spec, adapter, {
          complete: false,
          step: `CONSUMING_TO_${at.end}_END`,
          detail: `group ${group}: ${behind} record(s) to commit`,
        }),
      );
      continue;
    }
    await markJournal(deps, request, journal, at.held(deps.now().toISOString(), behind));
    const step = await hold(journal.recorded);
    (step.complete ? heldGroups : holdingGroups).push(group);
    steps.push(
      stepOf(spec, adapter, {
        ...step,
        detail: `${step.detail ? `${step.detail}; ` : ''}group ${group} ${behind === 0 ? `at the ${where} end` : `${behind} record(s) behind (read ${at.end === 'SOURCE' ? 'on the target' : 'again on the source'})`}`,
      }),
    );
  }
  return { complete: steps.every((s) => s.complete), heldGroups, holdingGroups, switches: steps };
}

/** Records of the migrated topics after the group's committed offsets on the source (partitions it committed on). */
async function recordsBehind(
  source: KafkaDataPlane,
  group: string,
  topics: readonly string[],
  ends: readonly PartitionEnd[],
): Promise<number> {
  const end = new Map(ends.map((e) => [partitionKey(e), BigInt(e.high)]));
  let behind = 0n;
  for (const c of await source.fetchCommittedOffsets(group, topics)) {
    const high = end.get(partitionKey(c));
    if (c.offset === '-1' || high === undefined) continue;
    if (high > BigInt(c.offset)) behind += high - BigInt(c.offset);
  }
  return Number(behind);
}

/**
 * SwitchToTarget, after the pointers moved: one step of every switch not yet on the target. Complete when all are;
 * Migration.CutoverFailed naming those still pending after `timeoutMinutes` (the Catch rolls back).
 */
export async function applyClientSwitches(
  request: ClientSwitchRequest & { readonly target: ClientSwitchTarget },
  deps: ClientSwitchDeps,
): Promise<ClientSwitchProgress> {
  const startedAt = await passStartedAt(deps, request, 'switch');
  const steps: ClientSwitchStep[] = [];
  for (const spec of request.switches) {
    const adapter = deps.clientSwitches(spec);
    const journal = await recordedJournal(request, spec, adapter, deps);
    if (journal.switchedAt) {
      steps.push(stepOf(spec, adapter, { complete: true, step: 'ON_TARGET', detail: `since ${journal.switchedAt}` }));
      continue;
    }
    const step = await adapter.switchToTarget(journal.recorded, request.target);
    if (step.complete)
      await markJournal(deps, request, journal, { switchedAt: deps.now().toISOString(), switchedTo: request.target });
    steps.push(stepOf(spec, adapter, step));
  }
  const complete = steps.every((s) => s.complete);
  if (!complete && overdue(request, startedAt, deps.now()))
    throw new CutoverFailedError(
      `The client switches did not reach the target within cutover.clientSwitchTimeoutMinutes (${request.timeoutMinutes} min): ${pending(steps)}. The rollback returns them to what was journaled.`,
      { pending: steps.filter((s) => !s.complete).map((s) => s.name) },
    );
  return { complete, startedAt, switches: steps };
}

/**
 * RollbackCutover (`pass: 'revert'`) and FailbackCutover (`pass: 'failback'`): one step of every switch this
 * execution recorded (so may have changed) back to the journaled configuration; a switch it never recorded is
 * UNTOUCHED. Migration.RollbackFailed naming those still pending after `timeoutMinutes`. Each pass journals its own
 * completion per switch (`revertedAt`, `failedBackAt`): a retried invocation does not step a finished switch again.
 */
export async function revertClientSwitches(
  request: ClientSwitchRequest & { readonly pass?: 'revert' | 'failback' },
  deps: ClientSwitchDeps,
): Promise<ClientSwitchProgress> {
  const pass = request.pass ?? 'revert';
  const doneField = pass === 'failback' ? 'failedBackAt' : 'revertedAt';
  const startedAt = await passStartedAt(deps, request, pass);
  const steps: ClientSwitchStep[] = [];
  for (const spec of request.switches) {
    const adapter = deps.clientSwitches(spec);
    const journal = await readSwitchJournal(deps.artifacts, request.identity, spec.name);
    if (!journal) {
      steps.push(stepOf(spec, adapter, { complete: true, step: 'UNTOUCHED' }));
      continue;
    }
    const done = journal[doneField];
    if (done) {
      steps.push(stepOf(spec, adapter, { complete: true, step: 'REVERTED', detail: `at ${done}` }));
      continue;
    }
    const step = await adapter.revert(journal.recorded);
    if (step.complete) await markJournal(deps, request, journal, { [doneField]: deps.now().toISOString() });
    steps.push(stepOf(spec, adapter, step));
  }
  const complete = steps.every((s) => s.complete);
  if (!complete && overdue(request, startedAt, deps.now()))
    throw new RollbackFailedError(
      `The client switches did not return to the source within cutover.clientSwitchTimeoutMinutes (${request.timeoutMinutes} min): ${pending(steps)}. Return them by hand to the configuration journaled in cutover/journal/client-switch-<name>.json.`,
      { pending: steps.filter((s) => !s.complete).map((s) => s.name) },
    );
  return { complete, startedAt, switches: steps };
}

/**
 * FenceForFailback: the applications the cutover moved whose switch stops them at the fence (`stopAtFence`) are
 * stopped on the target too (one call, as forward): their producers write nowhere while the failback drains (there is
 * no broker fence on the target), their consumers leave their groups before FailbackCutover commits the offsets on
 * the source. A switch never moved to the target is left alone.
 */
export async function stopClientSwitchesForFailback(
  request: ClientSwitchRequest,
  deps: ClientSwitchDeps,
): Promise<ClientSwitchStep[]> {
  const out: ClientSwitchStep[] = [];
  for (const spec of request.switches) {
    if (!stopsAtFence(spec)) continue;
    const adapter = deps.clientSwitches(spec);
    const journal = await readSwitchJournal(deps.artifacts, request.identity, spec.name);
    if (!journal?.switchedAt) {
      out.push(stepOf(spec, adapter, { complete: true, step: 'UNTOUCHED' }));
      continue;
    }
    const step = await adapter.stop(journal.recorded);
    if (!journal.failbackStoppedAt)
      await markJournal(deps, request, journal, { failbackStoppedAt: deps.now().toISOString() });
    out.push(stepOf(spec, adapter, step));
  }
  return out;
}

/**
 * Whether releasing a failback fence has applications to start again on the target: a switch the failback fence
 * stops (`stopAtFence`) or a consumer FailbackCutover holds there (holdsAtFence). ReleaseFailbackFence and the
 * compensator both ask this before restartClientSwitchesOnTarget.
 */
export function restartsOnFailbackRelease(switches: readonly ClientSwitchSpec[]): boolean {
  return switches.some((s) => stopsAtFence(s) || holdsAtFence(s));
}

/**
 * ReleaseFailbackFence: the applications stopped at the failback fence, and the consumers FailbackCutover held on the
 * target, not moved back since, are started again on the target (one step each: the recorded count restored with the
 * target's settings; the held mapping enabled again, the held connector created again), as the pointer's producers
 * resume there. Journaled (`failbackReleasedAt`): a retried release restarts nothing twice.
 */
export async function restartClientSwitchesOnTarget(
  request: ClientSwitchRequest & { readonly target?: ClientSwitchTarget },
  deps: ClientSwitchDeps,
): Promise<ClientSwitchStep[]> {
  const out: ClientSwitchStep[] = [];
  for (const spec of request.switches) {
    const adapter = deps.clientSwitches(spec);
    const journal = await readSwitchJournal(deps.artifacts, request.identity, spec.name);
    const stopped = journal?.failbackStoppedAt ?? journal?.failbackHeldAt;
    if (!journal || !stopped || journal.failedBackAt || journal.failbackReleasedAt) {
      out.push(stepOf(spec, adapter, { complete: true, step: 'UNTOUCHED' }));
      continue;
    }
    // The task passes the execution's target; the compensator (no execution state) the one the switch journaled.
    const target = request.target ?? journal.switchedTo;
    if (!target) {
      out.push(
        stepOf(spec, adapter, {
          complete: false,
          step: 'TARGET_UNKNOWN',
          detail: `its journal (cutover/journal/client-switch-${spec.name}.json) does not say where SwitchToTarget moved it: start it on the target by hand`,
        }),
      );
      continue;
    }
    const step =
      journal.failbackHeldAt && adapter.resumeOnTarget
        ? await adapter.resumeOnTarget(journal.recorded, target)
        : await adapter.switchToTarget(journal.recorded, target);
    await markJournal(deps, request, journal, { failbackReleasedAt: deps.now().toISOString() });
    out.push(stepOf(spec, adapter, step));
  }
  return out;
}

/** Waits between two steps of the switches (the AWS handlers: a timer; tests: nothing). */
export type Sleep = (ms: number) => Promise<void>;

/** How long between two steps: the adapters' states (ESM Creating → Enabled, an ECS rollout) move in seconds. */
export const CLIENT_SWITCH_POLL_MS = 5_000;

/**
 * Steps the switches until all are complete, within the one task invocation: the pass itself fails once
 * `clientSwitchTimeoutMinutes` have passed (which the plan keeps under the task's timeout), so the loop is bounded.
 * The cutover's fence → switch path runs as one bounded invocation too; a Wait state per step would add two poll loops
 * to the history budget for what takes a few minutes.
 */
export async function untilComplete<P extends { readonly complete: boolean } = ClientSwitchProgress>(
  pass: () => Promise<P>,
  sleep: Sleep,
  pollMs: number = CLIENT_SWITCH_POLL_MS,
  /** The caller's own deadline (the compensator's invocation): no further step once it says stop. */
  keepGoing: () => boolean = () => true,
): Promise<P> {
  let progress = await pass();
  // The pass's own deadline ends the loop; the count is a second bound for a clock that does not move.
  for (let n = 1; !progress.complete && n < MAX_PASSES && keepGoing(); n++) {
    await sleep(pollMs);
    progress = await pass();
  }
  return progress;
}

/** 12 minutes of 5-second steps, and some. */
const MAX_PASSES = 200;
