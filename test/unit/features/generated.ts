// Generated minute bars for the property tests: seeded random walks over a few consecutive NYSE
// sessions (holidays, early closes and DST switches nearby), with missing minutes, unchanged closes,
// overnight gaps and several symbols interleaved in time order, as a live feed delivers them.
import fc from 'fast-check';
import type { Bar } from '../../../src/shared/domain';
import { calendar } from './month';

/** First dates chosen so a few sessions from them cross a holiday, an early close or a DST switch. */
export const START_DATES = [
  '2010-11-23', // Thanksgiving closed, 13:00 close the day after
  '2011-01-12', // Martin Luther King Jr. Day
  '2011-03-10', // DST starts 2011-03-13
  '2012-10-25', // Hurricane Sandy closure 2012-10-29/30
  '2013-12-23', // 13:00 close on Christmas Eve, Christmas closed
  '2015-10-29', // DST ends 2015-11-01
] as const;

export interface GenParams {
  seed: number;
  startDate: string;
  sessions: number;
  /** Probability that a minute has a bar (per symbol). */
  keep: number;
  /** Probability that a close is unchanged. */
  flat: number;
  symbols: readonly string[];
}

export const genParams = (symbols: readonly string[] = ['SPY', 'QQQ', 'AAPL']): fc.Arbitrary<GenParams> =>
  fc.record({
    seed: fc.integer(),
    startDate: fc.constantFrom(...START_DATES),
    sessions: fc.integer({ min: 1, max: 4 }),
    keep: fc.double({ min: 0.05, max: 1, noNaN: true }),
    flat: fc.constantFrom(0, 0.2, 0.5, 0.8, 0.95),
    symbols: fc.constant(symbols),
  });

/** mulberry32: a tiny seeded generator, so a failing case replays from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cents = (x: number): number => Math.round(x * 100) / 100;

export function generateBars(p: GenParams): Bar[] {
  const rand = rng(p.seed);
  const bars: Bar[] = [];
  const price = p.symbols.map(() => 20 + rand() * 300);
  let day = calendar.sessionOnOrAfter(p.startDate);
  for (let s = 0; s < p.sessions; s++) {
    if (s > 0) {
      day = calendar.sessionOnOrAfter(new Date(Date.parse(`${day.date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
      price.forEach((x, j) => (price[j] = Math.max(1, cents(x * (1 + (rand() - 0.5) * 0.04))))); // overnight gap
    }
    for (let t = day.open; t < day.close; t += 60_000) {
      p.symbols.forEach((symbol, j) => {
        const open = price[j]!;
        const ticks = rand() < p.flat ? 0 : Math.round((rand() - 0.5) * 8) || 1;
        const close = Math.max(0.01, cents(open + ticks * 0.01 * Math.max(1, open / 100)));
        price[j] = close;
        if (rand() >= p.keep) return; // no trade this minute: no bar
        bars.push({
          symbol,
          timeframe: '1m',
          start: t,
          open,
          high: cents(Math.max(open, close) + Math.floor(rand() * 4) * 0.01),
          low: Math.max(0.01, cents(Math.min(open, close) - Math.floor(rand() * 4) * 0.01)),
          close,
          volume: rand() < 0.02 ? 0 : 1 + Math.floor(rand() ** 3 * 50_000),
        });
      });
    }
  }
  return bars;
}
