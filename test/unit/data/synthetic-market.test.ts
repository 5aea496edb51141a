import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/main/calendar/ny-time';
import { nyClock, NyseCalendar } from '../../../src/main/calendar/nyse';
import { SimulatedClock } from '../../../src/main/engine/clock';
import {
  DEFAULT_PROFILES,
  DEFAULT_SYNTHETIC_MODEL,
  latestSessionDate,
  resolveModel,
  SyntheticMarket,
  type SyntheticMarketOptions,
  type SyntheticModelParameters,
} from '../../../src/main/data/synthetic-market';
import { checkBar } from '../../../src/main/data/validate-bar';
import type { Bar } from '../../../src/shared/domain';

const calendar = new NyseCalendar();
const SEED = 20_110_103;

// ------------------------------------------------------------------------ driving the feed

interface Column {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
}

interface Tape {
  feed: SyntheticMarket;
  clock: SimulatedClock;
  /** Bar starts (shared by all symbols, one per minute). */
  starts: number[];
  /** Index of each session's first minute and its length in minutes. */
  sessions: { first: number; length: number }[];
  columns: Map<string, Column>;
  /** Every bar as published, when asked for. */
  bars: Bar[];
  /** clock.now() − (start + 60 s) for every published bar. */
  publishLagMs: Set<number>;
}

type TapeOptions = Partial<Omit<SyntheticMarketOptions, 'clock' | 'calendar' | 'drive'>> & { sessions: number; keepBars?: boolean };

/** Runs the feed in manual drive, timer by timer, through `sessions` trading sessions. */
async function tape(o: TapeOptions): Promise<Tape> {
  const symbols = o.symbols ?? ['SPY', 'QQQ'];
  const startDate = o.startDate ?? '2024-01-02';
  let minutes = 0;
  let s = calendar.sessionOnOrAfter(startDate);
  for (let i = 0; i < o.sessions; i++) {
    minutes += (s.close - s.open) / 60_000;
    s = calendar.sessionOnOrAfter(addDays(s.date, 1));
  }
  const clock = new SimulatedClock(calendar.sessionOnOrAfter(startDate).open);
  const feed = new SyntheticMarket({ seed: SEED, speed: 1, historySessions: 0, ...o, symbols, startDate, clock, calendar, drive: 'manual' });
  const t: Tape = { feed, clock, starts: [], sessions: [], columns: new Map(), bars: [], publishLagMs: new Set() };
  for (const sym of symbols) t.columns.set(sym, { open: [], high: [], low: [], close: [], volume: [] });
  await feed.start({
    bar: (b) => {
      t.publishLagMs.add(clock.now() - (b.start + 60_000));
      if (o.keepBars) t.bars.push(b);
      const c = t.columns.get(b.symbol)!;
      c.open.push(b.open);
      c.high.push(b.high);
      c.low.push(b.low);
      c.close.push(b.close);
      c.volume.push(b.volume);
      if (b.symbol !== symbols[0]) return;
      const prev = t.starts.at(-1);
      if (prev === undefined || b.start - prev > 60_000) t.sessions.push({ first: t.starts.length, length: 0 });
      t.sessions.at(-1)!.length++;
      t.starts.push(b.start);
    },
    health: () => {},
  });
  while (t.starts.length < minutes) clock.advanceTo(clock.nextTimerAt()!);
  await feed.stop();
  return t;
}

// ------------------------------------------------------------------------ statistics

const mean = (x: readonly number[]): number => x.reduce((a, b) => a + b, 0) / x.length;
const median = (x: readonly number[]): number => {
  const s = [...x].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

function excessKurtosis(x: readonly number[]): number {
  const m = mean(x);
  let m2 = 0;
  let m4 = 0;
  for (const v of x) {
    m2 += (v - m) ** 2;
    m4 += (v - m) ** 4;
  }
  m2 /= x.length;
  m4 /= x.length;
  return m4 / (m2 * m2) - 3;
}

function correlation(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Autocorrelation at `lag`, pairs taken within a session only (the overnight gap is not a minute). */
function autocorrelation(perSession: readonly (readonly number[])[], lag: number): number {
  const m = mean(perSession.flat());
  let num = 0;
  let pairs = 0;
  let den = 0;
  let n = 0;
  for (const x of perSession) {
    for (let i = 0; i < x.length; i++) {
      den += (x[i]! - m) ** 2;
      n++;
      if (i >= lag) {
        num += (x[i]! - m) * (x[i - lag]! - m);
        pairs++;
      }
    }
  }
  return num / pairs / (den / n);
}

/** Log returns of the closes minute to minute, per full (390-minute) session. */
function minuteReturns(t: Tape, symbol: string): number[][] {
  const close = t.columns.get(symbol)!.close;
  return t.sessions
    .filter((s) => s.length === 390)
    .map((s) => {
      const r: number[] = [];
      for (let i = s.first + 1; i < s.first + s.length; i++) r.push(Math.log(close[i]! / close[i - 1]!));
      return r;
    });
}

/** Each return divided by the RMS of returns at the same minute of the day: the U-shape taken out. */
function timeOfDayStandardized(perSession: readonly (readonly number[])[]): number[][] {
  const len = perSession[0]!.length;
  const rms = new Float64Array(len);
  for (const x of perSession) for (let i = 0; i < len; i++) rms[i]! += x[i]! ** 2;
  for (let i = 0; i < len; i++) rms[i] = Math.sqrt(rms[i]! / perSession.length);
  return perSession.map((x) => x.map((v, i) => v / rms[i]!));
}

/** Overnight gaps: log(first open / prior session's last close). */
function gaps(t: Tape, symbol: string): number[] {
  const c = t.columns.get(symbol)!;
  const out: number[] = [];
  for (let k = 1; k < t.sessions.length; k++) {
    const prevLast = t.sessions[k - 1]!.first + t.sessions[k - 1]!.length - 1;
    out.push(Math.log(c.open[t.sessions[k]!.first]! / c.close[prevLast]!));
  }
  return out;
}

/** A plain Gaussian random walk: the same machinery with every stylized fact switched off. */
const GAUSSIAN_WALK: Partial<SyntheticModelParameters> = {
  tailDegreesOfFreedom: Infinity,
  garchAlpha: 0,
  garchBeta: 0,
  sessionVolDispersion: 0,
  jumpsPerSession: 0,
  marketJumpsPerSession: 0,
  overnightJumpProbability: 0,
  idiosyncraticBounce: 0,
};

// ------------------------------------------------------------------------ streaming and calendar

describe('the synthetic market streams the regular session', () => {
  it('says what it is: SIMULATED, id synthetic, paceable', () => {
    const clock = new SimulatedClock(calendar.sessionOnOrAfter('2025-03-03').open);
    const feed = new SyntheticMarket({ symbols: ['SPY'], seed: 1, clock, speed: 60, startDate: '2025-03-03', calendar, drive: 'manual' });
    expect(feed.id).toBe('synthetic');
    expect(feed.label).toContain('SIMULATED');
    expect(feed.simulated).toBe(true);
    feed.setSpeed(600);
    feed.pause();
    expect([feed.speed, feed.paused]).toEqual([600, true]);
    feed.resume();
    expect(feed.paused).toBe(false);
  });

  it('gives one bar per symbol per minute, 09:30 to 15:59 New York, published exactly at bar close', async () => {
    const t = await tape({ symbols: ['SPY', 'QQQ', 'AAPL'], startDate: '2025-03-03', sessions: 2, keepBars: true });
    expect(t.sessions.map((s) => s.length)).toEqual([390, 390]);
    expect(nyClock(t.starts[0]!)).toBe('2025-03-03 09:30');
    expect(nyClock(t.starts[389]!)).toBe('2025-03-03 15:59');
    expect(nyClock(t.starts[390]!)).toBe('2025-03-04 09:30');
    expect(t.bars).toHaveLength(2 * 390 * 3);
    // Never before start + 60 s; in manual drive exactly then.
    expect([...t.publishLagMs]).toEqual([0]);
  });

  it('skips the holiday and honours the 13:00 early close (Thanksgiving week 2024: 390, closed, 210, 390)', async () => {
    const t = await tape({ symbols: ['SPY'], startDate: '2024-11-27', sessions: 3 });
    expect(t.sessions.map((s) => [nyClock(t.starts[s.first]!), s.length])).toEqual([
      ['2024-11-27 09:30', 390],
      ['2024-11-29 09:30', 210],
      ['2024-12-02 09:30', 390],
    ]);
    expect(nyClock(t.starts[390 + 209]!)).toBe('2024-11-29 12:59');
  });

  it('starts at the first trading session on or after the start date (a holiday, a weekend)', async () => {
    const holiday = await tape({ symbols: ['SPY'], startDate: '2024-11-28', sessions: 1 });
    expect(nyClock(holiday.starts[0]!)).toBe('2024-11-29 09:30');
    const saturday = await tape({ symbols: ['SPY'], startDate: '2025-03-08', sessions: 1 });
    expect(nyClock(saturday.starts[0]!)).toBe('2025-03-10 09:30');
    expect(saturday.feed.firstSession.date).toBe('2025-03-10');
  });

  it('refuses to start when the simulated clock is already past the first open', async () => {
    const clock = new SimulatedClock(calendar.session('2025-03-03')!.open + 60_000);
    const feed = new SyntheticMarket({ symbols: ['SPY'], seed: 1, clock, speed: 1, startDate: '2025-03-03', calendar, drive: 'manual' });
    await expect(feed.start({ bar: () => {}, health: () => {} })).rejects.toThrow(RangeError);
  });

  it('publishes nothing after stop', async () => {
    const clock = new SimulatedClock(calendar.session('2025-03-03')!.open);
    const feed = new SyntheticMarket({ symbols: ['SPY'], seed: 1, clock, speed: 1, startDate: '2025-03-03', calendar, drive: 'manual' });
    const bars: Bar[] = [];
    await feed.start({ bar: (b) => bars.push(b), health: () => {} });
    clock.advanceBy(10 * 60_000);
    await feed.stop();
    clock.advanceBy(60 * 60_000);
    expect(bars).toHaveLength(10);
    expect(clock.nextTimerAt()).toBeNull();
  });

  it('offers as default start the latest session on or before today (New York)', () => {
    expect(latestSessionDate(calendar, Date.UTC(2024, 10, 28, 17))).toBe('2024-11-27'); // Thanksgiving
    expect(latestSessionDate(calendar, Date.UTC(2025, 2, 9, 17))).toBe('2025-03-07'); // Sunday
    expect(latestSessionDate(calendar, Date.UTC(2025, 2, 4, 17))).toBe('2025-03-04');
  });
});

describe('history before the first streamed session', () => {
  it('is the complete sessions before the start, holidays skipped and early closes short', async () => {
    const clock = new SimulatedClock(calendar.session('2024-12-02')!.open);
    const feed = new SyntheticMarket({ symbols: ['SPY', 'TSLA'], seed: SEED, clock, speed: 1, startDate: '2024-12-02', calendar, historySessions: 3, drive: 'manual' });
    const history = feed.history();
    const perDay = new Map<string, number>();
    for (const b of history.filter((x) => x.symbol === 'SPY')) perDay.set(nyClock(b.start).slice(0, 10), (perDay.get(nyClock(b.start).slice(0, 10)) ?? 0) + 1);
    expect([...perDay]).toEqual([
      ['2024-11-26', 390],
      ['2024-11-27', 390],
      ['2024-11-29', 210],
    ]);
    expect(history.every((b) => b.start + 60_000 <= feed.firstSession.open)).toBe(true);
    expect(feed.history()).toEqual(history);
    // The first streamed bar opens with a gap from the last history close.
    const first: Bar[] = [];
    await feed.start({ bar: (b) => first.push(b), health: () => {} });
    clock.advanceBy(60_000);
    const lastSpy = history.filter((b) => b.symbol === 'SPY').at(-1)!;
    expect(first.find((b) => b.symbol === 'SPY')!.open).not.toBe(lastSpy.close);
    expect(Math.abs(Math.log(first[0]!.open / lastSpy.close))).toBeLessThan(0.05);
  });

  it('does not change the streamed tape whether or not history() was called', async () => {
    const run = async (askHistory: boolean): Promise<Bar[]> => {
      const clock = new SimulatedClock(calendar.session('2025-03-03')!.open);
      const feed = new SyntheticMarket({ symbols: ['SPY', 'NVDA'], seed: 5, clock, speed: 1, startDate: '2025-03-03', calendar, historySessions: 2, drive: 'manual' });
      if (askHistory) feed.history();
      const bars: Bar[] = [];
      await feed.start({ bar: (b) => bars.push(b), health: () => {} });
      clock.advanceBy(30 * 60_000);
      return bars;
    };
    expect(await run(true)).toEqual(await run(false));
  });
});

describe('bars a trader can trust', () => {
  it('are sound, on the $0.01 tick, in round lots, at realistic levels', async () => {
    const t = await tape({ symbols: ['SPY', 'QQQ', 'NVDA', 'TSLA', 'ZZZT'], sessions: 20, keepBars: true });
    const faults: string[] = [];
    for (const b of t.bars) {
      const why = [
        checkBar(b),
        [b.open, b.high, b.low, b.close].some((p) => Math.round(p * 100) / 100 !== p) && 'off the tick',
        b.high < Math.max(b.open, b.close) && 'high below body',
        b.low > Math.min(b.open, b.close) && 'low above body',
        (b.volume % 100 !== 0 || b.volume < 100) && 'not in round lots',
        b.timeframe !== '1m' && 'not 1m',
      ].filter(Boolean);
      if (why.length > 0) faults.push(`${b.symbol}@${nyClock(b.start)}: ${why.join(', ')}`);
    }
    expect(t.bars).toHaveLength(20 * 390 * 5);
    expect(faults).toEqual([]);
    // The toy's profiles: SPY near 590, NVDA near 140; an unknown name gets a plausible seeded one.
    const first = (s: string): Bar => t.bars.find((b) => b.symbol === s)!;
    expect(first('SPY').open).toBeCloseTo(DEFAULT_PROFILES.SPY!.price, -1);
    expect(first('NVDA').open).toBeCloseTo(DEFAULT_PROFILES.NVDA!.price, -1);
    expect(first('ZZZT').open).toBeGreaterThanOrEqual(10);
    expect(first('ZZZT').open).toBeLessThanOrEqual(400);
    const spyCloses = t.columns.get('SPY')!.close;
    expect(Math.min(...spyCloses)).toBeGreaterThan(450);
    expect(Math.max(...spyCloses)).toBeLessThan(750);
    // Daily volume in the ballpark of the profile (SPY ~60M shares, NVDA ~250M).
    const dailyVolume = (s: string): number => t.columns.get(s)!.volume.reduce((a, b) => a + b, 0) / t.sessions.length;
    expect(dailyVolume('SPY')).toBeGreaterThan(30e6);
    expect(dailyVolume('SPY')).toBeLessThan(120e6);
    expect(dailyVolume('NVDA')).toBeGreaterThan(dailyVolume('SPY'));
    // Within a session each bar opens at the previous close: no hidden gaps between minutes.
    const c = t.columns.get('TSLA')!;
    let seams = 0;
    for (const s of t.sessions) for (let i = s.first + 1; i < s.first + s.length; i++) if (c.open[i] !== c.close[i - 1]) seams++;
    expect(seams).toBe(0);
  });

  it('are bit-identical for the same seed and options, and different for another seed', async () => {
    const run = async (seed: number): Promise<string[]> =>
      (await tape({ symbols: ['SPY', 'AAPL', 'QQQZ'], seed, sessions: 2, keepBars: true })).bars.map(
        (b) => `${b.symbol}:${b.start}:${b.open}:${b.high}:${b.low}:${b.close}:${b.volume}`,
      );
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('keeps each symbol on its own path when symbols are added or reordered', async () => {
    const alone = await tape({ symbols: ['SPY', 'TSLA'], sessions: 3, keepBars: true });
    const more = await tape({ symbols: ['AAPL', 'TSLA', 'NEWCO', 'SPY', 'AMD'], sessions: 3, keepBars: true });
    for (const s of ['SPY', 'TSLA']) {
      expect(more.bars.filter((b) => b.symbol === s)).toEqual(alone.bars.filter((b) => b.symbol === s));
    }
  });

  it('checks its model parameters in one place and keeps the defaults frozen', () => {
    expect(Object.isFrozen(DEFAULT_SYNTHETIC_MODEL)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PROFILES.SPY)).toBe(true);
    expect(resolveModel()).toEqual(DEFAULT_SYNTHETIC_MODEL);
    expect(() => resolveModel({ garchAlpha: 0.1, garchBeta: 0.95 })).toThrow(/garchBeta/);
    expect(() => resolveModel({ tailDegreesOfFreedom: 2 })).toThrow(/tailDegreesOfFreedom/);
    expect(() => resolveModel({ jumpsPerSession: -1 })).toThrow(/jumpsPerSession/);
    const clock = new SimulatedClock(0);
    expect(() => new SyntheticMarket({ symbols: ['SPY', 'SPY'], seed: 1, clock, speed: 1, startDate: '2025-03-03', calendar })).toThrow(/twice/);
  });
});

// ------------------------------------------------------------------------ stylized facts

describe('the stylized facts of intraday returns, over 300 sessions', () => {
  const SYMBOLS = ['SPY', 'QQQ', 'AAPL', 'TSLA'] as const;
  let t: Tape;
  let gaussian: Tape;
  beforeAll(async () => {
    t = await tape({ symbols: [...SYMBOLS], sessions: 300 });
    gaussian = await tape({ symbols: ['SPY', 'TSLA'], sessions: 150, model: GAUSSIAN_WALK });
  });

  it('has fat-tailed 1-minute returns (excess kurtosis well above a Gaussian walk’s 0)', () => {
    for (const s of SYMBOLS) expect(excessKurtosis(timeOfDayStandardized(minuteReturns(t, s)).flat()), s).toBeGreaterThan(3);
    for (const s of ['SPY', 'TSLA']) expect(Math.abs(excessKurtosis(timeOfDayStandardized(minuteReturns(gaussian, s)).flat())), s).toBeLessThan(0.5);
  });

  it('clusters volatility: |returns| autocorrelated at lags 1–10; returns only bounce back a little at lag 1', () => {
    for (const s of SYMBOLS) {
      const z = timeOfDayStandardized(minuteReturns(t, s));
      const abs = z.map((x) => x.map(Math.abs));
      // The bid-ask bounce: a weak negative lag-1 autocorrelation, stronger for single names than the index.
      const lag1 = autocorrelation(z, 1);
      expect(lag1, `${s} returns lag 1`).toBeLessThan(-0.01);
      expect(lag1, `${s} returns lag 1`).toBeGreaterThan(-0.2);
      for (let lag = 1; lag <= 10; lag++) {
        if (lag > 1) expect(Math.abs(autocorrelation(z, lag)), `${s} returns lag ${lag}`).toBeLessThan(0.03);
        expect(autocorrelation(abs, lag), `${s} |returns| lag ${lag}`).toBeGreaterThan(0.05);
      }
    }
    const g = timeOfDayStandardized(minuteReturns(gaussian, 'SPY')).map((x) => x.map(Math.abs));
    for (let lag = 1; lag <= 10; lag++) expect(Math.abs(autocorrelation(g, lag))).toBeLessThan(0.02);
  });

  it('is busier and more volatile in the first and last 30 minutes than at midday (U-shape)', () => {
    for (const s of SYMBOLS) {
      const r = minuteReturns(t, s);
      const full = t.sessions.filter((x) => x.length === 390);
      const vol = t.columns.get(s)!.volume;
      // Returns start at the second minute: index i is the move into minute i + 1.
      const absBetween = (lo: number, hi: number): number => mean(r.flatMap((x) => x.slice(lo - 1, hi - 1).map(Math.abs)));
      const volumeBetween = (lo: number, hi: number): number => mean(full.flatMap((x) => vol.slice(x.first + lo, x.first + hi)));
      const midVol = absBetween(150, 270); // 12:00–14:00
      const midVolume = volumeBetween(150, 270);
      expect(absBetween(1, 30) / midVol, `${s} open volatility`).toBeGreaterThan(1.5);
      expect(absBetween(360, 390) / midVol, `${s} close volatility`).toBeGreaterThan(1.15);
      expect(volumeBetween(0, 30) / midVolume, `${s} open volume`).toBeGreaterThan(1.6);
      expect(volumeBetween(360, 390) / midVolume, `${s} close volume`).toBeGreaterThan(1.6);
    }
  });

  it('moves the symbols together through a market factor: SPY–QQQ tight, idiosyncratic names looser', () => {
    const flat = (s: string): number[] => minuteReturns(t, s).flat();
    const spy = flat('SPY');
    const qqq = correlation(spy, flat('QQQ'));
    const aapl = correlation(spy, flat('AAPL'));
    const tsla = correlation(spy, flat('TSLA'));
    expect(qqq).toBeGreaterThan(0.7);
    expect(aapl).toBeGreaterThan(0.35);
    expect(tsla).toBeGreaterThan(0.25);
    expect(tsla).toBeLessThan(qqq - 0.2);
    expect(aapl).toBeLessThan(qqq - 0.1);
  });

  it('gaps overnight: the open differs from the prior close, typically by 0.1–1%', () => {
    for (const s of SYMBOLS) {
      const g = gaps(t, s).map(Math.abs);
      expect(g.filter((x) => x > 0).length / g.length, s).toBeGreaterThan(0.95);
      const typicalMinute = median(minuteReturns(t, s).flat().map(Math.abs));
      expect(median(g), s).toBeGreaterThan(5 * typicalMinute);
    }
    const spy = median(gaps(t, 'SPY').map(Math.abs));
    const tsla = median(gaps(t, 'TSLA').map(Math.abs));
    expect(spy).toBeGreaterThan(0.001);
    expect(spy).toBeLessThan(0.005);
    expect(tsla).toBeGreaterThan(0.003);
    expect(tsla).toBeLessThan(0.015);
    expect(Math.max(...gaps(t, 'TSLA').map(Math.abs))).toBeGreaterThan(0.03); // the odd earnings-sized gap
  });

  it('has rare news-like jumps of 15+ sigma, followed by higher volatility and volume', () => {
    const post: number[] = [];
    const volumeAtJump: number[] = [];
    const volumeAfter: number[] = [];
    for (const s of SYMBOLS) {
      const r = minuteReturns(t, s);
      const absByMinute = r[0]!.map((_, i) => median(r.map((x) => Math.abs(x[i]!))) / 0.6745); // robust sigma per minute of day
      const full = t.sessions.filter((x) => x.length === 390);
      const vol = t.columns.get(s)!.volume;
      const volumeByMinute = Array.from({ length: 390 }, (_, m) => median(full.map((x) => vol[x.first + m]!)));
      const typicalAbs = mean(r.flatMap((x) => x.map((v, i) => Math.abs(v) / absByMinute[i]!)));
      let events = 0;
      r.forEach((x, k) => {
        let last = -Infinity;
        for (let i = 0; i < x.length - 30; i++) {
          if (Math.abs(x[i]!) / absByMinute[i]! <= 15 || i - last <= 30) continue;
          last = i;
          events++;
          const first = full[k]!.first;
          let after = 0;
          let vAfter = 0;
          for (let j = 1; j <= 30; j++) {
            after += Math.abs(x[i + j]!) / absByMinute[i + j]!;
            vAfter += vol[first + i + 1 + j]! / volumeByMinute[i + 1 + j]!;
          }
          post.push(after / 30 / typicalAbs);
          volumeAtJump.push(vol[first + i + 1]! / volumeByMinute[i + 1]!);
          volumeAfter.push(vAfter / 30);
        }
      });
      // Rare but there: about one every few weeks per name.
      expect(events / full.length, `${s} jumps per session`).toBeGreaterThan(0.01);
      expect(events / full.length, `${s} jumps per session`).toBeLessThan(0.2);
    }
    expect(median(post)).toBeGreaterThan(1.4);
    expect(median(volumeAtJump)).toBeGreaterThan(3);
    expect(median(volumeAfter)).toBeGreaterThan(2);
    // A Gaussian walk never moves 15 sigma in a minute.
    for (const s of ['SPY', 'TSLA']) {
      const z = timeOfDayStandardized(minuteReturns(gaussian, s)).flat();
      expect(Math.max(...z.map(Math.abs))).toBeLessThan(7);
    }
  });
});
