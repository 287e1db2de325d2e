import type { RehearsalResult } from './result';

/** Figures as the report prints them: the same words in Markdown and HTML. */

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `850 ms`, `12.4 s`, `3 min 05 s`, `1 h 02 min`; an em dash for a figure that was not measured. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}

/** `10:42:07` in UTC, the clock the timestamps are in. */
export function formatClock(iso: string): string {
  return new Date(iso).toISOString().slice(11, 19);
}

export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function runDurationMs(result: RehearsalResult): number {
  return Math.max(0, Date.parse(result.endedAt) - Date.parse(result.startedAt));
}

/** The first line of every report: what happened, and whether anything was lost. */
export function verdictLine(result: RehearsalResult): string {
  const { records } = result;
  const counted =
    `${formatCount(records.produced)} records produced, ${formatCount(records.lost)} lost, ` +
    `${formatCount(records.duplicatesConsumed)} consumed twice, ${formatCount(records.outOfOrder)} out of order`;
  const lossWarning = records.lost > 0 ? ` RECORDS LOST: ${formatCount(records.lost)}.` : '';
  switch (result.outcome) {
    case 'SUCCEEDED':
      return (
        `SUCCEEDED: the migration completed at ${result.finalState} in ${formatDuration(runDurationMs(result))}; ${counted}` +
        (result.cutover.writePauseMs !== null
          ? `; producers paused ${formatDuration(result.cutover.writePauseMs)} at cutover.`
          : '.') +
        lossWarning
      );
    case 'ROLLED_BACK':
      return (
        `ROLLED BACK: ${result.error ? `${result.error.name} ` : ''}sent the migration back to the source, ending at ${result.finalState}; ${counted}.` +
        lossWarning
      );
    case 'FAILED':
      return (
        `FAILED at ${result.finalState}${result.error ? ` with ${result.error.name}` : ''}: the migration neither completed nor rolled back cleanly; ${counted}.` +
        lossWarning
      );
  }
}
