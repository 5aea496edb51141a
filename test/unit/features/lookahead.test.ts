// No look-ahead: the row of a bar is the same, bit for bit, whether the engine has seen only the bars
// up to it or the whole month after it. On the real month at chosen cut points (session edges, the
// MLK gap, the opening range, mid-minute between two symbols) and on generated sequences.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateBars, genParams } from './generated';
import { firstDifference, interleave, qqqMonth, readVix, runEngine, seededDays, sessionOf, spyMonth, type EngineRows, type Setup } from './month';

/** Asserts that every row of the prefix run equals the full run's row for the same bar. */
function expectSamePrefix(prefix: Map<string, EngineRows>, full: Map<string, EngineRows>, where: string): void {
  for (const [symbol, rows] of prefix) {
    const all = full.get(symbol)!;
    expect(firstDifference(rows.values, all.values, 0, rows.values.length), `${where} ${symbol} values`).toBeNull();
    expect(firstDifference(rows.overlays, all.overlays, 0, rows.overlays.length), `${where} ${symbol} overlays`).toBeNull();
  }
}

describe('no look-ahead on the real SPY month (with QQQ, VIX and seeded daily bars)', () => {
  const spy = spyMonth();
  const all = interleave(spy, qqqMonth());
  const setup: Setup = { vix: readVix(), seed: { SPY: seededDays('2011-01-03', 30, 125.75, 150_000_000, 3), QQQ: seededDays('2011-01-03', 30, 54.3, 60_000_000, 4) } };
  let full: Map<string, EngineRows>;
  beforeAll(() => {
    full = runEngine(all, setup);
  });

  const firstOf = (date: string): number => spy.findIndex((b) => sessionOf(b.start).date === date);
  const mlk = firstOf('2011-01-18');
  // SPY bar indexes: the start, the opening range's last bar and the first after it, session ends
  // and opens, both sides of the MLK gap, the 390-bar volume window filling, mid-session, the end.
  const cuts = [0, 1, 28, 29, 30, 60, 61, 388, 389, 390, 391, 779, 780, mlk - 1, mlk, mlk + 1, mlk + 30, 4_321, 6_999, spy.length - 2, spy.length - 1];

  it.each(cuts)('cut after SPY bar %i (and after QQQ’s bar of the same minute)', (cut) => {
    const at = all.indexOf(spy[cut]!);
    // Right after SPY's bar, before QQQ's bar of that minute: QQQ's rows so far must not move either.
    expectSamePrefix(runEngine(all.slice(0, at + 1), setup), full, `after SPY #${cut}`);
    const sameMinute = all[at + 1]?.start === spy[cut]!.start ? at + 2 : at + 1;
    expectSamePrefix(runEngine(all.slice(0, sameMinute), setup), full, `after the minute of SPY #${cut}`);
  });

  it('a VIX close dated today or later does not change today’s rows', () => {
    const date = '2011-01-18';
    const t = firstOf(date);
    const truncated = runEngine(
      all.filter((b) => sessionOf(b.start).date <= date),
      { ...setup, vix: setup.vix!.filter((r) => r.date < date) },
    );
    expectSamePrefix(truncated, full, 'VIX known only before 2011-01-18');
    expect(truncated.get('SPY')!.values.length).toBe(t + 390);
  });
});

describe('no look-ahead on generated sequences (property)', () => {
  it('rows of bars up to a cut are bit-identical with and without the bars after it', () => {
    fc.assert(
      fc.property(genParams(['SPY', 'QQQ', 'AAPL']), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (p, where, seeded) => {
        const bars = generateBars(p);
        fc.pre(bars.length > 0);
        const first = sessionOf(bars[0]!.start).date;
        const setup: Setup = seeded ? { seed: { SPY: seededDays(first, 25, 100, 1e6, 1), AAPL: seededDays(first, 25, 50, 1e5, 2) } } : {};
        const cut = Math.min(bars.length - 1, Math.floor(where * bars.length));
        const full = runEngine(bars, setup);
        const prefix = runEngine(bars.slice(0, cut + 1), setup);
        for (const [symbol, rows] of prefix) {
          const all = full.get(symbol)!;
          const diff = firstDifference(rows.values, all.values, 0, rows.values.length) ?? firstDifference(rows.overlays, all.overlays, 0, rows.overlays.length);
          if (diff) throw new Error(`${symbol} cut at ${cut}/${bars.length}: ${diff}`);
        }
      }),
      { numRuns: 40, seed: 2011_01_18 },
    );
  });
});
