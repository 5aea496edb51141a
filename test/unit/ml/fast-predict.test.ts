// The compiled predictor against the reference walk: identical margins and probabilities (exact
// equality), for binary and 3-class random ensembles whose rows carry NaNs, ±Infinity, -0 and values
// exactly on thresholds, including shallow and deep (fallback) trees and row counts off the block size.
import { describe, expect, it } from 'vitest';
import { compilePredictor } from '../../../src/main/ml/fast-predict';
import { predictProba, predictRaw, type TreeEnsemble } from '../../../src/main/ml/tree-model';
import { randomEnsemble, randomRows, thresholdGrid } from '../../helpers/random-ensemble';

function expectIdentical(model: TreeEnsemble, rows: Float32Array, n: number): void {
  const fast = compilePredictor(model);
  expect(Array.from(fast.predictRaw(rows, n))).toEqual(Array.from(predictRaw(model, rows, n)));
  expect(Array.from(fast.predictProba(rows, n))).toEqual(Array.from(predictProba(model, rows, n)));
}

describe('compilePredictor', () => {
  it('matches predictRaw/predictProba exactly on a binary ensemble', () => {
    const model = randomEnsemble({ seed: 11, numFeatures: 12, trees: 80, maxDepth: 6 });
    for (const n of [1, 7, 64, 65, 200]) expectIdentical(model, randomRows(3 + n, n, 12, 0.15), n);
  });

  it('matches on a 3-class ensemble with full and sparse trees', () => {
    const full = randomEnsemble({ seed: 12, numFeatures: 9, trees: 90, maxDepth: 5, objective: 'multiclass', numClass: 3, splitChance: 1 });
    expectIdentical(full, randomRows(5, 131, 9, 0.1), 131);
    const sparse = randomEnsemble({ seed: 13, numFeatures: 9, trees: 60, maxDepth: 7, objective: 'multiclass', numClass: 3, splitChance: 0.5 });
    expectIdentical(sparse, randomRows(6, 97, 9, 0.2), 97);
  });

  it('matches on trees too deep to pad (the fallback walk) mixed with shallow ones', () => {
    const deep = randomEnsemble({ seed: 14, numFeatures: 6, trees: 4, maxDepth: 15, splitChance: 0.75 });
    const shallow = randomEnsemble({ seed: 15, numFeatures: 6, trees: 6, maxDepth: 3 });
    const model: TreeEnsemble = { ...shallow, trees: [shallow.trees[0]!, ...deep.trees, ...shallow.trees.slice(1)], treeOutput: new Int32Array(10) };
    expectIdentical(model, randomRows(7, 150, 6, 0.1), 150);
  });

  it('sends values exactly on a threshold right, NaN its default way, ±Infinity and ±0 by value', () => {
    const model = randomEnsemble({ seed: 16, numFeatures: 5, trees: 40, maxDepth: 4 });
    const special = [Number.NaN, Infinity, -Infinity, 0, -0, ...thresholdGrid()];
    const n = 300;
    const rows = new Float32Array(n * 5);
    for (let i = 0; i < rows.length; i++) rows[i] = special[(i * 7 + Math.floor(i / 5)) % special.length]!;
    expectIdentical(model, rows, n);
    // A plain number[] input (rounded to float32 like the reference) and a root-only tree.
    const stump: TreeEnsemble = { ...model, trees: [...model.trees, { ...model.trees[0]!, feature: new Int32Array([-1]), value: new Float64Array([0.25]) }], treeOutput: new Int32Array(41) };
    const plain = Array.from({ length: 20 * 5 }, (_, i) => (i % 3 === 0 ? 0.1 + 1e-12 : special[i % special.length]!));
    const fast = compilePredictor(stump);
    expect(Array.from(fast.predictRaw(plain, 20))).toEqual(Array.from(predictRaw(stump, plain, 20)));
  });

  it('matches on the benchmark model (600 full depth-6 trees, 512 × 40)', () => {
    const model = randomEnsemble({ seed: 2024, numFeatures: 40, trees: 600, maxDepth: 6, splitChance: 1, learningRate: 0.05 });
    expectIdentical(model, randomRows(7, 512, 40, 0.05), 512);
  });
});
