import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore, type StoredBar } from '../../../src/main/store/history-store';

const cal = new NyseCalendar();
const DAY0 = cal.session('2024-03-08')!; // the Friday before a DST switch
const minutes = [
  ...Array.from({ length: 60 }, (_, i) => DAY0.preOpen + i * 60_000),
  ...Array.from({ length: 60 }, (_, i) => DAY0.open + i * 60_000),
  ...Array.from({ length: 60 }, (_, i) => DAY0.close + 200 * 60_000 + i * 60_000), // late post-market, after 00:00 UTC
  ...Array.from({ length: 30 }, (_, i) => cal.session('2024-03-11')!.open + i * 60_000),
];

const barAt = (symbol: string, start: number, price: number): StoredBar => ({
  symbol, timeframe: '1m', start, open: price, high: price + 1, low: price - 1, close: price, volume: 100, part: cal.partOf(start) === 'closed' ? 'post' : (cal.partOf(start) as 'regular'),
});

describe('HistoryStore blocks mirror the rows', () => {
  it('whatever sequence of inserts and replaces, loading by blocks equals reading the rows', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('insert', 'replace'),
            symbol: fc.constantFrom('SPY', 'QQQ'),
            picks: fc.array(fc.integer({ min: 0, max: minutes.length - 1 }), { maxLength: 40 }),
            price: fc.integer({ min: 10, max: 500 }),
            range: fc.tuple(fc.integer({ min: 0, max: minutes.length - 1 }), fc.integer({ min: 0, max: minutes.length - 1 })),
          }),
          { maxLength: 12 },
        ),
        (ops) => {
          const store = new HistoryStore(openDatabase(':memory:'));
          for (const op of ops) {
            const bars = op.picks.map((i) => barAt(op.symbol, minutes[i]!, op.price));
            if (op.kind === 'insert') store.insertBars('1m', bars);
            else {
              const [a, b] = [Math.min(...op.range), Math.max(...op.range)];
              const from = minutes[a]!;
              const to = minutes[b]! + 60_000;
              const inRange = [...new Map(bars.filter((x) => x.start >= from && x.start < to).map((x) => [x.start, x])).values()].sort((x, y) => x.start - y.start);
              store.replaceBars('1m', op.symbol, from, to, inRange);
            }
          }
          for (const symbol of ['SPY', 'QQQ']) {
            expect(store.loadBars(symbol, '1m')).toEqual(store.loadRows(symbol, '1m'));
            const from = minutes[70]!;
            const to = minutes[190]!;
            expect(store.loadBars(symbol, '1m', from, to)).toEqual(store.loadRows(symbol, '1m', from, to));
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('a re-insert leaves the stored bar as it was (first write wins)', () => {
    const store = new HistoryStore(openDatabase(':memory:'));
    expect(store.insertBars('1m', [barAt('SPY', DAY0.open, 100)])).toEqual({ inserted: 1, unchanged: 0 });
    expect(store.insertBars('1m', [barAt('SPY', DAY0.open, 200), barAt('SPY', DAY0.open + 60_000, 201)])).toEqual({ inserted: 1, unchanged: 1 });
    expect(store.loadBars('SPY', '1m').map((b) => b.close)).toEqual([100, 201]);
  });
});
