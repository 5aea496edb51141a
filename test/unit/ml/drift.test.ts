import { describe, expect, it } from 'vitest';
import {
  buildDriftReference,
  driftedFeatures,
  driftLevel,
  featureDrift,
  populationStabilityIndex,
  psiAgainst,
  psiProfile,
  type DriftReference,
} from '../../../src/main/ml/drift';

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

/** n draws of N(mean, 1), with a share of them missing (NaN). */
function normal(seed: number, n: number, mean = 0, nanShare = 0): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    return r() < nanShare ? Number.NaN : mean + z;
  });
}

describe('population stability index', () => {
  it('is 0 on identical samples and ≈ 0 on two samples of one distribution', () => {
    const a = normal(1, 20_000);
    expect(populationStabilityIndex(a, a)).toBe(0);
    expect(populationStabilityIndex(a, normal(2, 20_000))).toBeLessThan(0.01);
  });

  it('bins the reference by its deciles', () => {
    const p = psiProfile(normal(3, 10_000));
    expect(p.edges).toHaveLength(9);
    for (const share of p.expected) expect(share).toBeCloseTo(0.1, 3);
    expect(p.edges[4]).toBeCloseTo(0, 1); // the median of N(0, 1)
  });

  it('grows with a shift of the mean: 0.1σ stays ok, 0.5σ alerts, 1σ is about d² = 1', () => {
    const ref = normal(4, 20_000);
    const small = populationStabilityIndex(ref, normal(5, 20_000, 0.1));
    const half = populationStabilityIndex(ref, normal(6, 20_000, 0.5));
    const one = populationStabilityIndex(ref, normal(7, 20_000, 1));
    expect(small).toBeLessThan(0.1);
    expect(half).toBeGreaterThan(0.2);
    expect(one).toBeGreaterThan(0.7);
    expect(one).toBeLessThan(1.1);
    expect(driftLevel(small)).toBe('ok');
    expect(driftLevel(one)).toBe('alert');
  });

  it('counts missing values as their own bin: a feed that starts dropping a feature drifts', () => {
    const ref = normal(8, 20_000, 0, 0.1);
    expect(populationStabilityIndex(ref, normal(9, 20_000, 0, 0.1))).toBeLessThan(0.01);
    const dropping = psiAgainst(psiProfile(ref), normal(10, 20_000, 0, 0.4));
    expect(dropping.nanActual).toBeCloseTo(0.4, 1);
    expect(dropping.psi).toBeGreaterThan(0.25);
  });

  it('handles a 0/1 feature (ties merge bins) with the textbook value', () => {
    const ref = Float32Array.from({ length: 1000 }, (_, i) => (i < 300 ? 1 : 0));
    const now = Float32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 1 : 0));
    expect(populationStabilityIndex(ref, now)).toBeCloseTo(2 * 0.4 * Math.log(7 / 3), 10);
  });

  it('stays finite when the recent window falls entirely outside the reference (epsilon floor)', () => {
    const psi = populationStabilityIndex(normal(11, 5_000), normal(12, 5_000, 50));
    expect(Number.isFinite(psi)).toBe(true);
    expect(psi).toBeGreaterThan(5);
  });
});

describe('drifted features', () => {
  it('reports each feature’s level and lists the drifted ones, worst first; the reference survives JSON', () => {
    const names = ['stable', 'nudged', 'shifted', 'dropped'];
    const ref = [normal(20, 20_000), normal(21, 20_000), normal(22, 20_000), normal(23, 20_000)];
    const recent = [normal(30, 5_000), normal(31, 5_000, 0.45), normal(32, 5_000, 1.5), normal(33, 5_000, 0, 0.5)];
    const reference = JSON.parse(JSON.stringify(buildDriftReference(ref, names))) as DriftReference;
    const report = featureDrift(reference, recent);
    expect(report.map((d) => d.level)).toEqual(['ok', 'warn', 'alert', 'alert']);
    expect(report[1]!.psi).toBeGreaterThan(0.1);
    expect(report[1]!.psi).toBeLessThan(0.25);
    expect(report[3]!.nanActual).toBeCloseTo(0.5, 1);
    expect(driftedFeatures(report)).toEqual(report.slice(1).sort((a, b) => b.psi - a.psi).map((d) => d.name));
    expect(driftedFeatures(report, 'alert').sort()).toEqual(['dropped', 'shifted']);
  });

  it('can profile only the training rows of a dataset', () => {
    const col = Float32Array.from({ length: 100 }, (_, i) => (i < 50 ? 0 : 100 + i));
    const rows = Int32Array.from({ length: 50 }, (_, i) => i);
    const ref = buildDriftReference([col], ['x'], 10, rows);
    expect(ref.profiles[0]!.count).toBe(50);
    expect(featureDrift(ref, [col.subarray(0, 50)])[0]!.psi).toBe(0);
  });
});
