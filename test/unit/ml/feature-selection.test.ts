import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/main/engine/random';
import { selectByShap } from '../../../src/main/ml/feature-selection';

function data(n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const f = 8;
  const x = new Float32Array(n * f);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) x[i * f + j] = rng.normal();
    // Only features 0 and 3 matter.
    y[i] = x[i * f]! - 0.8 * x[i * f + 3]! + 0.3 * rng.normal() > 0 ? 1 : 0;
  }
  return { x, y, n, f, featureNames: ['a', 'b', 'c', 'd', 'e', 'g', 'h', 'k'] };
}

describe('SHAP-based feature selection', () => {
  it('keeps the features that carry the signal, drops the noise, and the reduced model never uses what it dropped', async () => {
    const r = await selectByShap(data(3000, 1), data(1000, 2), { numRound: 40, maxDepth: 3, eta: 0.2, maxBin: 64, nthread: 1, seed: 1 }, 0.05);
    expect(r.kept).toEqual(expect.arrayContaining(['a', 'd']));
    expect(r.dropped.length).toBeGreaterThanOrEqual(4);
    expect(r.importance[0]!.feature).toBe('a');
    const dropped = new Set(r.dropped.map((d) => ['a', 'b', 'c', 'd', 'e', 'g', 'h', 'k'].indexOf(d)));
    for (const tree of r.after.model.trees) for (const feat of tree.feature) expect(dropped.has(feat)).toBe(false);
    // Dropping noise does not hurt held-out log loss (beyond a hair).
    expect(r.after.validLogLoss).toBeLessThan(r.before.validLogLoss + 0.01);
  });
});
