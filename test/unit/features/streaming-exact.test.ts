// The optimised streaming engine against a frozen copy of the engine as it was before (legacy/):
// every feature value and every overlay of every bar, bit for bit (Object.is, so NaN = NaN and
// -0 ≠ +0), over a long seeded random walk of many symbols that exercises every path: flat runs,
// tied and huge and fractional volumes, a NaN volume, lows of +0 and -0, missing minutes (SPY's too), corrected bars
// (rollback), stale and out-of-hours bars, quotes, a VIX series with a gap (the proxy), seeded daily
// bars, early closes, and non-default options. The parity tests check the definitions to 1e-9; this
// one pins the exact output, so a speed change cannot move a single value.
import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { SeededRandom } from '../../../src/main/engine/random';
import { FeatureEngine } from '../../../src/main/features/feature-engine';
import { FEATURE_COUNT, FEATURE_NAMES } from '../../../src/main/features/spec';
import { OVERLAY_COUNT, OVERLAY_NAMES, type DailyBar, type FeatureOptions } from '../../../src/main/features/streaming';
import type { Bar, QuoteTick } from '../../../src/shared/domain';
import { LegacyFeatureEngine } from './legacy/feature-engine-v1';

type Event = { kind: 'bar'; bar: Bar } | { kind: 'quote'; quote: QuoteTick };

const SYMBOLS = ['SPY', 'QQQ', 'FLAT', 'BIGV', 'FRAC', 'NANV', 'GAPS', 'ZERO', ...Array.from({ length: 7 }, (_, i) => `R${i}`)];

/** A seeded stream of events over the sessions from `from` to `to` (see the module comment). */
function stream(seed: number, from: string, to: string): { events: Event[]; daily: Map<string, DailyBar[]> } {
  const calendar = new NyseCalendar();
  const rng = new SeededRandom(seed);
  const px = SYMBOLS.map(() => 20 + rng.next() * 300);
  const events: Event[] = [];
  const daily = new Map<string, DailyBar[]>();
  // Daily bars before the stream for half the symbols (the others start without daily context).
  const seedDays = calendar.tradingDays('2024-06-01', '2024-10-31');
  SYMBOLS.forEach((symbol, j) => {
    if (j % 2 === 1) return;
    let c = px[j]!;
    daily.set(
      symbol,
      seedDays.map((date) => {
        const o = c;
        c = Math.round(c * Math.exp(rng.normal() * 0.012) * 100) / 100;
        return { date, open: o, high: Math.max(o, c) * 1.004, low: Math.min(o, c) * 0.996, close: c, volume: 1e6 + rng.int(5e6) };
      }),
    );
  });
  for (const day of calendar.tradingDays(from, to)) {
    const s = calendar.session(day)!;
    // A pre-market and a post-market bar: not regular, ignored.
    events.push({ kind: 'bar', bar: { symbol: 'R0', timeframe: '1m', start: s.open - 5 * 60_000, open: 10, high: 10, low: 10, close: 10, volume: 5 } });
    for (let t = s.open; t < s.close; t += 60_000) {
      for (let j = 0; j < SYMBOLS.length; j++) {
        const symbol = SYMBOLS[j]!;
        // Missing minutes: GAPS often, SPY and the others now and then.
        if (symbol === 'GAPS' ? rng.next() < 0.3 : rng.next() < 0.01) continue;
        const o = px[j]!;
        const flat = symbol === 'FLAT' ? rng.next() < 0.6 : rng.next() < 0.08;
        const c = flat ? o : Math.max(0.5, Math.round(o * Math.exp(rng.normal() * 0.0012) * 100) / 100);
        px[j] = c;
        let volume = 100 * (1 + rng.int(60));
        if (symbol === 'BIGV') volume = 2 ** 40 + rng.int(2 ** 30); // Σv² past 2^53: the exact σ fallback
        if (symbol === 'FRAC') volume = Math.round(rng.next() * 5000 * 1000) / 1000;
        if (symbol === 'NANV' && rng.next() < 0.002) volume = Number.NaN;
        if (rng.next() < 0.01) volume = 0;
        let low = Math.min(o, c) - rng.int(3) * 0.01;
        if (symbol === 'ZERO' && rng.next() < 0.2) low = rng.next() < 0.5 ? 0 : -0; // zero lows of either sign
        const bar: Bar = { symbol, timeframe: '1m', start: t, open: o, high: Math.max(o, c) + rng.int(3) * 0.01, low, close: c, volume };
        events.push({ kind: 'bar', bar });
        if (rng.next() < 0.02) {
          // A vendor correction of the same minute (rollback and recompute), sometimes twice.
          const c2 = Math.round(c * (1 + (rng.next() - 0.5) * 0.002) * 100) / 100;
          events.push({ kind: 'bar', bar: { ...bar, close: c2, high: Math.max(bar.high, c2), low: Math.min(bar.low, c2), volume: volume + 100 } });
          px[j] = c2;
          if (rng.next() < 0.2) events.push({ kind: 'bar', bar: { ...bar, close: c2, high: Math.max(bar.high, c2), low: Math.min(bar.low, c2), volume: volume + 200 } });
        }
        if (rng.next() < 0.005 && t > s.open) events.push({ kind: 'bar', bar: { ...bar, start: t - 60_000 * (2 + rng.int(3)) } }); // stale: ignored
        if (rng.next() < 0.05) {
          const bid = rng.int(1000);
          events.push({ kind: 'quote', quote: { symbol, time: t + rng.int(120_000), bidPrice: c - 0.01, bidSize: bid, askPrice: c + 0.01, askSize: rng.next() < 0.1 ? 0 : rng.int(1000) } });
        }
      }
    }
    events.push({ kind: 'bar', bar: { symbol: 'R1', timeframe: '1m', start: s.close + 30 * 60_000, open: 10, high: 10, low: 10, close: 10, volume: 5 } });
  }
  return { events, daily };
}

/** VIX closes with a three-week hole (the SPY realised-volatility proxy fills it). */
function vixSeries(): Array<{ date: string; close: number }> {
  const rng = new SeededRandom(99);
  const out: Array<{ date: string; close: number }> = [];
  for (const date of new NyseCalendar().tradingDays('2024-10-01', '2024-12-31')) {
    if (date >= '2024-11-18' && date <= '2024-12-06') continue;
    out.push({ date, close: 12 + rng.next() * 10 });
  }
  return out;
}

interface Reached {
  rows: number;
  proxy: number;
  series: number;
  corr: number;
  pctile: number;
  bigVolumeZ: number;
}

/** A number as Object.is tells them apart (-0 is not 0). */
const show = (v: number | undefined): string => (Object.is(v, -0) ? '-0' : String(v));

function compare(seed: number, from: string, to: string, options: FeatureOptions, vix: boolean): Reached {
  const { events, daily } = stream(seed, from, to);
  const calendar = new NyseCalendar();
  const now = new FeatureEngine(calendar, options);
  const ref = new LegacyFeatureEngine(calendar, options);
  for (const [symbol, days] of daily) {
    now.seedDaily(symbol, days);
    ref.seedDaily(symbol, days);
  }
  if (vix) {
    now.setVix(vixSeries());
    ref.setVix(vixSeries());
  }
  // The live engine writes into one reused row (as the feature service does); the reference allocates.
  const row = { symbol: '', start: 0, values: new Float64Array(FEATURE_COUNT), overlays: new Float64Array(OVERLAY_COUNT) };
  const reached: Reached = { rows: 0, proxy: 0, series: 0, corr: 0, pctile: 0, bigVolumeZ: 0 };
  const at = (name: string) => FEATURE_NAMES.indexOf(name);
  const [proxyAt, corrAt, pctAt, zAt] = [at('vix_is_proxy'), at('corr_qqq_60'), at('volume_pctile_390'), at('volume_z_20')];
  for (const e of events) {
    if (e.kind === 'quote') {
      now.onQuote(e.quote);
      ref.onQuote(e.quote);
      continue;
    }
    const got = now.onBar(e.bar, row);
    const want = ref.onBar(e.bar);
    const where = `${e.bar.symbol} ${new Date(e.bar.start).toISOString()}`;
    if ((got === null) !== (want === null)) throw new Error(`${where}: row ${got === null ? 'missing' : 'unexpected'}`);
    if (!got || !want) continue;
    reached.rows++;
    if (want.values[proxyAt] === 1) reached.proxy++;
    if (want.values[proxyAt] === 0) reached.series++;
    if (Number.isFinite(want.values[corrAt])) reached.corr++;
    if (Number.isFinite(want.values[pctAt])) reached.pctile++;
    if (e.bar.symbol === 'BIGV' && Number.isFinite(want.values[zAt])) reached.bigVolumeZ++;
    for (let f = 0; f < FEATURE_COUNT; f++) {
      if (!Object.is(got.values[f], want.values[f])) throw new Error(`${where} ${FEATURE_NAMES[f]}: ${show(got.values[f])} vs ${show(want.values[f])} before`);
    }
    for (let o = 0; o < OVERLAY_COUNT; o++) {
      if (!Object.is(got.overlays[o], want.overlays[o])) throw new Error(`${where} overlay ${OVERLAY_NAMES[o]}: ${show(got.overlays[o])} vs ${show(want.overlays[o])} before`);
    }
  }
  for (const symbol of SYMBOLS) {
    expect(now.barsSeen(symbol)).toBe(ref.barsSeen(symbol));
    expect(now.dailyBefore(symbol, '2025-01-10')).toEqual(ref.dailyBefore(symbol, '2025-01-10'));
  }
  return reached;
}

describe('the streaming engine against its pre-optimisation copy, bit for bit', () => {
  it('agrees on every value and overlay of a two-month, 15-symbol random walk (VIX with a gap, early closes)', () => {
    const r = compare(5, '2024-11-01', '2024-12-31', {}, true);
    expect(r.rows).toBeGreaterThan(200_000);
    for (const n of [r.proxy, r.series, r.corr, r.pctile, r.bigVolumeZ]) expect(n).toBeGreaterThan(1_000);
  });

  it('agrees with other options and without a VIX series', () => {
    const r = compare(6, '2024-12-02', '2024-12-13', { gamma: 0.8, openingRangeMinutes: 5 }, false);
    expect(r.rows).toBeGreaterThan(40_000);
    expect(r.series).toBe(0);
  });
});
