// The logistic-regression baseline through onnxruntime equals its TS reference within 1e-6.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../src/main/engine/random';
import { predictLinearProba, withMeanImputation, type LinearModel } from '../../../../src/main/ml/linear-model';
import { predictRow, trainLogistic } from '../../../../src/main/ml/logistic';
import { exportLinearModel } from '../../../../src/main/ml/onnx/export-linear';
import { OnnxExportError } from '../../../../src/main/ml/onnx/export-trees';

function randomLinear(seed: number, f: number, classes: number, scaled: boolean): LinearModel {
  const rng = new SeededRandom(seed);
  const rows = classes === 2 ? 1 : classes;
  return {
    coefficients: Float64Array.from({ length: rows * f }, () => rng.normal() * 0.6),
    intercepts: Float64Array.from({ length: rows }, () => rng.normal() * 0.3),
    classLabels: classes === 3 ? [-1, 0, 1] : Array.from({ length: classes }, (_, i) => i),
    featureNames: Array.from({ length: f }, (_, i) => `f${i}`),
    ...(scaled
      ? { scaler: { mean: Float64Array.from({ length: f }, () => rng.normal() * 2), scale: Float64Array.from({ length: f }, () => 0.2 + rng.next() * 3) } }
      : {}),
  };
}

function rowsFor(seed: number, n: number, m: LinearModel): Float32Array {
  const rng = new SeededRandom(seed);
  const f = m.featureNames.length;
  const x = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const mean = m.scaler?.mean[j] ?? 0;
      const sd = m.scaler?.scale[j] ?? 1;
      x[i * f + j] = mean + sd * rng.normal() * 1.5;
    }
  }
  return x;
}

async function expectSame(m: LinearModel, n: number, seed: number): Promise<void> {
  const f = m.featureNames.length;
  const x = rowsFor(seed, n, m);
  const session = await ort.InferenceSession.create(exportLinearModel(m), { intraOpNumThreads: 1 });
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, f]) });
  await session.release();
  const proba = out.probabilities!.data as Float32Array;
  const label = out.label!.data as BigInt64Array;
  const k = m.classLabels.length;
  expect(out.probabilities!.dims).toEqual([n, k]);
  const ref = predictLinearProba(m, x, n);
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(proba[i]! - ref[i]!));
  expect(maxDiff).toBeLessThan(1e-6);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (ref[i * k + c]! > ref[i * k + best]!) best = c;
    expect(Number(label[i])).toBe(m.classLabels[best]);
  }
}

describe('LinearClassifier export', () => {
  it('when a binary model (raw features) scores 3000 rows then ORT equals the reference', async () => {
    await expectSame(randomLinear(1, 12, 2, false), 3000, 11);
  });

  it('when a binary model with a scaler scores 3000 rows then the Scaler node standardises like the reference', async () => {
    await expectSame(randomLinear(2, 40, 2, true), 3000, 12);
  });

  it('when a 3-class multinomial model with a scaler scores 3000 rows then softmax matches', async () => {
    await expectSame(randomLinear(3, 20, 3, true), 3000, 13);
    await expectSame(randomLinear(4, 20, 3, false), 3000, 14);
  });

  it('when coefficients do not fit the classes or a scale is zero then the export refuses', () => {
    const m = randomLinear(5, 4, 3, false);
    expect(() => exportLinearModel({ ...m, intercepts: m.intercepts.subarray(0, 2) })).toThrow(OnnxExportError);
    const s = randomLinear(6, 4, 2, true);
    s.scaler!.scale[1] = 0;
    expect(() => exportLinearModel(s)).toThrow(/zero/);
  });
});

describe('LinearClassifier export of the trained logistic baseline', () => {
  it('when rows carry NaNs then the graph imputes the training mean exactly as predictRow does', async () => {
    const rng = new SeededRandom(21);
    const n = 2000;
    const names = ['ret_5', 'rsi_14', 'vwap_dist', 'volume_z_20'];
    const columns = names.map((_, j) => Float32Array.from({ length: n }, () => j * 3 + rng.normal() * (1 + j)));
    for (const classes of [2, 3]) {
      const y = Float32Array.from({ length: n }, (_, i) => {
        const z = 0.8 * columns[0]![i]! - 0.3 * (columns[1]![i]! - 3) + rng.normal();
        return classes === 2 ? (z > 0 ? 1 : 0) : z > 0.7 ? 2 : z > -0.7 ? 1 : 0;
      });
      const trained = trainLogistic({ columns, y, featureNames: names });
      const m = withMeanImputation(trained);
      const x = new Float32Array(n * names.length);
      for (let i = 0; i < n; i++) for (let j = 0; j < names.length; j++) x[i * names.length + j] = rng.next() < 0.15 ? Number.NaN : columns[j]![i]!;
      const session = await ort.InferenceSession.create(exportLinearModel(m), { intraOpNumThreads: 1 });
      const out = await session.run({ input: new ort.Tensor('float32', x, [n, names.length]) });
      await session.release();
      const proba = out.probabilities!.data as Float32Array;
      const k = trained.classLabels.length;
      let maxDiff = 0;
      for (let i = 0; i < n; i++) {
        const ref = predictRow(trained, x.subarray(i * names.length, (i + 1) * names.length));
        for (let c = 0; c < k; c++) maxDiff = Math.max(maxDiff, Math.abs(proba[i * k + c]! - ref[c]!));
      }
      expect(maxDiff).toBeLessThan(1e-6);
      // The reference in linear-model.ts applies the same imputation.
      const mine = predictLinearProba(m, x, n);
      for (let i = 0; i < mine.length; i++) expect(Math.abs(mine[i]! - proba[i]!)).toBeLessThan(1e-6);
    }
  });
});
