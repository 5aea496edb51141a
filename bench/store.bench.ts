// Market-data benchmarks: bulk insert into SQLite, loading a symbol-year, and replay through the
// feed interface with no consumer.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../src/main/calendar/nyse';
import { importHistory } from '../src/main/data/import/importer';
import { ReplayFeed, replayStart } from '../src/main/data/replay-feed';
import { SimulatedClock } from '../src/main/engine/clock';
import { openDatabase } from '../src/main/store/database';
import { HistoryStore, type StoredBar } from '../src/main/store/history-store';
import { readSpy } from '../test/helpers/data';
import { machine, summarize, type BenchResult } from './lib';

const calendar = new NyseCalendar();

/** A year of regular-session minute bars (about 98,000) for one symbol. */
function symbolYear(symbol: string, year: number): StoredBar[] {
  const out: StoredBar[] = [];
  let price = 100;
  for (const day of calendar.tradingDays(`${year}-01-01`, `${year}-12-31`)) {
    const s = calendar.session(day)!;
    for (let t = s.open; t < s.close; t += 60_000) {
      const close = Math.round((price + Math.sin(t / 7e6) * 0.05) * 100) / 100;
      out.push({ symbol, timeframe: '1m', start: t, open: price, high: Math.max(price, close) + 0.01, low: Math.min(price, close) - 0.01, close, volume: 1000, part: 'regular' });
      price = close;
    }
  }
  return out;
}

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-db-'));
  return { dir, db: openDatabase(join(dir, 'h.sqlite')) };
}

export async function insertBars(): Promise<BenchResult> {
  const bars = symbolYear('SPY', 2023);
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const { dir, db } = tempDb();
    const store = new HistoryStore(db);
    const t0 = performance.now();
    store.insertBars('1m', bars);
    rates.push(bars.length / ((performance.now() - t0) / 1000));
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const s = summarize(rates);
  return { name: 'store.insertBars 1m (one symbol-year, file DB, WAL)', unit: 'bars/s', median: s.median, samples: rates.length, goal: '>= 1,000,000 bars/s', extra: { bars: bars.length }, machine: machine() };
}

export async function importSpyFile(): Promise<BenchResult> {
  const text = readSpy();
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const { dir, db } = tempDb();
    const t0 = performance.now();
    const r = importHistory(new HistoryStore(db), calendar, { file: 'spy', text, format: 'ninjatrader', symbol: 'SPY' });
    rates.push(r.accepted / ((performance.now() - t0) / 1000));
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const s = summarize(rates);
  return { name: 'import SPY NinjaTrader file end to end (parse, validate, tag, insert, derive 5m/15m/1d)', unit: 'bars/s', median: s.median, samples: rates.length, machine: machine() };
}

export async function loadSymbolYear(): Promise<BenchResult> {
  const { dir, db } = tempDb();
  const store = new HistoryStore(db);
  const bars = symbolYear('SPY', 2023);
  store.insertBars('1m', bars);
  store.insertBars('1m', symbolYear('QQQ', 2023));
  const times: number[] = [];
  for (let run = 0; run < 30; run++) {
    const t0 = performance.now();
    const c = store.loadColumns('SPY', '1m');
    times.push(performance.now() - t0);
    if (c.length !== bars.length) throw new Error('short read');
  }
  db.close();
  rmSync(dir, { recursive: true, force: true });
  const s = summarize(times.slice(5));
  return { name: 'store.loadColumns one symbol-year of 1m bars', unit: 'ms', median: s.median, p99: s.p99, samples: times.length - 5, goal: '<= 30 ms', extra: { bars: bars.length }, machine: machine() };
}

export async function replayThroughput(): Promise<BenchResult> {
  const store = new HistoryStore(openDatabase(':memory:'));
  store.insertBars('1m', symbolYear('SPY', 2023));
  const rates: number[] = [];
  for (let run = 0; run < 7; run++) {
    const clock = new SimulatedClock(replayStart(calendar, '2023-01-03'));
    const feed = new ReplayFeed({ store, calendar, symbols: ['SPY'], from: '2023-01-03', to: '2023-12-29', clock, speed: 1, drive: 'manual' });
    let n = 0;
    await feed.start({ bar: () => n++, health: () => {} });
    const t0 = performance.now();
    for (let t = clock.nextTimerAt(); t !== null; t = clock.nextTimerAt()) clock.advanceTo(t);
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  const s = summarize(rates);
  return { name: 'replay through MarketFeed + simulated clock, no consumer (one symbol-year)', unit: 'bars/s', median: s.median, samples: rates.length, goal: '>= 5,000,000 bars/s', machine: machine() };
}

export const storeBenchmarks = [insertBars, importSpyFile, loadSymbolYear, replayThroughput];
