import * as z from 'zod';
import { assertNotAborted } from '../../core/execution/abort';
import type { AbortRequests } from '../../ports/abort-requests';
import {
  CommitProgressSchema,
  OffsetsBeforeFenceSchema,
  type CommitProgress,
  commitConsumerOffsets,
  translateOffsetsBeforeFence,
} from '../../core/cutover/commit-consumer-offsets';
import { ClientSwitchStepSchema, holdConsumerSwitches, holdsAtFence } from '../../core/cutover/client-switches';
import {
  OffsetsDuringDrainSchema,
  acceptOffsetsDuringDrain,
  commitOffsetsDuringDrain,
  type AcceptOptions,
  type DrainLookTails,
  type OffsetsDuringDrainLook,
} from '../../core/cutover/offsets-during-drain';
import { allAnswered } from '../../core/cutover/journal';
import { offsetsDuringDrainDeclined } from '../../core/cutover/declined';
import { CutoverFailedError } from '../../core/errors';
import { selectGroups } from '../../core/replication/topic-selection';
import type { ArtifactStore } from '../../ports/artifact-store';
import type { ClientSwitchFactory } from '../../ports/client-switch';
import type { KafkaDataPlane } from '../../ports/kafka';
import type { Pacer } from '../../ports/pacer';
import { lookPaced } from '../shared/paced';
import {
  CutoverExecutionStateSchema,
  consumersFirst,
  cutoverScope,
  requireStep,
  type CutoverScope,
} from '../shared/cutover-state';
import { defineTask } from '../../workflow/define-task';
import { lazySchema } from '../../core/lazy-schema';

/**
 * CommitConsumerOffsets: after the drain, each consumer group in the plan's filter gets, on the target, committed
 * offsets that point at the same records as on the source (translated by content, read back and re-checked).
 * `complete: false` while groups still have members on the source (the Choice OffsetsCommitted? waits and calls again);
 * past the core's group deadline, or for a group already active on the target, Migration.CutoverFailed. Idempotent:
 * once complete, a retry returns the journaled result without committing again.
 *
 * The consumers no fence stops — a Lambda event source mapping, a sink connector of cutover.switches — are held first
 * (core/cutover/client-switches.ts holdConsumerSwitches): once their group has consumed to the source's end (or after
 * cutover.consumerCatchUpSeconds), the mapping is disabled, the connector deleted on the source, so that their group's
 * committed offsets are final before they are translated; `clients` says where each is.
 *
 * TranslateOffsetsBeforeFence (`mode: BEFORE_FENCE`): the same translation while the clients still run, journaled, no
 * commit; CommitConsumerOffsets reuses what still holds after the drain and translates only the tail
 * (core/cutover/commit-consumer-offsets.ts).
 *
 * A consumers-first wave: the producers still write to the source, so each group's position is translated with the
 * shift estimated from both ends, and a position the replication has not copied yet is waited for (`complete: false`)
 * up to cutover.drainTimeoutMinutes after this step started.
 */

export const Input = lazySchema(() =>
  z.object({
    state: CutoverExecutionStateSchema,
    mode: z.enum(['BEFORE_FENCE']).optional(),
    /** What runOffsetsDuringDrain committed in the same one-invocation Cutover (the ASL passes none). */
    duringDrain: OffsetsDuringDrainSchema.optional(),
  }),
);
export type Input = z.infer<typeof Input>;

export const Output = lazySchema(() =>
  z.union([
    CommitProgressSchema.extend({ clients: z.array(ClientSwitchStepSchema).optional() }),
    OffsetsBeforeFenceSchema,
  ]),
);
export type Output = z.infer<typeof Output>;

export interface Deps {
  /** The operator's abort requests: checked first, on every poll (Migration.Aborted takes the rollback path). */
  readonly aborts?: AbortRequests;
  readonly source: KafkaDataPlane;
  readonly target: KafkaDataPlane;
  readonly artifacts: ArtifactStore;
  readonly now: () => Date;
  /** Looks again within this invocation while groups are still leaving the source, instead of a Wait state's poll. */
  readonly pacer?: Pacer;
  /** The plan's client switches: event source mappings and sink connectors are held at the source's end here. */
  readonly clientSwitches?: ClientSwitchFactory;
}

/** What the one-invocation Cutover holds in memory for this step (the step-by-step state has none of it). */
export interface InInvocation {
  /** The cutover scope, read once by the invocation: not read again from the store. */
  readonly scope?: CutoverScope;
  /** Written beside the offsets' journal once the offsets done during the drain are accepted (AcceptOptions). */
  readonly whileJournaling?: AcceptOptions['whileJournaling'];
  /** The offsets' journal as runOffsetsDuringDrain left it in this invocation (AcceptOptions). */
  readonly journal?: AcceptOptions['journal'];
  /** The drained look's tails as this invocation's CheckDrain compared them (AcceptOptions). */
  readonly drainLook?: AcceptOptions['drainLook'];
  /**
   * The drained look's records (CheckDrain's snapshot and evidence), not written yet: written at once with the offsets'
   * evidence and DONE when the offsets done during the drain are accepted, else answered before the whole work starts
   * (it reads the drained tails back from the store). Called again, the same writes.
   */
  readonly drainRecords?: () => Promise<unknown>;
}

export async function runCommitConsumerOffsets(
  input: Input,
  deps: Deps,
  inInvocation: InInvocation = {},
): Promise<Output> {
  const { state } = input;
  const { consumerGroups } = state.input.replication;
  const { switches, clientSwitchTimeoutMinutes, consumerCatchUpSeconds } = state.input.cutover;
  const accepting =
    input.duringDrain !== undefined &&
    input.mode !== 'BEFORE_FENCE' &&
    !consumersFirst(state) &&
    !switches.some(holdsAtFence);
  // The abort request and the scope are read at once: neither changes anything. Where the offsets done during the
  // drain are checked, the abort check goes with the checks' reads instead, and nothing is written before it answers.
  const notAborted = assertNotAborted(state.execution.id, deps.aborts);
  notAborted.catch(() => undefined); // awaited below or by the checks; never left unhandled meanwhile
  // Not accepting, the drained look's records (the one invocation's) go with the abort check: the whole work reads
  // the drained tails back from the store.
  const [scope] = await allAnswered([
    inInvocation.scope ? Promise.resolve(inInvocation.scope) : cutoverScope(state, deps.artifacts),
    accepting ? Promise.resolve() : notAborted,
    accepting ? Promise.resolve() : (inInvocation.drainRecords?.() ?? Promise.resolve()),
  ]);
  if (input.mode === 'BEFORE_FENCE')
    return Output.parse(
      await translateOffsetsBeforeFence(
        {
          ...scope,
          consumerGroups: { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
          lagAllowance: state.input.gates.maxLagRecords,
          ...(state.input.recovery ? { recovery: state.input.recovery } : {}),
        },
        deps,
      ),
    );
  // Consumers first: translated while the producers still write (the pre-pass's proof needs a drain: not reused).
  const readOnly = consumersFirst(state);
  const beforeFence = readOnly ? undefined : state.cutover?.offsetsBeforeFence;
  const request = {
    ...scope,
    consumerGroups: { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
    fence: requireStep(state, 'fence', 'FenceProducers'),
    drain: requireStep(state, 'drain', 'CheckDrain'),
    ...(state.input.recovery ? { recovery: state.input.recovery } : {}),
    ...(beforeFence ? { beforeFence } : {}),
    ...(readOnly
      ? {
          consumersFirst: {
            lagAllowance: state.input.gates.maxLagRecords,
            replicationTimeoutSeconds: state.input.cutover.drainTimeoutMinutes * 60,
          },
        }
      : {}),
  };
  // Committed while the drain looked: only what can have changed since is checked (core/cutover/offsets-during-drain.ts).
  const { drainRecords, whileJournaling } = inInvocation;
  if (accepting && input.duringDrain) {
    const accepted = await acceptOffsetsDuringDrain({ ...request, duringDrain: input.duringDrain }, deps, {
      before: notAborted,
      ...(drainRecords || whileJournaling
        ? {
            whileJournaling: (progress: CommitProgress) =>
              allAnswered([drainRecords?.() ?? Promise.resolve(), whileJournaling?.(progress) ?? Promise.resolve()]),
          }
        : {}),
      ...(inInvocation.journal ? { journal: inInvocation.journal } : {}),
      ...(inInvocation.drainLook ? { drainLook: inInvocation.drainLook } : {}),
    });
    if (accepted) return Output.parse(accepted);
  }
  await drainRecords?.();
  const clientSwitches = deps.clientSwitches;
  const hold = async () => {
    if (!clientSwitches)
      throw new CutoverFailedError(
        'The plan names consumers to hold at the fence (cutover.switches: an event source mapping or a sink connector), but this runtime has no client switch adapters.',
      );
    return holdConsumerSwitches(
      {
        identity: request.identity,
        switches,
        timeoutMinutes: clientSwitchTimeoutMinutes,
        topics: request.canaryTopic ? [...request.topics, request.canaryTopic] : request.topics,
        catchUpSeconds: consumerCatchUpSeconds,
      },
      { clientSwitches, artifacts: deps.artifacts, now: deps.now, source: deps.source },
    );
  };
  const holds = switches.some(holdsAtFence);
  const progress = await lookPaced({
    pacer: deps.pacer,
    now: deps.now,
    done: (p) => p.complete,
    look: async () => {
      if (!holds) return commitConsumerOffsets(request, deps);
      const held = await hold();
      // A held group the plan's filter leaves out would not be translated: its application would start on the
      // target wherever its own settings say (a mapping's StartingPosition), skipping or repeating records.
      const fresh = new Set((state.input.recovery?.freshGroups ?? []).map((g) => g.groupId));
      const left = [...held.heldGroups, ...held.holdingGroups].filter(
        (g) => !fresh.has(g) && selectGroups([g], request.consumerGroups).length === 0,
      );
      if (left.length > 0)
        throw new CutoverFailedError(
          `The consumer group(s) ${left.join(', ')} of cutover.switches are not selected by replication.consumerGroups: their offsets would not be translated, and the switched application would start on the target at its own starting position. Add them to the filter (or to recovery.freshGroups), then cut over again.`,
          { groups: left },
        );
      const p = await commitConsumerOffsets(
        { ...request, heldGroups: held.heldGroups, holdingGroups: held.holdingGroups },
        deps,
      );
      return { ...p, clients: held.switches };
    },
  });
  return Output.parse(progress);
}

/**
 * The consumer offsets while the drain looks (the one-invocation Cutover runs it beside CheckDrain): a look every pacer
 * interval until every group left the source and its offsets are committed on the target and read back (`COMMITTED`,
 * handed to runCommitConsumerOffsets as `duringDrain`), or the work is left to CommitConsumerOffsets after the drain
 * (`LEFT`: a plan it does not cover, a replayed range, an error — that step decides), or `stopped()` says the drain
 * ended. It never fails the cutover: whatever it could not do, the step after the drain does as before.
 */
export async function runOffsetsDuringDrain(
  input: Pick<Input, 'state'>,
  deps: Deps & {
    readonly stopped: () => boolean;
    /** The drain's latest look (its evidence holds each partition's compared last records; its tails, if in memory). */
    readonly drainLook?: () => DrainLookTails | undefined;
  },
): Promise<OffsetsDuringDrainLook> {
  const left = (reason: string): OffsetsDuringDrainLook => ({ status: 'LEFT', reason });
  try {
    return await offsetsDuringDrain(input.state, deps, left);
  } catch (err) {
    return left(`${(err as Error).name}: ${(err as Error).message}`);
  }
}

async function offsetsDuringDrain(
  state: Input['state'],
  deps: Deps & { readonly stopped: () => boolean; readonly drainLook?: () => DrainLookTails | undefined },
  left: (reason: string) => OffsetsDuringDrainLook,
): Promise<OffsetsDuringDrainLook> {
  const declined = offsetsDuringDrainDeclined(state.input, state.identity.wave);
  if (declined) return left(declined);
  const { consumerGroups } = state.input.replication;
  const request = {
    ...(await cutoverScope(state, deps.artifacts)),
    consumerGroups: { include: [...consumerGroups.include], exclude: [...consumerGroups.exclude] },
    fence: requireStep(state, 'fence', 'FenceProducers'),
  };
  return lookPaced<OffsetsDuringDrainLook>({
    pacer: deps.pacer,
    now: deps.now,
    done: (look) => look.status !== 'WAITING',
    // Whether the groups left costs two requests: looked at sooner than the pacer's interval (a fifth of it), so
    // that the translation starts close to when the last consumer left.
    dueAt: (look) => (look.status === 'WAITING' && look.on === 'GROUPS' ? deps.now().getTime() : undefined),
    look: async (previous) =>
      deps.stopped()
        ? left(`The drain ended first${previous?.status === 'WAITING' ? ` (${previous.reason})` : ''}.`)
        : commitOffsetsDuringDrain(request, deps, deps.stopped, deps.drainLook?.()),
  });
}

/** CommitConsumerOffsets as every runtime serves it: the AWS handler, the rehearsal, the workflow tests (lambdas/workflow/define-task.ts). */
export const task = defineTask({
  function: 'CommitConsumerOffsets',
  Input,
  Output,
  needs: {
    aborts: 'aborts',
    source: 'source',
    target: 'target',
    artifacts: 'artifacts',
    now: 'clock',
    pacer: 'pacer',
    clientSwitches: 'clientSwitches',
  },
  run: runCommitConsumerOffsets,
});
