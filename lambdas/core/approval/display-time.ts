/** `2026-11-02T14:05:09.000Z` → `2026-11-02 14:05 UTC`: one unambiguous form in every message and page. */
export function displayTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
