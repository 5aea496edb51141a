// The straightforward buildDataset that the columnar one replaced (a row object and a feature array
// per bar, a symbol → row-index list map for the labels), kept as the reference the test and the
// benchmark compare against. Do not optimise this copy.
import type { Bar } from '../../src/shared/domain';
import { addDays, nyDateKey } from '../../src/main/calendar/ny-time';
import type { NyseCalendar } from '../../src/main/calendar/nyse';
import { DATASET_FORMAT, LABEL_NAMES, type Dataset, type DatasetRequest } from '../../src/main/features/dataset';
import { FeatureEngine, type DailyBar } from '../../src/main/features/feature-engine';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC } from '../../src/main/features/spec';
import type { HistoryStore } from '../../src/main/store/history-store';

const LABEL_DOC: Record<string, string> = {
  fwd_ret_1: 'ln(close_{t+1}/close_t) over regular bars of the same session; NaN at the last bar of a session',
  fwd_ret_5: 'ln(close_{t+5}/close_t), same session only',
  fwd_ret_15: 'ln(close_{t+15}/close_t), same session only',
  label_up_1: '1 when close_{t+1} > close_t, 0 when lower, NaN when equal or across the close',
};

function rank(symbol: string): number {
  return symbol === 'SPY' ? 0 : symbol === 'QQQ' ? 1 : 2;
}

export function referenceBuildDataset(store: HistoryStore, calendar: NyseCalendar, request: DatasetRequest): Dataset {
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
    rows.push({ symbol: bar.symbol, start: bar.start, close: bar.close, session: nyDateKey(bar.start), values: row.values });
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
