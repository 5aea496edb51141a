// Feature drift: the population stability index (PSI) of each feature between a reference sample
// (the training data) and a recent window. Bins are the reference's quantiles, so each holds about
// the same share of the reference; a missing value (NaN) is its own bin, so a feed that starts
// dropping a feature drifts too. The reference profile is plain JSON, to ride in a model's sidecar.
//
// PSI = Σ_bins (actual − expected)·ln(actual / expected), shares floored at `eps` so an empty bin
// counts as rare rather than impossible. Rule of thumb: < 0.1 stable, 0.1–0.25 warn, > 0.25 alert.
import { quantileSorted } from './metrics';

export const PSI_WARN = 0.1;
export const PSI_ALERT = 0.25;
export const PSI_EPS = 1e-4;

export type DriftLevel = 'ok' | 'warn' | 'alert';

export interface PsiProfile {
  /** Interior cut points, strictly increasing: bin b holds edges[b-1] ≤ x < edges[b] (open at both ends). */
  edges: number[];
  /** Share of the reference in each of the edges.length + 1 value bins. */
  expected: number[];
  /** Share of the reference that is NaN. */
  nanShare: number;
  count: number;
}

/** Quantile bins of the reference (ties merge bins: a 0/1 feature gets its two values' bins). */
export function psiProfile(reference: ArrayLike<number>, bins = 10): PsiProfile {
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer ≥ 2, got ${bins}`);
  const finite: number[] = [];
  for (let i = 0; i < reference.length; i++) if (!Number.isNaN(reference[i]!)) finite.push(reference[i]!);
  finite.sort((a, b) => a - b);
  const edges: number[] = [];
  if (finite.length > 0) {
    for (let b = 1; b < bins; b++) {
      const q = quantileSorted(finite, b / bins);
      if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
    }
  }
  const { shares, nanShare } = sharesOf(edges, reference);
  return { edges, expected: shares, nanShare, count: reference.length };
}

function binOf(edges: number[], x: number): number {
  // Number of edges ≤ x.
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sharesOf(edges: number[], values: ArrayLike<number>): { shares: number[]; nanShare: number } {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let nan = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan++;
    else counts[binOf(edges, v)]!++;
  }
  const n = values.length;
  return { shares: counts.map((c) => (n > 0 ? c / n : Number.NaN)), nanShare: n > 0 ? nan / n : Number.NaN };
}

export interface PsiResult {
  psi: number;
  /** Share of the recent window per value bin, and NaN. */
  actual: number[];
  nanActual: number;
  count: number;
}

/** PSI of a recent window against a reference profile; NaN when the window is empty. */
export function psiAgainst(profile: PsiProfile, recent: ArrayLike<number>, eps = PSI_EPS): PsiResult {
  const { shares, nanShare } = sharesOf(profile.edges, recent);
  if (recent.length === 0) return { psi: Number.NaN, actual: shares, nanActual: nanShare, count: 0 };
  const term = (a: number, e: number): number => {
    const aa = Math.max(a, eps);
    const ee = Math.max(e, eps);
    return (aa - ee) * Math.log(aa / ee);
  };
  let psi = term(nanShare, profile.nanShare);
  for (let b = 0; b < shares.length; b++) psi += term(shares[b]!, profile.expected[b]!);
  return { psi, actual: shares, nanActual: nanShare, count: recent.length };
}

/** PSI between two samples, bins from the first. */
export function populationStabilityIndex(reference: ArrayLike<number>, recent: ArrayLike<number>, bins = 10, eps = PSI_EPS): number {
  return psiAgainst(psiProfile(reference, bins), recent, eps).psi;
}

export function driftLevel(psi: number): DriftLevel {
  return psi > PSI_ALERT ? 'alert' : psi > PSI_WARN ? 'warn' : 'ok';
}

export interface DriftReference {
  featureNames: string[];
  profiles: PsiProfile[];
}

/** Reference profiles of every feature column (e.g. a Dataset's `features` over the training rows). */
export function buildDriftReference(columns: ReadonlyArray<ArrayLike<number>>, featureNames: readonly string[], bins = 10, rows?: ArrayLike<number>): DriftReference {
  if (columns.length !== featureNames.length) throw new RangeError(`${columns.length} columns for ${featureNames.length} names`);
  const profiles = columns.map((c) => psiProfile(rows ? Float64Array.from(rows, (i) => c[i]!) : c, bins));
  return { featureNames: [...featureNames], profiles };
}

export interface FeatureDrift {
  name: string;
  psi: number;
  level: DriftLevel;
  nanExpected: number;
  nanActual: number;
}

/** PSI of each feature of the recent window (columns in the reference's feature order). */
export function featureDrift(reference: DriftReference, recent: ReadonlyArray<ArrayLike<number>>, eps = PSI_EPS): FeatureDrift[] {
  if (recent.length !== reference.featureNames.length) throw new RangeError(`${recent.length} recent columns for ${reference.featureNames.length} features`);
  return reference.profiles.map((profile, f) => {
    const r = psiAgainst(profile, recent[f]!, eps);
    return { name: reference.featureNames[f]!, psi: r.psi, level: driftLevel(r.psi), nanExpected: profile.nanShare, nanActual: r.nanActual };
  });
}

/** Names of the features at or above a drift level ('warn' includes alerts), worst first. */
export function driftedFeatures(report: readonly FeatureDrift[], atLeast: Exclude<DriftLevel, 'ok'> = 'warn'): string[] {
  const limit = atLeast === 'alert' ? PSI_ALERT : PSI_WARN;
  return report
    .filter((d) => d.psi > limit)
    .sort((a, b) => b.psi - a.psi || (a.name < b.name ? -1 : 1))
    .map((d) => d.name);
}
