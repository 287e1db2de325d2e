import { runRehearsal } from '../rehearsal/run-rehearsal';

/**
 * `npm run bench:cutover`: the happy-path rehearsal 5 times (fresh clusters each time), then min/median/max of the
 * producer write pause at the cutover and of its ratio to 2 × replication-latency p99 + pointer propagation (the
 * bound the cutover promises: ≤ 1). Figures are printed, never asserted. `BENCH_RUNS` changes the count.
 */

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

function stats(values: readonly number[]): string {
  if (values.length === 0) return 'no samples';
  const sorted = [...values].sort((a, b) => a - b);
  const median =
    sorted.length % 2 === 1
      ? (sorted[(sorted.length - 1) / 2] as number)
      : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  const f = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));
  return `min ${f(sorted[0] as number)}, median ${f(median)}, max ${f(sorted.at(-1) as number)}`;
}

async function main(): Promise<void> {
  const pauses: number[] = [];
  const ratios: number[] = [];
  for (let i = 1; i <= RUNS; i++) {
    process.stderr.write(`bench:cutover run ${i}/${RUNS}: happy path…\n`);
    const run = await runRehearsal({
      scenario: 'happy-path',
      autoApprove: true,
      reportDir: `rehearsal-report/bench-${i}`,
      progress: (line) => {
        if (/phase |switched|execution /.test(line)) process.stderr.write(`  ${line}\n`);
      },
    });
    const { writePauseMs, pointerPropagationMs } = run.result.cutover;
    const p99 = run.result.replication.latencyP99Ms;
    const bound = p99 !== null && pointerPropagationMs !== null ? 2 * p99 + pointerPropagationMs : null;
    const ratio = writePauseMs !== null && bound !== null ? writePauseMs / Math.max(1, bound) : null;
    process.stderr.write(
      `  run ${i}: ${run.result.outcome} in ${run.result.finalState}, lost ${run.result.records.lost}, duplicates ${run.result.records.duplicatesConsumed}, write pause ${writePauseMs ?? '—'} ms, p99 ${p99 ?? '—'} ms, propagation ${pointerPropagationMs ?? '—'} ms, ratio ${ratio === null ? '—' : ratio.toFixed(2)}\n`,
    );
    if (writePauseMs !== null) pauses.push(writePauseMs);
    if (ratio !== null) ratios.push(ratio);
  }
  process.stdout.write(`write pause (ms), ${pauses.length} runs: ${stats(pauses)}\n`);
  process.stdout.write(`write pause / (2 × p99 + propagation), ${ratios.length} runs: ${stats(ratios)}\n`);
}

void main().catch((err: Error) => {
  process.stderr.write(`bench:cutover failed: ${err.message}\n`);
  process.exitCode = 1;
});
