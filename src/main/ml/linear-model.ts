// The logistic-regression baseline as its trainer produces it and the ONNX exporter reads it, with
// the reference prediction the exported graph must reproduce.
// Binary: one coefficient row w and one intercept b, p(class 1) = sigmoid(w·z + b).
// Multiclass (K ≥ 3): K rows and K intercepts, multinomial softmax.
// z is the feature vector: a NaN is first replaced by `impute[j]` when the model has imputation
// values (without them a NaN gives NaN probabilities), then standardised when a scaler is present:
// z = (x - mean) / scale.

export interface FeatureScaler {
  mean: Float64Array;
  /** Standard deviation per feature (sklearn's `scale_`); must be non-zero. */
  scale: Float64Array;
}

export interface LinearModel {
  /** Row-major [rows, F]: 1 row for binary, one per class for multiclass. */
  coefficients: Float64Array;
  /** One per coefficient row. */
  intercepts: Float64Array;
  /** Class labels in output order: [0, 1] for binary, K labels for multiclass. */
  classLabels: number[];
  featureNames: string[];
  scaler?: FeatureScaler;
  /** Value per feature that replaces a NaN (e.g. the training mean), before the scaler. */
  impute?: Float64Array;
}

/**
 * The model with NaN imputed by the scaler's mean (0 after standardisation), as the logistic
 * trainer (logistic.ts) scores: exported this way the graph carries its own Imputer, so rows with
 * warm-up NaNs need no preparation by the caller.
 */
export function withMeanImputation(m: LinearModel & { scaler: FeatureScaler }): LinearModel {
  return {
    coefficients: m.coefficients,
    intercepts: m.intercepts,
    classLabels: [...m.classLabels],
    featureNames: [...m.featureNames],
    scaler: { mean: m.scaler.mean, scale: m.scaler.scale },
    impute: m.scaler.mean,
  };
}

export function linearRows(m: LinearModel): number {
  return m.intercepts.length;
}

/** Class probabilities, row-major [n, classLabels.length] (binary: [1 - p, p]). */
export function predictLinearProba(m: LinearModel, x: ArrayLike<number>, n: number): Float64Array {
  const f = m.featureNames.length;
  const rows = linearRows(m);
  const k = m.classLabels.length;
  const out = new Float64Array(n * k);
  const z = new Float64Array(f);
  const scores = new Float64Array(rows);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      let v = x[i * f + j]!;
      if (Number.isNaN(v) && m.impute) v = m.impute[j]!;
      z[j] = m.scaler ? (v - m.scaler.mean[j]!) / m.scaler.scale[j]! : v;
    }
    for (let r = 0; r < rows; r++) {
      let s = m.intercepts[r]!;
      for (let j = 0; j < f; j++) s += m.coefficients[r * f + j]! * z[j]!;
      scores[r] = s;
    }
    if (rows === 1) {
      const p = 1 / (1 + Math.exp(-scores[0]!));
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let r = 0; r < rows; r++) max = Math.max(max, scores[r]!);
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += out[i * k + r] = Math.exp(scores[r]! - max);
    for (let r = 0; r < rows; r++) out[i * k + r]! /= sum;
  }
  return out;
}
