/**
 * Stands in for `semver` in the task bundles (lib/handler-bundles.ts, BUNDLE_OPTIONS.alias): the packages bundled
 * that require it, the X-Ray SDK's AWS SDK patcher and cls-hooked (both under the Powertools tracer), call only
 * `semver.gte` on plain versions (the Node and AWS SDK versions); the whole package added 28 KB to every function.
 * Any other function of semver fails naming why.
 */

const VERSION = /^\s*v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$/;

function parse(version: string): { readonly core: number[]; readonly pre: string[] } {
  const match = VERSION.exec(String(version));
  if (!match) throw new TypeError(`Invalid Version: ${String(version)}`);
  return { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4] ? match[4].split('.') : [] };
}

/** semver's precedence: the numbers, then a prerelease below its release, then the prerelease's identifiers. */
export function compare(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return (x.core[i] ?? 0) < (y.core[i] ?? 0) ? -1 : 1;
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const numeric = /^\d+$/.test(p) && /^\d+$/.test(q);
    if (numeric) return Number(p) < Number(q) ? -1 : 1;
    if (/^\d+$/.test(p) !== /^\d+$/.test(q)) return /^\d+$/.test(p) ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

export function gte(a: string, b: string): boolean {
  return compare(a, b) >= 0;
}
