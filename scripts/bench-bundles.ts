import { loadavg } from 'node:os';
import { measureBundles, MB } from './bundle-figures';

/**
 * `npm run bench:bundles`: each task function's bundle (minified, as deployed) as a cold start loads it (index.mjs
 * and the chunks it imports statically: size, and the CPU time a fresh Node process spends importing it as Lambda
 * does, judged; wall time, printed) against the targets of docs/cutover.md (≤ 1 MB, ≤ 150 ms), the count meeting
 * each, and what the function holds in all (with the chunks it loads on first use, and the CPU time of importing
 * those after the entry, which a warm-up pays ahead). Figures are printed, never asserted
 * (test/infra/bundle-size.test.ts pins the sizes).
 */
const TARGET_BYTES = 1 * MB;
const TARGET_IMPORT_MS = 150;

function main(): void {
  const figures = measureBundles();
  const width = Math.max(...figures.map((f) => f.fn.length));
  const mb = (bytes: number): string => (bytes / MB).toFixed(2);
  process.stdout.write(
    `     ${'function'.padEnd(width)}  cold start: size, import CPU (wall), files | in all: size, files, lazy chunks' import CPU\n`,
  );
  for (const f of figures) {
    const mark = f.bytes <= TARGET_BYTES && f.importMs <= TARGET_IMPORT_MS ? 'ok ' : 'over';
    process.stdout.write(
      `${mark} ${f.fn.padEnd(width)}  ${mb(f.bytes)} MB  import ${String(f.importMs).padStart(4)} ms CPU (${String(f.importWallMs).padStart(4)} ms wall)  ${String(f.coldFiles).padStart(2)} file(s) | ${mb(f.totalBytes)} MB  ${String(f.totalFiles).padStart(2)} file(s)  lazy ${String(f.lazyImportMs).padStart(4)} ms CPU\n`,
    );
  }
  const within = figures.filter((f) => f.bytes <= TARGET_BYTES && f.importMs <= TARGET_IMPORT_MS).length;
  const small = figures.filter((f) => f.bytes <= TARGET_BYTES).length;
  const fast = figures.filter((f) => f.importMs <= TARGET_IMPORT_MS).length;
  process.stdout.write(
    `cold start: ${within}/${figures.length} bundles within ${TARGET_BYTES / MB} MB and ${TARGET_IMPORT_MS} ms CPU; ${small} within ${TARGET_BYTES / MB} MB, ${fast} within ${TARGET_IMPORT_MS} ms (load average ${loadavg()
      .map((l: number) => l.toFixed(2))
      .join(' ')})\n`,
  );
}

main();
