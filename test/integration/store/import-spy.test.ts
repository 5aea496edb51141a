// The real SPY month (NinjaTrader export, UTC, bar-end stamps) into a real SQLite file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyDateKey, nyParts } from '../../../src/main/calendar/ny-time';
import { importHistory, type ImportReport } from '../../../src/main/data/import/importer';
import { openDatabase, type Db } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';
import { readSpy } from '../../helpers/data';

const calendar = new NyseCalendar();
let db: Db;
let store: HistoryStore;
let first: ImportReport;
let second: ImportReport;
let text: string;

beforeAll(() => {
  text = readSpy();
  db = openDatabase(join(mkdtempSync(join(tmpdir(), 'spy-')), 'history.sqlite'));
  store = new HistoryStore(db);
  first = importHistory(store, calendar, { file: 'spy.csv', text, format: 'ninjatrader', symbol: 'SPY' });
  second = importHistory(store, calendar, { file: 'spy.csv', text, format: 'ninjatrader', symbol: 'SPY' });
});

describe('importing the real SPY month', () => {
  it('stores every row, none rejected', () => {
    expect(first.rows).toBe(14_180);
    expect(first.accepted).toBe(14_180);
    expect(first.inserted).toBe(14_180);
    expect(first.rejected).toEqual({});
    expect(store.countBars('1m', 'SPY')).toBe(14_180);
  });

  it('reads bar-end UTC stamps as bars starting a minute earlier: 20110103 143100 is the 09:30 ET bar', () => {
    const bars = store.loadBars('SPY', '1m', Date.UTC(2011, 0, 3, 14, 30), Date.UTC(2011, 0, 3, 14, 31));
    expect(bars).toHaveLength(1);
    expect(bars[0]!.part).toBe('regular');
    const p = nyParts(bars[0]!.start);
    expect([p.hour, p.minute]).toEqual([9, 30]);
  });

  it('every regular session of the month has 390 bars from 09:30 to 15:59 ET, 20 sessions, none on MLK day', () => {
    const regular = store.loadBars('SPY', '1m').filter((b) => b.part === 'regular');
    const byDay = new Map<string, number[]>();
    for (const b of regular) {
      const k = nyDateKey(b.start);
      byDay.set(k, [...(byDay.get(k) ?? []), b.start]);
    }
    expect(byDay.size).toBe(20);
    expect(byDay.has('2011-01-17')).toBe(false);
    for (const [day, starts] of byDay) {
      expect(starts, day).toHaveLength(390);
      const s = calendar.session(day)!;
      expect(starts[0]).toBe(s.open);
      expect(starts.at(-1)).toBe(s.close - 60_000);
    }
  });

  it('tags pre- and post-market bars by the New York session', () => {
    expect(first.byPart).toEqual({ pre: 3_310, regular: 7_800, post: 3_070 });
    for (const b of store.loadBars('SPY', '1m')) {
      const p = nyParts(b.start);
      const minute = p.hour * 60 + p.minute;
      const expected = minute < 570 ? 'pre' : minute < 960 ? 'regular' : 'post';
      expect(b.part).toBe(expected);
    }
  });

  it('a second import of the same file adds nothing', () => {
    expect(second.inserted).toBe(0);
    expect(second.unchanged).toBe(14_180);
    expect(store.countBars('1m', 'SPY')).toBe(14_180);
    expect(store.countBars('1d', 'SPY')).toBe(20);
    const imports = db.prepare('SELECT count(*) AS n FROM imports').get() as { n: number };
    expect(imports.n).toBe(2);
  });

  it('derives daily bars from regular hours only, and 5/15-minute bars that never span the open or the close', () => {
    const daily = store.loadBars('SPY', '1d');
    expect(daily).toHaveLength(20);
    const jan3 = store.loadBars('SPY', '1m').filter((b) => b.part === 'regular' && nyDateKey(b.start) === '2011-01-03');
    expect(daily[0]!.open).toBe(jan3[0]!.open);
    expect(daily[0]!.close).toBe(jan3.at(-1)!.close);
    expect(daily[0]!.high).toBe(Math.max(...jan3.map((b) => b.high)));
    expect(daily[0]!.volume).toBe(jan3.reduce((s, b) => s + b.volume, 0));
    for (const tf of ['5m', '15m'] as const) {
      const size = tf === '5m' ? 5 : 15;
      const bars = store.loadBars('SPY', tf);
      const regular = bars.filter((b) => b.part === 'regular');
      expect(regular).toHaveLength(20 * (390 / size));
      for (const b of bars) {
        const s = calendar.session(nyDateKey(b.start))!;
        const end = b.start + size * 60_000;
        // a bucket lies entirely before the open, inside the session, or after the close
        expect(end <= s.open || (b.start >= s.open && end <= s.close) || b.start >= s.close).toBe(true);
      }
    }
  });
});
