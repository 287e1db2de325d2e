import { loadavg } from 'node:os';
import { measureBundles, MB } from './bundle-figures';

/**
 * `npm run bench:bundles`: each task function's bundle (minified, as deployed) and the time a fresh Node process takes
 * to import it, against the targets of docs/cutover.md (≤ 1 MB, ≤ 150 ms). Figures are printed, never asserted.
 */
const TARGET_BYTES = 1 * MB;
const TARGET_IMPORT_MS = 150;

function main(): void {
  const figures = measureBundles();
  const width = Math.max(...figures.map((f) => f.fn.length));
  for (const f of figures) {
    const mark = f.bytes <= TARGET_BYTES && f.importMs <= TARGET_IMPORT_MS ? 'ok ' : 'over';
    process.stdout.write(
      `${mark} ${f.fn.padEnd(width)}  ${(f.bytes / MB).toFixed(2)} MB  import ${String(f.importMs).padStart(4)} ms\n`,
    );
  }
  const within = figures.filter((f) => f.bytes <= TARGET_BYTES && f.importMs <= TARGET_IMPORT_MS).length;
  process.stdout.write(
    `${within}/${figures.length} bundles within ${TARGET_BYTES / MB} MB and ${TARGET_IMPORT_MS} ms (load average ${loadavg()
      .map((l: number) => l.toFixed(2))
      .join(' ')})\n`,
  );
}

main();
