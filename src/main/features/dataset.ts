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
import { OVERLAY_COUNT } from './streaming';

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

  // Columnar storage, allocated once: the bars from `from` on bound the rows (no object or array per
  // row, nothing copied as it fills): row-major float32 features, and per row its start, close,
  // symbol and session. The engine writes every value of the row it is given, so one row serves all.
  // (The rows used to be an array of objects each holding its own feature array.)
  const F = FEATURE_COUNT;
  const fromUtc = first.preOpen;
  let anyVix = false;
  const vixAt = FEATURE_NAMES.indexOf('vix_is_proxy');
  const symbolAt = new Map(order.map((s, i) => [s, i]));
  const sessionIds = new Map<string, number>();
  let cap = 0;
  for (const bar of bars) if (bar.start >= fromUtc) cap++;
  let n = 0;
  const values = new Float32Array(cap * F);
  const starts = new Float64Array(cap);
  const closes = new Float64Array(cap);
  const symbols = new Int32Array(cap);
  const sessions = new Int32Array(cap);
  const row = { symbol: '', start: 0, values: new Float64Array(F), overlays: new Float64Array(OVERLAY_COUNT) };
  for (const bar of bars) {
    if (!engine.onBar(bar, row) || bar.start < fromUtc) continue;
    if (row.values[vixAt] === 0) anyVix = true;
    values.set(row.values, n * F); // float64 → float32, rounded as an element assignment rounds
    starts[n] = bar.start;
    closes[n] = bar.close;
    symbols[n] = symbolAt.get(bar.symbol)!;
    const day = sessionOf(calendar, bar.start);
    let id = sessionIds.get(day);
    if (id === undefined) sessionIds.set(day, (id = sessionIds.size));
    sessions[n] = id;
    n++;
  }

  // Labels look forward within the symbol's own session only: each symbol's rows in order (a
  // counting sort of the row indexes by symbol), then h rows ahead in that list.
  const labels = LABEL_NAMES.map(() => new Float32Array(n).fill(Number.NaN));
  const bounds = new Int32Array(order.length + 1);
  for (let i = 0; i < n; i++) bounds[symbols[i]! + 1]!++;
  for (let k = 0; k < order.length; k++) bounds[k + 1]! += bounds[k]!;
  const idx = new Int32Array(n);
  const fill = bounds.slice(0, order.length);
  for (let i = 0; i < n; i++) idx[fill[symbols[i]!]!++] = i;
  const ahead = (k: number, h: number, end: number): number => {
    if (k + h >= end) return Number.NaN;
    const i = idx[k]!;
    const j = idx[k + h]!;
    return sessions[j] === sessions[i] ? Math.log(closes[j]! / closes[i]!) : Number.NaN;
  };
  for (let sym = 0; sym < order.length; sym++) {
    const end = bounds[sym + 1]!;
    for (let k = bounds[sym]!; k < end; k++) {
      const i = idx[k]!;
      const r1 = ahead(k, 1, end);
      labels[0]![i] = r1;
      labels[1]![i] = ahead(k, 5, end);
      labels[2]![i] = ahead(k, 15, end);
      labels[3]![i] = Number.isNaN(r1) || r1 === 0 ? Number.NaN : r1 > 0 ? 1 : 0;
    }
  }

  const features = Array.from({ length: F }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const at = i * F;
    for (let f = 0; f < F; f++) features[f]![i] = values[at + f]!;
  }
  const symbol = new Array<string>(n);
  for (let i = 0; i < n; i++) symbol[i] = order[symbols[i]!]!;
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
    symbol,
    start: n === cap ? starts : starts.slice(0, n),
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
