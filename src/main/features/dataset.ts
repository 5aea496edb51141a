// Training-set export: stored history through the same feature engine the cockpit runs live, plus
// forward labels that never cross the session close, written as an Apache Arrow IPC file that
// external trainers (pyarrow, polars, XGBoost) read directly. The feature spec rides in the metadata.
import { readFileSync, writeFileSync } from 'node:fs';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { Bar } from '../../shared/domain';
import { addDays, nyDateKey } from '../calendar/ny-time';
import type { NyseCalendar } from '../calendar/nyse';
import { isPlausiblePrice, parseDecimal } from '../data/plausibility';
import type { HistoryStore } from '../store/history-store';
import { FeatureEngine, type DailyBar } from './feature-engine';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC, type FeatureSpecId } from './spec';

export const LABEL_NAMES = ['fwd_ret_1', 'fwd_ret_5', 'fwd_ret_15', 'label_up_1'] as const;
export const DATASET_FORMAT = 'cockpit-dataset/1';

export interface DatasetRequest {
  symbols: readonly string[];
  /** First and last New York dates whose rows are exported. */
  from: string;
  to: string;
  /** Sessions of history fed before `from` so the features are warm on the first exported bar. */
  warmupSessions?: number;
  vix?: ReadonlyArray<{ date: string; close: number }>;
}

export interface DatasetMeta {
  format: string;
  spec: FeatureSpecId;
  labels: readonly string[];
  labelDoc: Record<string, string>;
  symbols: readonly string[];
  from: string;
  to: string;
  rows: number;
  vix: 'series' | 'proxy';
  createdBy: string;
}

export interface Dataset {
  meta: DatasetMeta;
  symbol: string[];
  start: Float64Array;
  /** Feature columns in spec order (Float32: compact, and what trainers use). */
  features: Float32Array[];
  labels: Float32Array[];
}

const LABEL_DOC: Record<string, string> = {
  fwd_ret_1: 'ln(close_{t+1}/close_t) over regular bars of the same session; NaN at the last bar of a session',
  fwd_ret_5: 'ln(close_{t+5}/close_t), same session only',
  fwd_ret_15: 'ln(close_{t+15}/close_t), same session only',
  label_up_1: '1 when close_{t+1} > close_t, 0 when lower, NaN when equal or across the close',
};

/** Builds the dataset rows for the symbols and dates, from the store. */
export function buildDataset(store: HistoryStore, calendar: NyseCalendar, request: DatasetRequest): Dataset {
  if (request.from > request.to) throw new RangeError(`from (${request.from}) is after to (${request.to})`);
  const first = calendar.sessionOnOrAfter(request.from);
  let warmStart = first;
  for (let i = 0; i < (request.warmupSessions ?? 5); i++) warmStart = calendar.sessionBefore(warmStart.date);
  const last = calendar.sessionBefore(addDays(request.to, 1));
  const engine = new FeatureEngine(calendar);
  if (request.vix) engine.setVix(request.vix);

  // Daily context before the warm-up comes from the store's daily bars.
  for (const symbol of request.symbols) {
    const days: DailyBar[] = store
      .loadBars(symbol, '1d', 0, warmStart.preOpen)
      .map((b) => ({ date: nyDateKey(b.start), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }));
    engine.seedDaily(symbol, days);
  }
  // All symbols' regular bars in time order (SPY and QQQ first within a minute: not needed for
  // correctness, since market context only uses the previous minute, but it keeps runs comparable).
  const order = [...request.symbols].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const columns = order.map((s) => store.loadColumns(s, '1m', warmStart.preOpen, last.postClose));
  const bars: Bar[] = [];
  for (const c of columns) {
    for (let i = 0; i < c.length; i++) {
      if (c.part[i] !== 1) continue;
      bars.push({ symbol: c.symbol, timeframe: '1m', start: c.start[i]!, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! });
    }
  }
  const symIndex = new Map(order.map((s, i) => [s, i]));
  bars.sort((a, b) => a.start - b.start || symIndex.get(a.symbol)! - symIndex.get(b.symbol)!);

  const rows: Array<{ symbol: string; start: number; close: number; session: string; values: Float64Array }> = [];
  const fromUtc = first.preOpen;
  let anyVix = false;
  const vixAt = FEATURE_NAMES.indexOf('vix_is_proxy');
  for (const bar of bars) {
    const row = engine.onBar(bar);
    if (!row || bar.start < fromUtc) continue;
    if (row.values[vixAt] === 0) anyVix = true;
    rows.push({ symbol: bar.symbol, start: bar.start, close: bar.close, session: sessionOf(calendar, bar.start), values: row.values });
  }

  // Labels look forward within the symbol's own session only.
  const n = rows.length;
  const labels = LABEL_NAMES.map(() => new Float32Array(n).fill(Number.NaN));
  const bySymbol = new Map<string, number[]>();
  // Appended in place: copying each symbol's index list per row made a year of one symbol quadratic.
  rows.forEach((r, i) => {
    const idx = bySymbol.get(r.symbol);
    if (idx) idx.push(i);
    else bySymbol.set(r.symbol, [i]);
  });
  for (const idx of bySymbol.values()) {
    for (let k = 0; k < idx.length; k++) {
      const r = rows[idx[k]!]!;
      const ahead = (h: number): number => {
        const j = idx[k + h];
        if (j === undefined) return Number.NaN;
        const f = rows[j]!;
        return f.session === r.session ? Math.log(f.close / r.close) : Number.NaN;
      };
      const i = idx[k]!;
      const r1 = ahead(1);
      labels[0]![i] = r1;
      labels[1]![i] = ahead(5);
      labels[2]![i] = ahead(15);
      labels[3]![i] = Number.isNaN(r1) || r1 === 0 ? Number.NaN : r1 > 0 ? 1 : 0;
    }
  }

  const features = Array.from({ length: FEATURE_COUNT }, () => new Float32Array(n));
  rows.forEach((r, i) => {
    for (let f = 0; f < FEATURE_COUNT; f++) features[f]![i] = r.values[f]!;
  });
  return {
    meta: {
      format: DATASET_FORMAT,
      spec: FEATURE_SPEC,
      labels: [...LABEL_NAMES],
      labelDoc: LABEL_DOC,
      symbols: order,
      from: request.from,
      to: request.to,
      rows: n,
      vix: anyVix ? 'series' : 'proxy',
      createdBy: 'ai-trading-cockpit export-dataset',
    },
    symbol: rows.map((r) => r.symbol),
    start: Float64Array.from(rows.map((r) => r.start)),
    features,
    labels,
  };
}

function rank(symbol: string): number {
  return symbol === 'SPY' ? 0 : symbol === 'QQQ' ? 1 : 2;
}

function sessionOf(_calendar: NyseCalendar, start: number): string {
  // The New York date is the session of a regular-hours bar.
  return nyDateKey(start);
}

/**
 * A daily close series from a CSV with a header (DATE and CLOSE columns), e.g. CBOE's VIX history.
 * A row whose date is not YYYY-MM-DD or whose close is not a plain decimal inside the plausible
 * price band ("0x10", "1e308", "Infinity", a ×1e300 typo) is skipped, never read as a close.
 */
export function readDailyCloseCsv(text: string): Array<{ date: string; close: number }> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toUpperCase());
  const di = header.indexOf('DATE');
  const ci = header.indexOf('CLOSE');
  // The header is the file's text: it is not repeated back in the message.
  if (di < 0 || ci < 0) throw new Error(`expected DATE and CLOSE columns in the first line (found ${header.length} column(s))`);
  const out: Array<{ date: string; close: number }> = [];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const date = (f[di] ?? '').trim();
    const close = parseDecimal(f[ci]);
    if (/^\d{4}-\d{2}-\d{2}$/.test(date) && isPlausiblePrice(close)) out.push({ date, close });
  }
  return out;
}

export function writeDataset(path: string, ds: Dataset): number {
  const columns: Record<string, unknown> = { symbol: ds.symbol, start: ds.start };
  FEATURE_NAMES.forEach((name, i) => (columns[name] = ds.features[i]));
  LABEL_NAMES.forEach((name, i) => (columns[name] = ds.labels[i]));
  const table = tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]);
  table.schema.metadata.set('cockpit', JSON.stringify(ds.meta));
  const bytes = tableToIPC(table, 'file');
  writeFileSync(path, bytes);
  return bytes.byteLength;
}

export function readDataset(path: string): Dataset {
  const table = tableFromIPC(readFileSync(path));
  const raw = table.schema.metadata.get('cockpit');
  if (!raw) throw new Error(`${path} is not a cockpit dataset (no 'cockpit' metadata)`);
  const meta = JSON.parse(raw) as DatasetMeta;
  if (meta.format !== DATASET_FORMAT) throw new Error(`${path} has dataset format ${meta.format}; this app reads ${DATASET_FORMAT}`);
  const col = (name: string) => {
    const c = table.getChild(name);
    if (!c) throw new Error(`${path} has no column ${name}`);
    return c;
  };
  return {
    meta,
    symbol: col('symbol').toArray() as unknown as string[],
    start: Float64Array.from(col('start').toArray() as Float64Array),
    features: meta.spec.names.map((n) => Float32Array.from(col(n).toArray() as Float32Array)),
    labels: meta.labels.map((n) => Float32Array.from(col(n).toArray() as Float32Array)),
  };
}
