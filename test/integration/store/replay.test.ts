// Replay of the real SPY month through the simulated clock.
import { beforeAll, describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyDateKey } from '../../../src/main/calendar/ny-time';
import { importHistory } from '../../../src/main/data/import/importer';
import { ReplayFeed, replayStart } from '../../../src/main/data/replay-feed';
import { SimulatedClock } from '../../../src/main/engine/clock';
import type { FeedSink } from '../../../src/main/data/feed';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';
import type { Bar } from '../../../src/shared/domain';
import { readSpy } from '../../helpers/data';

const calendar = new NyseCalendar();
let store: HistoryStore;

beforeAll(() => {
  store = new HistoryStore(openDatabase(':memory:'));
  importHistory(store, calendar, { file: 'spy', text: readSpy(), format: 'ninjatrader', symbol: 'SPY' });
});

function replay(from: string, to: string, parts?: Array<'pre' | 'regular' | 'post'>) {
  const clock = new SimulatedClock(replayStart(calendar, from));
  const feed = new ReplayFeed({ store, calendar, symbols: ['SPY'], from, to, clock, speed: 1, drive: 'manual', ...(parts ? { parts } : {}) });
  const bars: Array<Bar & { seenAt: number }> = [];
  const health: string[] = [];
  const sink: FeedSink = { bar: (b) => bars.push({ ...b, seenAt: clock.now() }), health: (s, d) => health.push(`${s}: ${d}`) };
  const runAll = () => {
    for (let t = clock.nextTimerAt(); t !== null; t = clock.nextTimerAt()) clock.advanceTo(t);
  };
  return { clock, feed, bars, health, sink, runAll };
}

describe('replay of stored history', () => {
  it('publishes every regular bar of the month once, in order, each at its close on the simulated clock', async () => {
    const r = replay('2011-01-01', '2011-01-31');
    await r.feed.start(r.sink);
    r.runAll();
    expect(r.bars).toHaveLength(7_800);
    for (let i = 0; i < r.bars.length; i++) {
      const b = r.bars[i]!;
      expect(b.seenAt).toBe(b.start + 60_000); // the clock reads the bar's close when it is published
      if (i > 0) expect(b.start).toBeGreaterThan(r.bars[i - 1]!.start);
    }
    expect(r.health.at(-1)).toMatch(/^stopped: replay finished: 7800 bars/);
    // The progress total counts the regular minutes (the file also holds pre- and post-market bars).
    expect(r.feed.barsTotal).toBe(7_800);
    expect(r.feed.finished).toBe(true);
  });

  it('holds one session of bars at a time: a day is loaded when the replay reaches it', async () => {
    const loads: Array<[number, number]> = [];
    const loadColumns = store.loadColumns.bind(store);
    const spy = Object.assign(Object.create(store) as HistoryStore, {
      loadColumns: (symbol: string, tf: '1m', from?: number, to?: number) => {
        loads.push([from!, to!]);
        return loadColumns(symbol, tf, from, to);
      },
    });
    const clock = new SimulatedClock(replayStart(calendar, '2011-01-03'));
    const feed = new ReplayFeed({ store: spy, calendar, symbols: ['SPY'], from: '2011-01-03', to: '2011-01-07', clock, speed: 1, drive: 'manual' });
    const bars: Bar[] = [];
    await feed.start({ bar: (b) => bars.push(b), health: () => {} });
    expect(loads).toHaveLength(1); // only the first session
    for (let t = clock.nextTimerAt(); t !== null; t = clock.nextTimerAt()) clock.advanceTo(t);
    expect(bars).toHaveLength(5 * 390);
    const days = ['2011-01-03', '2011-01-04', '2011-01-05', '2011-01-06', '2011-01-07'].map((d) => calendar.session(d)!);
    expect(loads).toEqual(days.map((d) => [d.preOpen, d.postClose]));
  });

  it('can include pre- and post-market bars', async () => {
    const r = replay('2011-01-03', '2011-01-03', ['pre', 'regular', 'post']);
    await r.feed.start(r.sink);
    r.runAll();
    const stored = store.loadBars('SPY', '1m').filter((b) => nyDateKey(b.start) === '2011-01-03');
    expect(r.bars).toHaveLength(stored.length);
  });

  it('seeks forward to a day and refuses to go back', async () => {
    const r = replay('2011-01-03', '2011-01-31');
    await r.feed.start(r.sink);
    r.clock.advanceTo(calendar.session('2011-01-03')!.open + 10 * 60_000);
    expect(r.bars).toHaveLength(10);
    r.feed.seek('2011-01-18'); // the day after MLK
    r.runAll();
    const days = new Set(r.bars.map((b) => nyDateKey(b.start)));
    expect([...days].slice(0, 2)).toEqual(['2011-01-03', '2011-01-18']);
    expect(r.bars).toHaveLength(10 + 10 * 390); // 2011-01-18 … 2011-01-31 is 10 sessions
    expect(() => r.feed.seek('2011-01-04')).toThrow(/cannot seek back/);
  });

  it('gives the previous stored session as history, and nothing after the start', () => {
    const r = replay('2011-01-04', '2011-01-05');
    const hist = r.feed.history();
    expect(hist).toHaveLength(390);
    expect(new Set(hist.map((b) => nyDateKey(b.start)))).toEqual(new Set(['2011-01-03']));
  });

  it('refuses a range with no stored bars, naming what to do', async () => {
    const r = replay('2012-03-01', '2012-03-02');
    await expect(r.feed.start(r.sink)).rejects.toThrow(/import history first/);
  });
});
