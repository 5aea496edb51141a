// Imports a history file into the SQLite store. Bad rows are rejected and counted by reason; the
// accepted rows, the bars derived from them and the import record are written in one transaction,
// so an import applies whole or not at all; bars already stored are left untouched, so importing
// the same file again changes nothing.
import { createHash } from 'node:crypto';
import type { Timeframe } from '../../../shared/domain';
import type { NyseCalendar } from '../../calendar/nyse';
import { nyDateKey } from '../../calendar/ny-time';
import type { HistoryStore, StoredBar } from '../../store/history-store';
import { aggregateBars } from '../aggregate';
import { checkBar, type BarRejection } from '../validate-bar';
import { parseFile, type CsvOptions, type ImportFormat, type ParseRejection } from './formats';

export type ImportRejection = ParseRejection | BarRejection | 'duplicate_timestamp' | 'out_of_order' | 'market_closed';

export interface ImportReport {
  file: string;
  format: ImportFormat;
  symbol: string;
  sha256: string;
  rows: number;
  accepted: number;
  inserted: number;
  unchanged: number;
  rejected: Partial<Record<ImportRejection, number>>;
  /** The first few rejected lines, for the trader to look at. */
  rejectedSamples: Array<{ line: number; reason: ImportRejection }>;
  firstStart: number | null;
  lastStart: number | null;
  byPart: { pre: number; regular: number; post: number };
  sessions: number;
  derived: { '5m': number; '15m': number; '1d': number };
}

export interface ImportRequest {
  file: string;
  text: string;
  format: ImportFormat;
  symbol: string;
  csv?: CsvOptions;
  onProgress?: (fraction: number, phase: string) => void;
}

const DERIVED: Array<Exclude<Timeframe, '1m'>> = ['5m', '15m', '1d'];

export function importHistory(store: HistoryStore, calendar: NyseCalendar, request: ImportRequest, now: () => number = Date.now): ImportReport {
  const progress = request.onProgress ?? (() => {});
  const symbol = request.symbol;
  progress(0, 'parsing');
  const rows = parseFile(request.format, request.text, symbol, request.csv);
  const rejected: Partial<Record<ImportRejection, number>> = {};
  const samples: Array<{ line: number; reason: ImportRejection }> = [];
  const reject = (line: number, reason: ImportRejection): void => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
    if (samples.length < 20) samples.push({ line, reason });
  };

  progress(0.3, 'validating');
  const accepted: StoredBar[] = [];
  const byPart = { pre: 0, regular: 0, post: 0 };
  let lastStart = -Infinity;
  for (const row of rows) {
    if (!row.bar) {
      reject(row.line, row.reason ?? 'malformed_row');
      continue;
    }
    const bad = checkBar(row.bar);
    if (bad) {
      reject(row.line, bad);
      continue;
    }
    if (row.bar.start === lastStart) {
      reject(row.line, 'duplicate_timestamp');
      continue;
    }
    if (row.bar.start < lastStart) {
      reject(row.line, 'out_of_order');
      continue;
    }
    const part = calendar.partOf(row.bar.start);
    if (part === 'closed') {
      reject(row.line, 'market_closed');
      continue;
    }
    lastStart = row.bar.start;
    byPart[part]++;
    accepted.push({ ...row.bar, part });
  }

  const sha256 = createHash('sha256').update(request.text).digest('hex');
  const first = accepted[0]?.start ?? null;
  const last = accepted.at(-1)?.start ?? null;
  const report: ImportReport = {
    file: request.file,
    format: request.format,
    symbol,
    sha256,
    rows: rows.length,
    accepted: accepted.length,
    inserted: 0,
    unchanged: 0,
    rejected,
    rejectedSamples: samples,
    firstStart: first,
    lastStart: last,
    byPart,
    sessions: new Set(accepted.filter((b) => b.part === 'regular').map((b) => nyDateKey(b.start))).size,
    derived: { '5m': 0, '15m': 0, '1d': 0 },
  };

  progress(0.5, 'writing');
  const db = store.db;
  db.transaction(() => {
    const { inserted, unchanged } = store.insertBars('1m', accepted);
    report.inserted = inserted;
    report.unchanged = unchanged;
    if (first !== null && last !== null) report.derived = rebuildDerived(store, calendar, symbol, first, last);
    db.prepare(
      `INSERT INTO imports (file, sha256, format, symbol, rows, inserted, unchanged, rejected_json, first_start, last_start, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(request.file, sha256, request.format, symbol, rows.length, report.inserted, report.unchanged, JSON.stringify(rejected), first, last, now());
  })();
  progress(1, 'done');
  return report;
}

/**
 * Recomputes the 5-minute, 15-minute and daily bars over the whole sessions between two 1-minute bar
 * starts, from everything stored (so overlapping imports and live recording merge correctly).
 */
export function rebuildDerived(store: HistoryStore, calendar: NyseCalendar, symbol: string, first: number, last: number): { '5m': number; '15m': number; '1d': number } {
  const from = calendar.session(nyDateKey(first))?.preOpen ?? first;
  const lastSession = calendar.session(nyDateKey(last));
  const to = lastSession ? lastSession.postClose : last + 60_000;
  const minute = store.loadBars(symbol, '1m', from, to);
  const counts = { '5m': 0, '15m': 0, '1d': 0 };
  store.db.transaction(() => {
    for (const tf of DERIVED) {
      const bars = aggregateBars(minute, tf, calendar);
      store.replaceBars(tf, symbol, from, to, bars);
      counts[tf] = bars.length;
    }
  })();
  return counts;
}

export function formatReport(r: ImportReport): string {
  const when = (t: number | null): string => (t === null ? '—' : new Date(t).toISOString());
  const rejectedTotal = Object.values(r.rejected).reduce((a, b) => a + (b ?? 0), 0);
  return [
    `Imported ${r.file} (${r.format}) as ${r.symbol}`,
    `  rows ${r.rows}, accepted ${r.accepted}, new ${r.inserted}, already stored ${r.unchanged}, rejected ${rejectedTotal}`,
    ...Object.entries(r.rejected).map(([reason, n]) => `    ${reason}: ${n}`),
    `  ${r.sessions} regular sessions; bars pre ${r.byPart.pre}, regular ${r.byPart.regular}, post ${r.byPart.post}`,
    `  range ${when(r.firstStart)} → ${when(r.lastStart)}`,
    `  derived bars: 5m ${r.derived['5m']}, 15m ${r.derived['15m']}, daily ${r.derived['1d']}`,
  ].join('\n');
}
