import { describe, expect, it } from 'vitest';
import { predictLinearProba, type LinearModel } from '../../../src/main/ml/linear-model';
import { logLoss } from '../../../src/main/ml/metrics';
import {
  imputeMissing,
  logisticModelFromJSON,
  logisticModelToJSON,
  predictPositive,
  predictProba,
  predictRow,
  rawSpaceWeights,
  trainLogistic,
} from '../../../src/main/ml/logistic';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Features on different scales: x0 ~ N(0,1), x1 ~ N(5, 2²), x2 ~ N(-1, 0.1²) (pure noise). */
function features(seed: number, n: number): Float32Array[] {
  const r = rng(seed);
  const cols = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    cols[0]![i] = gauss(r);
    cols[1]![i] = 5 + 2 * gauss(r);
    cols[2]![i] = -1 + 0.1 * gauss(r);
  }
  return cols;
}
const NAMES = ['ret_5', 'rsi_14', 'vwap_dist'];

/** Binary outcomes from logit = 0.5 + 1.2·x0 − 0.4·x1 (raw feature space). */
function binary(seed: number, n: number) {
  const columns = features(seed, n);
  const r = rng(seed + 1000);
  const y = Float32Array.from({ length: n }, (_, i) => (r() < sigmoid(0.5 + 1.2 * columns[0]![i]! - 0.4 * columns[1]![i]!) ? 1 : 0));
  return { columns, y };
}

describe('binary logistic regression (Newton / IRLS)', () => {
  const { columns, y } = binary(1, 20_000);
  const model = trainLogistic({ columns, y, featureNames: NAMES }, { l2: 0 });

  it('recovers the coefficients that generated the data, on the raw feature scale', () => {
    expect(model.objective).toBe('binary');
    expect(model.training.converged).toBe(true);
    expect(model.coefficients).toHaveLength(3);
    const raw = rawSpaceWeights(model);
    expect(Math.abs(raw.coefficients[0]! - 1.2)).toBeLessThan(0.06);
    expect(Math.abs(raw.coefficients[1]! + 0.4)).toBeLessThan(0.03);
    expect(Math.abs(raw.coefficients[2]!)).toBeLessThan(0.4); // noise feature: σ = 0.1, so its raw weight is loose
    expect(Math.abs(raw.intercepts[0]! - 0.5)).toBeLessThan(0.5);
    // Raw-space weights give the same probabilities as the standardised model.
    const x = [0.3, 4.1, -1.05];
    const z = raw.intercepts[0]! + x.reduce((a, v, j) => a + v * raw.coefficients[j]!, 0);
    expect(predictRow(model, x)[1]).toBeCloseTo(sigmoid(z), 12);
  });

  it('at the optimum the mean predicted probability equals the base rate (intercept condition)', () => {
    const p = predictPositive(model, columns);
    const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
    expect(mean(p)).toBeCloseTo(mean(y), 9);
  });

  it('beats the base rate out of sample, and is deterministic', () => {
    const test = binary(2, 5_000);
    const base = Array.from(y).reduce((a, b) => a + b, 0) / y.length;
    expect(logLoss(test.y, predictPositive(model, test.columns))).toBeLessThan(logLoss(test.y, new Float64Array(5_000).fill(base)) - 0.1);
    const again = trainLogistic({ columns, y, featureNames: NAMES }, { l2: 0 });
    expect(again.coefficients).toEqual(model.coefficients);
    expect(again.intercepts).toEqual(model.intercepts);
  });

  it('fits the scaler on the training rows: population mean and σ', () => {
    const mean1 = Array.from(columns[1]!).reduce((a, b) => a + b, 0) / columns[1]!.length;
    const sd1 = Math.sqrt(Array.from(columns[1]!).reduce((a, b) => a + (b - mean1) ** 2, 0) / columns[1]!.length);
    expect(model.scaler.mean[1]).toBeCloseTo(mean1, 9);
    expect(model.scaler.scale[1]).toBeCloseTo(sd1, 9);
  });

  it('trains on a fold’s rows only, and skips rows without a label', () => {
    const rows = Int32Array.from({ length: 3000 }, (_, i) => 2 * i + 1);
    const yy = Float32Array.from(y);
    yy[1] = Number.NaN;
    const onRows = trainLogistic({ columns, y: yy, featureNames: NAMES, rows }, { l2: 1e-3 });
    const kept = Array.from(rows).filter((i) => !Number.isNaN(yy[i]!));
    const copied = trainLogistic({ columns: columns.map((c) => Float32Array.from(kept, (i) => c[i]!)), y: Float32Array.from(kept, (i) => yy[i]!), featureNames: NAMES }, { l2: 1e-3 });
    expect(onRows.training.rows).toBe(2999);
    expect(onRows.coefficients).toEqual(copied.coefficients);
    expect(onRows.scaler.mean).toEqual(copied.scaler.mean);
  });
});

describe('the exported form', () => {
  it('is a LinearModel whose reference scoring, after imputing NaN with the means, matches predictRow', () => {
    const { columns, y } = binary(6, 3_000);
    const y3 = Float32Array.from(y, (v, i) => (columns[0]![i]! > 1 ? 2 : v));
    for (const labels of [y, y3]) {
      const model = trainLogistic({ columns, y: labels, featureNames: NAMES });
      const asLinear: LinearModel = model;
      const rows = [[0.4, Number.NaN, -1], [Number.NaN, 7, -0.9], [1.5, 2, Number.NaN]];
      const x = imputeMissing(model, Float64Array.from(rows.flat()));
      expect(Array.from(x)).not.toContain(Number.NaN);
      const reference = predictLinearProba(asLinear, x, rows.length);
      const k = model.classLabels.length;
      rows.forEach((row, i) => {
        const mine = predictRow(model, row);
        for (let c = 0; c < k; c++) expect(reference[i * k + c]).toBeCloseTo(mine[c]!, 12);
      });
    }
  });
});

describe('missing values and degenerate features', () => {
  it('imputes NaN with the training mean and stores the means', () => {
    const { columns, y } = binary(3, 4_000);
    const r = rng(99);
    const x0 = Float32Array.from(columns[0]!, (v) => (r() < 0.2 ? Number.NaN : v));
    const present = Array.from(x0).filter((v) => !Number.isNaN(v));
    const model = trainLogistic({ columns: [x0, columns[1]!, columns[2]!], y, featureNames: NAMES }, { l2: 1e-4 });
    expect(model.scaler.mean[0]).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 9);
    expect(predictRow(model, [Number.NaN, 5, -1])).toEqual(predictRow(model, [model.scaler.mean[0]!, 5, -1]));
    const p = predictProba(model, [Float32Array.of(Number.NaN), Float32Array.of(5), Float32Array.of(-1)]);
    expect(Array.from(p)).toEqual(Array.from(predictRow(model, [Number.NaN, 5, -1])));
  });

  it('a constant feature gets scale 1 and no weight; separable data stays finite under L2', () => {
    const n = 200;
    const x = Float32Array.from({ length: n }, (_, i) => i - n / 2);
    const constant = new Float32Array(n).fill(3);
    const y = Float32Array.from(x, (v) => (v > 0 ? 1 : 0));
    const model = trainLogistic({ columns: [x, constant], y, featureNames: ['a', 'b'] }, { l2: 1e-2 });
    expect(model.scaler.scale[1]).toBe(1);
    expect(model.coefficients[1]).toBe(0);
    expect(model.training.converged).toBe(true);
    expect(Number.isFinite(model.coefficients[0]!)).toBe(true);
    expect(predictRow(model, [50, 3])[1]).toBeGreaterThan(0.9);
  });
});

describe('multinomial logistic regression (L-BFGS)', () => {
  // Sell / hold / buy from logits (raw space): sell = −1.5·x0, hold = 0.8 (intercept), buy = +1.5·x0 + 0.3·x1.
  const n = 15_000;
  const columns = features(4, n);
  const r = rng(5);
  const y = Float32Array.from({ length: n }, (_, i) => {
    const l = [-1.5 * columns[0]![i]!, 0.8, 1.5 * columns[0]![i]! + 0.3 * (columns[1]![i]! - 5)];
    const e = l.map(Math.exp);
    const u = r() * (e[0]! + e[1]! + e[2]!);
    return u < e[0]! ? 0 : u < e[0]! + e[1]! ? 1 : 2;
  });
  const model = trainLogistic({ columns, y, featureNames: NAMES }, { l2: 0 });

  it('recovers the logit differences between classes', () => {
    expect(model.objective).toBe('multinomial');
    expect(model.classLabels).toEqual([0, 1, 2]);
    expect(model.training.converged).toBe(true);
    const raw = rawSpaceWeights(model);
    const w = (c: number, j: number) => raw.coefficients[c * 3 + j]!;
    expect(Math.abs(w(2, 0) - w(0, 0) - 3)).toBeLessThan(0.15);
    expect(Math.abs(w(1, 0) - w(0, 0) - 1.5)).toBeLessThan(0.1);
    expect(Math.abs(w(2, 1) - w(1, 1) - 0.3)).toBeLessThan(0.05);
    // At the centre of the data (where the noise feature's loose weight does not matter): hold vs sell = 0.8.
    const p = predictRow(model, [0, 5, -1]);
    expect(Math.abs(Math.log(p[1]! / p[0]!) - 0.8)).toBeLessThan(0.08);
    expect(Math.abs(Math.log(p[2]! / p[0]!))).toBeLessThan(0.08);
    // Intercepts are centred: softmax does not see a common shift.
    expect(model.intercepts.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
  });

  it('probabilities sum to 1 and their class means equal the class frequencies', () => {
    const p = predictProba(model, columns);
    const freq = [0, 0, 0];
    const mean = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
      freq[y[i]!]! += 1 / n;
      for (let c = 0; c < 3; c++) mean[c]! += p[3 * i + c]! / n;
    }
    for (let c = 0; c < 3; c++) expect(mean[c]).toBeCloseTo(freq[c]!, 5);
  });

  it('is deterministic and survives JSON', () => {
    const again = trainLogistic({ columns, y, featureNames: NAMES }, { l2: 0 });
    expect(again.coefficients).toEqual(model.coefficients);
    const back = logisticModelFromJSON(JSON.stringify(logisticModelToJSON(model)));
    expect(back.coefficients).toEqual(model.coefficients);
    expect(back.scaler.scale).toEqual(model.scaler.scale);
    expect(predictRow(back, [0.2, 4, -1])).toEqual(predictRow(model, [0.2, 4, -1]));
  });

  it('keeps the declared class labels even when a class is missing from the fold', () => {
    const yy = Float32Array.from(y, (v) => (v === 2 ? 1 : v));
    const m = trainLogistic({ columns, y: yy, featureNames: NAMES }, { classLabels: [0, 1, 2], l2: 1e-3 });
    expect(m.coefficients).toHaveLength(9);
    expect(predictRow(m, [0, 5, -1])[2]).toBeLessThan(0.01);
  });
});
