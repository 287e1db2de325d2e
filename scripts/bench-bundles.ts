import { loadavg } from 'node:os';
import { measureBundles, MB } from './bundle-figures';

/**
 * `npm run bench:bundles`: each task function's bundle (minified, as deployed) and what a fresh Node process spends
 * importing it (CPU time, judged; wall time, printed), against the targets of docs/cutover.md (≤ 1 MB, ≤ 150 ms), and
 * the count meeting each. Figures are printed, never asserted (test/infra/bundle-size.test.ts pins the sizes).
 */
const TARGET_BYTES = 1 * MB;
const TARGET_IMPORT_MS = 150;

function main(): void {
  const figures = measureBundles();
  const width = Math.max(...figures.map((f) => f.fn.length));
  for (const f of figures) {
    const mark = f.bytes <= TARGET_BYTES && f.importMs <= TARGET_IMPORT_MS ? 'ok ' : 'over';
    process.stdout.write(
      `${mark} ${f.fn.padEnd(width)}  ${(f.bytes / MB).toFixed(2)} MB  import ${String(f.importMs).padStart(4)} ms CPU (${String(f.importWallMs).padStart(4)} ms wall)\n`,
    );
  }
  const within = figures.filter((f) => f.bytes <= TARGET_BYTES && f.importMs <= TARGET_IMPORT_MS).length;
  const small = figures.filter((f) => f.bytes <= TARGET_BYTES).length;
  const fast = figures.filter((f) => f.importMs <= TARGET_IMPORT_MS).length;
  process.stdout.write(
    `${within}/${figures.length} bundles within ${TARGET_BYTES / MB} MB and ${TARGET_IMPORT_MS} ms CPU; ${small} within ${TARGET_BYTES / MB} MB, ${fast} within ${TARGET_IMPORT_MS} ms (load average ${loadavg()
      .map((l: number) => l.toFixed(2))
      .join(' ')})\n`,
  );
}

main();
