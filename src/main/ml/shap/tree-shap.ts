// Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature
// attribution for tree ensembles", Algorithm 2): per row and per output, each feature's share of
// the raw margin (log-odds for binary, per-class score for multiclass) in polynomial time.
// "Path-dependent": a feature left out follows both children weighted by their training cover, so
// the expected value is the cover-weighted mean leaf value. Rows are read with float32 semantics
// and NaN follows the default direction, exactly as `leafOf` in tree-model.ts does.

import { outputsOf, type Tree, type TreeEnsemble } from '../tree-model';

export interface ShapValues {
  rows: number;
  outputs: number;
  features: number;
  /** Row-major [rows, outputs, features]. */
  values: Float64Array;
  /** Expected raw margin per output (base score included): for every row and output,
   *  Σ_f values[row, output, f] + expected[output] = predictRaw(row)[output]. */
  expected: Float64Array;
}

export class TreeShapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeShapError';
  }
}

/** Working storage for one tree walk: the unique-path stack of Algorithm 2, one level per depth. */
interface PathStore {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function treeDepth(tree: Tree): number {
  let max = 0;
  const stack: Array<[number, number]> = [[0, 0]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    const c = tree.cover[node]!;
    if (!(c > 0) || !Number.isFinite(c)) throw new TreeShapError(`node ${node} has cover ${c}: TreeSHAP needs a positive cover on every node`);
    if (tree.feature[node]! < 0) {
      max = Math.max(max, d);
      continue;
    }
    stack.push([tree.left[node]!, d + 1], [tree.right[node]!, d + 1]);
  }
  return max;
}

function allocPath(maxDepth: number): PathStore {
  // Each recursion level copies its parent's path (≤ depth + 2 elements) into its own slice.
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
  return { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
}

function extendPath(p: PathStore, at: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[at + depth] = feature;
  p.zero[at + depth] = zero;
  p.one[at + depth] = one;
  p.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[at + i + 1]! += (one * p.weight[at + i]! * (i + 1)) / (depth + 1);
    p.weight[at + i] = (zero * p.weight[at + i]! * (depth - i)) / (depth + 1);
  }
}

function unwindPath(p: PathStore, at: number, depth: number, index: number): void {
  const one = p.one[at + index]!;
  const zero = p.zero[at + index]!;
  let next = p.weight[at + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.weight[at + i]!;
      p.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (p.weight[at + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[at + i] = (p.weight[at + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[at + i] = p.feature[at + i + 1]!;
    p.zero[at + i] = p.zero[at + i + 1]!;
    p.one[at + i] = p.one[at + i + 1]!;
  }
}

/** Σ of the path weights after unwinding `index`, without modifying the path. */
function unwoundSum(p: PathStore, at: number, depth: number, index: number): number {
  const one = p.one[at + index]!;
  const zero = p.zero[at + index]!;
  let next = p.weight[at + depth]!;
  let total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = p.weight[at + i]! - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += p.weight[at + i]! / (zero * (depth - i));
  }
  return total * (depth + 1);
}

function recurse(
  tree: Tree,
  row: ArrayLike<number>,
  rowOffset: number,
  phi: Float64Array,
  phiOffset: number,
  p: PathStore,
  node: number,
  parentAt: number,
  depth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  // This level's path lives right after the parent's (which holds depth elements).
  const at = parentAt + depth;
  for (let i = 0; i < depth; i++) {
    p.feature[at + i] = p.feature[parentAt + i]!;
    p.zero[at + i] = p.zero[parentAt + i]!;
    p.one[at + i] = p.one[parentAt + i]!;
    p.weight[at + i] = p.weight[parentAt + i]!;
  }
  extendPath(p, at, depth, zero, one, feature);

  const split = tree.feature[node]!;
  if (split < 0) {
    const v = tree.value[node]!;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(p, at, depth, i);
      phi[phiOffset + p.feature[at + i]!]! += w * (p.one[at + i]! - p.zero[at + i]!) * v;
    }
    return;
  }

  const x = Math.fround(row[rowOffset + split]!);
  const goesLeft = Number.isNaN(x) ? tree.defaultLeft[node] === 1 : x < tree.threshold[node]!;
  const hot = goesLeft ? tree.left[node]! : tree.right[node]!;
  const cold = goesLeft ? tree.right[node]! : tree.left[node]!;
  const cover = tree.cover[node]!;
  let incomingZero = 1;
  let incomingOne = 1;
  let d = depth;
  // A feature already on the path is unwound and re-entered here, so it counts once.
  for (let k = 1; k <= d; k++) {
    if (p.feature[at + k] === split) {
      incomingZero = p.zero[at + k]!;
      incomingOne = p.one[at + k]!;
      unwindPath(p, at, d, k);
      d -= 1;
      break;
    }
  }
  recurse(tree, row, rowOffset, phi, phiOffset, p, hot, at, d + 1, (tree.cover[hot]! / cover) * incomingZero, incomingOne, split);
  recurse(tree, row, rowOffset, phi, phiOffset, p, cold, at, d + 1, (tree.cover[cold]! / cover) * incomingZero, 0, split);
}

/** Expected leaf value when no feature is known: children weighted by cover / parent cover. */
export function treeExpectedValue(tree: Tree, node = 0): number {
  if (tree.feature[node]! < 0) return tree.value[node]!;
  const c = tree.cover[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  return (tree.cover[l]! / c) * treeExpectedValue(tree, l) + (tree.cover[r]! / c) * treeExpectedValue(tree, r);
}

/** Expected raw margin per output: base score plus each tree's expected value. */
export function expectedValues(m: TreeEnsemble): Float64Array {
  const k = outputsOf(m);
  const e = Float64Array.from(m.baseScore.subarray(0, k));
  for (let t = 0; t < m.trees.length; t++) e[m.treeOutput[t]!]! += treeExpectedValue(m.trees[t]!);
  return e;
}

/** Exact SHAP values of `n` rows (row-major, numFeatures each) for every output of the model. */
export function treeShap(m: TreeEnsemble, x: ArrayLike<number>, n: number): ShapValues {
  const k = outputsOf(m);
  const f = m.numFeatures;
  if (x.length < n * f) throw new TreeShapError(`expected ${n}×${f} values, got ${x.length}`);
  const values = new Float64Array(n * k * f);
  let maxDepth = 0;
  for (const tree of m.trees) if (tree.feature[0]! >= 0) maxDepth = Math.max(maxDepth, treeDepth(tree));
  const path = allocPath(maxDepth + 1);
  for (let t = 0; t < m.trees.length; t++) {
    const tree = m.trees[t]!;
    if (tree.feature[0]! < 0) continue; // a single leaf moves the expected value only
    const c = m.treeOutput[t]!;
    for (let i = 0; i < n; i++) recurse(tree, x, i * f, values, (i * k + c) * f, path, 0, 0, 0, 1, 1, -1);
  }
  return { rows: n, outputs: k, features: f, values, expected: expectedValues(m) };
}

export interface Contribution {
  feature: string;
  /** SHAP value in raw-margin units; positive pushes toward this output's class. */
  value: number;
}

/** The k features with the largest |SHAP| of one row and output, largest first. */
export function topContributors(shap: ShapValues, featureNames: readonly string[], k: number, row = 0, output = shap.outputs - 1): Contribution[] {
  const base = (row * shap.outputs + output) * shap.features;
  const all: Contribution[] = [];
  for (let j = 0; j < shap.features; j++) all.push({ feature: featureNames[j] ?? `#${j}`, value: shap.values[base + j]! });
  all.sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  return all.slice(0, Math.max(0, k));
}

export interface FeatureImportance {
  feature: string;
  /** Mean |SHAP| over the rows, summed over the outputs. */
  meanAbsShap: number;
}

/** Global importance: mean |SHAP| per feature over all rows (summed over outputs), largest first. */
export function meanAbsShap(shap: ShapValues, featureNames: readonly string[]): FeatureImportance[] {
  const sums = new Float64Array(shap.features);
  for (let i = 0; i < shap.rows * shap.outputs; i++) {
    for (let j = 0; j < shap.features; j++) sums[j]! += Math.abs(shap.values[i * shap.features + j]!);
  }
  const out: FeatureImportance[] = [];
  for (let j = 0; j < shap.features; j++) out.push({ feature: featureNames[j] ?? `#${j}`, meanAbsShap: shap.rows > 0 ? sums[j]! / shap.rows : 0 });
  return out.sort((a, b) => b.meanAbsShap - a.meanAbsShap);
}
