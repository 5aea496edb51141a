// Synthetic daily bars on real NYSE sessions: log returns follow r_t = phi·r_{t-1} + σ·ε, so phi > 0
// plants day-to-day momentum and phi = 0 is a pure random walk.
import { NyseCalendar } from '../../src/main/calendar/nyse';
import { SeededRandom } from '../../src/main/engine/random';
import type { StoredBar } from '../../src/main/store/history-store';

export function syntheticDailyBars(symbol: string, opts: { from: string; days: number; phi: number; seed: number; calendar?: NyseCalendar }): StoredBar[] {
  const calendar = opts.calendar ?? new NyseCalendar();
  const rng = new SeededRandom(opts.seed);
  const out: StoredBar[] = [];
  let close = 100;
  let r = 0;
  let s = calendar.sessionOnOrAfter(opts.from);
  for (let i = 0; i < opts.days; i++) {
    r = opts.phi * r + 0.012 * rng.normal();
    const open = close * Math.exp(0.002 * rng.normal());
    const next = close * Math.exp(r);
    const high = Math.max(open, next) * (1 + 0.004 * Math.abs(rng.normal()));
    const low = Math.min(open, next) * (1 - 0.004 * Math.abs(rng.normal()));
    out.push({ symbol, timeframe: '1d', start: s.open, open, high, low, close: next, volume: Math.round(1e6 * (1 + 0.3 * Math.abs(rng.normal()))), part: 'regular' });
    close = next;
    s = calendar.sessionOnOrAfter(nextDate(s.date));
  }
  return out;
}

function nextDate(date: string): string {
  const t = Date.parse(`${date}T12:00:00Z`) + 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}
