import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import { mlExitDecision, stepExits, trackPosition, type ExitRules, type TrackedPosition } from '../../../src/main/risk/exits';
import { classifyIntent, flattenTimeOf } from '../../../src/main/risk/pre-trade';
import type { Bar } from '../../../src/shared/domain';

const cal = new NyseCalendar();
const ny = (y: number, mo: number, d: number, h: number, mi: number): number => nyWallToUtc(y, mo, d, h, mi);
const T0 = ny(2024, 11, 26, 10, 0);
const RULES: ExitRules = { flattenMinutesBeforeClose: 5 };

const bar = (start: number, open: number, high: number, low: number, close: number, symbol = 'AAA'): Bar => ({ symbol, timeframe: '1m', start, open, high, low, close, volume: 100 });
const long = (over: Partial<TrackedPosition> = {}): TrackedPosition => ({ ...trackPosition({ symbol: 'AAA', qty: 20, avgEntryPrice: 100 }, T0), ...over });
const short = (over: Partial<TrackedPosition> = {}): TrackedPosition => ({ ...trackPosition({ symbol: 'AAA', qty: -20, avgEntryPrice: 100 }, T0), ...over });
/** One bar starting at minute m after T0, decided at its end. */
const step = (pos: TrackedPosition, m: number, o: number, h: number, l: number, c: number, rules: ExitRules = RULES) => stepExits(pos, bar(T0 + m * 60_000, o, h, l, c), T0 + (m + 1) * 60_000, rules, cal);

describe('exits', () => {
  it('no rule fires on a quiet bar', () => {
    expect(step(long({ stopPrice: 95, targetPrice: 110 }), 0, 100, 101, 99, 100.5).exit).toBeNull();
  });

  it('hard stop, long: low at the stop exits at the stop; a gap below exits at the open', () => {
    const hit = step(long({ stopPrice: 95 }), 0, 100, 100, 95, 96).exit!;
    expect(hit).toMatchObject({ reason: 'hardStop', triggerPrice: 95, flatten: false });
    expect(hit.order).toMatchObject({ symbol: 'AAA', side: 'sell', qty: 20, type: 'market' });
    expect(step(long({ stopPrice: 95 }), 0, 93, 94, 92, 93).exit).toMatchObject({ reason: 'hardStop', triggerPrice: 93 });
  });

  it('hard stop, short: high at the stop buys back', () => {
    const hit = step(short({ stopPrice: 105 }), 0, 100, 105.5, 100, 104).exit!;
    expect(hit).toMatchObject({ reason: 'hardStop', triggerPrice: 105 });
    expect(hit.order).toMatchObject({ side: 'buy', qty: 20 });
  });

  it('target, long and short', () => {
    expect(step(long({ targetPrice: 110 }), 0, 108, 110, 108, 109).exit).toMatchObject({ reason: 'target', triggerPrice: 110 });
    expect(step(short({ targetPrice: 90 }), 0, 92, 92, 89, 91).exit).toMatchObject({ reason: 'target', triggerPrice: 90 });
  });

  it('stop and target in the same bar: the stop is the reason (the worse case)', () => {
    expect(step(long({ stopPrice: 95, targetPrice: 110 }), 0, 100, 111, 94, 100).exit?.reason).toBe('hardStop');
  });

  it('trailing stop $2, long: high 110 then a close at 108 exits; at 108.01 it holds', () => {
    const rules = { ...RULES, trailAmount: 2 };
    expect(step(long(), 0, 100, 110, 100, 108.01, rules).exit).toBeNull();
    expect(step(long(), 0, 100, 110, 100, 108, rules).exit).toMatchObject({ reason: 'trailingStop', triggerPrice: 108 });
  });

  it('trailing stop $2, short: low 90 then a close at 92 exits', () => {
    const rules = { ...RULES, trailAmount: 2 };
    expect(step(short(), 0, 100, 100, 90, 91.99, rules).exit).toBeNull();
    expect(step(short(), 0, 100, 100, 90, 92, rules).exit).toMatchObject({ reason: 'trailingStop' });
  });

  it('peak exit 3%, long: peak 110 across bars, a close at 106.7 exits, 106.71 holds', () => {
    const rules = { ...RULES, peakExitPct: 3 };
    const a = step(long(), 0, 100, 110, 100, 109, rules);
    expect(a.exit).toBeNull();
    expect(a.position.peak).toBe(110);
    expect(step(a.position, 1, 109, 109, 106, 106.71, rules).exit).toBeNull();
    const b = step(a.position, 1, 109, 109, 106, 106.7, rules);
    expect(b.exit).toMatchObject({ reason: 'peakExit', triggerPrice: 106.7 });
    expect(b.exit!.order).toMatchObject({ side: 'sell', qty: 20 });
  });

  it('peak exit 3%, short: trough 90 across bars, a close at 92.7 buys back, 92.69 holds', () => {
    const rules = { ...RULES, peakExitPct: 3 };
    const a = step(short(), 0, 100, 100, 90, 91, rules);
    expect(a.exit).toBeNull();
    expect(a.position.peak).toBe(90);
    expect(step(a.position, 1, 91, 92.69, 91, 92.69, rules).exit).toBeNull();
    const b = step(a.position, 1, 91, 93, 91, 92.7, rules);
    expect(b.exit).toMatchObject({ reason: 'peakExit' });
    expect(b.exit!.order).toMatchObject({ side: 'buy', qty: 20 });
  });

  it('time stop: the third bar held exits with max 3', () => {
    const rules = { ...RULES, maxBarsHeld: 3 };
    let p = long();
    for (let m = 0; m < 2; m++) {
      const s = step(p, m, 100, 100.5, 99.5, 100, rules);
      expect(s.exit).toBeNull();
      p = s.position;
    }
    const third = step(p, 2, 100, 100.5, 99.5, 100, rules);
    expect(third.position.barsHeld).toBe(3);
    expect(third.exit).toMatchObject({ reason: 'timeStop' });
  });

  it('bars that ended before the entry are not counted or tracked', () => {
    const s = stepExits(long(), bar(T0 - 120_000, 100, 130, 100, 100), T0 - 60_000, { ...RULES, maxBarsHeld: 1 }, cal);
    expect(s.position.barsHeld).toBe(0);
    expect(s.position.peak).toBe(100);
    expect(s.exit).toBeNull();
  });

  it('EOD flatten with N = 5 on a normal day: at 15:55, not at 15:54; the order is marked flatten', () => {
    const pos = long();
    const at = (h: number, m: number) => stepExits(pos, bar(ny(2024, 11, 26, h, m) - 60_000, 100, 100, 100, 100), ny(2024, 11, 26, h, m), RULES, cal).exit;
    expect(at(15, 54)).toBeNull();
    const e = at(15, 55)!;
    expect(e).toMatchObject({ reason: 'eodFlatten', flatten: true });
    expect(e.detail).toMatch(/15:55/);
    expect(e.order).toMatchObject({ side: 'sell', qty: 20, type: 'market' });
    expect(flattenTimeOf(cal, ny(2024, 11, 26, 10, 0), 5)).toBe(ny(2024, 11, 26, 15, 55));
  });

  it('EOD flatten with N = 5 on 2024-11-29 (13:00 close): at 12:55, not at 12:54, and still after the close', () => {
    const pos = { ...short(), entryTime: ny(2024, 11, 29, 10, 0) };
    const at = (h: number, m: number) => stepExits(pos, bar(ny(2024, 11, 29, h, m) - 60_000, 100, 100, 100, 100), ny(2024, 11, 29, h, m), RULES, cal).exit;
    expect(at(12, 54)).toBeNull();
    const e = at(12, 55)!;
    expect(e).toMatchObject({ reason: 'eodFlatten', flatten: true });
    expect(e.detail).toMatch(/12:55/);
    expect(e.order).toMatchObject({ side: 'buy', qty: 20 });
    expect(at(14, 0)?.reason).toBe('eodFlatten');
    expect(flattenTimeOf(cal, ny(2024, 11, 29, 10, 0), 5)).toBe(ny(2024, 11, 29, 12, 55));
  });

  it('a position still open on a closed day is flattened', () => {
    const pos = { ...long(), entryTime: ny(2024, 11, 27, 10, 0) };
    expect(stepExits(pos, bar(ny(2024, 11, 28, 10, 0), 100, 100, 100, 100), ny(2024, 11, 28, 10, 1), RULES, cal).exit?.reason).toBe('eodFlatten');
  });

  it('a bar of another symbol is a bug and throws', () => {
    expect(() => stepExits(long(), bar(T0, 1, 1, 1, 1, 'BBB'), T0 + 60_000, RULES, cal)).toThrow(RangeError);
  });

  it('property: an exit never increases exposure (opposite side, the whole position, classified as a reducing order)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5_000, max: 5_000 }).filter((q) => q !== 0),
        fc.double({ min: 1, max: 1_000, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: -0.05, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 0.03, noNaN: true })), { minLength: 1, maxLength: 400 }),
        fc.record({ trailAmount: fc.option(fc.double({ min: 0.01, max: 20, noNaN: true }), { nil: undefined }), peakExitPct: fc.option(fc.double({ min: 0.1, max: 10, noNaN: true }), { nil: undefined }), maxBarsHeld: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }) }),
        (qty, entry, moves, extra) => {
          const rules: ExitRules = { flattenMinutesBeforeClose: 5, ...extra };
          let pos: TrackedPosition = trackPosition({ symbol: 'AAA', qty, avgEntryPrice: entry }, T0, { stopPrice: qty > 0 ? entry * 0.9 : entry * 1.1 });
          let price = entry;
          for (let i = 0; i < moves.length; i++) {
            const [mv, wick] = moves[i]!;
            const close = Math.max(0.01, price * (1 + mv));
            const s = step(pos, i, price, Math.max(price, close) * (1 + wick), Math.min(price, close) * (1 - wick), close, rules);
            price = close;
            pos = s.position;
            if (s.exit) {
              expect(s.exit.order.qty).toBe(Math.abs(qty));
              expect(s.exit.order.side).toBe(qty > 0 ? 'sell' : 'buy');
              expect(classifyIntent(s.exit.order, [pos], s.exit.flatten)).not.toBe('entry');
              return;
            }
          }
          // Every path ends flat by 15:55 (T0 is 10:00, 400 bars reach past it).
          expect(T0 + moves.length * 60_000).toBeLessThan(ny(2024, 11, 26, 15, 55));
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('ML exit', () => {
  const rules: ExitRules = { flattenMinutesBeforeClose: 5, mlExitThreshold: 0.6 };
  const scoredAfterEntry = T0 + 60_000; // a bar the position was held through

  it('a long leaves when P(down) reaches the threshold; a short when P(up) does', () => {
    expect(mlExitDecision(long(), 0.41, scoredAfterEntry, 101, T0 + 120_000, rules)).toBeNull(); // P(down) 0.59
    const exit = mlExitDecision(long(), 0.4, scoredAfterEntry, 101, T0 + 120_000, rules)!; // P(down) 0.60
    expect(exit).toMatchObject({ reason: 'mlExit', flatten: false, triggerPrice: 101, order: { side: 'sell', qty: 20, type: 'market' } });
    expect(exit.detail).toContain('60.0% on a move down');
    expect(mlExitDecision(short(), 0.59, scoredAfterEntry, 99, T0 + 120_000, rules)).toBeNull();
    expect(mlExitDecision(short(), 0.6, scoredAfterEntry, 99, T0 + 120_000, rules)).toMatchObject({ reason: 'mlExit', order: { side: 'buy', qty: 20 } });
  });

  it('is off at threshold 0, for a flat position, and for a score of a bar that closed before the entry', () => {
    expect(mlExitDecision(long(), 0.01, scoredAfterEntry, 101, T0 + 120_000, { flattenMinutesBeforeClose: 5 })).toBeNull();
    expect(mlExitDecision(long(), 0.01, scoredAfterEntry, 101, T0 + 120_000, { ...rules, mlExitThreshold: 0 })).toBeNull();
    expect(mlExitDecision(long({ qty: 0 }), 0.01, scoredAfterEntry, 101, T0 + 120_000, rules)).toBeNull();
    expect(mlExitDecision(long(), 0.01, T0 - 60_000, 101, T0 + 120_000, rules)).toBeNull(); // bar 09:59–10:00, entry at 10:00
  });

  it('a score that is not a probability is a bug and throws', () => {
    expect(() => mlExitDecision(long(), Number.NaN, scoredAfterEntry, 101, T0 + 120_000, rules)).toThrow(RangeError);
    expect(() => mlExitDecision(long(), 1.2, scoredAfterEntry, 101, T0 + 120_000, rules)).toThrow(RangeError);
  });
});
