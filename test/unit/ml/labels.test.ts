import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { FeatureEngine } from '../../../src/main/features/feature-engine';
import { FEATURE_INDEX } from '../../../src/main/features/spec';
import {
  BARRIER_STOP,
  BARRIER_TARGET,
  BARRIER_TIME,
  BUY,
  excursions,
  forwardReturn,
  HOLD,
  labelWindowEnd,
  nextBarDirection,
  regularSessionBars,
  rollingReturnSigma,
  SELL,
  sessionIndex,
  tradeSignalLabels,
  tripleBarrierLabels,
  type SessionBars,
} from '../../../src/main/ml/labels';
import type { BarColumns } from '../../../src/main/store/history-store';

const MIN = 60_000;
type Ohlc = [open: number, high: number, low: number, close: number];

/** One-minute regular bars from 09:30 New York on each date, in order. */
function sessions(...days: Array<{ date: string; bars: Ohlc[] }>): SessionBars {
  const start: number[] = [];
  const open: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  for (const d of days) {
    const [y, m, dd] = d.date.split('-').map(Number) as [number, number, number];
    const t0 = nyWallToUtc(y, m, dd, 9, 30);
    d.bars.forEach(([o, h, l, c], i) => {
      start.push(t0 + i * MIN);
      open.push(o);
      high.push(h);
      low.push(l);
      close.push(c);
    });
  }
  return { start: Float64Array.from(start), open: Float64Array.from(open), high: Float64Array.from(high), low: Float64Array.from(low), close: Float64Array.from(close) };
}

/** Bars whose open, high and low sit at the close (a close-only path). */
const flat = (closes: number[]): Ohlc[] => closes.map((c) => [c, c, c, c]);

describe('sessions and the volatility known at t', () => {
  it('splits sessions by New York date and refuses unsorted bars', () => {
    const bars = sessions({ date: '2024-03-04', bars: flat([1, 2, 3]) }, { date: '2024-03-05', bars: flat([4, 5]) });
    const idx = sessionIndex(bars.start);
    expect(Array.from(idx.sessionEnd)).toEqual([2, 2, 2, 4, 4]);
    expect(idx.dates).toEqual(['2024-03-04', '2024-03-05']);
    expect(() => sessionIndex([3, 2])).toThrow(/increasing/);
  });

  it('regularSessionBars drops pre- and post-market bars from store columns', () => {
    const cols: BarColumns = {
      symbol: 'X',
      timeframe: '1m',
      length: 3,
      start: Float64Array.of(1, 2, 3),
      open: Float64Array.of(1, 2, 3),
      high: Float64Array.of(1, 2, 3),
      low: Float64Array.of(1, 2, 3),
      close: Float64Array.of(1, 2, 3),
      volume: Float64Array.of(1, 1, 1),
      part: Uint8Array.of(0, 1, 2),
    };
    expect(Array.from(regularSessionBars(cols).close)).toEqual([2]);
  });

  it('rollingReturnSigma is the rv_60 feature, computed from bars up to t only', () => {
    // Two sessions of a wiggly path through the feature engine: σ must match rv_60 at every bar.
    const closes = (n: number, base: number) => Array.from({ length: n }, (_, i) => base + Math.sin(i * 0.7) + 0.01 * i);
    const bars = sessions({ date: '2024-03-04', bars: flat(closes(90, 100)) }, { date: '2024-03-05', bars: flat(closes(40, 101)) });
    const engine = new FeatureEngine(new NyseCalendar());
    const rv = Array.from(bars.start, (start, i) => {
      const c = bars.close[i]!;
      return engine.onBar({ symbol: 'X', timeframe: '1m', start, open: c, high: c, low: c, close: c, volume: 100 })!.values[FEATURE_INDEX.rv_60!]!;
    });
    const sigma = rollingReturnSigma(bars.close, 60);
    expect(Number.isNaN(sigma[59]!)).toBe(true);
    for (let i = 0; i < rv.length; i++) {
      if (Number.isNaN(rv[i]!)) expect(Number.isNaN(sigma[i]!)).toBe(true);
      else expect(sigma[i]).toBeCloseTo(rv[i]!, 12);
    }
  });
});

describe('next-bar direction and fixed-horizon returns', () => {
  it('is 1 up, 0 down, NaN when flat and at each session’s last bar', () => {
    const bars = sessions({ date: '2024-03-04', bars: flat([10, 11, 11, 10.5]) }, { date: '2024-03-05', bars: flat([20, 21]) });
    expect(Array.from(nextBarDirection(bars))).toEqual([1, NaN, 0, NaN, 1, NaN]);
  });

  it('forward return over H bars is NaN when t+H is past the close (never reads the next session)', () => {
    const bars = sessions({ date: '2024-03-04', bars: flat([100, 101, 102, 103]) }, { date: '2024-03-05', bars: flat([200, 201, 202]) });
    const r = forwardReturn(bars, 2);
    expect(r.value[0]).toBeCloseTo(Math.log(102 / 100), 15);
    expect(r.value[1]).toBeCloseTo(Math.log(103 / 101), 15);
    expect(Number.isNaN(r.value[2]!) && Number.isNaN(r.value[3]!)).toBe(true);
    expect(r.value[4]).toBeCloseTo(Math.log(202 / 200), 15);
    expect(r.end[4]).toBe(bars.start[6]);
  });
});

describe('buy / hold / sell labels', () => {
  it('uses threshold = max(k·σ·√H, cost): buy above, sell below, hold inside', () => {
    // σ = 0.001 per bar, H = 4, k = 1 → k·σ·√H = 0.002.
    const closes = [100, 100, 100, 100, 100, 100.3, 99.7, 100.1, 99.9];
    const bars = sessions({ date: '2024-03-04', bars: flat(closes) });
    const sigma = new Float64Array(closes.length).fill(0.001);
    const cheap = tradeSignalLabels(bars, { horizon: 4, k: 1, cost: 0.0005, sigma });
    expect(cheap.threshold[0]).toBeCloseTo(0.002, 15);
    // t=1 → close 100.3 (+0.30%) buy; t=2 → 99.7 sell; t=3 → 100.1 (+0.10%) hold; t=4 → 99.9 hold.
    expect(Array.from(cheap.label.subarray(0, 5))).toEqual([HOLD, BUY, SELL, HOLD, HOLD]);
    expect(Array.from(cheap.label.subarray(5))).toEqual([NaN, NaN, NaN, NaN]);
    // A cost of 0.4% round trip dominates: a 0.3% move is no longer worth trading.
    const dear = tradeSignalLabels(bars, { horizon: 4, k: 1, cost: 0.004, sigma });
    expect(dear.threshold[0]).toBe(0.004);
    expect(Array.from(dear.label.subarray(0, 5))).toEqual([HOLD, HOLD, HOLD, HOLD, HOLD]);
  });

  it('is NaN during the volatility warm-up', () => {
    const bars = sessions({ date: '2024-03-04', bars: flat(Array.from({ length: 20 }, (_, i) => 100 + (i % 3))) });
    const l = tradeSignalLabels(bars, { horizon: 2, k: 1, cost: 0, sigmaWindow: 10 });
    expect(Array.from(l.label.subarray(0, 10)).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(l.label[10]!)).toBe(false);
  });
});

describe('triple barrier', () => {
  // σ·√H = 0.01 with σ = 0.005, H = 4; a = b = 1: target 100·e^0.01 ≈ 101.005, stop 100·e^-0.01 ≈ 99.005.
  const sigma = (n: number) => new Float64Array(n).fill(0.005);
  const opts = (n: number) => ({ horizon: 4, upper: 1, lower: 1, sigma: sigma(n) });

  it('labels the target when a later high reaches it first, with the touch time', () => {
    const bars = sessions({ date: '2024-03-04', bars: [[100, 100, 100, 100], [100, 100.5, 99.8, 100.2], [100.2, 101.2, 100.1, 101], [101, 101, 98, 98], [98, 98, 98, 98]] });
    const tb = tripleBarrierLabels(bars, opts(5));
    expect(tb.label[0]).toBe(BARRIER_TARGET);
    expect(tb.touchIndex[0]).toBe(2);
    expect(tb.touchTime[0]).toBe(bars.start[2]);
    expect(tb.barsHeld[0]).toBe(2);
    expect(tb.realised[0]).toBeCloseTo(0.01, 15);
  });

  it('reads a bar that spans both barriers as the stop (conservative)', () => {
    const bars = sessions({ date: '2024-03-04', bars: [[100, 100, 100, 100], [100, 101.5, 98.9, 100], [100, 100, 100, 100], [100, 100, 100, 100], [100, 100, 100, 100]] });
    const tb = tripleBarrierLabels(bars, opts(5));
    expect(tb.label[0]).toBe(BARRIER_STOP);
    expect(tb.touchIndex[0]).toBe(1);
    expect(tb.realised[0]).toBeCloseTo(-0.01, 15);
  });

  it('labels the vertical barrier after H bars inside the band, with its close-to-close return', () => {
    const bars = sessions({ date: '2024-03-04', bars: [[100, 100, 100, 100], ...flat([100.2, 99.5, 100.8, 100.4, 100.3]), [100, 103, 97, 100]] });
    const tb = tripleBarrierLabels(bars, opts(7));
    expect(tb.label[0]).toBe(BARRIER_TIME);
    expect(tb.touchIndex[0]).toBe(4);
    expect(tb.realised[0]).toBeCloseTo(Math.log(100.4 / 100), 15);
    expect(tb.truncated[0]).toBe(0);
  });

  it('truncates the vertical barrier at the session close and never looks into the next session', () => {
    const bars = sessions(
      { date: '2024-03-04', bars: flat([100, 100.1, 100.2]) },
      // The next morning gaps far through both barriers: it must not count.
      { date: '2024-03-05', bars: [[110, 111, 90, 95], ...flat([95, 95])] },
    );
    const tb = tripleBarrierLabels(bars, opts(6));
    expect(tb.label[0]).toBe(BARRIER_TIME);
    expect(tb.touchIndex[0]).toBe(2);
    expect(tb.truncated[0]).toBe(1);
    expect(Number.isNaN(tb.label[2]!)).toBe(true); // the last bar of the session has no later bar
    expect(tb.touchIndex[2]).toBe(-1);
  });
});

describe('MFE and MAE', () => {
  it('measure the best and worst excursion over the holding window, long and short', () => {
    const bars = sessions({ date: '2024-03-04', bars: [[100, 100, 100, 100], [100, 102, 99, 101], [101, 101.5, 97, 98], [98, 99, 98, 99], [99, 120, 80, 99]] });
    const ex = excursions(bars, 3);
    expect(ex.longMfe[0]).toBeCloseTo(Math.log(102 / 100), 15);
    expect(ex.longMae[0]).toBeCloseTo(Math.log(100 / 97), 15);
    expect(ex.shortMfe[0]).toBeCloseTo(Math.log(100 / 97), 15);
    expect(ex.shortMae[0]).toBeCloseTo(Math.log(102 / 100), 15);
    expect(ex.end[0]).toBe(bars.start[3]);
    // From bar 3 the window is cut at the close after one bar.
    expect(ex.truncated[3]).toBe(1);
    expect(ex.longMfe[3]).toBeCloseTo(Math.log(120 / 99), 15);
    expect(Number.isNaN(ex.longMfe[4]!)).toBe(true);
  });

  it('floors at zero: a trade that never goes against you has MAE 0', () => {
    const bars = sessions({ date: '2024-03-04', bars: flat([100, 101, 102]) });
    expect(excursions(bars, 2).longMae[0]).toBe(0);
  });
});

describe('labelWindowEnd (for purging)', () => {
  it('is the start of bar t+H of the same symbol, cut at its session close', () => {
    const a = sessions({ date: '2024-03-04', bars: flat([1, 2, 3]) });
    // Interleave two symbols; B misses the minute 09:31.
    const start = [a.start[0]!, a.start[0]!, a.start[1]!, a.start[2]!, a.start[2]!];
    const symbol = ['A', 'B', 'A', 'A', 'B'];
    expect(Array.from(labelWindowEnd(start, symbol, 1))).toEqual([a.start[1], a.start[2], a.start[2], a.start[2], a.start[2]]);
  });
});

// ---------------------------------------------------------------- no look-ahead, by property

const ohlc = fc
  .tuple(fc.double({ min: 50, max: 150, noNaN: true }), fc.double({ min: 50, max: 150, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }))
  .map(([o, c, up, down]): Ohlc => [o, Math.max(o, c) + up, Math.min(o, c) - down, c]);

const DATES = ['2024-03-04', '2024-03-05', '2024-03-06'];

const scenario = fc
  .record({
    days: fc.array(fc.array(ohlc, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 3 }),
    horizon: fc.integer({ min: 1, max: 8 }),
    pick: fc.nat(),
    noise: fc.array(ohlc, { minLength: 80, maxLength: 80 }),
  })
  .map((s) => ({ ...s, bars: sessions(...s.days.map((bars, i) => ({ date: DATES[i]!, bars }))) }));

/** Every label value at row t, from every labeller. */
function labelsAt(bars: SessionBars, horizon: number, t: number): number[] {
  const o = { horizon, sigmaWindow: 3 };
  const sig = tradeSignalLabels(bars, { ...o, k: 0.7, cost: 0.0002 });
  const tb = tripleBarrierLabels(bars, { ...o, upper: 1.5, lower: 1 });
  const ex = excursions(bars, horizon);
  const fr = forwardReturn(bars, horizon);
  return [
    nextBarDirection(bars)[t]!,
    fr.value[t]!,
    fr.end[t]!,
    sig.label[t]!,
    sig.threshold[t]!,
    tb.label[t]!,
    tb.touchTime[t]!,
    tb.realised[t]!,
    tb.truncated[t]!,
    ex.longMfe[t]!,
    ex.longMae[t]!,
    ex.shortMfe[t]!,
    ex.shortMae[t]!,
    rollingReturnSigma(bars.close, 3)[t]!,
  ];
}

/** A copy of the bars with every bar after `last` replaced by other valid bars. */
function rewriteAfter(bars: SessionBars, last: number, noise: Ohlc[]): SessionBars {
  const out = { start: Float64Array.from(bars.start), open: Float64Array.from(bars.open), high: Float64Array.from(bars.high), low: Float64Array.from(bars.low), close: Float64Array.from(bars.close) };
  for (let j = last + 1; j < out.close.length; j++) {
    const [o, h, l, c] = noise[j % noise.length]!;
    out.open[j] = o;
    out.high[j] = h;
    out.low[j] = l;
    out.close[j] = c;
  }
  return out;
}

describe('no label looks past its window', () => {
  it('labels at t do not change when any bar after the session close or after t+H changes', () => {
    fc.assert(
      fc.property(scenario, ({ bars, horizon, pick, noise }) => {
        const n = bars.close.length;
        const t = pick % n;
        const last = Math.min(t + horizon, sessionIndex(bars.start).sessionEnd[t]!);
        expect(labelsAt(rewriteAfter(bars, last, noise), horizon, t)).toEqual(labelsAt(bars, horizon, t));
      }),
      { numRuns: 150 },
    );
  });

  it('σ at t does not change when any bar after t changes', () => {
    fc.assert(
      fc.property(scenario, ({ bars, pick, noise }) => {
        const t = pick % bars.close.length;
        const before = rollingReturnSigma(bars.close, 3)[t];
        expect(rollingReturnSigma(rewriteAfter(bars, t, noise).close, 3)[t]).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });
});
