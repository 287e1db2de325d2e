import { z } from 'zod';

/**
 * What a migration costs to run and how long it takes, before it starts: Step Functions state transitions of the
 * poll loops, the replicator's hours (MSK Replicator, or MirrorMaker 2 on MSK Connect), the bytes it copies, and
 * data transfer. Printed per migration-day (a day of replication with the loops polling) and for the whole
 * migration. Broker and storage costs of the target are not here: they are the target's, with or without us.
 *
 * Prices are configurable; the defaults are us-east-1 list prices, to be checked at the source before a budget is
 * built on them.
 */

export const PriceListSchema = z.object({
  /** Standard workflows, per state transition ($0.025 per 1,000). */
  stepFunctionsPerTransition: z.number().nonnegative().default(0.000025),
  /** MSK Replicator, per replicator-hour. */
  mskReplicatorPerHour: z.number().nonnegative().default(0.3),
  /** MSK Replicator, per GB replicated. */
  mskReplicatorPerGb: z.number().nonnegative().default(0.08),
  /** MSK Connect, per MCU-hour (MirrorMaker 2 runs as a connector). */
  mskConnectPerMcuHour: z.number().nonnegative().default(0.11),
  /** Data transfer between Regions, per GB (charged when source and target are in different Regions). */
  interRegionTransferPerGb: z.number().nonnegative().default(0.02),
  /** Data transfer between Availability Zones in one Region, per GB each way (MirrorMaker 2 workers ↔ brokers). */
  crossAzTransferPerGb: z.number().nonnegative().default(0.01),
  currency: z.string().default('USD'),
  /** Where the defaults come from; shown in the report. */
  sources: z
    .array(z.string())
    .default([
      'https://aws.amazon.com/step-functions/pricing/',
      'https://aws.amazon.com/msk/pricing/',
      'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
    ]),
});
export type PriceList = z.infer<typeof PriceListSchema>;

export const CostInputSchema = z.object({
  replicator: z.enum(['MSK_REPLICATOR', 'MIRROR_MAKER_2', 'NONE']),
  /** Seconds between two evaluations of the catch-up gate (the Wait state of AwaitCatchUp). */
  pollIntervalSeconds: z.number().int().positive(),
  /** Seconds between two health checks during the rollback window. @default pollIntervalSeconds */
  rollbackPollIntervalSeconds: z.number().int().positive().optional(),
  /** States entered per poll iteration (Wait, Task, Choice). @default 3 */
  transitionsPerPoll: z.number().int().positive().default(3),
  /** Transitions outside the poll loops (ValidateInput … Report, with their Pass/Choice states). @default 60 */
  fixedTransitions: z.number().int().nonnegative().default(60),
  /** Expected catch-up duration; absent: derived from the backlog and the replication throughput when both are known. */
  expectedCatchUpHours: z.number().nonnegative().optional(),
  /** Time from catch-up to cutover (validation, approval wait: a waiting task token costs no transitions). @default 24 */
  approvalWaitHours: z.number().nonnegative().default(24),
  rollbackWindowHours: z.number().nonnegative(),
  /** Replicator start-up before data flows (MSK Replicator creation takes about 30 minutes). @default 0.5 */
  replicatorStartupHours: z.number().nonnegative().default(0.5),
  /** The source's ingress from the inventory (mean bytes in per second over the look-back window). */
  meanBytesInPerSec: z.number().nonnegative(),
  /** Bytes retained on the source topics: copied first when replication starts from EARLIEST. @default 0 */
  backlogBytes: z.number().nonnegative().default(0),
  /** What the replicator can copy per second, when known (to derive the catch-up time). */
  replicationBytesPerSec: z.number().positive().optional(),
  /** MCUs of the MirrorMaker 2 connector (workers × MCU per worker). @default 2 */
  mm2Mcus: z.number().positive().default(2),
  crossRegion: z.boolean().default(false),
  prices: PriceListSchema.partial().optional(),
});
export type CostInput = z.input<typeof CostInputSchema>;

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly cost: number;
}

export interface CostEstimate {
  readonly currency: string;
  /** How long each part takes, in hours, and where the catch-up figure came from. */
  readonly timeline: {
    readonly replicatorStartupHours: number;
    readonly catchUpHours: number;
    readonly catchUpBasis: 'GIVEN' | 'DERIVED_FROM_BACKLOG' | 'NO_BACKLOG';
    readonly approvalWaitHours: number;
    readonly rollbackWindowHours: number;
    /** Replication runs from start-up to the end of the rollback window. */
    readonly replicationHours: number;
    readonly totalHours: number;
  };
  /** One day of replication with the gate polling. */
  readonly perMigrationDay: { readonly lines: CostLine[]; readonly total: number };
  /** The whole migration. */
  readonly migration: { readonly lines: CostLine[]; readonly total: number };
  readonly warnings: string[];
  readonly sources: string[];
}

const GB = 1e9;
const round = (n: number, digits = 4): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function estimateMigrationCost(input: CostInput): CostEstimate {
  const i = CostInputSchema.parse(input);
  const prices = PriceListSchema.parse(i.prices ?? {});
  const warnings: string[] = [];

  let catchUpHours: number;
  let catchUpBasis: CostEstimate['timeline']['catchUpBasis'];
  if (i.expectedCatchUpHours !== undefined) {
    catchUpHours = i.expectedCatchUpHours;
    catchUpBasis = 'GIVEN';
  } else if (i.backlogBytes === 0) {
    catchUpHours = i.pollIntervalSeconds / 3600;
    catchUpBasis = 'NO_BACKLOG';
  } else if (i.replicationBytesPerSec !== undefined && i.replicationBytesPerSec > i.meanBytesInPerSec) {
    // The backlog shrinks at the replicator's speed minus what producers keep adding.
    catchUpHours = i.backlogBytes / (i.replicationBytesPerSec - i.meanBytesInPerSec) / 3600;
    catchUpBasis = 'DERIVED_FROM_BACKLOG';
  } else {
    catchUpHours = 24;
    catchUpBasis = 'GIVEN';
    warnings.push(
      i.replicationBytesPerSec === undefined
        ? 'No expected catch-up time and no replication throughput: one day of catch-up is assumed.'
        : `The replicator copies ${fmtBytes(i.replicationBytesPerSec)}/s, no more than producers write (${fmtBytes(i.meanBytesInPerSec)}/s): it would never catch up. One day is assumed; size the replicator up.`,
    );
  }

  const replicationHours =
    i.replicator === 'NONE' ? 0 : i.replicatorStartupHours + catchUpHours + i.approvalWaitHours + i.rollbackWindowHours;
  const totalHours = i.replicatorStartupHours + catchUpHours + i.approvalWaitHours + i.rollbackWindowHours;
  const rollbackPoll = i.rollbackPollIntervalSeconds ?? i.pollIntervalSeconds;

  const sfnPerDay = (86400 / i.pollIntervalSeconds) * i.transitionsPerPoll;
  const sfnMigration =
    i.fixedTransitions +
    Math.ceil((catchUpHours * 3600) / i.pollIntervalSeconds) * i.transitionsPerPoll +
    Math.ceil((i.rollbackWindowHours * 3600) / rollbackPoll) * i.transitionsPerPoll +
    // Wait/Describe loop until the replicator (and a created target) is running, polled like the gate.
    Math.ceil((i.replicatorStartupHours * 3600) / i.pollIntervalSeconds) * i.transitionsPerPoll;

  const gbPerDay = (i.meanBytesInPerSec * 86400) / GB;
  const gbMigration = (i.meanBytesInPerSec * replicationHours * 3600 + i.backlogBytes) / GB;

  const lines = (hours: number, transitions: number, gb: number): CostLine[] => {
    const out: CostLine[] = [
      line('Step Functions state transitions', transitions, 'transitions', prices.stepFunctionsPerTransition),
    ];
    if (i.replicator === 'MSK_REPLICATOR') {
      out.push(line('MSK Replicator', hours, 'replicator-hours', prices.mskReplicatorPerHour));
      out.push(line('MSK Replicator data replicated', gb, 'GB', prices.mskReplicatorPerGb));
    }
    if (i.replicator === 'MIRROR_MAKER_2') {
      out.push(
        line(
          `MirrorMaker 2 on MSK Connect (${i.mm2Mcus} MCU)`,
          hours * i.mm2Mcus,
          'MCU-hours',
          prices.mskConnectPerMcuHour,
        ),
      );
      // Workers read from one AZ and write to another for most partitions: count both legs.
      if (!i.crossRegion)
        out.push(line('Cross-AZ transfer (connector ↔ brokers)', gb * 2, 'GB', prices.crossAzTransferPerGb));
    }
    if (i.crossRegion && i.replicator !== 'NONE')
      out.push(line('Inter-Region data transfer', gb, 'GB', prices.interRegionTransferPerGb));
    return out;
  };

  const day = lines(i.replicator === 'NONE' ? 0 : 24, sfnPerDay, i.replicator === 'NONE' ? 0 : gbPerDay);
  const migration = lines(replicationHours, sfnMigration, i.replicator === 'NONE' ? 0 : gbMigration);
  if (i.pollIntervalSeconds < 60)
    warnings.push(
      `A ${i.pollIntervalSeconds}s poll interval costs ${Math.round(sfnPerDay).toLocaleString('en-US')} transitions a day; CloudWatch metrics of the replicator are per minute, so polling faster than 60s adds cost without new evidence.`,
    );
  return {
    currency: prices.currency,
    timeline: {
      replicatorStartupHours: i.replicatorStartupHours,
      catchUpHours: round(catchUpHours, 2),
      catchUpBasis,
      approvalWaitHours: i.approvalWaitHours,
      rollbackWindowHours: i.rollbackWindowHours,
      replicationHours: round(replicationHours, 2),
      totalHours: round(totalHours, 2),
    },
    perMigrationDay: { lines: day, total: round(sum(day)) },
    migration: { lines: migration, total: round(sum(migration)) },
    warnings,
    sources: prices.sources,
  };
}

function line(item: string, quantity: number, unit: string, unitPrice: number): CostLine {
  return { item, quantity: round(quantity, 3), unit, unitPrice, cost: round(quantity * unitPrice) };
}

const sum = (xs: readonly CostLine[]): number => xs.reduce((s, l) => s + l.cost, 0);

function fmtBytes(n: number): string {
  if (n >= GB) return `${(n / GB).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

const symbol = (currency: string): string => (currency === 'USD' ? '$' : `${currency} `);
const money = (n: number, currency: string): string => `${symbol(currency)}${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
/** Unit prices as published ($0.000025 per transition), not rounded away. */
const unitMoney = (n: number, currency: string): string => `${symbol(currency)}${n >= 1 ? n.toFixed(2) : String(n)}`;

export function renderCostMarkdown(estimate: CostEstimate): string {
  const t = estimate.timeline;
  const table = (lines: readonly CostLine[], total: number): string[] => [
    '| Item | Quantity | Unit price | Cost |',
    '|---|---:|---:|---:|',
    ...lines.map(
      (l) =>
        `| ${l.item} | ${l.quantity.toLocaleString('en-US')} ${l.unit} | ${unitMoney(l.unitPrice, estimate.currency)} | ${money(l.cost, estimate.currency)} |`,
    ),
    `| **Total** | | | **${money(total, estimate.currency)}** |`,
  ];
  const basis = {
    GIVEN: 'as planned',
    DERIVED_FROM_BACKLOG: 'derived from the backlog and the replication throughput',
    NO_BACKLOG: 'no backlog: one evaluation',
  }[t.catchUpBasis];
  return [
    '## Cost and time estimate',
    '',
    `Timeline: replicator start-up ${t.replicatorStartupHours} h, catch-up ${t.catchUpHours} h (${basis}), validation and approval ${t.approvalWaitHours} h, rollback window ${t.rollbackWindowHours} h — ${t.totalHours} h in all, replication running ${t.replicationHours} h.`,
    '',
    '### Per migration-day',
    '',
    ...table(estimate.perMigrationDay.lines, estimate.perMigrationDay.total),
    '',
    '### Whole migration',
    '',
    ...table(estimate.migration.lines, estimate.migration.total),
    '',
    ...(estimate.warnings.length > 0 ? [...estimate.warnings.map((w) => `- **Warning:** ${w}`), ''] : []),
    `Prices: configurable defaults (us-east-1 list prices); check them at ${estimate.sources.join(', ')}. Target broker, storage and client traffic costs are not included.`,
    '',
  ].join('\n');
}
