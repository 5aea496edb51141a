// SHAP-based feature selection: rank features by mean |SHAP| on held-out rows, drop those below a
// share of the total, retrain, and keep the reduced model only if it is no worse on the held-out
// rows. Dropped features are masked (set missing) rather than removed, so the model keeps the
// engine's feature spec and input shape and provably never splits on them.
import { trainGbdt, type GbdtData, type GbdtParams } from './gbdt/trainer';
import { logLoss } from './metrics';
import { meanAbsShap, treeShap } from './shap/tree-shap';
import { predictProba, type TreeEnsemble } from './tree-model';

export interface SelectionResult {
  kept: string[];
  dropped: string[];
  importance: Array<{ feature: string; meanAbsShap: number }>;
  before: { model: TreeEnsemble; validLogLoss: number };
  after: { model: TreeEnsemble; validLogLoss: number };
  /** The model to use: the reduced one when it is at least as good on the held-out rows. */
  chosen: 'reduced' | 'full';
}

function masked(d: GbdtData, drop: ReadonlySet<number>): GbdtData {
  const x = Float32Array.from(d.x);
  for (let i = 0; i < d.n; i++) for (const j of drop) x[i * d.f + j] = Number.NaN;
  return { ...d, x };
}

function validLoss(m: TreeEnsemble, v: GbdtData): number {
  const p = predictProba(m, v.x, v.n);
  return logLoss(v.y, m.numClass === 2 ? Float64Array.from({ length: v.n }, (_, i) => p[i * 2 + 1]!) : p, m.numClass);
}

export async function selectByShap(train: GbdtData, valid: GbdtData, params: GbdtParams, minShare = 0.01, shapRows = 500): Promise<SelectionResult> {
  const names = train.featureNames ?? Array.from({ length: train.f }, (_, i) => `f${i}`);
  const full = (await trainGbdt(train, params, valid)).model;
  const n = Math.min(valid.n, shapRows);
  const importance = meanAbsShap(treeShap(full, valid.x.subarray(0, n * valid.f), n), names);
  const total = importance.reduce((s, f) => s + f.meanAbsShap, 0);
  const dropped = importance.filter((f) => total > 0 && f.meanAbsShap / total < minShare).map((f) => f.feature);
  const dropIdx = new Set(dropped.map((d) => names.indexOf(d)));
  const reduced = (await trainGbdt(masked(train, dropIdx), params, masked(valid, dropIdx))).model;
  const before = validLoss(full, valid);
  const after = validLoss(reduced, masked(valid, dropIdx));
  return {
    kept: names.filter((n2) => !dropped.includes(n2)),
    dropped,
    importance,
    before: { model: full, validLogLoss: before },
    after: { model: reduced, validLogLoss: after },
    chosen: after <= before ? 'reduced' : 'full',
  };
}
