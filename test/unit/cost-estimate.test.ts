import { estimateMigrationCost, renderCostMarkdown, type CostInput } from '../../lambdas/core/cost/estimate';

const base: CostInput = {
  replicator: 'MSK_REPLICATOR',
  pollIntervalSeconds: 60,
  expectedCatchUpHours: 2,
  approvalWaitHours: 24,
  rollbackWindowHours: 4,
  meanBytesInPerSec: 1e6,
  backlogBytes: 100e9,
};

const costOf = (lines: ReadonlyArray<{ item: string; cost: number }>, item: string): number | undefined =>
  lines.find((l) => l.item.startsWith(item))?.cost;

describe('cost and time estimate', () => {
  it('prices a migration-day of MSK Replicator: transitions of a 60 s poll, 24 replicator-hours and a day of ingress', () => {
    // Act
    const estimate = estimateMigrationCost(base);
    // Assess
    expect(estimate.perMigrationDay.lines).toEqual([
      {
        item: 'Step Functions state transitions',
        quantity: 4320,
        unit: 'transitions',
        unitPrice: 0.000025,
        cost: 0.108,
      },
      { item: 'MSK Replicator', quantity: 24, unit: 'replicator-hours', unitPrice: 0.3, cost: 7.2 },
      { item: 'MSK Replicator data replicated', quantity: 86.4, unit: 'GB', unitPrice: 0.08, cost: 6.912 },
    ]);
    expect(estimate.perMigrationDay.total).toBeCloseTo(14.22, 2);
  });

  it('prices the whole migration from start-up to the end of the rollback window, backlog included', () => {
    // Act
    const estimate = estimateMigrationCost(base);
    // Assess
    expect(estimate.timeline).toEqual({
      replicatorStartupHours: 0.5,
      catchUpHours: 2,
      catchUpBasis: 'GIVEN',
      approvalWaitHours: 24,
      rollbackWindowHours: 4,
      replicationHours: 30.5,
      totalHours: 30.5,
    });
    // 60 fixed + (120 catch-up + 240 rollback-window + 30 start-up polls) × 3 states
    expect(estimate.migration.lines[0]?.quantity).toBe(1230);
    expect(costOf(estimate.migration.lines, 'MSK Replicator data')).toBeCloseTo(209.8 * 0.08, 3);
    expect(costOf(estimate.migration.lines, 'MSK Replicator')).toBeCloseTo(9.15, 3);
  });

  it('derives the catch-up time from the backlog, the replication throughput and the ingress that keeps arriving', () => {
    // Act
    const estimate = estimateMigrationCost({
      ...base,
      expectedCatchUpHours: undefined,
      backlogBytes: 36e9,
      replicationBytesPerSec: 11e6,
    });
    // Assess
    expect(estimate.timeline.catchUpHours).toBe(1);
    expect(estimate.timeline.catchUpBasis).toBe('DERIVED_FROM_BACKLOG');
  });

  it('warns that a replicator slower than the producers never catches up', () => {
    // Act
    const estimate = estimateMigrationCost({ ...base, expectedCatchUpHours: undefined, replicationBytesPerSec: 5e5 });
    // Assess
    expect(estimate.warnings).toEqual([expect.stringMatching(/would never catch up/)]);
  });

  it('prices MirrorMaker 2 on MSK Connect by MCU-hour with both cross-AZ legs of the copied bytes', () => {
    // Act
    const estimate = estimateMigrationCost({ ...base, replicator: 'MIRROR_MAKER_2', mm2Mcus: 4 });
    // Assess
    expect(estimate.perMigrationDay.lines.map((l) => [l.item, l.quantity])).toEqual([
      ['Step Functions state transitions', 4320],
      ['MirrorMaker 2 on MSK Connect (4 MCU)', 96],
      ['Cross-AZ transfer (connector ↔ brokers)', 172.8],
    ]);
  });

  it('adds inter-Region transfer when source and target are in different Regions', () => {
    // Act
    const estimate = estimateMigrationCost({ ...base, crossRegion: true });
    // Assess
    expect(costOf(estimate.perMigrationDay.lines, 'Inter-Region')).toBeCloseTo(86.4 * 0.02, 3);
  });

  it('uses prices given in the input over the defaults', () => {
    // Act
    const estimate = estimateMigrationCost({ ...base, prices: { mskReplicatorPerHour: 0.5, currency: 'EUR' } });
    // Assess
    expect(costOf(estimate.perMigrationDay.lines, 'MSK Replicator')).toBe(12);
    expect(estimate.currency).toBe('EUR');
  });

  it('warns that polling faster than the per-minute metrics adds transitions without new evidence', () => {
    // Act
    const estimate = estimateMigrationCost({ ...base, pollIntervalSeconds: 10 });
    // Assess
    expect(estimate.perMigrationDay.lines[0]?.quantity).toBe(25920);
    expect(estimate.warnings).toEqual([expect.stringMatching(/faster than 60s/)]);
  });

  it('rejects a poll interval of zero', () => {
    expect(() => estimateMigrationCost({ ...base, pollIntervalSeconds: 0 })).toThrow();
  });

  it('prints the per migration-day table, the whole migration and the price sources in Markdown', () => {
    // Act
    const markdown = renderCostMarkdown(estimateMigrationCost(base));
    // Assess
    expect(markdown).toContain('### Per migration-day');
    expect(markdown).toContain('| MSK Replicator | 24 replicator-hours | $0.3 | $7.20 |');
    expect(markdown).toContain('| Step Functions state transitions | 4,320 transitions | $0.000025 | $0.1080 |');
    expect(markdown).toContain('| **Total** | | | **$14.22** |');
    expect(markdown).toContain('https://aws.amazon.com/msk/pricing/');
  });
});
