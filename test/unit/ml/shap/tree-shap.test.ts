// Exact TreeSHAP: local accuracy against the raw margin, agreement with brute-force Shapley values of
// the path-dependent conditional expectation, and zero credit for features the trees never use.
import { describe, expect, it } from 'vitest';
import { expectedValues, meanAbsShap, topContributors, treeShap } from '../../../../src/main/ml/shap/tree-shap';
import { outputsOf, predictRaw, type Tree, type TreeEnsemble } from '../../../../src/main/ml/tree-model';
import { randomEnsemble, randomRows } from '../../../helpers/random-ensemble';

/** E[f(x) | x_S] as the path-dependent algorithm defines it (Lundberg 2018, Algorithm 1). */
function conditional(tree: Tree, x: ArrayLike<number>, offset: number, known: ReadonlySet<number>, node = 0): number {
  const f = tree.feature[node]!;
  if (f < 0) return tree.value[node]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  if (known.has(f)) {
    const v = Math.fround(x[offset + f]!);
    const left = Number.isNaN(v) ? tree.defaultLeft[node] === 1 : v < tree.threshold[node]!;
    return conditional(tree, x, offset, known, left ? l : r);
  }
  return (tree.cover[l]! * conditional(tree, x, offset, known, l) + tree.cover[r]! * conditional(tree, x, offset, known, r)) / tree.cover[node]!;
}

/** Shapley values by enumerating every subset (only for a handful of features). */
function bruteForce(m: TreeEnsemble, x: ArrayLike<number>, row: number): Float64Array {
  const k = outputsOf(m);
  const f = m.numFeatures;
  const phi = new Float64Array(k * f);
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const value = (mask: number, c: number): number => {
    const known = new Set<number>();
    for (let j = 0; j < f; j++) if (mask & (1 << j)) known.add(j);
    let s = 0;
    for (let t = 0; t < m.trees.length; t++) if (m.treeOutput[t] === c) s += conditional(m.trees[t]!, x, row * f, known);
    return s;
  };
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < f; i++) {
      for (let mask = 0; mask < 1 << f; mask++) {
        if (mask & (1 << i)) continue;
        const size = [...Array(f).keys()].filter((j) => mask & (1 << j)).length;
        const weight = (fact(size) * fact(f - size - 1)) / fact(f);
        phi[c * f + i]! += weight * (value(mask | (1 << i), c) - value(mask, c));
      }
    }
  }
  return phi;
}

function expectLocalAccuracy(m: TreeEnsemble, x: Float32Array, n: number): void {
  const shap = treeShap(m, x, n);
  const raw = predictRaw(m, x, n);
  const k = outputsOf(m);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let sum = shap.expected[c]!;
      for (let j = 0; j < m.numFeatures; j++) sum += shap.values[(i * k + c) * m.numFeatures + j]!;
      expect(Math.abs(sum - raw[i * k + c]!)).toBeLessThan(1e-9);
    }
  }
}

describe('TreeSHAP', () => {
  it('when a stump splits on one feature then that feature gets f(x) minus the expected value', () => {
    const stump: Tree = {
      feature: Int32Array.of(1, -1, -1), threshold: Float32Array.of(0, 0, 0), left: Int32Array.of(1, -1, -1), right: Int32Array.of(2, -1, -1),
      defaultLeft: Uint8Array.of(1, 0, 0), value: Float64Array.of(0, -1, 3), cover: Float64Array.of(4, 3, 1), gain: Float64Array.of(1, 0, 0),
    };
    const m: TreeEnsemble = {
      objective: 'binary', numClass: 2, numFeatures: 2, featureNames: ['rsi_2', 'ret_1'], baseScore: Float64Array.of(0.5),
      trees: [stump], treeOutput: Int32Array.of(0), classLabels: [0, 1],
    };
    // E = 0.5 + (3·-1 + 1·3)/4 = 0.5
    const shap = treeShap(m, Float32Array.of(7, 1, 7, Number.NaN), 2);
    expect(shap.expected[0]).toBeCloseTo(0.5, 12);
    expect(shap.values[0]).toBe(0);
    expect(shap.values[1]).toBeCloseTo(3, 12);
    expect(shap.values[3]).toBeCloseTo(-1, 12); // NaN goes left (default)
  });

  it('when random binary and 3-class ensembles are explained then SHAP sums to margin minus expected value', () => {
    const bin = randomEnsemble({ seed: 11, numFeatures: 10, trees: 40, maxDepth: 6 });
    expectLocalAccuracy(bin, randomRows(21, 300, 10), 300);
    const multi = randomEnsemble({ seed: 12, numFeatures: 10, trees: 45, maxDepth: 5, objective: 'multiclass', numClass: 3 });
    expectLocalAccuracy(multi, randomRows(22, 300, 10), 300);
  });

  it('when trees are tiny then TreeSHAP equals brute-force Shapley over every subset', () => {
    for (const [seed, objective] of [[31, 'binary'], [32, 'binary'], [33, 'multiclass']] as const) {
      // 4 features and depth 4: paths often split on the same feature twice.
      const m = randomEnsemble({ seed, numFeatures: 4, trees: 6, maxDepth: 4, objective, numClass: 3, splitChance: 0.9 });
      const n = 40;
      const x = randomRows(seed + 100, n, 4, 0.15);
      const shap = treeShap(m, x, n);
      const k = outputsOf(m);
      for (let i = 0; i < n; i++) {
        const ref = bruteForce(m, x, i);
        for (let c = 0; c < k * 4; c++) expect(Math.abs(shap.values[i * k * 4 + c]! - ref[c]!)).toBeLessThan(1e-10);
      }
    }
  });

  it('when a feature is never used by any tree then its SHAP value is exactly 0', () => {
    const m = randomEnsemble({ seed: 41, numFeatures: 6, trees: 30, maxDepth: 5, usableFeatures: [0, 1, 2, 4] });
    const n = 200;
    const shap = treeShap(m, randomRows(42, n, 6), n);
    for (let i = 0; i < n; i++) {
      expect(shap.values[i * 6 + 3]).toBe(0);
      expect(shap.values[i * 6 + 5]).toBe(0);
    }
    const importance = meanAbsShap(shap, m.featureNames);
    expect(importance.slice(-2).map((r) => r.meanAbsShap)).toEqual([0, 0]);
    expect(importance.slice(-2).map((r) => r.feature).sort()).toEqual(['f3', 'f5']);
  });

  it('when asking for top contributors then they come largest |SHAP| first with their sign', () => {
    const m = randomEnsemble({ seed: 51, numFeatures: 8, trees: 20, maxDepth: 4 });
    const shap = treeShap(m, randomRows(52, 5, 8), 5);
    const top = topContributors(shap, m.featureNames, 3, 2);
    expect(top).toHaveLength(3);
    const row = Array.from(shap.values.subarray(2 * 8, 3 * 8));
    const sorted = [...row].sort((a, b) => Math.abs(b) - Math.abs(a));
    expect(top.map((t) => t.value)).toEqual(sorted.slice(0, 3));
    expect(top[0]!.feature).toBe(m.featureNames[row.indexOf(sorted[0]!)]);
  });

  it('when the model has base scores then the expected value includes them', () => {
    const m = randomEnsemble({ seed: 61, numFeatures: 3, trees: 0, maxDepth: 1, objective: 'multiclass', numClass: 3 });
    expect(Array.from(expectedValues(m))).toEqual(Array.from(m.baseScore));
  });
});
