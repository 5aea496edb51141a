// Out-of-sample evaluation of classifier probabilities: proper scores (log loss, Brier), calibration
// (reliability curve, ECE), classification counts, and what a trader would do with the signals
// (precision@k, and hit rate / profit factor / mean return of the top-scored signals after costs).
//
// Conventions:
// - `y` holds class indices 0 … K-1; rows whose label is NaN have no outcome and are skipped.
// - `probs` is either one value per row, P(class 1), for binary models, or row-major n×K class
//   probabilities. A NaN probability is a bug upstream and throws.
// - Predicted class = argmax; ties go to the lower class (binary: class 1 only when p > 0.5).

export interface ProbView {
  n: number;
  k: number;
  /** P(class c) of row i. */
  at(i: number, c: number): number;
}

/** Reads `probs` as binary P(class 1) (length n, k = 2) or row-major n×k. */
export function probView(probs: ArrayLike<number>, n: number, k = 2): ProbView {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`need at least 2 classes, got ${k}`);
  if (k === 2 && probs.length === n) return { n, k, at: (i, c) => (c === 1 ? probs[i]! : 1 - probs[i]!) };
  if (probs.length !== n * k) throw new RangeError(`expected ${n} or ${n}×${k} probabilities, got ${probs.length}`);
  return { n, k, at: (i, c) => probs[i * k + c]! };
}

function labelOf(y: ArrayLike<number>, i: number, k: number): number {
  const v = y[i]!;
  if (Number.isNaN(v)) return -1;
  if (!Number.isInteger(v) || v < 0 || v >= k) throw new RangeError(`label ${v} at row ${i} is not a class 0…${k - 1}`);
  return v;
}

function checkProb(p: number, i: number): number {
  if (Number.isNaN(p)) throw new RangeError(`probability at row ${i} is NaN`);
  return p;
}

function argmax(v: ProbView, i: number): number {
  let best = 0;
  let bp = checkProb(v.at(i, 0), i);
  for (let c = 1; c < v.k; c++) {
    const p = checkProb(v.at(i, c), i);
    if (p > bp) {
      bp = p;
      best = c;
    }
  }
  return best;
}

/** Argmax class per row (ties to the lower class). */
export function predictedClasses(probs: ArrayLike<number>, n: number, k = 2): Int32Array {
  const v = probView(probs, n, k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmax(v, i);
  return out;
}

/** Mean negative log-likelihood of the true class, its probability clipped to [eps, 1 - eps]. */
export function logLoss(y: ArrayLike<number>, probs: ArrayLike<number>, k = 2, eps = 1e-15): number {
  const v = probView(probs, y.length, k);
  let sum = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    const c = labelOf(y, i, k);
    if (c < 0) continue;
    const p = Math.min(1 - eps, Math.max(eps, checkProb(v.at(i, c), i)));
    sum -= Math.log(p);
    m++;
  }
  return m === 0 ? Number.NaN : sum / m;
}

/** Binary: mean (p - y)². Multiclass: mean Σ_c (p_c - 1[y = c])², in [0, 2]. */
export function brierScore(y: ArrayLike<number>, probs: ArrayLike<number>, k = 2): number {
  const v = probView(probs, y.length, k);
  const binary = k === 2 && probs.length === y.length;
  let sum = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    const c = labelOf(y, i, k);
    if (c < 0) continue;
    if (binary) sum += (checkProb(v.at(i, 1), i) - c) ** 2;
    else for (let j = 0; j < k; j++) sum += (checkProb(v.at(i, j), i) - (j === c ? 1 : 0)) ** 2;
    m++;
  }
  return m === 0 ? Number.NaN : sum / m;
}

export function accuracy(y: ArrayLike<number>, probs: ArrayLike<number>, k = 2): number {
  const v = probView(probs, y.length, k);
  let hit = 0;
  let m = 0;
  for (let i = 0; i < y.length; i++) {
    const c = labelOf(y, i, k);
    if (c < 0) continue;
    if (argmax(v, i) === c) hit++;
    m++;
  }
  return m === 0 ? Number.NaN : hit / m;
}

/** K×K counts: rows are the true class, columns the predicted class. */
export function confusionMatrix(y: ArrayLike<number>, predicted: ArrayLike<number>, k = 2): number[][] {
  if (predicted.length !== y.length) throw new RangeError(`${predicted.length} predictions for ${y.length} labels`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) {
    const c = labelOf(y, i, k);
    if (c < 0) continue;
    const p = predicted[i]!;
    if (!Number.isInteger(p) || p < 0 || p >= k) throw new RangeError(`prediction ${p} at row ${i} is not a class 0…${k - 1}`);
    m[c]![p]!++;
  }
  return m;
}

export interface ClassificationReport {
  n: number;
  accuracy: number;
  confusion: number[][];
  /** Per class; NaN when the class was never predicted (precision) or never true (recall). */
  precision: number[];
  recall: number[];
  f1: number[];
  /** True rows per class. */
  support: number[];
}

export function classificationReport(y: ArrayLike<number>, probs: ArrayLike<number>, k = 2): ClassificationReport {
  const confusion = confusionMatrix(y, predictedClasses(probs, y.length, k), k);
  const support = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const predictedCount = confusion[0]!.map((_, c) => confusion.reduce((a, row) => a + row[c]!, 0));
  const n = support.reduce((a, b) => a + b, 0);
  const correct = confusion.reduce((a, row, c) => a + row[c]!, 0);
  const precision = confusion.map((row, c) => (predictedCount[c]! > 0 ? row[c]! / predictedCount[c]! : Number.NaN));
  const recall = confusion.map((row, c) => (support[c]! > 0 ? row[c]! / support[c]! : Number.NaN));
  const f1 = precision.map((p, c) => (p + recall[c]! > 0 ? (2 * p * recall[c]!) / (p + recall[c]!) : Number.NaN));
  return { n, accuracy: n > 0 ? correct / n : Number.NaN, confusion, precision, recall, f1, support };
}

/** Rows with a finite score (and label/return where given) ranked by score, highest first; ties by row. */
function ranked(score: ArrayLike<number>, keep: (i: number) => boolean): number[] {
  const rows: number[] = [];
  for (let i = 0; i < score.length; i++) if (Number.isFinite(score[i]!) && keep(i)) rows.push(i);
  return rows.sort((a, b) => score[b]! - score[a]! || a - b);
}

/** Share of the top-k rows by `score` (e.g. P(buy)) whose true class is `positive`. */
export function precisionAtK(y: ArrayLike<number>, score: ArrayLike<number>, topK: number, positive = 1): number {
  if (score.length !== y.length) throw new RangeError(`${score.length} scores for ${y.length} labels`);
  const rows = ranked(score, (i) => !Number.isNaN(y[i]!)).slice(0, topK);
  if (rows.length === 0) return Number.NaN;
  return rows.filter((i) => y[i] === positive).length / rows.length;
}

export interface SignalStats {
  /** Signals taken (the top fraction of rows with a score and a forward return). */
  count: number;
  /** Lowest score taken. */
  scoreCut: number;
  /** Share of trades with a positive return after costs. */
  hitRate: number;
  /** Mean trade return after costs. */
  avgReturn: number;
  /** Σ winning returns / Σ |losing returns| after costs; Infinity without losers, NaN without trades. */
  profitFactor: number;
}

export interface SignalOptions {
  /** Share of rows taken, best scores first (default 0.1: the top decile). */
  fraction?: number;
  /** Round-trip cost per trade in return units, subtracted from each trade. */
  cost: number;
  /** 1: the score asks to buy (trade return = forward return); -1: to sell short (= −forward return). */
  direction?: 1 | -1;
}

/** What trading the top-scored signals would have earned: each trade's forward return, after costs. */
export function topSignalStats(score: ArrayLike<number>, forwardReturn: ArrayLike<number>, opts: SignalOptions): SignalStats {
  if (score.length !== forwardReturn.length) throw new RangeError(`${score.length} scores for ${forwardReturn.length} returns`);
  const fraction = opts.fraction ?? 0.1;
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1], got ${fraction}`);
  const dir = opts.direction ?? 1;
  const rows = ranked(score, (i) => Number.isFinite(forwardReturn[i]!));
  const take = rows.slice(0, Math.max(rows.length > 0 ? 1 : 0, Math.floor(fraction * rows.length)));
  if (take.length === 0) return { count: 0, scoreCut: Number.NaN, hitRate: Number.NaN, avgReturn: Number.NaN, profitFactor: Number.NaN };
  let wins = 0;
  let gain = 0;
  let loss = 0;
  let sum = 0;
  for (const i of take) {
    const r = dir * forwardReturn[i]! - opts.cost;
    sum += r;
    if (r > 0) {
      wins++;
      gain += r;
    } else loss -= r;
  }
  return {
    count: take.length,
    scoreCut: score[take[take.length - 1]!]!,
    hitRate: wins / take.length,
    avgReturn: sum / take.length,
    profitFactor: loss > 0 ? gain / loss : gain > 0 ? Infinity : Number.NaN,
  };
}

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Observed frequency of the positive class in the bin (NaN when empty). */
  observed: number;
}

/**
 * Reliability curve of binary P(class 1): equal-width bins on [0, 1] ('uniform') or bins holding
 * equal counts ('quantile'). Every bin is returned, empty ones with count 0.
 */
export function reliabilityCurve(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10, strategy: 'uniform' | 'quantile' = 'uniform'): ReliabilityBin[] {
  if (p.length !== y.length) throw new RangeError(`${p.length} probabilities for ${y.length} labels`);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer ≥ 1, got ${bins}`);
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (labelOf(y, i, 2) < 0) continue;
    checkProb(p[i]!, i);
    rows.push(i);
  }
  let edges: number[];
  if (strategy === 'uniform') edges = Array.from({ length: bins + 1 }, (_, b) => b / bins);
  else {
    const sorted = rows.map((i) => p[i]!).sort((a, b) => a - b);
    edges = Array.from({ length: bins + 1 }, (_, b) => (sorted.length === 0 ? b / bins : quantileSorted(sorted, b / bins)));
    edges[0] = Math.min(0, edges[0]!);
    edges[bins] = Math.max(1, edges[bins]!);
  }
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  for (const i of rows) {
    const b = binOf(edges, p[i]!);
    count[b]!++;
    sumP[b]! += p[i]!;
    sumY[b]! += y[i]!;
  }
  return count.map((c, b) => ({
    lower: edges[b]!,
    upper: edges[b + 1]!,
    count: c,
    meanPredicted: c > 0 ? sumP[b]! / c : Number.NaN,
    observed: c > 0 ? sumY[b]! / c : Number.NaN,
  }));
}

/** Bin b holds edges[b] ≤ x < edges[b+1]; the last bin also holds its upper edge. */
function binOf(edges: number[], x: number): number {
  const bins = edges.length - 1;
  let lo = 0;
  let hi = bins - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (x >= edges[mid]!) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Linear-interpolated quantile of sorted values (NumPy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Expected calibration error over equal-width bins: Σ_b (n_b / N)·|observed_b − meanPredicted_b|.
 * Binary: of P(class 1). Multiclass: top-label (confidence = max probability, observed = accuracy).
 */
export function expectedCalibrationError(y: ArrayLike<number>, probs: ArrayLike<number>, k = 2, bins = 15): number {
  const n = y.length;
  if (k === 2 && probs.length === n) return eceOf(reliabilityCurve(y, probs, bins));
  const v = probView(probs, n, k);
  const conf: number[] = [];
  const correct: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = labelOf(y, i, k);
    if (c < 0) continue;
    const top = argmax(v, i);
    conf.push(v.at(i, top));
    correct.push(top === c ? 1 : 0);
  }
  return eceOf(reliabilityCurve(correct, conf, bins));
}

function eceOf(curve: ReliabilityBin[]): number {
  const total = curve.reduce((a, b) => a + b.count, 0);
  if (total === 0) return Number.NaN;
  return curve.reduce((a, b) => (b.count > 0 ? a + (b.count / total) * Math.abs(b.observed - b.meanPredicted) : a), 0);
}
