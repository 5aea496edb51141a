// Walk-forward and purged k-fold splits over a dataset's row timestamps, by New York day, week or
// month, returning row-index arrays. Purging drops every training row whose label window
// [start, labelEnd] touches the test fold; the embargo drops more rows next to the test fold, counted
// in bars (distinct row timestamps) or in milliseconds. Rows may mix symbols and need not be sorted.
//
// - Test fold span: from its first row's start to the latest label end of its rows. A training row
//   overlaps when its window intersects that span: labelEnd ≥ testFrom and start ≤ testLabelEnd.
// - Walk-forward trains only on rows before the test fold; its embargo is a gap of E bars (or ms)
//   right before the test fold's first row.
// - Purged k-fold trains on both sides; its embargo drops rows within E bars (or ms) after the test
//   fold's last row, whose features may still carry the test period (rolling windows).
import { nyDateKey, weekdayOf, addDays } from '../calendar/ny-time';

export type FoldPeriod = 'day' | 'week' | 'month';

export interface LabelWindows {
  /** Per row, the start of the last bar its label uses (labels.ts `end`/`touchTime`, `labelWindowEnd`). NaN = no forward window. */
  labelEnd?: ArrayLike<number>;
  /** Or a fixed label horizon in ms: labelEnd = start + horizonMs. */
  horizonMs?: number;
  /** Embargo in bars: distinct row timestamps. */
  embargoBars?: number;
  /** Or in ms. */
  embargoMs?: number;
}

export interface WalkForwardOptions extends LabelWindows {
  period: FoldPeriod;
  /** 'rolling' trains on the last `trainPeriods` periods; 'expanding' on everything before the test fold. */
  window: 'rolling' | 'expanding';
  /** Rolling: training length in periods. Expanding: periods before the first test fold. */
  trainPeriods: number;
  /** Periods per test fold (default 1); folds step by this much. */
  testPeriods?: number;
}

export interface KFoldOptions extends LabelWindows {
  period: FoldPeriod;
  /** Number of folds; each is a contiguous block of whole periods. */
  folds: number;
}

export interface Fold {
  index: number;
  train: Int32Array;
  test: Int32Array;
  /** Period keys of the test fold, in order (YYYY-MM-DD, week's Monday, or YYYY-MM). */
  testPeriods: string[];
  trainPeriods: string[];
  /** First and last test row start, and the latest label end of the test rows. */
  testFrom: number;
  testTo: number;
  testLabelEnd: number;
  /** Candidate training rows dropped by purging and by the embargo. */
  purged: number;
  embargoed: number;
}

/** The period a timestamp falls in: New York date, the Monday of its week, or its month. */
export function periodKey(utcMs: number, period: FoldPeriod): string {
  const date = nyDateKey(utcMs);
  if (period === 'day') return date;
  if (period === 'month') return date.slice(0, 7);
  return addDays(date, -((weekdayOf(date) + 6) % 7));
}

interface Prepared {
  n: number;
  start: ArrayLike<number>;
  end: Float64Array;
  keys: string[];
  rowsByPeriod: number[][];
  /** Sorted distinct row timestamps (the bar grid for the embargo). */
  grid: Float64Array;
}

function prepare(start: ArrayLike<number>, period: FoldPeriod, w: LabelWindows): Prepared {
  const n = start.length;
  if (w.labelEnd === undefined && w.horizonMs === undefined) throw new RangeError('purging needs labelEnd or horizonMs (use horizonMs: 0 for labels at t only)');
  if (w.labelEnd !== undefined && w.labelEnd.length !== n) throw new RangeError(`labelEnd has ${w.labelEnd.length} values for ${n} rows`);
  if (w.embargoBars !== undefined && w.embargoMs !== undefined) throw new RangeError('give embargoBars or embargoMs, not both');
  const end = new Float64Array(n);
  const keyOf = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const s = start[i]!;
    if (!Number.isFinite(s)) throw new RangeError(`row ${i} has no valid start time`);
    const e = w.labelEnd !== undefined ? w.labelEnd[i]! : s + w.horizonMs!;
    if (e < s) throw new RangeError(`row ${i}'s label ends before it starts`);
    end[i] = Number.isNaN(e) ? s : e;
    const k = periodKey(s, period);
    let rows = keyOf.get(k);
    if (!rows) keyOf.set(k, (rows = []));
    rows.push(i);
  }
  const keys = [...keyOf.keys()].sort();
  const grid = Float64Array.from(new Set(Array.from(start))).sort();
  return { n, start, end, keys, rowsByPeriod: keys.map((k) => keyOf.get(k)!), grid };
}

/** Index of the first grid value ≥ x. */
function lowerBound(grid: Float64Array, x: number): number {
  let lo = 0;
  let hi = grid.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (grid[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function testSpan(p: Prepared, test: Int32Array): { from: number; to: number; labelEnd: number } {
  let from = Infinity;
  let to = -Infinity;
  let labelEnd = -Infinity;
  for (const i of test) {
    from = Math.min(from, p.start[i]!);
    to = Math.max(to, p.start[i]!);
    labelEnd = Math.max(labelEnd, p.end[i]!);
  }
  return { from, to, labelEnd };
}

function sortedRows(p: Prepared, from: number, to: number): Int32Array {
  const rows: number[] = [];
  for (let k = from; k < to; k++) for (const i of p.rowsByPeriod[k]!) rows.push(i);
  return Int32Array.from(rows).sort();
}

/**
 * Walk-forward folds: each test fold is `testPeriods` whole periods; training is the periods before
 * it (rolling or expanding), purged of rows whose labels reach into the test fold and embargoed
 * for the last E bars (or ms) before the test fold starts.
 */
export function walkForwardSplits(start: ArrayLike<number>, opts: WalkForwardOptions): Fold[] {
  const tp = opts.testPeriods ?? 1;
  if (!Number.isInteger(opts.trainPeriods) || opts.trainPeriods < 1) throw new RangeError(`trainPeriods must be an integer ≥ 1, got ${opts.trainPeriods}`);
  if (!Number.isInteger(tp) || tp < 1) throw new RangeError(`testPeriods must be an integer ≥ 1, got ${tp}`);
  const p = prepare(start, opts.period, opts);
  const folds: Fold[] = [];
  for (let f = opts.trainPeriods; f < p.keys.length; f += tp) {
    const testEnd = Math.min(f + tp, p.keys.length);
    const test = sortedRows(p, f, testEnd);
    const span = testSpan(p, test);
    // Rows starting at or after the cut are inside the embargo gap.
    let cut = span.from;
    if (opts.embargoBars !== undefined) cut = p.grid[Math.max(0, lowerBound(p.grid, span.from) - opts.embargoBars)]!;
    else if (opts.embargoMs !== undefined) cut = span.from - opts.embargoMs;
    const trainFrom = opts.window === 'rolling' ? f - opts.trainPeriods : 0;
    const train: number[] = [];
    let purged = 0;
    let embargoed = 0;
    for (const i of sortedRows(p, trainFrom, f)) {
      if (p.end[i]! >= span.from && p.start[i]! <= span.labelEnd) purged++;
      else if (p.start[i]! >= cut) embargoed++;
      else train.push(i);
    }
    folds.push({
      index: folds.length,
      train: Int32Array.from(train),
      test,
      testPeriods: p.keys.slice(f, testEnd),
      trainPeriods: p.keys.slice(trainFrom, f),
      testFrom: span.from,
      testTo: span.to,
      testLabelEnd: span.labelEnd,
      purged,
      embargoed,
    });
  }
  return folds;
}

/**
 * Purged k-fold (López de Prado): the periods are cut into `folds` contiguous blocks; each block is
 * tested once with every other row as training, minus rows whose label windows overlap the test
 * fold and rows within the embargo after it.
 */
export function purgedKFoldSplits(start: ArrayLike<number>, opts: KFoldOptions): Fold[] {
  const p = prepare(start, opts.period, opts);
  const k = opts.folds;
  if (!Number.isInteger(k) || k < 2 || k > p.keys.length) throw new RangeError(`folds must be an integer from 2 to the ${p.keys.length} periods, got ${k}`);
  const out: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const from = Math.floor((f * p.keys.length) / k);
    const to = Math.floor(((f + 1) * p.keys.length) / k);
    const test = sortedRows(p, from, to);
    const span = testSpan(p, test);
    let embargoEnd = span.to;
    if (opts.embargoBars !== undefined) {
      const at = lowerBound(p.grid, span.to);
      embargoEnd = p.grid[Math.min(p.grid.length - 1, at + opts.embargoBars)]!;
    } else if (opts.embargoMs !== undefined) embargoEnd = span.to + opts.embargoMs;
    const train: number[] = [];
    let purged = 0;
    let embargoed = 0;
    const before = sortedRows(p, 0, from);
    const after = sortedRows(p, to, p.keys.length);
    const candidates = new Int32Array(before.length + after.length);
    candidates.set(before);
    candidates.set(after, before.length);
    for (const i of candidates.sort()) {
      const s = p.start[i]!;
      if (p.end[i]! >= span.from && s <= span.labelEnd) purged++;
      else if (s > span.to && s <= embargoEnd) embargoed++;
      else train.push(i);
    }
    out.push({
      index: f,
      train: Int32Array.from(train),
      test,
      testPeriods: p.keys.slice(from, to),
      trainPeriods: [...p.keys.slice(0, from), ...p.keys.slice(to)],
      testFrom: span.from,
      testTo: span.to,
      testLabelEnd: span.labelEnd,
      purged,
      embargoed,
    });
  }
  return out;
}
