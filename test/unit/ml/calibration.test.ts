import { describe, expect, it } from 'vitest';
import { applyCalibration, chooseCalibration, fitIsotonic, fitPlatt, parseCalibration } from '../../../src/main/ml/calibration';
import { logLoss } from '../../../src/main/ml/metrics';

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
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (p: number) => Math.log(p / (1 - p));

/** Scores s ~ N(0, 2²) and outcomes drawn from the true probability truth(s). */
function sample(seed: number, n: number, truth: (s: number) => number): { s: Float64Array; y: Float64Array } {
  const r = rng(seed);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = 2 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    y[i] = r() < truth(s[i]!) ? 1 : 0;
  }
  return { s, y };
}

describe('Platt scaling', () => {
  it('recovers a known sigmoid from raw scores', () => {
    const { s, y } = sample(1, 20_000, (x) => sigmoid(1.5 * x - 0.7));
    const p = fitPlatt(s, y, { input: 'score' });
    expect(p.a).toBeCloseTo(1.5, 1);
    expect(p.b).toBeCloseTo(-0.7, 1);
    expect(Math.abs(p.a - 1.5)).toBeLessThan(0.08);
    expect(Math.abs(p.b + 0.7)).toBeLessThan(0.06);
  });

  it('undoes an overconfident model: fitted on one fold, it lowers the log loss on the next', () => {
    // The model reports σ(2·z) where the truth is σ(z): twice too sure.
    const fold = (seed: number) => {
      const { s, y } = sample(seed, 10_000, sigmoid);
      return { p: Float64Array.from(s, (z) => sigmoid(2 * z)), y };
    };
    const a = fold(2);
    const b = fold(3);
    const params = fitPlatt(a.p, a.y);
    expect(params.a).toBeCloseTo(0.5, 1);
    expect(Math.abs(params.b)).toBeLessThan(0.05);
    expect(logLoss(b.y, applyCalibration(params, b.p))).toBeLessThan(logLoss(b.y, b.p) - 0.02);
  });

  it('is deterministic', () => {
    const { s, y } = sample(4, 3_000, (x) => sigmoid(x));
    expect(fitPlatt(s, y, { input: 'score' })).toEqual(fitPlatt(s, y, { input: 'score' }));
  });
});

describe('isotonic regression', () => {
  it('pools adjacent violators (hand example)', () => {
    const params = fitIsotonic([1, 2, 3, 4, 5], [1, 0, 1, 0, 1], { input: 'score' });
    expect(Array.from(applyCalibration(params, [1, 2, 3, 4, 5]))).toEqual([0.5, 0.5, 0.5, 0.5, 1 - 1e-6]);
  });

  it('gives one value to equal inputs and keeps the mean of the labels', () => {
    const x = [0.1, 0.2, 0.2, 0.2, 0.7, 0.9];
    const y = [0, 1, 0, 0, 1, 1];
    const fitted = applyCalibration(fitIsotonic(x, y), x);
    expect(fitted[1]).toBe(fitted[2]);
    expect(fitted[2]).toBe(fitted[3]);
    expect(fitted.reduce((a, b) => a + b, 0)).toBeCloseTo(y.reduce((a, b) => a + b, 0), 5);
  });

  it('its output is monotone in the input, everywhere, and inside (0, 1)', () => {
    const { s, y } = sample(5, 5_000, (x) => sigmoid(Math.sin(x) * 2));
    const params = fitIsotonic(Float64Array.from(s, sigmoid), y);
    const grid = Float64Array.from({ length: 2001 }, (_, i) => i / 2000);
    const out = applyCalibration(params, grid);
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]!);
    expect(out[0]!).toBeGreaterThan(0);
    expect(out[out.length - 1]!).toBeLessThan(1);
  });
});

describe('choosing a calibration', () => {
  it('keeps the raw probabilities when they are already calibrated', () => {
    const { s, y } = sample(6, 8_000, sigmoid);
    const choice = chooseCalibration({ values: Float64Array.from(s, sigmoid), y });
    expect(choice.params.kind).toBe('none');
    expect(choice.fitRows + choice.heldOutRows).toBe(8_000);
  });

  it('picks Platt for a model that is too sure of itself', () => {
    const { s, y } = sample(7, 8_000, sigmoid);
    const choice = chooseCalibration({ values: Float64Array.from(s, (z) => sigmoid(2.5 * z)), y });
    expect(choice.params.kind).toBe('platt');
    expect(choice.heldOutLogLoss.platt).toBeLessThan(choice.heldOutLogLoss.none);
  });

  it('picks isotonic when the miscalibration is not a sigmoid', () => {
    // The model's probability is informative only as "above or below one half".
    const r = rng(8);
    const p = Float64Array.from({ length: 8_000 }, () => r());
    const y = Float64Array.from(p, (q) => (r() < (q < 0.5 ? 0.1 : 0.9) ? 1 : 0));
    const choice = chooseCalibration({ values: p, y });
    expect(choice.params.kind).toBe('isotonic');
    expect(choice.heldOutLogLoss.isotonic).toBeLessThan(choice.heldOutLogLoss.platt - 0.001);
  });

  it('parameters survive JSON (a sidecar) and reject what is not a calibration', () => {
    const { s, y } = sample(9, 2_000, (x) => sigmoid(0.8 * x));
    const probs = Float64Array.from(s, sigmoid);
    for (const params of [fitPlatt(probs, y), fitIsotonic(probs, y), { kind: 'none' as const }]) {
      const back = parseCalibration(JSON.stringify(params));
      expect(Array.from(applyCalibration(back, probs))).toEqual(Array.from(applyCalibration(params, probs)));
    }
    expect(() => parseCalibration({ kind: 'isotonic', input: 'probability', x: [0, 1], y: [0.9, 0.1] })).toThrow(/not a calibration/);
    expect(() => parseCalibration({ kind: 'platt', a: 1 })).toThrow(/not a calibration/);
  });
});
