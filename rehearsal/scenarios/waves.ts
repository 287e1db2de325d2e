import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { writePointerFile } from '../../lambdas/adapters/local/file-cutover-switch';
import type { RehearsalPlan } from '../plan';
import {
  consumerGroupOf,
  DEFAULT_WORKLOAD_TOPICS,
  startWorkload,
  type WorkloadHandle,
  type WorkloadTally,
} from '../workload';
import { tallyTopic, type TopicTally } from '../workload/tally';
import type { WorkloadTopic } from '../workload/topics';
import { WorkloadConsumer } from '../workload/consumer';
import { PointerWatcher } from '../workload/pointer-file';
import { defineScenario, type ScenarioContext, type ScenarioHooks } from './definition';

/**
 * A plan in waves on the rehearsal's clusters: one execution, one MirrorMaker 2, the cutover states once per wave,
 * each wave behind the pointer its clients read (rehearsal/wave-pointers.ts serves each wave's pointer). The workload's
 * three topics are the `shop` wave (producers and consumers, the plan's pointer). Each wave's rollback window closes
 * at its first healthy check (0 minutes), which keeps two cutovers within a minute.
 *
 * - `waves`: a read-only pipeline first — an audit consumer group reading `orders` behind a pointer of its own moves
 *   to the target while the shop's producers keep writing to the source and MM2 copies for it — then the `shop` wave
 *   moves those producers. The audit consumer must read every acknowledged `orders` record, across the move.
 * - `waves-later-wave-rolls-back`: `shop` first, then a `payments` wave (a second workload behind its own pointer)
 *   whose target health alarm goes to ALARM at its switch: only `payments` returns to the source, `shop` stays on the
 *   target, and neither workload loses a record.
 */

const WAVE_WINDOW_MINUTES = 0;
const SHOP_TOPICS = DEFAULT_WORKLOAD_TOPICS.map((t) => t.name);

function shopWave() {
  return { name: 'shop', team: 'Shop', topics: SHOP_TOPICS, consumerGroups: SHOP_TOPICS.map(consumerGroupOf) };
}

/** A pointer file beside the plan's own (the run's directory). */
function pointerBeside(plan: RehearsalPlan, file: string): string {
  return path.join(path.dirname(plan.cutover.switch.path), file);
}

/** The per-wave statuses of the migration report (report.json in the run's artifact store), when it was written. */
function reportedWaves(ctx: ScenarioContext, reportKey: string | undefined): Array<{ name: string; status: string }> {
  if (!reportKey) return [];
  try {
    const report = JSON.parse(readFileSync(path.join(ctx.runDir, 'artifacts', ...reportKey.split('/')), 'utf8')) as {
      waves?: Array<{ name: string; status: string }>;
    };
    return (report.waves ?? []).map((w) => ({ name: w.name, status: w.status }));
  } catch {
    return [];
  }
}

/** Records a mismatch for each wave whose reported status is not the expected one. */
function expectWaves(ctx: ScenarioContext, reportKey: string | undefined, expected: Record<string, string>): void {
  const reported = reportedWaves(ctx, reportKey);
  ctx.figure('waves', reported);
  for (const [name, status] of Object.entries(expected)) {
    const got = reported.find((w) => w.name === name)?.status;
    if (got !== status) ctx.mismatch(`wave ${name} reported ${got ?? 'nothing'}, expected ${status}`);
  }
}

function lossOf(ctx: ScenarioContext, what: string, t: TopicTally): void {
  if (t.lost > 0) ctx.mismatch(`${what}: ${t.lost} record(s) lost (${t.lostSample.slice(0, 5).join(', ')})`);
}

const AUDIT_POINTER = 'audit-pointer.json';
const AUDIT_GROUP = 'orders-audit';

/**
 * The plan with the audit group of `orders` replicated and moved first, in its own consumers-first wave behind its own
 * pointer, then `later` waves; `producersStay`: the producers of `orders` never migrate.
 */
function withAuditWave(
  plan: RehearsalPlan,
  { producersStay }: { readonly producersStay: boolean },
  later: ReadonlyArray<ReturnType<typeof shopWave>>,
): RehearsalPlan {
  return {
    ...plan,
    replication: {
      ...plan.replication,
      consumerGroups: { include: [...plan.replication.consumerGroups.include, AUDIT_GROUP] },
    },
    cutover: { ...plan.cutover, rollbackWindowMinutes: WAVE_WINDOW_MINUTES },
    waves: [
      {
        name: 'audit',
        team: 'Audit (read-only pipeline)',
        consumersFirst: true,
        ...(producersStay ? { producersStay: true } : {}),
        topics: ['orders'],
        consumerGroups: [AUDIT_GROUP],
        switch: { type: 'LOCAL_FILE', path: pointerBeside(plan, AUDIT_POINTER) },
      },
      ...later,
    ],
  };
}

export const waves = defineScenario({
  name: 'waves',
  fault:
    'No fault: a plan in two waves. Wave audit (consumers first) moves an audit consumer group of "orders" to the target behind its own pointer while the producers keep writing to the source and MirrorMaker 2 copies for it; wave shop then moves the workload\'s producers and consumers. Every acknowledged "orders" record must reach the audit group, across its move.',
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
  plan: (plan) => withAuditWave(plan, { producersStay: false }, [shopWave()]),
  inject: (ctx) => auditGroup(ctx, { audit: 'ON_TARGET', shop: 'ON_TARGET' }, 'target'),
});

/**
 * The audit group of `orders` behind its own pointer, started with the run and counted after it: every acknowledged
 * `orders` record read (0 lost), the group on the target, the workload's pointer where `shopEndsOn` says, and the
 * report's per-wave statuses as expected.
 */
function auditGroup(
  ctx: ScenarioContext,
  expected: Record<string, string>,
  shopEndsOn: 'source' | 'target',
): ScenarioHooks {
  const file = path.join(ctx.runDir, AUDIT_POINTER);
  writePointerFile(file, ctx.source.bootstrap as string);
  const watcher = new PointerWatcher(file, 100);
  const audit = new WorkloadConsumer('orders', AUDIT_GROUP, 'rehearsal-audit-consumer');
  let started: Promise<void> | undefined;
  let reportKey: string | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    watcher.stop();
    await audit.stop();
  };
  ctx.addTeardown('audit consumer', stop);
  return {
    beforeState: async () => {
      started ??= (async () => {
        await audit.start(watcher.initial().target);
        watcher.start((notice) => audit.onPointer(notice));
        ctx.log(`audit consumer (group ${AUDIT_GROUP}) reads orders on the cluster ${file} names`);
      })();
      await started;
    },
    afterState: (state, output) => {
      if (state.startsWith('Report') && typeof output['reportKey'] === 'string') reportKey = output['reportKey'];
    },
    afterRun: async (tally: WorkloadTally) => {
      // The producers stopped: the audit group reads up to the end of the cluster its pointer names.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(await audit.caughtUp().catch(() => false)))
        await new Promise((resolve) => setTimeout(resolve, 200));
      const endedOn = audit.currentCluster();
      await stop();
      const t = tallyTopic({ topic: 'orders', acked: tally.acked['orders'] ?? [], consumed: audit.consumed });
      ctx.figure('audit', {
        produced: t.produced,
        consumed: t.consumed,
        lost: t.lost,
        duplicatesConsumed: t.duplicatesConsumed,
        endedOn: endedOn ?? null,
      });
      ctx.log(
        `audit group: ${t.consumed} of ${t.produced} orders record(s) read, ${t.lost} lost, ${t.duplicatesConsumed} read twice; ended on ${endedOn ?? 'nothing'}`,
      );
      lossOf(ctx, 'audit group', t);
      if (endedOn !== ctx.target.bootstrap)
        ctx.mismatch(`the audit group ended on ${endedOn ?? 'nothing'}, not the target`);
      if (tally.finalPointer !== ctx[shopEndsOn].bootstrap)
        ctx.mismatch(`the workload's pointer ended on ${tally.finalPointer ?? 'nothing'}, not the ${shopEndsOn}`);
      expectWaves(ctx, reportKey, expected);
    },
  };
}

/** A wave's switch: SwitchToTarget's, or the one-invocation Cutover's when it got that far. */
function switched(state: string, output: Readonly<Record<string, unknown>>): boolean {
  return (
    state === 'SwitchToTarget' ||
    (state === 'Cutover' && (output['oneInvocation'] as { reached?: string } | undefined)?.reached === 'SWITCHED')
  );
}

const PAYMENTS_POINTER = 'payments-pointer.json';
const PAYMENTS: WorkloadTopic = { name: 'payments', partitions: 3, keys: 10, weight: 1, configs: {}, compacted: false };

export const wavesLaterWaveRollsBack = defineScenario({
  name: 'waves-later-wave-rolls-back',
  fault:
    "A plan in two waves: shop (the workload's topics) is switched and passes its point of no return; then at the payments wave's switch (a second workload behind its own pointer) the target's health alarm goes to ALARM. Migration.TargetUnhealthy rolls back payments only: its pointer returns to the source, shop stays on the target, the target is kept.",
  finalState: 'MigrationRolledBack',
  outcome: 'ROLLED_BACK',
  error: 'Migration.TargetUnhealthy',
  plan: (plan) => ({
    ...plan,
    replication: {
      ...plan.replication,
      topics: { include: [...plan.replication.topics.include, PAYMENTS.name] },
      consumerGroups: { include: [...plan.replication.consumerGroups.include, consumerGroupOf(PAYMENTS.name)] },
    },
    cutover: { ...plan.cutover, rollbackWindowMinutes: WAVE_WINDOW_MINUTES },
    waves: [
      shopWave(),
      {
        name: 'payments',
        team: 'Payments',
        topics: [PAYMENTS.name],
        consumerGroups: [consumerGroupOf(PAYMENTS.name)],
        switch: { type: 'LOCAL_FILE', path: pointerBeside(plan, PAYMENTS_POINTER) },
      },
    ],
  }),
  inject: (ctx) => {
    const file = path.join(ctx.runDir, PAYMENTS_POINTER);
    writePointerFile(file, ctx.source.bootstrap as string);
    let payments: Promise<WorkloadHandle> | undefined;
    let paymentsTally: Promise<WorkloadTally> | undefined;
    let switches = 0;
    let reportKey: string | undefined;
    const stop = async (): Promise<WorkloadTally | undefined> => {
      if (!payments) return undefined;
      const handle = await payments;
      paymentsTally ??= handle.stop();
      return paymentsTally;
    };
    ctx.addTeardown('payments workload', async () => {
      await stop();
    });
    return {
      beforeState: async () => {
        payments ??= startWorkload({
          pointerFile: file,
          topics: [PAYMENTS],
          ratePerSecond: 30,
          drainTimeoutMs: 30_000,
          producerId: 'rehearsal-payments',
        }).then((handle) => {
          ctx.log(`payments workload: ${PAYMENTS.name} on the source, following ${file}`);
          return handle;
        });
        await payments;
      },
      afterState: (state, output) => {
        if (switched(state, output) && ++switches === 2) {
          ctx.setTargetAlarm('ALARM');
          ctx.log(`FAULT: target health alarm ${ctx.targetAlarmName} set to ALARM at the payments wave's switch`);
        }
        if (state.startsWith('Report') && typeof output['reportKey'] === 'string') reportKey = output['reportKey'];
      },
      afterRun: async (tally: WorkloadTally) => {
        const p = await stop();
        const t = p?.records.perTopic[PAYMENTS.name];
        ctx.figure('payments', {
          produced: t?.produced ?? 0,
          lost: t?.lost ?? null,
          duplicatesConsumed: t?.duplicatesConsumed ?? null,
          finalPointer: p?.finalPointer ?? null,
          drained: p?.drained ?? false,
        });
        if (!p || !t) ctx.mismatch('the payments workload was not counted');
        else {
          ctx.log(
            `payments workload: ${t.produced} acknowledged, ${t.lost} lost, ${t.duplicatesConsumed} read twice; pointer ended on ${p.finalPointer ?? 'nothing'}`,
          );
          lossOf(ctx, 'payments workload', t);
          if (p.finalPointer !== ctx.source.bootstrap)
            ctx.mismatch(`the payments pointer ended on ${p.finalPointer ?? 'nothing'}, not back on the source`);
        }
        if (switches !== 2) ctx.mismatch(`${switches} switch(es) ran, expected one per wave (2)`);
        if (tally.finalPointer !== ctx.target.bootstrap)
          ctx.mismatch(`the shop wave's pointer ended on ${tally.finalPointer ?? 'nothing'}, not the target`);
        expectWaves(ctx, reportKey, { shop: 'ON_TARGET', payments: 'ROLLED_BACK' });
      },
    };
  },
});

export const wavesProducersStay = defineScenario({
  name: 'waves-producers-stay',
  fault:
    'No fault: a plan whose one wave is a read-only pipeline whose producers never migrate (consumersFirst, producersStay): the audit group of "orders" moves to the target behind its own pointer, the workload stays on the source, and Finalize keeps MirrorMaker 2 running for the audit group (the run ends with the replicator still copying). Every acknowledged "orders" record must reach the audit group.',
  finalState: 'MigrationSucceeded',
  outcome: 'SUCCEEDED',
  replicationKept: true,
  plan: (plan) => withAuditWave(plan, { producersStay: true }, []),
  inject: (ctx) => auditGroup(ctx, { audit: 'ON_TARGET' }, 'source'),
});
