import { workOf } from '../../scripts/cutover-pause-figures';

describe("bench:cutover's per-look work", () => {
  it("divides a paced state's visit by its looks, less the pacer's sleeps, and other states by their visits", () => {
    // Prepare: one CheckDrain visit of 830 ms that looked 6 times, 100 ms apart; two CommitConsumerOffsets visits
    const timeline = {
      startedAt: 0,
      endedAt: 1_000,
      totalMs: 1_000,
      betweenStatesMs: 0,
      states: [
        { state: 'CheckDrain', visits: 1, ms: 830 },
        { state: 'CommitConsumerOffsets', visits: 2, ms: 300 },
        { state: 'Drained?', visits: 1, ms: 1 },
      ],
    };
    // Act
    const work = workOf(timeline, { CheckDrain: 6 }, 100);
    // Assess
    expect(work).toEqual({ CheckDrain: 55, CommitConsumerOffsets: 150 });
  });

  it("takes a paced state's last look where it is measured, whatever the sleeps were", () => {
    const timeline = {
      startedAt: 0,
      endedAt: 1_000,
      totalMs: 1_000,
      betweenStatesMs: 0,
      states: [{ state: 'CheckDrain', visits: 1, ms: 700 }],
    };
    expect(workOf(timeline, { CheckDrain: 6 }, 100, { CheckDrain: 42 })).toEqual({ CheckDrain: 42 });
  });
});
