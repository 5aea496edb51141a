// Session resets: VWAP, the opening range, signed volume delta and the gap start afresh at each
// regular open; nothing else does (EMAs, RSI, ATR, … run on across the close and the MLK holiday).
// Checked against a run where each session is fed to a fresh engine: only the session-anchored
// features match it.
import { beforeAll, describe, expect, it } from 'vitest';
import { FEATURES, FEATURE_INDEX } from '../../../src/main/features/spec';
import { OVERLAY_NAMES } from '../../../src/main/features/streaming';
import type { Bar } from '../../../src/shared/domain';
import { titled } from './discrepancies';
import { withinTolerance, interleave, qqqMonth, readVix, refSeries, runEngine, sessionOf, spyMonth, type EngineRows } from './month';
import { referenceFeatures } from './reference';

const spy = spyMonth();
const qqq = qqqMonth();
const fi = (name: string): number => FEATURE_INDEX[name]!;
const dateOf = (b: Bar): string => sessionOf(b.start).date;

/** Functions of the session's own bars (and the clock): a fresh engine computes the same values. */
const SESSION_ANCHORED = ['vwap_dist', 'signed_volume_delta', 'or_high_dist', 'or_low_dist', 'or_breakout_up', 'or_breakout_down', 'minutes_since_open', 'minutes_to_close'];
const INTRADAY = new Set(['returns', 'momentum', 'trend', 'volatility', 'volume', 'levels']);
/** Every intraday feature that must carry its state across the close. */
const CONTINUING = FEATURES.filter((d) => INTRADAY.has(d.group) && !SESSION_ANCHORED.includes(d.name) && d.name !== 'quote_imbalance').map((d) => d.name);

let full: Map<string, EngineRows>;
/** Rows of each symbol when every session goes to a new engine, in the same bar order as `full`. */
const fresh = new Map<string, EngineRows>([
  ['SPY', { values: [], overlays: [] }],
  ['QQQ', { values: [], overlays: [] }],
]);
const bySymbol: Record<string, Bar[]> = { SPY: spy, QQQ: qqq };

beforeAll(() => {
  const vix = readVix();
  const all = interleave(spy, qqq);
  full = runEngine(all, { vix });
  const dates = [...new Set(spy.map(dateOf))];
  for (const date of dates) {
    const rows = runEngine(
      all.filter((b) => dateOf(b) === date),
      { vix },
    );
    for (const [symbol, r] of rows) {
      fresh.get(symbol)!.values.push(...r.values);
      fresh.get(symbol)!.overlays.push(...r.overlays);
    }
  }
});

/** Index of each session's first bar after the first session (19 boundaries, one across MLK). */
function boundaries(bars: readonly Bar[]): number[] {
  return bars.flatMap((b, t) => (t > 0 && dateOf(b) !== dateOf(bars[t - 1]!) ? [t] : []));
}

describe('session-anchored features equal a fresh engine’s at every bar of every session', () => {
  it.each(SESSION_ANCHORED.map((n) => [titled(n, 'month'), n] as const))('%s', (_title, name) => {
    const f = fi(name);
    const bad: string[] = [];
    for (const symbol of ['SPY', 'QQQ']) {
      const a = full.get(symbol)!.values;
      const b = fresh.get(symbol)!.values;
      expect(b).toHaveLength(a.length);
      a.forEach((row, t) => {
        if (!Object.is(row[f], b[t]![f]) && bad.length < 5) bad.push(`${symbol} bar ${t} (${dateOf(bySymbol[symbol]![t]!)}): whole month ${row[f]}, fresh session ${b[t]![f]}`);
      });
    }
    expect(bad).toEqual([]);
  });

  it('and so do the chart levels anchored to the session (VWAP, opening range)', () => {
    for (const name of ['vwap', 'or_high', 'or_low'] as const) {
      const o = OVERLAY_NAMES.indexOf(name);
      for (const symbol of ['SPY', 'QQQ']) {
        const a = full.get(symbol)!.overlays;
        const b = fresh.get(symbol)!.overlays;
        expect(a.every((row, t) => Object.is(row[o], b[t]![o])), `${symbol} ${name}`).toBe(true);
      }
    }
  });
});

describe('gap_pct resets at each open', () => {
  it('is the session’s first open over the previous regular close − 1, for the whole session', () => {
    for (const symbol of ['SPY', 'QQQ']) {
      const bars = bySymbol[symbol]!;
      const rows = full.get(symbol)!.values;
      let first = 0;
      bars.forEach((b, t) => {
        if (t > 0 && dateOf(b) !== dateOf(bars[t - 1]!)) first = t;
        const want = first === 0 ? Number.NaN : bars[first]!.open / bars[first - 1]!.close - 1;
        if (!Object.is(rows[t]![fi('gap_pct')], want)) throw new Error(`${symbol} bar ${t}: gap ${rows[t]![fi('gap_pct')]} vs ${want}`);
      });
    }
  });

  it('is NaN for a fresh engine, which has seen no previous close', () => {
    expect(fresh.get('SPY')!.values.every((r) => Number.isNaN(r[fi('gap_pct')]!))).toBe(true);
  });
});

describe('nothing else resets', () => {
  it.each(CONTINUING)('%s carries across every close (19 boundaries, MLK included): defined, and unlike a fresh engine’s', (name) => {
    const f = fi(name);
    for (const symbol of ['SPY', 'QQQ']) {
      const a = full.get(symbol)!.values;
      const b = fresh.get(symbol)!.values;
      const starts = boundaries(bySymbol[symbol]!);
      expect(starts).toHaveLength(19);
      // A boundary before the symbol's own warm-up has passed has nothing to carry yet.
      const warmup = FEATURES[f]!.warmup;
      for (const t of starts.filter((x) => x >= warmup)) {
        const where = `${symbol} ${dateOf(bySymbol[symbol]![t]!)} first bar`;
        expect(Number.isNaN(a[t]![f]!), where).toBe(false);
        expect(Object.is(a[t]![f], b[t]![f]), `${where}: ${a[t]![f]} equals the fresh engine's`).toBe(false);
      }
    }
  });

  it('across the MLK gap (2011-01-14 close → 2011-01-18 open) EMA, RSI and ATR continue the same series', () => {
    const t = spy.findIndex((b) => dateOf(b) === '2011-01-18');
    expect(dateOf(spy[t - 1]!)).toBe('2011-01-14');
    const row = full.get('SPY')!.values[t]!;
    expect(row[fi('ret_1')]).toBe(Math.log(spy[t]!.close / spy[t - 1]!.close));
    const continuous = referenceFeatures(refSeries(spy.slice(0, t + 1)))[t]!;
    for (const name of ['ema_9_dist', 'ema_50_dist', 'macd', 'rsi_14', 'atr_pct', 'laguerre_dist']) {
      expect(withinTolerance(row[fi(name)]!, continuous[fi(name)]!), `${name} ${row[fi(name)]} vs ${continuous[fi(name)]}`).toBe(true);
    }
  });

  it('daily and market context are fixed for the whole session (taken before the open)', () => {
    const rows = full.get('SPY')!.values;
    const names = ['d_ret_1', 'd_mom_5', 'd_atr_14_pct', 'd_dollar_vol_5', 'vix_level', 'vix_is_proxy'];
    spy.forEach((b, t) => {
      if (t === 0 || dateOf(b) !== dateOf(spy[t - 1]!)) return;
      for (const n of names) if (!Object.is(rows[t]![fi(n)], rows[t - 1]![fi(n)])) throw new Error(`${n} changed inside ${dateOf(b)} at bar ${t}`);
    });
  });
});
