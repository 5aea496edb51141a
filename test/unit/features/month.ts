// The real SPY January 2011 month (regular-session bars), a derived QQQ series, and the helpers the
// feature tests share: feed an engine in time order, collect its rows, compare rows.
import { readFileSync } from 'node:fs';
import { NyseCalendar, type TradingSession } from '../../../src/main/calendar/nyse';
import { nyDateKey } from '../../../src/main/calendar/ny-time';
import { parseNinjaTrader } from '../../../src/main/data/import/formats';
import { FeatureEngine } from '../../../src/main/features/feature-engine';
import { FEATURE_NAMES } from '../../../src/main/features/spec';
import type { Bar } from '../../../src/shared/domain';
import { VIX_FILE, readSpy } from '../../helpers/data';
import type { RefDay, RefSeries } from './reference';

export const calendar = new NyseCalendar();

export function sessionOf(start: number): TradingSession {
  const s = calendar.session(nyDateKey(start));
  if (!s) throw new Error(`no session for ${new Date(start).toISOString()}`);
  return s;
}

export function isRegular(start: number): boolean {
  const s = calendar.session(nyDateKey(start));
  return s !== null && start >= s.open && start < s.close;
}

let spyCache: Bar[] | undefined;

/** The SPY month's regular-session bars in time order (7,800 bars, 20 sessions). */
export function spyMonth(): Bar[] {
  spyCache ??= parseNinjaTrader(readSpy(), 'SPY')
    .map((r) => {
      if (!r.bar) throw new Error(`unparsed SPY row ${r.line}: ${r.reason}`);
      return r.bar;
    })
    .filter((b) => isRegular(b.start))
    .sort((a, b) => a.start - b.start);
  return spyCache;
}

/** Small deterministic noise in [-1, 1) from an index (no Math.random: the tests are reproducible). */
function noise(i: number, salt: number): number {
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 0x5bd1e995) >>> 0;
  x ^= x >>> 15;
  return (x / 2 ** 32) * 2 - 1;
}

const cents = (x: number): number => Math.round(x * 100) / 100;

/**
 * A second index, "QQQ", derived from SPY so market context against QQQ is exercised: a monotone
 * map of SPY's prices plus per-bar noise (so it is not perfectly correlated), its own volumes, and a
 * few minutes missing (so pairs with missing index bars are exercised, as in real feeds).
 */
export function qqqMonth(): Bar[] {
  const out: Bar[] = [];
  spyMonth().forEach((b, i) => {
    // Missing minutes: never the session's first bar, so gap and opening range stay defined.
    if (i % 390 !== 0 && (i % 173 === 17 || i % 389 === 200)) return;
    const shift = 0.03 * noise(i, 1);
    const f = (x: number): number => cents(0.42 * x + 1.5 + shift);
    out.push({ ...b, symbol: 'QQQ', open: f(b.open), high: f(b.high), low: f(b.low), close: f(b.close), volume: Math.round(b.volume * (0.4 + 0.2 * (noise(i, 2) + 1))) });
  });
  return out;
}

/** SPY and QQQ bars interleaved by start, SPY first within a minute (index bars before others). */
export function interleave(...series: Bar[][]): Bar[] {
  return series.flat().sort((a, b) => a.start - b.start || (a.symbol === 'SPY' ? -1 : b.symbol === 'SPY' ? 1 : a.symbol < b.symbol ? -1 : 1));
}

export function readVix(): Array<{ date: string; close: number }> {
  const lines = readFileSync(VIX_FILE, 'utf8').trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const [date, , , , close] = line.split(',');
    return { date: date!, close: Number(close) };
  });
}

/** Deterministic daily bars for the `count` sessions before `before`, ending near `lastClose`. */
export function seededDays(before: string, count: number, lastClose: number, volume: number, salt: number): RefDay[] {
  const dates: string[] = [];
  let d = before;
  for (let i = 0; i < count; i++) {
    d = calendar.sessionBefore(d).date;
    dates.unshift(d);
  }
  const closes: number[] = [lastClose];
  for (let i = count - 1; i > 0; i--) closes.unshift(cents(closes[0]! * Math.exp(-0.01 * noise(i, salt))));
  return dates.map((date, i) => {
    const close = closes[i]!;
    const open = cents(i === 0 ? close : closes[i - 1]! * (1 + 0.002 * noise(i, salt + 1)));
    return {
      date,
      open,
      high: cents(Math.max(open, close) * (1 + 0.004 * Math.abs(noise(i, salt + 2)))),
      low: cents(Math.min(open, close) * (1 - 0.004 * Math.abs(noise(i, salt + 3)))),
      close,
      volume: Math.round(volume * (1 + 0.3 * noise(i, salt + 4))),
    };
  });
}

export function refSeries(bars: readonly Bar[], seedDaily?: readonly RefDay[]): RefSeries {
  return { bars, sessions: bars.map((b) => sessionOf(b.start)), ...(seedDaily ? { seedDaily } : {}) };
}

export interface EngineRows {
  values: Float64Array[];
  overlays: Float64Array[];
}

export interface Setup {
  vix?: ReadonlyArray<{ date: string; close: number }>;
  seed?: Record<string, readonly RefDay[]>;
}

export function newEngine(setup: Setup = {}): FeatureEngine {
  const engine = new FeatureEngine(calendar);
  if (setup.vix) engine.setVix(setup.vix);
  for (const [symbol, days] of Object.entries(setup.seed ?? {})) engine.seedDaily(symbol, days);
  return engine;
}

/** Feeds bars in the order given and collects each symbol's rows (copies) in its bar order. */
export function runEngine(bars: readonly Bar[], setup: Setup = {}, engine = newEngine(setup)): Map<string, EngineRows> {
  const out = new Map<string, EngineRows>();
  for (const bar of bars) {
    const row = engine.onBar(bar);
    if (!row) throw new Error(`engine refused ${bar.symbol} ${new Date(bar.start).toISOString()}`);
    let rows = out.get(bar.symbol);
    if (!rows) out.set(bar.symbol, (rows = { values: [], overlays: [] }));
    rows.values.push(Float64Array.from(row.values));
    rows.overlays.push(Float64Array.from(row.overlays));
  }
  return out;
}

/** The relative tolerance of the parity tests, with an absolute floor of the same size near zero. */
export const TOLERANCE = 1e-9;

export function withinTolerance(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(b));
}

/** The first bars where the engine's value of a feature differs from the expected one (for messages). */
export function mismatches(got: readonly ArrayLike<number>[], want: readonly ArrayLike<number>[], f: number, label: (t: number) => string, limit = 5): string[] {
  const out: string[] = [];
  let count = 0;
  for (let t = 0; t < want.length; t++) {
    const a = got[t]![f]!;
    const b = want[t]![f]!;
    if (!withinTolerance(a, b)) {
      if (out.length < limit) out.push(`${FEATURE_NAMES[f]} at ${label(t)}: engine ${a}, spec ${b}`);
      count++;
    }
  }
  if (count > limit) out.push(`… ${count - limit} more`);
  return out;
}

/** The first value that is not bit-identical between two runs (Object.is per value), or null. */
export function firstDifference(a: readonly Float64Array[], b: readonly Float64Array[], from = 0, to = Math.min(a.length, b.length)): string | null {
  if (a.length < to || b.length < to) return `row count ${a.length} vs ${b.length}`;
  for (let t = from; t < to; t++) {
    for (let f = 0; f < a[t]!.length; f++) {
      if (!Object.is(a[t]![f], b[t]![f])) return `bar ${t} ${FEATURE_NAMES[f] ?? `#${f}`}: ${a[t]![f]} vs ${b[t]![f]}`;
    }
  }
  return null;
}

export function barLabel(bars: readonly Bar[]): (t: number) => string {
  return (t) => {
    const b = bars[t]!;
    const s = sessionOf(b.start);
    return `#${t} (${s.date} +${(b.start - s.open) / 60_000}m)`;
  };
}
