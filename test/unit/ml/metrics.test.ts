import { describe, expect, it } from 'vitest';
import {
  accuracy,
  brierScore,
  classificationReport,
  confusionMatrix,
  expectedCalibrationError,
  logLoss,
  precisionAtK,
  reliabilityCurve,
  topSignalStats,
} from '../../../src/main/ml/metrics';

/** Deterministic uniform [0, 1) stream (mulberry32). */
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

const entropy = (p: number[]) => -p.reduce((a, q) => a + (q > 0 ? q * Math.log(q) : 0), 0);

describe('log loss', () => {
  it('of a perfect predictor is ≈ 0', () => {
    const y = [0, 1, 1, 0, 1];
    expect(logLoss(y, y)).toBeLessThan(1e-12);
  });

  it('of the base rate is the entropy of the labels (binary and 3-class)', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
    expect(logLoss(y, new Array(100).fill(0.3))).toBeCloseTo(entropy([0.3, 0.7]), 12);
    const y3 = Array.from({ length: 10 }, (_, i) => (i < 2 ? 0 : i < 7 ? 1 : 2));
    const prior = Array.from({ length: 10 }, () => [0.2, 0.5, 0.3]).flat();
    expect(logLoss(y3, prior, 3)).toBeCloseTo(entropy([0.2, 0.5, 0.3]), 12);
  });

  it('clips a confidently wrong probability instead of returning Infinity', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
    expect(logLoss([1], [0], 2, 1e-6)).toBeCloseTo(-Math.log(1e-6), 9);
  });

  it('skips rows without a label and refuses a NaN probability', () => {
    expect(logLoss([1, NaN, 0], [0.5, 0.9, 0.5])).toBeCloseTo(Math.log(2), 12);
    expect(() => logLoss([1], [NaN])).toThrow(/NaN/);
    expect(() => logLoss([2], [0.5])).toThrow(/not a class/);
  });
});

describe('Brier score', () => {
  it('is 0 when perfect, p(1−p) for the base rate, 1 − 1/K for uniform multiclass guesses', () => {
    expect(brierScore([0, 1], [0, 1])).toBe(0);
    const y = Array.from({ length: 10 }, (_, i) => (i < 3 ? 1 : 0));
    expect(brierScore(y, new Array(10).fill(0.3))).toBeCloseTo(0.21, 12);
    expect(brierScore([0, 1, 2], new Array(9).fill(1 / 3), 3)).toBeCloseTo(2 / 3, 12);
  });
});

describe('classification counts', () => {
  // True:      0 0 0 1 1 2 2 2
  // Predicted: 0 1 0 1 1 2 0 1
  const y = [0, 0, 0, 1, 1, 2, 2, 2];
  const onehot = (c: number) => [0, 1, 2].map((k) => (k === c ? 0.8 : 0.1));
  const probs = [0, 1, 0, 1, 1, 2, 0, 1].flatMap(onehot);

  it('confusion matrix has true classes as rows, predictions as columns', () => {
    expect(confusionMatrix(y, [0, 1, 0, 1, 1, 2, 0, 1], 3)).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 1, 1],
    ]);
  });

  it('accuracy, precision and recall per class', () => {
    const r = classificationReport(y, probs, 3);
    expect(r.accuracy).toBeCloseTo(5 / 8, 15);
    expect(accuracy(y, probs, 3)).toBeCloseTo(5 / 8, 15);
    expect(r.precision[0]).toBeCloseTo(2 / 3, 15);
    expect(r.precision[1]).toBeCloseTo(2 / 4, 15);
    expect(r.precision[2]).toBeCloseTo(1, 15);
    expect(r.recall).toEqual([2 / 3, 1, 1 / 3]);
    expect(r.support).toEqual([3, 2, 3]);
    expect(r.f1[2]).toBeCloseTo(0.5, 15);
  });

  it('a class never predicted has NaN precision, not 0', () => {
    const r = classificationReport([0, 1, 1], [0.1, 0.2, 0.3]);
    expect(r.precision[1]).toBeNaN();
    expect(r.recall[1]).toBe(0);
  });
});

describe('ranking the signals', () => {
  it('precision@k is the hit share among the k highest buy probabilities', () => {
    const y = [1, 0, 1, 1, 0, NaN];
    const pBuy = [0.9, 0.8, 0.7, 0.2, 0.1, 0.99];
    expect(precisionAtK(y, pBuy, 2)).toBe(0.5); // the unlabelled 0.99 row is skipped
    expect(precisionAtK(y, pBuy, 3)).toBeCloseTo(2 / 3, 15);
  });

  it('top-decile stats: hit rate, mean return and profit factor after costs', () => {
    // 20 rows: the top two scores make +0.5% and −0.1% before a 0.1% round-trip cost.
    const score = Array.from({ length: 20 }, (_, i) => i / 20);
    const fwd = new Array<number>(20).fill(0.01);
    fwd[19] = 0.005;
    fwd[18] = -0.001;
    const s = topSignalStats(score, fwd, { cost: 0.001 });
    expect(s.count).toBe(2);
    expect(s.scoreCut).toBe(0.9);
    expect(s.hitRate).toBe(0.5);
    expect(s.avgReturn).toBeCloseTo((0.004 - 0.002) / 2, 15);
    expect(s.profitFactor).toBeCloseTo(0.004 / 0.002, 12);
    // Selling the same signals turns the costs against a falling market.
    const short = topSignalStats(score, fwd, { cost: 0.001, direction: -1 });
    expect(short.avgReturn).toBeCloseTo((-0.006 + 0) / 2, 15);
    expect(short.hitRate).toBe(0);
    expect(short.profitFactor).toBe(0);
  });

  it('no losing trade gives an infinite profit factor; no trade gives NaN', () => {
    expect(topSignalStats([1, 2], [0.01, 0.02], { cost: 0, fraction: 1 }).profitFactor).toBe(Infinity);
    expect(topSignalStats([1], [NaN], { cost: 0 }).count).toBe(0);
  });
});

describe('calibration diagnostics', () => {
  const r = rng(7);
  const n = 40_000;
  const p = Float64Array.from({ length: n }, () => r());
  const y = Float64Array.from(p, (q) => (r() < q ? 1 : 0));

  it('a calibrated predictor lies on the diagonal of its reliability curve, with counts', () => {
    const curve = reliabilityCurve(y, p, 10);
    expect(curve).toHaveLength(10);
    expect(curve.reduce((a, b) => a + b.count, 0)).toBe(n);
    for (const b of curve) {
      expect(b.meanPredicted).toBeGreaterThanOrEqual(b.lower);
      expect(b.meanPredicted).toBeLessThan(b.upper);
      expect(Math.abs(b.observed - b.meanPredicted)).toBeLessThan(0.03);
    }
    expect(expectedCalibrationError(y, p, 2, 10)).toBeLessThan(0.015);
  });

  it('an overconfident predictor has a large ECE, and quantile bins hold equal counts', () => {
    const over = Float64Array.from(p, (q) => (q > 0.5 ? Math.min(1, 0.5 + 1.8 * (q - 0.5)) : Math.max(0, 0.5 - 1.8 * (0.5 - q))));
    expect(expectedCalibrationError(y, over, 2, 10)).toBeGreaterThan(0.1);
    const curve = reliabilityCurve(y, p, 4, 'quantile');
    for (const b of curve) expect(Math.abs(b.count - n / 4)).toBeLessThanOrEqual(1);
  });

  it('empty bins are reported with count 0', () => {
    const curve = reliabilityCurve([0, 1], [0.05, 0.95], 10);
    expect(curve.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(curve[5]!.observed).toBeNaN();
  });

  it('multiclass ECE is the top-label calibration error', () => {
    // Always 60% confident in class 0, right half of the time: ECE = 0.1.
    const yy = [0, 1, 0, 2, 0, 1, 0, 2, 0, 1];
    const probs = yy.flatMap(() => [0.6, 0.2, 0.2]);
    expect(expectedCalibrationError(yy, probs, 3)).toBeCloseTo(0.1, 12);
  });
});
