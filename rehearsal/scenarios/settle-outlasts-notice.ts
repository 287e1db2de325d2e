import { defineScenario } from './definition';

/**
 * The fence's settle of this scenario's plan. The clients' notice of a POINTER fence is their poll interval and a
 * quarter of it, at least 250 ms (fenceNoticeSecondsOf): 0.35 s with the rehearsal's 0.1 s interval, which the
 * rehearsal's own settle (two intervals, 0.2 s) caps. At 1 s the caught-up look (every record on the target, the
 * source unmoved since the look before) has 650 ms after the notice to find the last records the fence held copied,
 * several times the replication latency the rehearsal measures on a loaded machine (its p50: 172 ms).
 */
const SETTLE_SECONDS = 1;
/** fenceNoticeSecondsOf of the rehearsal's plan (0.1 s poll interval): the drain's evidence records it (noticeSeconds). */
const NOTICE_SECONDS = 0.35;

/** `$.cutover` as the one-invocation Cutover returns it: the parts this scenario checks. */
interface CutoverOutput {
  readonly drain?: { readonly drained?: boolean; readonly fencedAt?: string; readonly polls?: number };
  readonly oneInvocation?: {
    readonly reached?: string;
    readonly steps?: ReadonlyArray<{ readonly step: string; readonly startedAt: string; readonly endedAt: string }>;
  };
}

/**
 * The happy path with a fence settle (1 s) longer than the clients' notice (0.35 s), as a POINTER plan has it in AWS
 * (settle two poll intervals, notice one and a quarter): the one-invocation Cutover's drain ends at its caught-up look
 * before the settle's end, CommitConsumerOffsets and the switch's intent run during the rest of the settle, and at
 * the settle's end one ConfirmDrain look precedes the pointer set (docs/cutover.md, "The settle's end: one look, then
 * the pointer"). A run that switched without taking that path does not match: the scenario is there to prove it on
 * real clusters. It must succeed with nothing lost, read twice or out of order.
 */
export const settleOutlastsNotice = defineScenario({
  name: 'settle-outlasts-notice',
  fault: `none: fence settle ${SETTLE_SECONDS} s, longer than the clients' notice (${NOTICE_SECONDS} s): the drain must end caught up before the settle's end and ConfirmDrain look at it before the pointer moves`,
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
  plan: (plan) => ({ ...plan, cutover: { ...plan.cutover, fenceSettleSeconds: SETTLE_SECONDS } }),
  inject: (ctx) => ({
    afterState: (state, output) => {
      if (state !== 'Cutover') return;
      const cutover = output as CutoverOutput;
      const steps = cutover.oneInvocation?.steps ?? [];
      const names = steps.map((s) => s.step);
      const fencedAt = Date.parse(cutover.drain?.fencedAt ?? '');
      const at = (name: string, edge: 'startedAt' | 'endedAt'): number | null => {
        const s = steps.find((x) => x.step === name);
        return s && !Number.isNaN(fencedAt) ? Date.parse(s[edge]) - fencedAt : null;
      };
      const settleMs = SETTLE_SECONDS * 1000;
      const drainEndedMs = at('CheckDrain', 'endedAt');
      const confirmFromMs = at('ConfirmDrain', 'startedAt');
      ctx.figure('settleEnd', {
        settleMs,
        drainEndedMs,
        confirmFromMs,
        confirmToMs: at('ConfirmDrain', 'endedAt'),
        looks: cutover.drain?.polls ?? null,
        steps: names,
      });
      ctx.log(
        `cutover steps ${names.join(' → ')}: drain ended ${drainEndedMs ?? '?'} ms after the fence, ConfirmDrain at ${confirmFromMs ?? '?'} ms (settle ${settleMs} ms)`,
      );
      if (cutover.oneInvocation?.reached !== 'SWITCHED')
        ctx.mismatch(`the one-invocation Cutover stopped at ${cutover.oneInvocation?.reached ?? 'nothing'}`);
      else if (
        confirmFromMs === null ||
        drainEndedMs === null ||
        names.indexOf('ConfirmDrain') < names.indexOf('CheckDrain')
      )
        ctx.mismatch(`the drain did not end caught up before the settle's end: steps ${names.join(', ')}`);
      else if (!(drainEndedMs < settleMs && confirmFromMs >= settleMs))
        ctx.mismatch(
          `the drain ended ${drainEndedMs} ms and ConfirmDrain started ${confirmFromMs} ms after the fence: expected before and at or after the settle's ${settleMs} ms`,
        );
      if (cutover.drain?.drained !== true) ctx.mismatch('the look at the settle’s end did not find the source drained');
    },
    afterRun: (tally) => {
      const { duplicatesConsumed, outOfOrder } = tally.records;
      if (duplicatesConsumed > 0) ctx.mismatch(`${duplicatesConsumed} record(s) consumed twice`);
      if (outOfOrder > 0) ctx.mismatch(`${outOfOrder} record(s) consumed out of order`);
    },
  }),
});
