// Seeded random tree ensembles and input rows for the ONNX, TreeSHAP and inference tests and the
// inference benchmark. Thresholds come from a small float32 grid that the rows also draw from, so
// many inputs sit exactly on a threshold; rows carry NaNs and ±Infinity; defaultLeft goes both ways.
import { SeededRandom } from '../../src/main/engine/random';
import type { Objective, Tree, TreeEnsemble } from '../../src/main/ml/tree-model';

export interface RandomEnsembleOptions {
  seed: number;
  numFeatures: number;
  trees: number;
  maxDepth: number;
  objective?: Objective;
  numClass?: number;
  /** Chance that a node above maxDepth splits (1 = full trees). */
  splitChance?: number;
  /** Features the trees may split on (default: all); the others must get SHAP 0. */
  usableFeatures?: readonly number[];
  learningRate?: number;
}

/** The float32 values thresholds are drawn from (and rows, in part). */
export function thresholdGrid(): number[] {
  const grid: number[] = [];
  for (let i = -8; i <= 8; i++) grid.push(Math.fround(i * 0.25 + 0.1));
  return grid;
}

export function randomTree(rng: SeededRandom, o: Required<Omit<RandomEnsembleOptions, 'seed' | 'trees' | 'objective' | 'numClass'>>): Tree {
  const grid = thresholdGrid();
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const defaultLeft: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const gain: number[] = [];
  const build = (depth: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    defaultLeft.push(0);
    value.push(0);
    cover.push(0);
    gain.push(0);
    if (depth < o.maxDepth && (depth === 0 || rng.next() < o.splitChance)) {
      feature[id] = o.usableFeatures[rng.int(o.usableFeatures.length)]!;
      threshold[id] = grid[rng.int(grid.length)]!;
      defaultLeft[id] = rng.next() < 0.5 ? 1 : 0;
      gain[id] = rng.next();
      const l = build(depth + 1);
      const r = build(depth + 1);
      left[id] = l;
      right[id] = r;
      cover[id] = cover[l]! + cover[r]!;
    } else {
      value[id] = rng.normal() * o.learningRate;
      cover[id] = 0.5 + rng.next() * 20;
    }
    return id;
  };
  build(0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    defaultLeft: Uint8Array.from(defaultLeft),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
    gain: Float64Array.from(gain),
  };
}

export function randomEnsemble(opts: RandomEnsembleOptions): TreeEnsemble {
  const rng = new SeededRandom(opts.seed);
  const objective = opts.objective ?? 'binary';
  const numClass = objective === 'binary' ? 2 : (opts.numClass ?? 3);
  const outputs = objective === 'binary' ? 1 : numClass;
  const treeOpts = {
    numFeatures: opts.numFeatures,
    maxDepth: opts.maxDepth,
    splitChance: opts.splitChance ?? 0.8,
    usableFeatures: opts.usableFeatures ?? Array.from({ length: opts.numFeatures }, (_, i) => i),
    learningRate: opts.learningRate ?? 0.1,
  };
  const trees: Tree[] = [];
  const treeOutput: number[] = [];
  for (let t = 0; t < opts.trees; t++) {
    trees.push(randomTree(rng, treeOpts));
    treeOutput.push(t % outputs);
  }
  return {
    objective,
    numClass,
    numFeatures: opts.numFeatures,
    featureNames: Array.from({ length: opts.numFeatures }, (_, i) => `f${i}`),
    baseScore: Float64Array.from({ length: outputs }, () => rng.normal() * 0.3),
    trees,
    treeOutput: Int32Array.from(treeOutput),
    classLabels: Array.from({ length: numClass }, (_, i) => i),
  };
}

/** n rows × f features (float32-exact values): ~10% NaN, ~35% on the threshold grid, a few ±Infinity. */
export function randomRows(seed: number, n: number, f: number, nanShare = 0.1): Float32Array {
  const rng = new SeededRandom(seed);
  const grid = thresholdGrid();
  const x = new Float32Array(n * f);
  for (let i = 0; i < x.length; i++) {
    const u = rng.next();
    if (u < nanShare) x[i] = Number.NaN;
    else if (u < nanShare + 0.35) x[i] = grid[rng.int(grid.length)]!;
    else if (u < nanShare + 0.37) x[i] = rng.next() < 0.5 ? Infinity : -Infinity;
    else x[i] = (rng.next() - 0.5) * 5;
  }
  return x;
}
