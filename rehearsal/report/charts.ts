import { escapeHtml } from '../../lambdas/core/report/checklist';
import type { LagSample, Phase } from './result';
import { formatClock, formatCount, formatDuration } from './verdict';

/**
 * The report's two pictures as inline SVG strings (no script, no external asset): replication lag over time, and
 * the phases on one time axis. Pure functions of the result, unit-tested for 0, 1 and many points.
 */

export { escapeHtml };

const FONT = `font-family="ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"`;

/** About `count` round tick values from 0 to at least `max` (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(max: number, count = 4): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v < top + step; v += step) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= top) break;
  }
  return ticks;
}

function timeTicks(from: number, to: number, count = 5): number[] {
  const span = to - from;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  const step = steps.find((s) => span / s <= count) ?? 3_600_000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** A tick label at either end of an axis is anchored inwards, so that it is not cut off. */
function tickAnchor(at: number, from: number, to: number): 'start' | 'middle' | 'end' {
  if (at > to - 28) return 'end';
  if (at < from + 28) return 'start';
  return 'middle';
}

function fmt(n: number): string {
  return Number(n.toFixed(1)).toString();
}

export interface LagChartOptions {
  readonly width?: number;
  readonly height?: number;
  /** A dashed marker where the pointer moved. */
  readonly cutoverAt?: string | null;
}

export function lagChartSvg(samples: readonly LagSample[], options: LagChartOptions = {}): string {
  const width = options.width ?? 760;
  const height = options.height ?? 260;
  const m = { left: 64, right: 20, top: 18, bottom: 34 };
  const open = `<svg class="lag-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img"`;
  if (samples.length === 0) {
    return (
      `${open} aria-label="Replication lag: no samples">` +
      `<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="10" fill="#f8fafc" stroke="#e2e8f0"/>` +
      `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#64748b" font-size="14" ${FONT}>No lag samples were recorded</text></svg>`
    );
  }
  const points = [...samples].map((s) => ({ t: Date.parse(s.at), lag: s.lag })).sort((a, b) => a.t - b.t);
  const first = points[0] as { t: number; lag: number };
  const last = points[points.length - 1] as { t: number; lag: number };
  let t0 = first.t;
  let t1 = last.t;
  if (t1 - t0 < 1_000) {
    t0 -= 30_000;
    t1 += 30_000;
  }
  const maxLag = Math.max(...points.map((p) => p.lag));
  const yTicks = niceTicks(maxLag);
  const yMax = yTicks[yTicks.length - 1] ?? 1;
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const x = (t: number): number => m.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (lag: number): number => m.top + plotH - (lag / yMax) * plotH;

  const parts: string[] = [`${open} aria-label="Replication lag over time, peak ${formatCount(maxLag)} records">`];
  parts.push(
    `<defs><linearGradient id="lagFill" x1="0" y1="0" x2="0" y2="1"><stop offset="0%" stop-color="#6366f1" stop-opacity="0.35"/><stop offset="100%" stop-color="#6366f1" stop-opacity="0.02"/></linearGradient></defs>`,
  );
  for (const v of yTicks) {
    parts.push(
      `<line class="grid" x1="${m.left}" x2="${width - m.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e2e8f0" stroke-width="1"/>`,
      `<text x="${m.left - 8}" y="${fmt(y(v) + 4)}" text-anchor="end" fill="#64748b" font-size="11" ${FONT}>${escapeHtml(formatCount(v))}</text>`,
    );
  }
  for (const t of timeTicks(t0, t1)) {
    parts.push(
      `<line x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${m.top + plotH}" y2="${m.top + plotH + 4}" stroke="#94a3b8"/>`,
      `<text x="${fmt(x(t))}" y="${height - 12}" text-anchor="${tickAnchor(x(t), m.left, width - m.right)}" fill="#64748b" font-size="11" ${FONT}>${formatClock(new Date(t).toISOString())}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#94a3b8"/>`,
  );
  parts.push(
    `<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#64748b" font-size="11" ${FONT}>lag (records)</text>`,
  );
  if (options.cutoverAt) {
    const tc = Date.parse(options.cutoverAt);
    if (tc >= t0 && tc <= t1) {
      parts.push(
        `<line class="cutover-marker" x1="${fmt(x(tc))}" x2="${fmt(x(tc))}" y1="${m.top}" y2="${m.top + plotH}" stroke="#0f172a" stroke-dasharray="4 4" stroke-width="1.5"/>`,
        `<text x="${fmt(x(tc) + 6)}" y="${m.top + 12}" fill="#0f172a" font-size="11" font-weight="600" ${FONT}>cutover</text>`,
      );
    }
  }
  if (points.length === 1) {
    parts.push(
      `<circle class="lag-point" cx="${fmt(x(first.t))}" cy="${fmt(y(first.lag))}" r="5" fill="#6366f1" stroke="#fff" stroke-width="2"/>`,
      `<text x="${fmt(x(first.t))}" y="${fmt(y(first.lag) - 10)}" text-anchor="middle" fill="#312e81" font-size="12" font-weight="600" ${FONT}>${escapeHtml(formatCount(first.lag))}</text>`,
    );
  } else {
    const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fmt(x(p.t))} ${fmt(y(p.lag))}`).join(' ');
    const area = `${line} L${fmt(x(last.t))} ${m.top + plotH} L${fmt(x(first.t))} ${m.top + plotH} Z`;
    parts.push(`<path class="lag-area" d="${area}" fill="url(#lagFill)"/>`);
    parts.push(
      `<path class="lag-line" d="${line}" fill="none" stroke="#4f46e5" stroke-width="2.25" stroke-linejoin="round" stroke-linecap="round"/>`,
    );
    if (points.length <= 60) {
      for (const p of points) {
        parts.push(
          `<circle class="lag-point" cx="${fmt(x(p.t))}" cy="${fmt(y(p.lag))}" r="2.75" fill="#4f46e5"><title>${formatClock(new Date(p.t).toISOString())}: ${escapeHtml(formatCount(p.lag))} records</title></circle>`,
        );
      }
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

export const PHASE_COLOURS: Record<Phase['status'], string> = {
  SUCCEEDED: '#16a34a',
  FAILED: '#dc2626',
  ROLLED_BACK: '#d97706',
  SKIPPED: '#94a3b8',
  RUNNING: '#2563eb',
};

export function phaseTimelineSvg(
  phases: readonly Phase[],
  run: { readonly startedAt: string; readonly endedAt: string },
  width = 760,
): string {
  const label = 170;
  const right = 20;
  const rowH = 30;
  const top = 8;
  const axis = 28;
  const height = top + Math.max(1, phases.length) * rowH + axis;
  const open = `<svg class="phase-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Phase timeline">`;
  if (phases.length === 0) {
    return `${open}<text x="${width / 2}" y="${top + rowH / 2 + 4}" text-anchor="middle" fill="#64748b" font-size="13" ${FONT}>No phases were recorded</text></svg>`;
  }
  const t0 = Math.min(Date.parse(run.startedAt), ...phases.map((p) => Date.parse(p.start)));
  let t1 = Math.max(Date.parse(run.endedAt), ...phases.map((p) => Date.parse(p.end ?? p.start)));
  if (t1 - t0 < 1_000) t1 = t0 + 1_000;
  const plotW = width - label - right;
  const x = (t: number): number => label + ((t - t0) / (t1 - t0)) * plotW;
  const parts: string[] = [open];
  const ticks = timeTicks(t0, t1);
  for (const t of ticks) {
    parts.push(
      `<line x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${top}" y2="${top + phases.length * rowH}" stroke="#eef2f7"/>`,
      `<text x="${fmt(x(t))}" y="${height - 8}" text-anchor="${tickAnchor(x(t), label, width - right)}" fill="#64748b" font-size="11" ${FONT}>${formatClock(new Date(t).toISOString())}</text>`,
    );
  }
  phases.forEach((p, i) => {
    const yRow = top + i * rowH;
    const start = Date.parse(p.start);
    const end = Date.parse(p.end ?? run.endedAt);
    const bx = x(start);
    const bw = Math.max(3, x(end) - bx);
    const colour = PHASE_COLOURS[p.status];
    const duration = formatDuration(end - start);
    if (i % 2 === 1) parts.push(`<rect x="0" y="${yRow}" width="${width}" height="${rowH}" fill="#f8fafc"/>`);
    parts.push(
      `<text x="${label - 12}" y="${yRow + rowH / 2 + 4}" text-anchor="end" fill="#0f172a" font-size="12" ${FONT}>${escapeHtml(p.name)}</text>`,
      `<rect class="phase-bar" data-status="${p.status}" x="${fmt(bx)}" y="${yRow + 7}" width="${fmt(bw)}" height="${rowH - 14}" rx="4" fill="${colour}"${p.status === 'RUNNING' ? ' fill-opacity="0.55"' : ''}><title>${escapeHtml(`${p.name}: ${p.status}, ${duration} (${p.states.join(', ')})`)}</title></rect>`,
    );
    // The duration: inside a long bar, after a short one, or before it when the bar ends at the right edge.
    const inside = bw > 64;
    const roomAfter = bx + bw + 60 < width - right;
    const textX = inside ? bx + bw - 6 : roomAfter ? bx + bw + 6 : bx - 6;
    parts.push(
      `<text x="${fmt(textX)}" y="${yRow + rowH / 2 + 4}" text-anchor="${inside || !roomAfter ? 'end' : 'start'}" fill="${inside ? '#ffffff' : '#475569'}" font-size="11" font-weight="600" ${FONT}>${escapeHtml(duration)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
