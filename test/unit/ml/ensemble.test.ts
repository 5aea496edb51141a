import { describe, expect, it } from 'vitest';
import { averageProbabilities, ensembleWeights } from '../../../src/main/ml/ensemble';
import { logLoss } from '../../../src/main/ml/metrics';

describe('ensemble', () => {
  it('weights favour the model with the lower recent out-of-sample log loss, and sum to 1', () => {
    const w = ensembleWeights([0.690, 0.700, 0.693]);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w[0]).toBeGreaterThan(w[2]!);
    expect(w[2]).toBeGreaterThan(w[1]!);
    expect(w[1]! / w[0]!).toBeCloseTo(Math.exp(-2), 10);
    expect(ensembleWeights([0.69, Number.NaN])).toEqual([1, 0]);
  });

  it('averaging two complementary models beats each on log loss', () => {
    // Each model is confidently wrong on a different half of the rows.
    const y = [1, 1, 0, 0];
    const a = [0.1, 0.9, 0.9, 0.1, 0.2, 0.8, 0.8, 0.2];
    const b = [0.9, 0.1, 0.1, 0.9, 0.8, 0.2, 0.2, 0.8];
    const avg = averageProbabilities([a, b], [0.5, 0.5], 4, 2);
    const ll = (p: ArrayLike<number>) => logLoss(y, p, 2);
    expect(ll(avg)).toBeLessThan(Math.min(ll(a), ll(b)));
  });
});
