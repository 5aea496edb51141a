// Loss functions: base scores, gradient/hessian per row, and log loss. Conventions follow XGBoost:
// binary logistic h = p(1-p); multiclass softmax h = 2p(1-p) (XGBoost's multi:softprob factor, so
// eta and min_child_weight mean what they mean there); hessians floored at 1e-16.
import type { Objective } from '../tree-model';

const HESSIAN_FLOOR = 1e-16;
/** Probabilities are clipped to [EPS, 1] inside log loss, as scikit-learn does. */
const PROB_EPS = 1e-15;
const PRIOR_FLOOR = 1e-12;

/**
 * Raw score before any tree, rounded to float32 (as ONNX stores it). Binary: log-odds of the
 * weighted positive rate. Multiclass: log of the weighted class priors (softmax is shift-invariant,
 * so this starts every row at the priors).
 */
export function baseScore(objective: Objective, y: ArrayLike<number>, weight: Float64Array, n: number, numClass: number): Float64Array {
  const mass = new Float64Array(numClass);
  let total = 0;
  for (let i = 0; i < n; i++) {
    mass[y[i]!]! += weight[i]!;
    total += weight[i]!;
  }
  if (!(total > 0)) throw new RangeError('the sample weights sum to zero');
  if (objective === 'binary') {
    const p = Math.min(1 - PRIOR_FLOOR, Math.max(PRIOR_FLOOR, mass[1]! / total));
    return Float64Array.of(Math.fround(Math.log(p / (1 - p))));
  }
  const out = new Float64Array(numClass);
  for (let c = 0; c < numClass; c++) out[c] = Math.fround(Math.log(Math.max(PRIOR_FLOOR, mass[c]! / total)));
  return out;
}

/**
 * Gradient/hessian pairs of rows i0..i1 as JavaScript source, so that it runs in the histogram
 * workers too: `gradientRows(multiclass, k, margins, y, weight, gh, n, i0, i1)` writes class c's pair
 * of row i at gh[c·2n + 2i] and returns the rows' weighted log loss (one log per row).
 */
export const GRADIENT_SOURCE = String.raw`
function gradientRows(multiclass, k, margins, y, weight, gh, n, i0, i1) {
  var loss = 0, i, w, label, p;
  if (!multiclass) {
    for (i = i0; i < i1; i++) {
      w = weight[i];
      p = 1 / (1 + Math.exp(-margins[i]));
      label = y[i];
      gh[2 * i] = (p - label) * w;
      gh[2 * i + 1] = Math.max(p * (1 - p) * w, ${HESSIAN_FLOOR});
      loss -= w * Math.log(Math.max(${PROB_EPS}, label === 1 ? p : 1 - p));
    }
    return loss;
  }
  var stride = 2 * n, e = new Float64Array(k), c, o, max, top, sum;
  for (i = i0; i < i1; i++) {
    o = i * k;
    max = margins[o];
    top = 0;
    for (c = 1; c < k; c++) if (margins[o + c] > max) { max = margins[o + c]; top = c; }
    sum = 0;
    // exp(0) = 1 exactly: one exp fewer per row.
    for (c = 0; c < k; c++) sum += e[c] = c === top ? 1 : Math.exp(margins[o + c] - max);
    w = weight[i];
    label = y[i];
    for (c = 0; c < k; c++) {
      p = e[c] / sum;
      gh[c * stride + 2 * i] = (c === label ? p - 1 : p) * w;
      gh[c * stride + 2 * i + 1] = Math.max(2 * p * (1 - p) * w, ${HESSIAN_FLOOR});
    }
    loss -= w * Math.log(Math.max(${PROB_EPS}, e[label] / sum));
  }
  return loss;
}
`;

/** Weighted mean log loss of raw scores (binary: n margins; multiclass: n×numClass row-major). */
export function logLossFromMargins(
  objective: Objective,
  margins: Float64Array,
  y: ArrayLike<number>,
  weight: ArrayLike<number> | null,
  n: number,
  numClass: number,
): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weight ? weight[i]! : 1;
    const label = y[i]!;
    let p: number;
    if (objective === 'binary') {
      const q = 1 / (1 + Math.exp(-margins[i]!));
      p = label === 1 ? q : 1 - q;
    } else {
      const o = i * numClass;
      let max = -Infinity;
      for (let c = 0; c < numClass; c++) max = Math.max(max, margins[o + c]!);
      let sum = 0;
      for (let c = 0; c < numClass; c++) sum += Math.exp(margins[o + c]! - max);
      p = Math.exp(margins[o + label]! - max) / sum;
    }
    loss -= w * Math.log(Math.max(PROB_EPS, p));
    total += w;
  }
  return loss / total;
}

/**
 * Weighted mean log loss of class probabilities, row-major [n, numClass] as `predictProba` returns
 * them (binary: [1 - p, p]); probabilities are clipped to [1e-15, 1].
 */
export function logLoss(y: ArrayLike<number>, proba: ArrayLike<number>, numClass: number, weight?: ArrayLike<number>): number {
  const n = y.length;
  if (proba.length !== n * numClass) throw new RangeError(`proba has ${proba.length} values, expected ${n * numClass}`);
  let loss = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weight ? weight[i]! : 1;
    const label = y[i]!;
    if (!(label >= 0 && label < numClass && Number.isInteger(label))) throw new RangeError(`label ${label} out of range`);
    loss -= w * Math.log(Math.max(PROB_EPS, proba[i * numClass + label]!));
    total += w;
  }
  return loss / total;
}
