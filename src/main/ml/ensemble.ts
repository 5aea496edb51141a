// Ensembles: weighted averaging of class probabilities across loaded models (trees, linear, and
// sequence models alike, since each only contributes probabilities), with weights from recent
// out-of-sample log loss, re-estimated at each retrain.

/**
 * Weights from held-out log losses: w_i ∝ exp(-(L_i - L_min) / temperature). A model 2 × temperature
 * worse than the best gets e^-2 ≈ 14% of its weight; non-finite losses get weight 0.
 */
export function ensembleWeights(losses: readonly number[], temperature = 0.005): number[] {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  const finite = losses.filter(Number.isFinite);
  if (finite.length === 0) return losses.map(() => 0);
  const best = Math.min(...finite);
  const raw = losses.map((l) => (Number.isFinite(l) ? Math.exp(-(l - best) / temperature) : 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / sum);
}

/** Weighted average of row-major [n, k] probability matrices (weights summing to 1). */
export function averageProbabilities(members: ReadonlyArray<ArrayLike<number>>, weights: readonly number[], n: number, k: number): Float64Array {
  if (members.length !== weights.length) throw new RangeError(`${members.length} members for ${weights.length} weights`);
  const out = new Float64Array(n * k);
  members.forEach((p, m) => {
    const w = weights[m]!;
    if (w === 0) return;
    if (p.length < n * k) throw new RangeError(`member ${m} gave ${p.length} probabilities for ${n}×${k}`);
    for (let i = 0; i < n * k; i++) out[i]! += w * p[i]!;
  });
  return out;
}
