// Training parameters: XGBoost's names in camelCase, XGBoost's defaults unless said otherwise, and
// every cross-field check in one place (resolveParams), which throws before any work starts.
import { availableParallelism } from 'node:os';
import type { Objective } from '../tree-model';

export interface GbdtParams {
  /** 'binary' (labels 0/1, one raw score) or 'multiclass' (labels 0..K-1). Default: binary when numClass ≤ 2. */
  objective?: Objective;
  /** Number of classes. Default: max label + 1 (at least 2). */
  numClass?: number;
  /** Boosting rounds (num_round). Default 100. Multiclass grows numClass trees per round. */
  numRound?: number;
  /** max_depth. Default 6. */
  maxDepth?: number;
  /** Learning rate (eta), applied to the stored leaf values. Default 0.3. */
  eta?: number;
  /** Minimum hessian sum in each child (min_child_weight). Default 1. */
  minChildWeight?: number;
  /** L2 penalty on leaf weights (lambda). Default 1. */
  lambda?: number;
  /** Minimum gain of a split (gamma), subtracted from ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)]. Default 0. */
  gamma?: number;
  /** Fraction of rows drawn, without replacement, for each tree. Default 1. */
  subsample?: number;
  /** Fraction of features drawn for each tree (colsample_bytree). Default 1. */
  colsampleByTree?: number;
  /** Bins per feature including the NaN bin, 2..256. Default 256. */
  maxBin?: number;
  /** Seed of the row and feature sampling. Default 0. */
  seed?: number;
  /** Per-class multipliers of the sample weights, or 'balanced' (n / (K · count of the class)). */
  classWeight?: 'balanced' | readonly number[];
  /** Stop when the validation loss has not improved for this many rounds; needs a validation set. */
  earlyStoppingRounds?: number;
  /** Threads building histograms (1 = no workers). Default: available cores, at most 8. */
  nthread?: number;
}

export interface ResolvedParams {
  readonly objective: Objective;
  readonly numClass: number;
  /** Raw scores per row: 1 for binary, numClass for multiclass. */
  readonly outputs: number;
  readonly numRound: number;
  readonly maxDepth: number;
  readonly eta: number;
  readonly minChildWeight: number;
  readonly lambda: number;
  readonly gamma: number;
  readonly subsample: number;
  readonly colsampleByTree: number;
  readonly maxBin: number;
  readonly seed: number;
  readonly classWeight: 'balanced' | readonly number[] | null;
  readonly earlyStoppingRounds: number | null;
  readonly nthread: number;
}

/** Depth beyond which the per-level histogram memory stops being reasonable. */
export const MAX_DEPTH_LIMIT = 16;

export function resolveParams(params: GbdtParams, maxLabel: number, hasValid: boolean): ResolvedParams {
  const numClass = params.numClass ?? Math.max(2, maxLabel + 1);
  const objective: Objective = params.objective ?? (numClass <= 2 ? 'binary' : 'multiclass');
  if (!Number.isInteger(numClass) || numClass < 2) throw new RangeError(`numClass must be an integer ≥ 2, got ${numClass}`);
  if (objective === 'binary' && numClass !== 2) throw new RangeError(`binary objective needs numClass 2, got ${numClass}`);
  if (objective === 'multiclass' && numClass < 3) throw new RangeError('multiclass objective needs numClass ≥ 3; use binary for two classes');
  if (maxLabel >= numClass) throw new RangeError(`label ${maxLabel} out of range for ${numClass} classes`);
  const resolved: ResolvedParams = {
    objective,
    numClass,
    outputs: objective === 'binary' ? 1 : numClass,
    numRound: params.numRound ?? 100,
    maxDepth: params.maxDepth ?? 6,
    eta: params.eta ?? 0.3,
    minChildWeight: params.minChildWeight ?? 1,
    lambda: params.lambda ?? 1,
    gamma: params.gamma ?? 0,
    subsample: params.subsample ?? 1,
    colsampleByTree: params.colsampleByTree ?? 1,
    maxBin: params.maxBin ?? 256,
    seed: params.seed ?? 0,
    classWeight: params.classWeight ?? null,
    earlyStoppingRounds: params.earlyStoppingRounds ?? null,
    nthread: params.nthread ?? Math.min(8, availableParallelism()),
  };
  const r = resolved;
  check(Number.isInteger(r.numRound) && r.numRound >= 1, `numRound must be an integer ≥ 1, got ${r.numRound}`);
  check(Number.isInteger(r.maxDepth) && r.maxDepth >= 1 && r.maxDepth <= MAX_DEPTH_LIMIT, `maxDepth must be an integer in [1, ${MAX_DEPTH_LIMIT}], got ${r.maxDepth}`);
  check(r.eta > 0 && Number.isFinite(r.eta), `eta must be > 0, got ${r.eta}`);
  check(r.minChildWeight >= 0 && Number.isFinite(r.minChildWeight), `minChildWeight must be ≥ 0, got ${r.minChildWeight}`);
  check(r.lambda >= 0 && Number.isFinite(r.lambda), `lambda must be ≥ 0, got ${r.lambda}`);
  check(r.gamma >= 0 && Number.isFinite(r.gamma), `gamma must be ≥ 0, got ${r.gamma}`);
  check(r.subsample > 0 && r.subsample <= 1, `subsample must be in (0, 1], got ${r.subsample}`);
  check(r.colsampleByTree > 0 && r.colsampleByTree <= 1, `colsampleByTree must be in (0, 1], got ${r.colsampleByTree}`);
  check(Number.isInteger(r.maxBin) && r.maxBin >= 2 && r.maxBin <= 256, `maxBin must be an integer in [2, 256], got ${r.maxBin}`);
  check(Number.isInteger(r.seed), `seed must be an integer, got ${r.seed}`);
  check(Number.isInteger(r.nthread) && r.nthread >= 1, `nthread must be an integer ≥ 1, got ${r.nthread}`);
  if (Array.isArray(r.classWeight)) {
    check(r.classWeight.length === numClass, `classWeight needs ${numClass} entries, got ${r.classWeight.length}`);
    check(r.classWeight.every((w) => w >= 0 && Number.isFinite(w)), 'classWeight entries must be finite and ≥ 0');
  } else if (r.classWeight !== null) {
    check(r.classWeight === 'balanced', `classWeight must be 'balanced' or an array, got ${String(r.classWeight)}`);
  }
  if (r.earlyStoppingRounds !== null) {
    check(Number.isInteger(r.earlyStoppingRounds) && r.earlyStoppingRounds >= 1, `earlyStoppingRounds must be an integer ≥ 1, got ${r.earlyStoppingRounds}`);
    check(hasValid, 'earlyStoppingRounds needs a validation set');
  }
  return Object.freeze(resolved);
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}
