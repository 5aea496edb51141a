// Reads an import job's `result`. The contract types it as unknown (its shape depends on the job's
// kind and on the engine's version), so it is narrowed field by field; anything malformed gives null
// and the dialog falls back to the job's message.
export interface ImportReport {
  file: string;
  format: string;
  symbol: string;
  rows: number;
  accepted: number;
  /** Bars that were not stored before. */
  inserted: number;
  /** Bars already stored with the same values. */
  unchanged: number;
  /** Rejected rows per reason, largest first. */
  rejected: ReadonlyArray<{ reason: string; count: number }>;
  rejectedTotal: number;
  sessions: number;
  byPart: { pre: number; regular: number; post: number } | null;
  derived: { '5m': number; '15m': number; '1d': number } | null;
  /** Start of the first and last accepted bar (epoch ms UTC); null when none was accepted. */
  firstStart: number | null;
  lastStart: number | null;
}

type Fields = Record<string, unknown>;

const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const instant = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function counts<K extends string>(v: unknown, keys: readonly K[]): Record<K, number> | null {
  if (!isFields(v)) return null;
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const n = count(v[k]);
    if (n === null) return null;
    out[k] = n;
  }
  return out;
}

export function readImportReport(result: unknown): ImportReport | null {
  if (!isFields(result)) return null;
  const rows = count(result.rows);
  const accepted = count(result.accepted);
  const inserted = count(result.inserted);
  const unchanged = count(result.unchanged);
  if (rows === null || accepted === null || inserted === null || unchanged === null) return null;
  const rejected = Object.entries(isFields(result.rejected) ? result.rejected : {})
    .map(([reason, n]) => ({ reason, count: count(n) ?? 0 }))
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return {
    file: text(result.file),
    format: text(result.format),
    symbol: text(result.symbol),
    rows,
    accepted,
    inserted,
    unchanged,
    rejected,
    rejectedTotal: rejected.reduce((sum, r) => sum + r.count, 0),
    sessions: count(result.sessions) ?? 0,
    byPart: counts(result.byPart, ['pre', 'regular', 'post'] as const),
    derived: counts(result.derived, ['5m', '15m', '1d'] as const),
    firstStart: instant(result.firstStart),
    lastStart: instant(result.lastStart),
  };
}
