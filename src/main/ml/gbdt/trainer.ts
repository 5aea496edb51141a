// Histogram gradient boosting, depth-wise like XGBoost's hist: the public entry point. trainGbdt
// validates the data and parameters, then the Booster bins once and grows the trees a level at a
// time (booster.ts). Produces the flat TreeEnsemble of tree-model.ts.
import type { TreeEnsemble } from '../tree-model';
import { Booster } from './booster';
import { resolveParams, type GbdtParams } from './params';

export { logLoss } from './objectives';
export type { GbdtParams } from './params';

export interface GbdtData {
  /** Row-major n×f float32 features; NaN is missing. */
  x: Float32Array;
  /** Class labels: 0/1 for binary, 0..K-1 for multiclass. */
  y: Float32Array | Int32Array;
  n: number;
  f: number;
  featureNames?: string[];
  /** Sample weights (≥ 0), multiplied by the class weights. */
  weight?: Float32Array | Float64Array;
}

export interface RoundLog {
  round: number;
  /** Weighted mean log loss on the training rows (sample × class weights) after this round. */
  train: number;
  /** Mean log loss on the validation set (its own sample weights only) after this round. */
  valid?: number;
}

export interface GbdtResult {
  model: TreeEnsemble;
  log: RoundLog[];
  /** Last round kept in the model (0-based): the best validation round under early stopping, else the last round. */
  bestIteration: number;
  /** Validation log loss at bestIteration; null without a validation set. */
  bestScore: number | null;
  /**
   * The trainer's raw scores of the training rows (n × outputs, row-major) after the last round
   * grown; equal, bit for bit, to predictRaw(model, data.x) unless early stopping dropped rounds.
   */
  trainMargins: Float64Array;
  /** Wall time of the whole call, binning included. */
  seconds: number;
}

/**
 * Trains a binary or multiclass tree ensemble; `valid` gives the per-round validation loss and early
 * stopping. Async only to start the worker threads: the calling thread then computes (and waits
 * on its workers with Atomics.wait) until training ends, so keep it off a UI or event-loop thread.
 * Same data, parameters and seed give a bit-identical model whatever nthread is.
 */
export async function trainGbdt(data: GbdtData, params: GbdtParams = {}, valid?: GbdtData): Promise<GbdtResult> {
  const started = performance.now();
  const maxLabel = checkData(data, 'data');
  if (valid) {
    checkData(valid, 'valid');
    if (valid.f !== data.f) throw new RangeError(`valid has ${valid.f} features, data has ${data.f}`);
  }
  const p = resolveParams(params, maxLabel, valid !== undefined);
  if (valid) {
    for (let i = 0; i < valid.n; i++) if (valid.y[i]! >= p.numClass) throw new RangeError(`valid label ${valid.y[i]} out of range`);
  }
  const booster = new Booster(data, p, valid);
  try {
    await booster.startWorkers();
    const out = booster.run();
    return { ...out, seconds: (performance.now() - started) / 1000 };
  } finally {
    await booster.close();
  }
}

/** Validates one data set and returns its largest label. */
function checkData(d: GbdtData, name: string): number {
  if (!Number.isInteger(d.n) || d.n < 1 || !Number.isInteger(d.f) || d.f < 1) throw new RangeError(`${name}: n and f must be positive integers`);
  if (d.x.length !== d.n * d.f) throw new RangeError(`${name}: x has ${d.x.length} values, expected n*f = ${d.n * d.f}`);
  if (d.y.length !== d.n) throw new RangeError(`${name}: y has ${d.y.length} labels, expected ${d.n}`);
  if (d.weight && d.weight.length !== d.n) throw new RangeError(`${name}: weight has ${d.weight.length} values, expected ${d.n}`);
  if (d.featureNames && d.featureNames.length !== d.f) throw new RangeError(`${name}: ${d.featureNames.length} feature names for ${d.f} features`);
  let maxLabel = 0;
  for (let i = 0; i < d.n; i++) {
    const label = d.y[i]!;
    if (!Number.isInteger(label) || label < 0) throw new RangeError(`${name}: label ${label} at row ${i} is not a class index`);
    if (label > maxLabel) maxLabel = label;
    if (d.weight) {
      const w = d.weight[i]!;
      if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`${name}: weight ${w} at row ${i} is not finite and ≥ 0`);
    }
  }
  return maxLabel;
}
