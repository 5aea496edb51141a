import { describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { dailyContext } from '../../../src/main/features/streaming';
import {
  buildDailyDataset,
  DAILY_FEATURE_COUNT,
  DAILY_FEATURE_SPEC,
  dailyDirection,
  dailyRows,
  dateCut,
  NightlyJob,
  scheduleNightly,
  storedDays,
} from '../../../src/main/ml/daily-model';
import { openDatabase } from '../../../src/main/store/database';
import { HistoryStore } from '../../../src/main/store/history-store';
import { syntheticDailyBars } from '../../helpers/daily-bars';

const calendar = new NyseCalendar();
const MIN = 60_000;

function storeWith(bars: Parameters<HistoryStore['insertBars']>[1]): HistoryStore {
  const store = new HistoryStore(openDatabase(':memory:'));
  store.insertBars('1d', bars);
  return store;
}

describe('daily-context dataset', () => {
  const full = syntheticDailyBars('AAA', { from: '2023-01-03', days: 300, phi: 0.3, seed: 7, calendar });

  it('when later days are added to the store then the features of every earlier day are unchanged (no look-ahead)', () => {
    const whole = buildDailyDataset(storeWith(full));
    const cutAt = 200;
    const partial = buildDailyDataset(storeWith(full.slice(0, cutAt)));
    expect(partial.n).toBeGreaterThan(150);
    expect(whole.dates.slice(0, partial.n)).toEqual(partial.dates);
    // The row of the first day beyond the partial store is also computable from the partial store alone.
    for (let i = 0; i < partial.n; i++) {
      for (let f = 0; f < DAILY_FEATURE_COUNT; f++) {
        expect(Object.is(whole.x[i * DAILY_FEATURE_COUNT + f], partial.x[i * DAILY_FEATURE_COUNT + f])).toBe(true);
      }
    }
  });

  it('when day d itself is changed then the features of day d are unchanged (they use days strictly before d)', () => {
    const days = storedDays(storeWith(full), 'AAA');
    const d = 150;
    const before = new Float64Array(DAILY_FEATURE_COUNT);
    const after = new Float64Array(DAILY_FEATURE_COUNT);
    dailyContext(days, days[d]!.date, before, 0);
    const shocked = days.map((b, i) => (i >= d ? { ...b, close: b.close * 3, high: b.high * 3, volume: b.volume * 10 } : b));
    dailyContext(shocked, days[d]!.date, after, 0);
    expect(Array.from(after)).toEqual(Array.from(before));
    const rowsA = dailyRows(days);
    const rowsB = dailyRows(shocked);
    const k = rowsA.dates.indexOf(days[d]!.date);
    expect(k).toBeGreaterThanOrEqual(0);
    expect(rowsB.x.slice(k * DAILY_FEATURE_COUNT, (k + 1) * DAILY_FEATURE_COUNT)).toEqual(rowsA.x.slice(k * DAILY_FEATURE_COUNT, (k + 1) * DAILY_FEATURE_COUNT));
  });

  it('labels each day by whether it closed above the prior close, and leaves out unchanged closes', () => {
    expect(dailyDirection(100, 101)).toBe(1);
    expect(dailyDirection(100, 99)).toBe(0);
    expect(Number.isNaN(dailyDirection(100, 100))).toBe(true);
    const days = storedDays(storeWith(full), 'AAA');
    days[100] = { ...days[100]!, close: days[99]!.close }; // an unchanged day
    const rows = dailyRows(days);
    expect(rows.dates).not.toContain(days[100]!.date);
    expect(rows.dates[0]).toBe(days[21]!.date);
    for (let k = 0; k < rows.dates.length; k++) {
      const i = days.findIndex((b) => b.date === rows.dates[k]);
      expect(rows.y[k]).toBe(days[i]!.close > days[i - 1]!.close ? 1 : 0);
      // d_ret_1 is the prior day's return, known before d's open.
      expect(rows.x[k * DAILY_FEATURE_COUNT]).toBeCloseTo(Math.log(days[i - 1]!.close / days[i - 2]!.close), 12);
    }
  });

  it('orders rows of many symbols by date and cuts the held-out days on a date boundary', () => {
    const store = storeWith([...full, ...syntheticDailyBars('BBB', { from: '2023-03-01', days: 200, phi: 0, seed: 8, calendar })]);
    const ds = buildDailyDataset(store);
    expect(ds.symbols).toEqual(['AAA', 'BBB']);
    for (let i = 1; i < ds.n; i++) expect(ds.dates[i - 1]! <= ds.dates[i]!).toBe(true);
    const cut = dateCut(ds.dates, 0, ds.n, 0.2);
    expect(ds.dates[cut - 1]! < ds.dates[cut]!).toBe(true);
    expect(DAILY_FEATURE_SPEC.names).toHaveLength(9);
  });
});

describe('nightly schedule', () => {
  // Thanksgiving week 2024: Thursday 28 closed, Friday 29 closes at 13:00.
  const start = nyWallToUtc(2024, 11, 25, 9, 0);
  const end = nyWallToUtc(2024, 12, 3, 9, 0);
  const expected = [
    ['2024-11-25', nyWallToUtc(2024, 11, 25, 16, 30)],
    ['2024-11-26', nyWallToUtc(2024, 11, 26, 16, 30)],
    ['2024-11-27', nyWallToUtc(2024, 11, 27, 16, 30)],
    ['2024-11-29', nyWallToUtc(2024, 11, 29, 13, 30)],
    ['2024-12-02', nyWallToUtc(2024, 12, 2, 16, 30)],
  ];

  it('when a week with a holiday and an early close passes then it runs once 30 minutes after each close', async () => {
    expect(calendar.session('2024-11-28')).toBeNull();
    expect(calendar.session('2024-11-29')!.earlyClose).toBe(true);
    const clock = new SimulatedClock(start);
    const runs: Array<[string, number]> = [];
    const cancel = scheduleNightly(clock, calendar, async (date) => {
      runs.push([date, clock.now()]);
    });
    for (let t = start; t <= end; t += 7 * MIN) {
      clock.advanceTo(t);
      await Promise.resolve(); // let a finished run settle, as the event loop does between clock steps
    }
    expect(runs).toEqual(expected);
    cancel();
    clock.advanceTo(end + 7 * 86_400_000);
    expect(runs).toHaveLength(5);
  });

  it('when stopped and started again, or started after a close, then no session runs twice and none late', () => {
    const clock = new SimulatedClock(nyWallToUtc(2024, 11, 25, 17, 0)); // after Monday's run time
    const runs: string[] = [];
    const job = new NightlyJob(clock, calendar, async (d) => void runs.push(d));
    job.start();
    job.start();
    expect(job.next?.sessionDate).toBe('2024-11-26');
    clock.advanceTo(nyWallToUtc(2024, 11, 26, 16, 45));
    job.stop();
    job.start();
    clock.advanceTo(nyWallToUtc(2024, 11, 26, 23, 0));
    expect(runs).toEqual(['2024-11-26']);
    expect(job.next?.sessionDate).toBe('2024-11-27');
    job.stop();
    clock.advanceTo(end);
    expect(runs).toEqual(['2024-11-26']);
  });

  it('when a run is still going at the next closes then only the newest waiting session runs after it', async () => {
    const clock = new SimulatedClock(start);
    const runs: string[] = [];
    const superseded: string[] = [];
    let release!: () => void;
    const job = new NightlyJob(
      clock,
      calendar,
      (d) => {
        runs.push(d);
        return runs.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      { onError: (d) => superseded.push(d) },
    );
    job.start();
    clock.advanceTo(nyWallToUtc(2024, 11, 27, 20, 0));
    expect(runs).toEqual(['2024-11-25']);
    expect(superseded).toEqual(['2024-11-26']);
    expect(job.running).toBe(true);
    release();
    await job.idle();
    expect(runs).toEqual(['2024-11-25', '2024-11-27']);
    expect(job.running).toBe(false);
    clock.advanceTo(nyWallToUtc(2024, 11, 29, 20, 0));
    await job.idle();
    expect(runs).toEqual(['2024-11-25', '2024-11-27', '2024-11-29']);
    job.stop();
  });

  it('when a run fails then the failure is reported and the next session still runs', async () => {
    const clock = new SimulatedClock(start);
    const runs: string[] = [];
    const failures: string[] = [];
    const job = new NightlyJob(
      clock,
      calendar,
      async (d) => {
        runs.push(d);
        if (runs.length === 1) throw new Error('disk full');
      },
      { onError: (d, e) => failures.push(`${d}: ${(e as Error).message}`) },
    );
    job.start();
    clock.advanceTo(nyWallToUtc(2024, 11, 25, 20, 0));
    await job.idle();
    clock.advanceTo(nyWallToUtc(2024, 11, 26, 20, 0));
    await job.idle();
    expect(failures).toEqual(['2024-11-25: disk full']);
    expect(runs).toEqual(['2024-11-25', '2024-11-26']);
    job.stop();
  });
});
