// The hard requirement: onnxruntime's probabilities equal predictProba within 1e-6 and its
// label is the argmax, on rows with NaNs, ±Infinity and values exactly on thresholds.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportTreeEnsemble, OnnxExportError } from '../../../../src/main/ml/onnx/export-trees';
import { predictProba, type Tree, type TreeEnsemble } from '../../../../src/main/ml/tree-model';
import { randomEnsemble, randomRows } from '../../../helpers/random-ensemble';

async function runOnnx(bytes: Uint8Array, x: Float32Array, n: number, f: number): Promise<{ proba: Float32Array; label: number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ input: new ort.Tensor('float32', x, [n, f]) });
    return { proba: out.probabilities!.data as Float32Array, label: Array.from(out.label!.data as BigInt64Array, Number) };
  } finally {
    await session.release();
  }
}

function argmax(p: ArrayLike<number>, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[offset + c]! > p[offset + best]!) best = c;
  return best;
}

async function expectSameAsTs(m: TreeEnsemble, x: Float32Array, n: number): Promise<number> {
  const { proba, label } = await runOnnx(exportTreeEnsemble(m), x, n, m.numFeatures);
  const ref = predictProba(m, x, n);
  expect(proba.length).toBe(ref.length);
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(proba[i]! - ref[i]!));
  expect(maxDiff).toBeLessThan(1e-6);
  for (let i = 0; i < n; i++) expect(label[i]).toBe(m.classLabels[argmax(ref, i * m.numClass, m.numClass)]);
  return maxDiff;
}

/** One split on feature 0 at 0.5: left leaf -1, right leaf +2; missing goes `defaultLeft`. */
function stump(defaultLeft: 0 | 1): Tree {
  return {
    feature: Int32Array.of(0, -1, -1),
    threshold: Float32Array.of(0.5, 0, 0),
    left: Int32Array.of(1, -1, -1),
    right: Int32Array.of(2, -1, -1),
    defaultLeft: Uint8Array.of(defaultLeft, 0, 0),
    value: Float64Array.of(0, -1, 2),
    cover: Float64Array.of(10, 4, 6),
    gain: Float64Array.of(1, 0, 0),
  };
}

function ensembleOf(trees: Tree[], baseScore = 0): TreeEnsemble {
  return {
    objective: 'binary',
    numClass: 2,
    numFeatures: 1,
    featureNames: ['ret_1'],
    baseScore: Float64Array.of(baseScore),
    trees,
    treeOutput: new Int32Array(trees.length),
    classLabels: [0, 1],
  };
}

describe('TreeEnsembleClassifier export', () => {
  it('when a value equals the threshold then it goes right, and NaN follows defaultLeft both ways', async () => {
    const x = Float32Array.of(0.5, 0.49999997, Number.NaN, -Infinity, Infinity);
    for (const dl of [0, 1] as const) {
      const m = ensembleOf([stump(dl)], 0.25);
      const { proba, label } = await runOnnx(exportTreeEnsemble(m), x, x.length, 1);
      const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));
      const margins = [2, -1, dl ? -1 : 2, -1, 2].map((v) => v + 0.25);
      for (let i = 0; i < x.length; i++) {
        expect(proba[i * 2 + 1]).toBeCloseTo(sigmoid(margins[i]!), 6);
        expect(proba[i * 2]! + proba[i * 2 + 1]!).toBeCloseTo(1, 6);
        expect(label[i]).toBe(margins[i]! > 0 ? 1 : 0);
      }
      await expectSameAsTs(m, x, x.length);
    }
  });

  it('when every leaf weight is positive then ORT still applies the logistic (guard tree)', async () => {
    const t = stump(1);
    t.value = Float64Array.of(0, 0.3, 0.9);
    const m = ensembleOf([t], -2);
    const x = Float32Array.of(0, 1, Number.NaN);
    await expectSameAsTs(m, x, 3);
  });

  it('when a tree is a single leaf or has unreachable nodes then the export still matches', async () => {
    const leaf: Tree = {
      feature: Int32Array.of(-1), threshold: Float32Array.of(0), left: Int32Array.of(-1), right: Int32Array.of(-1),
      defaultLeft: Uint8Array.of(0), value: Float64Array.of(0.7), cover: Float64Array.of(10), gain: Float64Array.of(0),
    };
    const s = stump(0);
    // Node 3 is dead weight in the arrays (e.g. left over by pruning); ORT would refuse it.
    const padded: Tree = {
      feature: Int32Array.of(0, -1, -1, 0), threshold: Float32Array.of(0.5, 0, 0, 9), left: Int32Array.of(2, -1, -1, 1),
      right: Int32Array.of(1, -1, -1, 2), defaultLeft: Uint8Array.of(1, 0, 0, 0), value: Float64Array.of(0, 1.5, -0.5, 0),
      cover: Float64Array.of(10, 5, 5, 1), gain: Float64Array.of(1, 0, 0, 0),
    };
    await expectSameAsTs(ensembleOf([leaf, s, padded]), Float32Array.of(0.2, 0.5, Number.NaN, 3), 4);
  });

  it('when random binary ensembles score 3000 rows then ORT equals predictProba within 1e-6', async () => {
    for (const seed of [1, 2, 3]) {
      const m = randomEnsemble({ seed, numFeatures: 8, trees: 60, maxDepth: 5 });
      const x = randomRows(100 + seed, 3000, 8);
      await expectSameAsTs(m, x, 3000);
    }
  });

  it('when random 3-class ensembles score 3000 rows then ORT equals predictProba within 1e-6', async () => {
    for (const seed of [4, 5]) {
      const m = randomEnsemble({ seed, numFeatures: 8, trees: 90, maxDepth: 5, objective: 'multiclass', numClass: 3 });
      m.classLabels = [-1, 0, 1]; // short / flat / long
      const x = randomRows(200 + seed, 3000, 8);
      await expectSameAsTs(m, x, 3000);
    }
  });

  it('when the model is malformed then the export refuses it with a reason', () => {
    const bad = ensembleOf([stump(0)]);
    bad.trees[0]!.feature[0] = 5;
    expect(() => exportTreeEnsemble(bad)).toThrow(OnnxExportError);
    const two = randomEnsemble({ seed: 9, numFeatures: 3, trees: 2, maxDepth: 2, objective: 'multiclass', numClass: 3 });
    two.numClass = 2;
    two.classLabels = [0, 1];
    expect(() => exportTreeEnsemble(two)).toThrow(/at least 3 classes/);
  });
});
