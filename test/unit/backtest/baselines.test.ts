import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buyAndHold,
  buyAndHoldBasket,
  buyHoldDayOf,
  randomEntryRuns,
  randomEntryTrades,
  sessionWindow,
  summariseRandom,
  type RandomBaselineInput,
  type RandomBaselineSession,
  type SessionBars,
} from '../../../src/main/backtest/baselines';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyDateKey } from '../../../src/main/calendar/ny-time';
import { parseNinjaTrader } from '../../../src/main/data/import/formats';
import { SeededRandom } from '../../../src/main/engine/random';
import { ALPACA_REGULATORY_FEES_2024_05, NO_FEES } from '../../../src/main/execution/fees';
import { riskLimits, type RiskLimits } from '../../../src/main/risk/pre-trade';
import { readSpy, SPY_FILE } from '../../helpers/data';

const cal = new NyseCalendar();
const MINUTE = 60_000;
type Ohlc = readonly [number, number, number, number];

/** One symbol's bars from the session's open, one a minute. */
function bars(symbol: string, date: string, rows: readonly Ohlc[]): SessionBars {
  const open0 = cal.session(date)!.open;
  const col = (k: number): Float64Array => Float64Array.from(rows, (r) => r[k]!);
  return { symbol, start: Float64Array.from(rows, (_, i) => open0 + i * MINUTE), open: col(0), high: col(1), low: col(2), close: col(3), volume: new Float64Array(rows.length).fill(1000) };
}

/** Every open and close at 100, a ±0.5 range: the market goes nowhere, ATR(14) is 1. */
const flatRows = (n: number): Ohlc[] => Array.from({ length: n }, () => [100, 100.5, 99.5, 100] as const);

/** A wandering market (seeded), every bar of the session. */
function walkRows(date: string, seed: number, start = 100): Ohlc[] {
  const s = cal.session(date)!;
  const n = (s.close - s.open) / MINUTE;
  const rng = new SeededRandom(seed);
  const rows: Ohlc[] = [];
  let px = start;
  for (let i = 0; i < n; i++) {
    const o = px;
    const c = Math.max(1, Math.round((o + rng.normal() * 0.08) * 100) / 100);
    const h = Math.round((Math.max(o, c) + Math.abs(rng.normal()) * 0.04) * 100) / 100;
    const l = Math.round((Math.min(o, c) - Math.abs(rng.normal()) * 0.04) * 100) / 100;
    rows.push([o, h, l, c]);
    px = c;
  }
  return rows;
}

function session(date: string, symbols: readonly SessionBars[], strategyTrades: number, limits: RiskLimits): RandomBaselineSession {
  return { date, ...sessionWindow(cal, date, limits)!, strategyTrades, bars: symbols };
}

const LIMITS = riskLimits({});

function input(sessions: RandomBaselineSession[], over: Partial<RandomBaselineInput> = {}, limits: RiskLimits = LIMITS): RandomBaselineInput {
  return {
    sessions,
    calendar: cal,
    sizing: { riskPerTradeShare: 0.1, limits },
    stop: { atrMultiple: 1.5, rewardRisk: 2 },
    exits: { flattenMinutesBeforeClose: limits.flattenMinutesBeforeClose },
    fills: { slippage: { kind: 'none' }, fees: NO_FEES },
    seed: 7,
    runs: 20,
    ...over,
  };
}

const WALK_DAYS = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-11-29'];
const walkMarket = (trades = 3): RandomBaselineSession[] =>
  WALK_DAYS.map((d, k) => session(d, [bars('AAA', d, walkRows(d, 10 + k)), bars('BBB', d, walkRows(d, 20 + k, 50))], trades, LIMITS));

describe('buy and hold', () => {
  // Day 1: 100 → low 95 → 102; day 2: 101 → low 98 → 99; day 3: 100 → low 90 → 110.
  const days = [
    { open: 100, low: 95, close: 102 },
    { open: 101, low: 98, close: 99 },
    { open: 100, low: 90, close: 110 },
  ];

  it('a known 3-day path: +10% and a drawdown from the 102 close to the 90 low', () => {
    const r = buyAndHold(days)!;
    expect(r.totalReturn).toBeCloseTo(0.1, 12);
    expect(r.maxDrawdown).toBeCloseTo(1 - 90 / 102, 12);
  });

  it('marked minute by minute when the closes are given (the low is then not a mark)', () => {
    const r = buyAndHold([
      { open: 100, low: 95, close: 102, minuteCloses: Float64Array.of(104, 101, 102) },
      { open: 101, low: 80, close: 99, minuteCloses: Float64Array.of(97, 99) },
    ])!;
    expect(r.totalReturn).toBeCloseTo(-0.01, 12);
    expect(r.maxDrawdown).toBeCloseTo(1 - 97 / 104, 12);
  });

  it('no days, no baseline', () => {
    expect(buyAndHold([])).toBeNull();
    expect(buyAndHoldBasket([])).toBeNull();
  });

  it('an equal-weight basket: half in the path above, half in a symbol that never moves', () => {
    const still = days.map(() => ({ open: 50, low: 50, close: 50 }));
    const r = buyAndHoldBasket([days, still])!;
    expect(r.totalReturn).toBeCloseTo(0.05, 12);
    expect(r.maxDrawdown).toBeCloseTo(1 - (0.9 + 1) / 2 / ((1.02 + 1) / 2), 12);
  });

  it('refuses symbols that do not cover the same sessions', () => {
    expect(() => buyAndHoldBasket([days, days.slice(1)])).toThrow(RangeError);
  });
});

describe('random entries', () => {
  it('the same seed gives the same runs; another seed gives other runs', () => {
    const a = randomEntryRuns(input(walkMarket()));
    expect(randomEntryRuns(input(walkMarket()))).toEqual(a);
    expect(randomEntryRuns(input(walkMarket(), { seed: 8 }))).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it("run k's result does not depend on how many runs are asked, nor on which call computes it", () => {
    const ten = randomEntryRuns(input(walkMarket(), { runs: 10 }));
    const hundred = randomEntryRuns(input(walkMarket(), { runs: 100 }));
    expect(ten[3]).toBe(hundred[3]);
    expect(randomEntryRuns(input(walkMarket(), { runs: 1, firstRun: 3 }))[0]).toBe(hundred[3]);
  });

  it('takes the strategy\'s number of entries per day when the market leaves room', () => {
    for (let run = 0; run < 5; run++) {
      const perDay = new Map<string, number>();
      for (const t of randomEntryTrades(input(walkMarket(2)), run)) perDay.set(t.date, (perDay.get(t.date) ?? 0) + 1);
      for (const d of WALK_DAYS) expect(perDay.get(d)).toBe(2);
    }
  });

  it('never holds a position past the flatten time (the 13:00 close of the day after Thanksgiving included)', () => {
    // A wide stop and target: most positions ride to the flatten.
    const market = walkMarket(4);
    const flattenAt = new Map(market.map((s) => [s.date, s.flattenAt]));
    let flattened = 0;
    for (let run = 0; run < 20; run++) {
      for (const t of randomEntryTrades(input(market, { stop: { atrMultiple: 40, rewardRisk: 3 } }), run)) {
        expect(t.entryTime).toBeLessThan(flattenAt.get(t.date)!);
        expect(t.exitTime).toBeLessThanOrEqual(flattenAt.get(t.date)!);
        if (t.exitRule === 'eodFlatten') {
          expect(t.exitTime).toBe(flattenAt.get(t.date)!);
          flattened++;
        }
      }
    }
    expect(flattened).toBeGreaterThan(0);
    expect(flattenAt.get('2024-11-29')).toBe(cal.session('2024-11-29')!.close - 5 * MINUTE);
  });

  const flatMarket = (): RandomBaselineSession[] => WALK_DAYS.map((d) => session(d, [bars('AAA', d, flatRows((cal.session(d)!.close - cal.session(d)!.open) / MINUTE))], 5, LIMITS));
  // A time stop after 10 bars: several round trips a day, none reaching the 1.5 ATR stop or the 3 ATR target.
  const flatExits = { flattenMinutesBeforeClose: 5, maxBarsHeld: 10 };

  it('a market that goes nowhere, with no slippage and no fees: every run returns exactly 0', () => {
    const inp = input(flatMarket(), { exits: flatExits, runs: 100 });
    expect(randomEntryTrades(inp, 0).length).toBeGreaterThan(10);
    expect(randomEntryRuns(inp).every((r) => r === 0)).toBe(true);
  });

  it('the same market with fees: no run makes money, and the fees show', () => {
    const regulatory = randomEntryRuns(input(flatMarket(), { exits: flatExits, runs: 100, fills: { slippage: { kind: 'none' }, fees: ALPACA_REGULATORY_FEES_2024_05 } }));
    expect(regulatory.every((r) => r <= 0)).toBe(true);
    expect(regulatory.some((r) => r < 0)).toBe(true);
    const commission = randomEntryRuns(input(flatMarket(), { exits: flatExits, runs: 100, fills: { slippage: { kind: 'bps', bps: 2 }, fees: { ...NO_FEES, perOrder: 1 } } }));
    expect(commission.every((r) => r < 0)).toBe(true);
  });

  it('a stop gapped through fills at the open, not at the stop: loss = qty × (entry − open)', () => {
    // One entry slot: bar 14 (09:44) decides, the 09:46 cutoff refuses bar 15; bar 15 fills the entry at 100.
    // The long stop is 98.5 (1.5 × ATR 1), the short stop 101.5; bar 16 gaps to 98 or to 102.
    const limits = riskLimits({ entryCutoffMinutes: 374 });
    const date = '2024-03-05';
    const gapped = (open: number): RandomBaselineInput =>
      input([session(date, [bars('AAA', date, [...flatRows(16), [open, open + 0.2, open - 0.2, open]])], 1, limits)], { runs: 1 }, limits);
    const seen = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const long = randomEntryTrades({ ...gapped(98), seed }, 0);
      expect(long).toHaveLength(1);
      const market = long[0]!.side === 'long' ? gapped(98) : gapped(102);
      const [t] = randomEntryTrades({ ...market, seed }, 0);
      const open = t!.side === 'long' ? 98 : 102;
      seen.add(t!.side);
      expect(t).toMatchObject({ exitRule: 'hardStop', entryPrice: 100, exitPrice: open });
      const [ret] = randomEntryRuns({ ...market, seed });
      expect(ret! * limits.bankroll).toBeCloseTo(-t!.qty * Math.abs(100 - open), 9);
      // Sized at the marketable limit 0.5% through the 100 close (100.50 to buy, 99.50 to sell), bound by the $2 500 max order value.
      expect(t!.qty).toBe(Math.floor(limits.maxOrderValue / (t!.side === 'long' ? 100.5 : 99.5)));
    }
    expect(seen).toEqual(new Set(['long', 'short']));
  });

  it('refuses a flatten time the calendar would not give the exit rules', () => {
    const [s] = walkMarket();
    expect(() => randomEntryRuns(input([{ ...s!, flattenAt: s!.flattenAt - MINUTE }]))).toThrow(/flattenAt/);
  });
});

describe('summary of the random runs', () => {
  const runs = Array.from({ length: 101 }, (_, i) => i / 100); // 0.00 … 1.00

  it('median, 5th and 95th percentiles by linear interpolation', () => {
    const s = summariseRandom(0.5, runs);
    expect(s).toMatchObject({ runs: 101, medianReturn: 0.5, p5Return: 0.05, p95Return: 0.95 });
    expect(summariseRandom(0, [1, 2, 3, 4]).p5Return).toBeCloseTo(1.15, 12);
  });

  it('a strategy above every run is at the 100th percentile, below every run at the 0th, a tie counts half', () => {
    expect(summariseRandom(2, runs).strategyPercentile).toBe(100);
    expect(summariseRandom(-1, runs).strategyPercentile).toBe(0);
    expect(summariseRandom(0.5, [0.5, 0.5]).strategyPercentile).toBe(50);
    expect(summariseRandom(0.2, [0.1, 0.2, 0.3, 0.4]).strategyPercentile).toBe(37.5);
  });

  it('beaten by random when the strategy does not beat the median run', () => {
    expect(summariseRandom(0.5, runs).beatenByRandom).toBe(true);
    expect(summariseRandom(0.49, runs).beatenByRandom).toBe(true);
    expect(summariseRandom(0.51, runs).beatenByRandom).toBe(false);
  });

  it('no runs: nothing to compare, not beaten', () => {
    expect(summariseRandom(0.1, [])).toEqual({ runs: 0, medianReturn: 0, p5Return: 0, p95Return: 0, strategyPercentile: 50, beatenByRandom: false });
  });
});

describe.skipIf(!existsSync(SPY_FILE))(`real SPY minutes, January 2011 (skipped: ${SPY_FILE} not found)`, () => {
  /** The file's regular-session bars per New York date (the importer's parser: UTC bar-end stamps). */
  function spySessions(): Map<string, SessionBars> {
    const byDate = new Map<string, Array<{ start: number; open: number; high: number; low: number; close: number; volume: number }>>();
    for (const row of parseNinjaTrader(readSpy(), 'SPY')) {
      const b = row.bar;
      if (!b || cal.partOf(b.start) !== 'regular') continue;
      const date = nyDateKey(b.start);
      const list = byDate.get(date);
      if (list) list.push(b);
      else byDate.set(date, [b]);
    }
    const out = new Map<string, SessionBars>();
    for (const [date, list] of byDate) {
      const col = (f: (b: (typeof list)[number]) => number): Float64Array => Float64Array.from(list, f);
      out.set(date, { symbol: 'SPY', start: col((b) => b.start), open: col((b) => b.open), high: col((b) => b.high), low: col((b) => b.low), close: col((b) => b.close), volume: col((b) => b.volume) });
    }
    return out;
  }

  it('100 random runs over the month finish, are finite and spread out; buy-and-hold is the open-to-close move', () => {
    const spy = spySessions();
    expect(spy.size).toBe(20); // 2011-01-03 … 2011-02-01, less Martin Luther King Jr. Day
    const sessions = [...spy].map(([date, b]) => session(date, [b], 3, LIMITS));
    const runs = randomEntryRuns(input(sessions, { runs: 100, fills: { slippage: { kind: 'bps', bps: 1 }, fees: ALPACA_REGULATORY_FEES_2024_05 } }));
    expect(runs).toHaveLength(100);
    expect(runs.every(Number.isFinite)).toBe(true);
    expect(new Set(runs).size).toBeGreaterThan(50);
    const s = summariseRandom(0, runs);
    expect(s.p5Return).toBeLessThan(s.p95Return);

    const days = [...spy.values()].map(buyHoldDayOf);
    const hold = buyAndHold(days)!;
    expect(hold.totalReturn).toBeCloseTo(days.at(-1)!.close / days[0]!.open - 1, 12);
    expect(hold.maxDrawdown).toBeGreaterThan(0);
    expect(hold.maxDrawdown).toBeLessThan(0.1);
  });
});
