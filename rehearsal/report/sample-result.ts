import type { RehearsalResult } from './result';

/**
 * A happy-path rehearsal result with plausible figures: the report's tests and its screenshot render it, and a reader
 * of the code sees what the runner hands over.
 */
export function sampleRehearsalResult(): RehearsalResult {
  const t0 = Date.parse('2026-11-02T10:00:00.000Z');
  const at = (s: number): string => new Date(t0 + s * 1000).toISOString();
  const phase = (name: string, states: string[], from: number, to: number): RehearsalResult['phases'][number] => ({
    name,
    states,
    start: at(from),
    end: at(to),
    status: 'SUCCEEDED',
  });
  const lagSamples: RehearsalResult['replication']['lagSamples'] = [];
  for (let s = 14; s <= 150; s += 2) {
    // Backlog copied first, then a live trickle, a bump when the consumers catch up, zero after the fence.
    const backlog = s < 40 ? Math.round(4200 * Math.exp(-(s - 14) / 6)) : 0;
    const live = s < 118 ? 18 + Math.round(10 * Math.abs(Math.sin(s / 5))) : 0;
    const bump = s > 70 && s < 84 ? 240 - Math.abs(77 - s) * 30 : 0;
    lagSamples.push({ at: at(s), lag: Math.max(0, backlog + live + bump) });
  }
  return {
    outcome: 'SUCCEEDED',
    finalState: 'Report',
    scenario: 'happy-path',
    migrationId: 'orders-platform → msk-serverless',
    startedAt: at(0),
    endedAt: at(186),
    phases: [
      phase('Validate input', ['ValidateInput'], 0, 1),
      phase('Inventory', ['Inventory'], 1, 5),
      phase('Assess', ['Assess'], 5, 6),
      phase('Start replication', ['StartReplication', 'CheckReplicationStatus'], 6, 14),
      phase('Catch-up', ['EvaluateCatchUp'], 14, 96),
      phase('Validate target', ['ValidateTarget'], 96, 104),
      phase('Cutover approval', ['CutoverApproval'], 104, 112),
      phase('Cutover', ['FenceProducers', 'CheckDrain', 'CommitConsumerOffsets', 'SwitchConsumers'], 112, 121),
      phase('Rollback window', ['CheckTargetHealth'], 121, 176),
      phase('Finalize approval', ['FinalizeApproval'], 176, 180),
      phase('Finalize', ['Finalize'], 180, 184),
      phase('Report', ['ReportSuccess'], 184, 186),
    ],
    records: {
      produced: 36_412,
      lost: 0,
      duplicatesConsumed: 0,
      outOfOrder: 0,
      perTopic: {
        orders: { produced: 21_847, consumed: 21_847, lost: 0, duplicatesConsumed: 0, outOfOrder: 0 },
        ledger: { produced: 7_283, consumed: 7_283, lost: 0, duplicatesConsumed: 0, outOfOrder: 0 },
        'customer-profiles': {
          produced: 7_282,
          consumed: 7_282,
          lost: 0,
          duplicatesConsumed: 0,
          outOfOrder: 0,
          compacted: true,
        },
      },
    },
    cutover: { writePauseMs: 1_184, pointerPropagationMs: 97, at: at(119) },
    replication: { latencyP50Ms: 212, latencyP99Ms: 688, lagSamples },
    gateChecks: [
      {
        at: at(80),
        gate: 'catch-up',
        passed: false,
        summary: 'lag 184 records above the 100-record threshold (orders-consumers)',
      },
      { at: at(86), gate: 'catch-up', passed: true, summary: 'lag 24 records, 1 of 3 consecutive healthy checks' },
      { at: at(91), gate: 'catch-up', passed: true, summary: 'lag 21 records, 2 of 3 consecutive healthy checks' },
      { at: at(96), gate: 'catch-up', passed: true, summary: 'lag 19 records, 3 of 3: caught up' },
      {
        at: at(104),
        gate: 'validation',
        passed: true,
        summary: '3 topics, 10 partitions, configs equal; 240 records matched by content',
      },
      { at: at(121), gate: 'target-health', passed: true, summary: 'broker reachable, produce/consume canary 38 ms' },
    ],
    checklist: {
      Compatibility: {
        status: 'PASS',
        evidence:
          'Target Kafka 4.3.1 accepts every client request version the inventory saw; no topic config outside the editable set.',
      },
      'Data copy': {
        status: 'PASS',
        evidence:
          '36,412 records acknowledged, 36,412 consumed, 0 lost; the verifier found every acknowledged record on the target.',
      },
      Offsets: {
        status: 'PASS',
        evidence: '3 consumer groups committed on the target at translated offsets; 0 records consumed twice.',
      },
      Ordering: {
        status: 'PASS',
        evidence: 'No key consumed a lower sequence number after a higher one (ledger: 7,283 records, one partition).',
      },
      Security: {
        status: 'WARN',
        evidence: 'Rehearsal on PLAINTEXT listeners: ACL to IAM mapping generated but not exercised against IAM.',
      },
      Observability: {
        status: 'PASS',
        evidence: 'Lag sampled every 2 s (69 samples); phase events emitted for 11 phases.',
      },
      Rollback: {
        status: 'NOT_RUN',
        evidence: 'Happy path: the rollback branches were not taken (they run in the fault scenarios).',
      },
    },
    pointOfNoReturn: { passed: true, at: at(176), note: 'The rollback window of 55 s closed with the target healthy.' },
  };
}
