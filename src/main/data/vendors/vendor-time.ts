// Vendor timestamps to epoch milliseconds UTC: Alpaca sends RFC-3339 strings with up to nanosecond
// precision, Polygon sends epoch milliseconds. Anything else is NaN, and the message is dropped.

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC-3339 time (sub-millisecond digits truncated), or NaN when it is not one. */
export function parseRfc3339(text: string): number {
  const m = RFC3339.exec(text);
  if (!m) return Number.NaN;
  // Keep at most three fraction digits: engines disagree on longer fractions, and ms is our unit.
  const fraction = m[1] ?? '';
  const trimmed = fraction.length > 4 ? text.replace(fraction, fraction.slice(0, 4)) : text;
  return Date.parse(trimmed);
}

/** "2025-03-03T14:31Z": how a bar's minute is named in details and logs. */
export function minuteLabel(ms: number): string {
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16)}Z` : String(ms);
}
