// The gradient-boosted tree ensemble as the trainer produces it and every consumer reads it: the
// ONNX exporter, TreeSHAP, the registry. Flat typed arrays per tree; node 0 is the root.
// Split rule (as XGBoost and ONNX BRANCH_LT): x < threshold goes left; a missing value (NaN) goes
// the tree's learned default direction. Thresholds are float32 values, because inference runs on
// float32 inputs (onnxruntime), so the trainer's own predictions and ONNX's take the same branches.

export type Objective = 'binary' | 'multiclass';

export interface Tree {
  /** Split feature per node; -1 marks a leaf. */
  feature: Int32Array;
  /** Split threshold (a float32 value) per node; unused on leaves. */
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** 1 when a missing value goes left. */
  defaultLeft: Uint8Array;
  /** Leaf value (raw-score contribution, learning rate applied) per node; 0 on internal nodes. */
  value: Float64Array;
  /** Sum of hessians of the training rows reaching each node (TreeSHAP's cover). */
  cover: Float64Array;
  /** Gain of the split at each node (0 on leaves), for gain importance. */
  gain: Float64Array;
}

export interface TreeEnsemble {
  objective: Objective;
  /** Number of classes: 2 for binary (one raw score), K ≥ 3 for multiclass (K raw scores). */
  numClass: number;
  numFeatures: number;
  featureNames: string[];
  /** Raw score before any tree, per output (binary: 1 output, log-odds; multiclass: K). */
  baseScore: Float64Array;
  trees: Tree[];
  /** The output (class) each tree adds to: 0 for binary, k for multiclass. */
  treeOutput: Int32Array;
  /** Class labels in output order (e.g. [0, 1] or [0, 1, 2]). */
  classLabels: number[];
}

export function outputsOf(m: TreeEnsemble): number {
  return m.objective === 'binary' ? 1 : m.numClass;
}

/** Leaf reached by one row (float32 semantics: the row is rounded to float32 first). */
export function leafOf(tree: Tree, row: ArrayLike<number>, offset = 0): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    const x = Math.fround(row[offset + tree.feature[node]!]!);
    if (Number.isNaN(x)) node = tree.defaultLeft[node] ? tree.left[node]! : tree.right[node]!;
    else node = x < tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** Raw scores (margins) of `n` rows of `numFeatures` values each, row-major. */
export function predictRaw(m: TreeEnsemble, x: ArrayLike<number>, n: number): Float64Array {
  const k = outputsOf(m);
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = m.baseScore[c]!;
  for (let t = 0; t < m.trees.length; t++) {
    const tree = m.trees[t]!;
    const c = m.treeOutput[t]!;
    for (let i = 0; i < n; i++) out[i * k + c]! += tree.value[leafOf(tree, x, i * m.numFeatures)]!;
  }
  return out;
}

/** Class probabilities, row-major [n, numClass] (binary: [1 - p, p]). */
export function predictProba(m: TreeEnsemble, x: ArrayLike<number>, n: number): Float64Array {
  return probaFromRaw(m, predictRaw(m, x, n), n);
}

/** Class probabilities from raw margins: sigmoid for binary ([1 - p, p]), softmax for multiclass. */
export function probaFromRaw(m: TreeEnsemble, raw: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * m.numClass);
  if (m.objective === 'binary') {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
    }
    return out;
  }
  const k = m.numClass;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, raw[i * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[i * k + c] = Math.exp(raw[i * k + c]! - max);
    for (let c = 0; c < k; c++) out[i * k + c]! /= sum;
  }
  return out;
}
