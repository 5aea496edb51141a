import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nyWallToUtc } from '../../../src/main/calendar/ny-time';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { labelWindowEnd } from '../../../src/main/ml/labels';
import { periodKey, purgedKFoldSplits, walkForwardSplits, type Fold } from '../../../src/main/ml/splits';

const MIN = 60_000;
const DAY = 86_400_000;
const calendar = new NyseCalendar();

interface Rows {
  start: Float64Array;
  symbol: string[];
}

/** `perDay` one-minute bars from 09:30 for each symbol on each trading day in the range, optionally shuffled. */
function rows(from: string, to: string, perDay: number, symbols = ['SPY', 'AAPL'], shuffleSeed?: number): Rows {
  const out: Array<[number, string]> = [];
  for (const date of calendar.tradingDays(from, to)) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const open = nyWallToUtc(y, m, d, 9, 30);
    for (let i = 0; i < perDay; i++) for (const s of symbols) out.push([open + i * MIN, s]);
  }
  if (shuffleSeed !== undefined) {
    let x = shuffleSeed >>> 0 || 1;
    for (let i = out.length - 1; i > 0; i--) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = (x >>> 0) % (i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return { start: Float64Array.from(out, (r) => r[0]), symbol: out.map((r) => r[1]) };
}

/** Invariants every fold must keep, whatever the options (violations collected: one expect per fold keeps it fast). */
function checkFold(f: Fold, start: ArrayLike<number>, end: ArrayLike<number>, forward: boolean): void {
  const test = new Set(f.test);
  const bad: string[] = [];
  for (const i of f.train) {
    if (test.has(i)) bad.push(`row ${i} is in train and test`);
    // The label window [start, end] never touches the test fold's span [testFrom, testLabelEnd].
    if (!(end[i]! < f.testFrom || start[i]! > f.testLabelEnd)) bad.push(`row ${i}'s label window overlaps the test fold`);
    if (forward && !(start[i]! < f.testFrom)) bad.push(`row ${i} is not before the test fold`);
  }
  for (let k = 1; k < f.train.length; k++) if (!(f.train[k]! > f.train[k - 1]!)) bad.push('train indices not ascending');
  for (let k = 1; k < f.test.length; k++) if (!(f.test[k]! > f.test[k - 1]!)) bad.push('test indices not ascending');
  expect(bad.slice(0, 5)).toEqual([]);
}

describe('period keys', () => {
  it('are the New York date, the Monday of its week, and its month', () => {
    // 19:30 New York on Wed 2024-03-06 is already 00:30 UTC on the 7th.
    const t = nyWallToUtc(2024, 3, 6, 19, 30);
    expect(new Date(t).toISOString().slice(0, 10)).toBe('2024-03-07');
    expect(periodKey(t, 'day')).toBe('2024-03-06');
    expect(periodKey(t, 'week')).toBe('2024-03-04');
    expect(periodKey(nyWallToUtc(2024, 3, 10, 12, 0), 'week')).toBe('2024-03-04'); // Sunday belongs to the week before
    expect(periodKey(t, 'month')).toBe('2024-03');
  });
});

describe('walk-forward splits', () => {
  const data = rows('2024-03-04', '2024-03-22', 30);
  const end = labelWindowEnd(data.start, data.symbol, 5);

  it('cover the test span in order, one whole day per fold, training only on the past', () => {
    const folds = walkForwardSplits(data.start, { period: 'day', window: 'expanding', trainPeriods: 3, labelEnd: end });
    const days = calendar.tradingDays('2024-03-04', '2024-03-22');
    expect(folds.map((f) => f.testPeriods)).toEqual(days.slice(3).map((d) => [d]));
    // The tests, concatenated, are every row from the fourth day on, each once.
    const tested = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
    const expected = Array.from(data.start.keys()).filter((i) => periodKey(data.start[i]!, 'day') >= days[3]!);
    expect(tested).toEqual(expected);
    for (let k = 1; k < folds.length; k++) expect(folds[k]!.testFrom).toBeGreaterThan(folds[k - 1]!.testTo);
    // Expanding: fold k trains on every earlier day.
    folds.forEach((f, k) => expect(f.trainPeriods).toEqual(days.slice(0, 3 + k)));
    for (const f of folds) checkFold(f, data.start, end, true);
  });

  it('purge nothing for day folds when labels stop at the close', () => {
    const folds = walkForwardSplits(data.start, { period: 'day', window: 'rolling', trainPeriods: 2, labelEnd: end });
    expect(folds.every((f) => f.purged === 0)).toBe(true);
    expect(folds.every((f) => f.train.length === 2 * 30 * 2)).toBe(true);
  });

  it('purge exactly the training rows whose label reaches into the test fold', () => {
    // A label of 23 h 50 min reaches from yesterday's last 20 minutes into this morning's session.
    const horizonMs = 23 * 3_600_000 + 50 * MIN;
    const folds = walkForwardSplits(data.start, { period: 'day', window: 'rolling', trainPeriods: 2, horizonMs });
    for (const f of folds) {
      checkFold(f, data.start, Float64Array.from(data.start, (s) => s + horizonMs), true);
      // The rows kept plus the rows purged are the two previous days; the purged ones overlap.
      const lastTrainDay = f.trainPeriods[1]!;
      const overlapping = Array.from(data.start.keys()).filter((i) => periodKey(data.start[i]!, 'day') === lastTrainDay && data.start[i]! + horizonMs >= f.testFrom);
      expect(f.purged).toBe(overlapping.length);
    }
    // Monday's test purges nothing (Friday's labels end on Saturday); Tuesday's purges 20 minutes × 2 symbols.
    const byDay = new Map(folds.map((f) => [f.testPeriods[0], f.purged]));
    expect(byDay.get('2024-03-11')).toBe(0);
    expect(byDay.get('2024-03-12')).toBe(40);
  });

  it('embargo the last E bars before the test fold', () => {
    const folds = walkForwardSplits(data.start, { period: 'week', window: 'expanding', trainPeriods: 1, labelEnd: end, embargoBars: 7 });
    expect(folds.map((f) => f.testPeriods)).toEqual([['2024-03-11'], ['2024-03-18']]);
    for (const f of folds) {
      // Two symbols × 7 minutes at the end of the previous Friday.
      expect(f.embargoed).toBe(14);
      const lastTrain = Math.max(...Array.from(f.train, (i) => data.start[i]!));
      const friday = periodKey(lastTrain, 'day');
      const [y, m, d] = friday.split('-').map(Number) as [number, number, number];
      expect(lastTrain).toBe(nyWallToUtc(y, m, d, 9, 30) + (30 - 7 - 1) * MIN);
    }
  });

  it('rolling windows keep the last N periods; monthly folds step by months', () => {
    const long = rows('2024-01-02', '2024-06-28', 3, ['SPY']);
    const lEnd = labelWindowEnd(long.start, long.symbol, 2);
    const folds = walkForwardSplits(long.start, { period: 'month', window: 'rolling', trainPeriods: 2, testPeriods: 2, labelEnd: lEnd });
    expect(folds.map((f) => [f.trainPeriods, f.testPeriods])).toEqual([
      [['2024-01', '2024-02'], ['2024-03', '2024-04']],
      [['2024-03', '2024-04'], ['2024-05', '2024-06']],
    ]);
    for (const f of folds) checkFold(f, long.start, lEnd, true);
  });

  it('refuse to split without knowing the label windows', () => {
    expect(() => walkForwardSplits(data.start, { period: 'day', window: 'rolling', trainPeriods: 1 })).toThrow(/labelEnd or horizonMs/);
  });
});

describe('purged k-fold', () => {
  it('trains on both sides without any label window touching the test fold, embargoed after it', () => {
    const data = rows('2024-03-04', '2024-03-15', 20);
    const horizonMs = 18 * 3_600_000;
    const embargoMs = 10 * MIN + DAY;
    const folds = purgedKFoldSplits(data.start, { period: 'day', folds: 5, horizonMs, embargoMs });
    const end = Float64Array.from(data.start, (s) => s + horizonMs);
    // The test folds partition the rows, in order.
    expect(folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b)).toEqual(Array.from(data.start.keys()));
    for (let k = 1; k < folds.length; k++) expect(folds[k]!.testFrom).toBeGreaterThan(folds[k - 1]!.testTo);
    for (const f of folds) {
      checkFold(f, data.start, end, false);
      for (const i of f.train) expect(data.start[i]! > f.testTo && data.start[i]! <= f.testTo + embargoMs).toBe(false);
      expect(f.train.length + f.test.length + f.purged + f.embargoed).toBe(data.start.length);
    }
    // A middle fold has training data on both sides.
    const mid = folds[2]!;
    expect(Array.from(mid.train).some((i) => data.start[i]! < mid.testFrom)).toBe(true);
    expect(Array.from(mid.train).some((i) => data.start[i]! > mid.testTo)).toBe(true);
    expect(mid.embargoed).toBeGreaterThan(0);
  });
});

describe('split invariants, by property', () => {
  it('hold for any row order, horizon, embargo and window', () => {
    const base = rows('2024-04-01', '2024-04-19', 6, ['A', 'B', 'C']);
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          horizonMin: fc.integer({ min: 0, max: 3000 }),
          embargo: fc.integer({ min: 0, max: 10 }),
          trainPeriods: fc.integer({ min: 1, max: 4 }),
          testPeriods: fc.integer({ min: 1, max: 3 }),
          rolling: fc.boolean(),
          period: fc.constantFrom('day' as const, 'week' as const),
        }),
        ({ seed, horizonMin, embargo, trainPeriods, testPeriods, rolling, period }) => {
          const data = rows('2024-04-01', '2024-04-19', 6, ['A', 'B', 'C'], seed);
          expect(data.start.length).toBe(base.start.length);
          const horizonMs = horizonMin * MIN;
          const end = Float64Array.from(data.start, (s) => s + horizonMs);
          const folds = walkForwardSplits(data.start, { period, window: rolling ? 'rolling' : 'expanding', trainPeriods, testPeriods, horizonMs, embargoBars: embargo });
          for (const f of folds) {
            checkFold(f, data.start, end, true);
            if (f.index > 0) expect(f.testFrom).toBeGreaterThan(folds[f.index - 1]!.testTo);
          }
          const tested = folds.reduce((a, f) => a + f.test.length, 0);
          const firstTest = folds[0] ? folds[0].testPeriods[0]! : '9999';
          expect(tested).toBe(Array.from(data.start).filter((s) => periodKey(s, period) >= firstTest).length);
        },
      ),
      { numRuns: 40 },
    );
  });
});
