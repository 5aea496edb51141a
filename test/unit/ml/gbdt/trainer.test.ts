import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../src/main/engine/random';
import { logLoss, trainGbdt, type GbdtData } from '../../../../src/main/ml/gbdt/trainer';
import { binFeatures } from '../../../../src/main/ml/gbdt/binning';
import { leafOf, predictProba, predictRaw, type Tree, type TreeEnsemble } from '../../../../src/main/ml/tree-model';

/** n rows of f features from `feature`, labels from `label` (which sees the row). */
function dataset(n: number, f: number, seed: number, feature: (rng: SeededRandom, j: number) => number, label: (row: Float32Array, rng: SeededRandom) => number): GbdtData {
  const rng = new SeededRandom(seed);
  const x = new Float32Array(n * f);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) x[i * f + j] = feature(rng, j);
    y[i] = label(x.subarray(i * f, (i + 1) * f), rng);
  }
  return { x, y, n, f };
}

const uniform = (rng: SeededRandom): number => rng.next() * 2 - 1;

function accuracy(model: TreeEnsemble, d: GbdtData): number {
  const p = predictProba(model, d.x, d.n);
  const k = model.numClass;
  let hits = 0;
  for (let i = 0; i < d.n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c;
    if (best === d.y[i]) hits++;
  }
  return hits / d.n;
}

function expectSameTrees(a: TreeEnsemble, b: TreeEnsemble): void {
  expect(a.trees.length).toBe(b.trees.length);
  expect(Array.from(a.baseScore)).toEqual(Array.from(b.baseScore));
  for (let t = 0; t < a.trees.length; t++) {
    const x = a.trees[t]!;
    const y = b.trees[t]!;
    for (const key of ['feature', 'threshold', 'left', 'right', 'defaultLeft', 'value', 'cover', 'gain'] as const) {
      expect(Array.from(x[key]), `tree ${t} ${key}`).toEqual(Array.from(y[key]));
    }
  }
}

function sameTrees(a: TreeEnsemble, b: TreeEnsemble): boolean {
  if (a.trees.length !== b.trees.length) return false;
  return a.trees.every((t, i) => {
    const u = b.trees[i]!;
    return (['feature', 'threshold', 'value'] as const).every((key) => t[key].length === u[key].length && t[key].every((v, j) => Object.is(v, u[key][j])));
  });
}

const xor = (seed: number, n: number): GbdtData => dataset(n, 4, seed, uniform, (r) => ((r[0]! > 0) !== (r[1]! > 0) ? 1 : 0));

const threeClass = (seed: number, n: number): GbdtData =>
  dataset(n, 8, seed, (rng) => rng.normal(), (r, rng) => {
    const s = [r[0]! + 0.5 * r[1]!, r[2]! * r[3]!, 0.8 * Math.abs(r[4]!) - 0.6];
    const g = s.map((v) => v - Math.log(-Math.log(rng.next() + 1e-12)));
    return g.indexOf(Math.max(...g));
  });

describe('gradient-boosted trees: learning', () => {
  it('when labels are an XOR of two features then it learns them', async () => {
    const train = xor(1, 3_000);
    const test = xor(2, 1_000);
    const { model, log } = await trainGbdt(train, { numRound: 40, maxDepth: 3, eta: 0.3, nthread: 1 });
    expect(model.objective).toBe('binary');
    expect(model.trees.length).toBe(40);
    expect(accuracy(model, test)).toBeGreaterThan(0.95);
    expect(log[log.length - 1]!.train).toBeLessThan(log[0]!.train);
  });

  it('when one feature carries the signal then the splits use it most', async () => {
    const make = (seed: number) => dataset(3_000, 6, seed, uniform, (r, rng) => (r[3]! + 0.2 * rng.normal() > 0.1 ? 1 : 0));
    const { model } = await trainGbdt(make(3), { numRound: 20, maxDepth: 3, nthread: 1 });
    const gain = new Array<number>(6).fill(0);
    for (const t of model.trees) for (let i = 0; i < t.feature.length; i++) if (t.feature[i]! >= 0) gain[t.feature[i]!]! += t.gain[i]!;
    expect(gain.indexOf(Math.max(...gain))).toBe(3);
    expect(gain[3]! / gain.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.8);
    expect(accuracy(model, make(4))).toBeGreaterThan(0.85);
  });

  it('when there are three classes then held-out log loss beats the class prior', async () => {
    const train = threeClass(5, 4_000);
    const test = threeClass(6, 2_000);
    const { model } = await trainGbdt(train, { numRound: 30, maxDepth: 4, eta: 0.2, nthread: 1 });
    expect(model.objective).toBe('multiclass');
    expect(model.trees.length).toBe(90);
    expect(Array.from(model.treeOutput.slice(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
    const prior = [0, 0, 0];
    for (let i = 0; i < train.n; i++) prior[train.y[i]!]! += 1 / train.n;
    const priorProba = new Float64Array(test.n * 3);
    for (let i = 0; i < test.n; i++) for (let c = 0; c < 3; c++) priorProba[i * 3 + c] = prior[c]!;
    const priorLoss = logLoss(test.y, priorProba, 3);
    const modelLoss = logLoss(test.y, predictProba(model, test.x, test.n), 3);
    expect(modelLoss).toBeLessThan(priorLoss - 0.1);
    // The base score is the log of the (weighted) class priors.
    for (let c = 0; c < 3; c++) expect(model.baseScore[c]).toBeCloseTo(Math.log(prior[c]!), 5);
  });
});

describe('gradient-boosted trees: exactness and determinism', () => {
  it('the model reproduces the trainer’s own margins bit for bit, and thresholds are float32 data values', async () => {
    const train = threeClass(7, 2_000);
    // Values that are not float32-exact in float64, so any float64 threshold would show.
    for (let i = 0; i < train.x.length; i += 7) train.x[i] = Math.fround(train.x[i]! + 1e-3);
    const { model, trainMargins } = await trainGbdt(train, { numRound: 15, maxDepth: 5, eta: 0.3, subsample: 0.7, colsampleByTree: 0.8, nthread: 1 });
    expect(Array.from(predictRaw(model, train.x, train.n))).toEqual(Array.from(trainMargins));
    const seen = new Set(Array.from(train.x));
    for (const t of model.trees) {
      expect(t.threshold).toBeInstanceOf(Float32Array);
      for (let i = 0; i < t.feature.length; i++) if (t.feature[i]! >= 0) expect(seen.has(t.threshold[i]!)).toBe(true);
      for (const v of t.value) expect(Math.fround(v)).toBe(v);
    }
  });

  it('when trained twice with one seed then the models are identical; another seed differs', async () => {
    const train = threeClass(8, 1_500);
    const params = { numRound: 8, maxDepth: 4, subsample: 0.6, colsampleByTree: 0.6, seed: 11, nthread: 1 };
    const a = await trainGbdt(train, params);
    const b = await trainGbdt(train, params);
    expectSameTrees(a.model, b.model);
    const c = await trainGbdt(train, { ...params, seed: 12 });
    expect(sameTrees(a.model, c.model)).toBe(false);
  });

  it('when trained with 1, 2 and 3 threads then the models are identical', async () => {
    const train = threeClass(9, 2_500);
    // 20 features: 6 bin words, so 2 and 3 threads really split the work.
    const wide: GbdtData = { ...train, f: 20, x: new Float32Array(train.n * 20) };
    const rng = new SeededRandom(1);
    for (let i = 0; i < train.n; i++) for (let j = 0; j < 20; j++) wide.x[i * 20 + j] = j < 8 ? train.x[i * 8 + j]! : rng.normal();
    for (let i = 0; i < train.n; i += 13) wide.x[i * 20 + 2] = Number.NaN;
    const params = { numRound: 6, maxDepth: 5, subsample: 0.8, colsampleByTree: 0.7, seed: 3 };
    const one = await trainGbdt(wide, { ...params, nthread: 1 });
    const two = await trainGbdt(wide, { ...params, nthread: 2 });
    const three = await trainGbdt(wide, { ...params, nthread: 3 });
    expectSameTrees(one.model, two.model);
    expectSameTrees(one.model, three.model);
    expect(Array.from(two.trainMargins)).toEqual(Array.from(one.trainMargins));
    expect(two.log).toEqual(one.log);
  });

  it('when trees are deep (many histograms alive at once) then threads still agree', async () => {
    const train = threeClass(12, 4_000);
    const params = { numRound: 3, maxDepth: 11, minChildWeight: 0, eta: 0.5 };
    const one = await trainGbdt(train, { ...params, nthread: 1 });
    const two = await trainGbdt(train, { ...params, nthread: 2 });
    expectSameTrees(one.model, two.model);
    const depthOf = (t: Tree): number => {
      const walk = (node: number): number => (t.feature[node]! < 0 ? 0 : 1 + Math.max(walk(t.left[node]!), walk(t.right[node]!)));
      return walk(0);
    };
    expect(Math.max(...one.model.trees.map(depthOf))).toBe(11);
    expect(Array.from(predictRaw(one.model, train.x, train.n))).toEqual(Array.from(one.trainMargins));
  });

  it('when maxBin is small then no feature uses more distinct thresholds than bins allow', async () => {
    const train = threeClass(10, 2_000);
    const { model } = await trainGbdt(train, { numRound: 20, maxDepth: 6, maxBin: 8, nthread: 1 });
    const perFeature = new Map<number, Set<number>>();
    for (const t of model.trees) {
      for (let i = 0; i < t.feature.length; i++) {
        const f = t.feature[i]!;
        if (f < 0) continue;
        if (!perFeature.has(f)) perFeature.set(f, new Set());
        perFeature.get(f)!.add(t.threshold[i]!);
      }
    }
    for (const set of perFeature.values()) expect(set.size).toBeLessThanOrEqual(7);
    const { mapper } = binFeatures(train.x, train.n, train.f, 8);
    for (let f = 0; f < train.f; f++) expect(mapper.numBins[f]! + (mapper.missingBin[f]! >= 0 ? 1 : 0)).toBeLessThanOrEqual(8);
  });
});

describe('gradient-boosted trees: early stopping, missing values, weights', () => {
  it('when validation loss stops improving then training stops and keeps the best round', async () => {
    // Pure noise labels: the validation loss is best after very few rounds.
    const noise = (seed: number) => dataset(1_500, 5, seed, uniform, (_r, rng) => (rng.next() < 0.5 ? 1 : 0));
    const valid = noise(21);
    const { model, log, bestIteration, bestScore } = await trainGbdt(noise(20), { numRound: 200, maxDepth: 6, eta: 0.5, earlyStoppingRounds: 5, nthread: 1 }, valid);
    expect(log.length).toBeLessThan(200);
    expect(log.length).toBe(bestIteration + 6);
    const losses = log.map((l) => l.valid!);
    expect(bestScore).toBe(Math.min(...losses));
    expect(losses.indexOf(bestScore!)).toBe(bestIteration);
    expect(model.trees.length).toBe(bestIteration + 1);
    const p = predictProba(model, valid.x, valid.n);
    expect(logLoss(valid.y, p, 2)).toBeCloseTo(bestScore!, 12);
  });

  it('when a missing value predicts the label then NaN rows go to the learned side', async () => {
    // x0 missing ⇒ label 1; otherwise label 1 only when x0 > 0.6.
    const make = (seed: number) =>
      dataset(3_000, 3, seed, (rng, j) => (j === 0 && rng.next() < 0.2 ? Number.NaN : uniform(rng)), (r) => (Number.isNaN(r[0]!) || r[0]! > 0.6 ? 1 : 0));
    const { model } = await trainGbdt(make(30), { numRound: 10, maxDepth: 2, nthread: 1 });
    const root = model.trees[0]!;
    expect(root.feature[0]).toBe(0);
    // NaN follows the same side as the high values (right of the threshold).
    expect(root.defaultLeft[0]).toBe(0);
    const p = predictProba(model, Float32Array.of(Number.NaN, 0, 0, -0.5, 0, 0), 2);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(p[3]).toBeLessThan(0.1);
    // And when NaN means label 0 the learned direction flips.
    const flipped = (seed: number) =>
      dataset(3_000, 3, seed, (rng, j) => (j === 0 && rng.next() < 0.2 ? Number.NaN : uniform(rng)), (r) => (!Number.isNaN(r[0]!) && r[0]! > -0.6 ? 1 : 0));
    const other = await trainGbdt(flipped(31), { numRound: 10, maxDepth: 2, nthread: 1 });
    expect(other.model.trees[0]!.feature[0]).toBe(0);
    expect(other.model.trees[0]!.defaultLeft[0]).toBe(1);
    const leaf = leafOf(other.model.trees[0]!, [Number.NaN, 0, 0]);
    expect(other.model.trees[0]!.value[leaf]).toBeLessThan(0);
  });

  it('when a class is weighted up then predictions shift toward it', async () => {
    const noisy = dataset(3_000, 4, 40, uniform, (r, rng) => (r[0]! + rng.normal() > 1 ? 1 : 0));
    const meanP1 = (m: TreeEnsemble) => {
      const p = predictProba(m, noisy.x, noisy.n);
      let s = 0;
      for (let i = 0; i < noisy.n; i++) s += p[i * 2 + 1]!;
      return s / noisy.n;
    };
    const plain = await trainGbdt(noisy, { numRound: 20, maxDepth: 3, nthread: 1 });
    const weighted = await trainGbdt(noisy, { numRound: 20, maxDepth: 3, nthread: 1, classWeight: [1, 4] });
    const balanced = await trainGbdt(noisy, { numRound: 20, maxDepth: 3, nthread: 1, classWeight: 'balanced' });
    expect(meanP1(weighted.model)).toBeGreaterThan(meanP1(plain.model) + 0.15);
    expect(meanP1(balanced.model)).toBeGreaterThan(meanP1(plain.model) + 0.15);
    // Sample weights of 4 on class 1 are the same as a class weight of 4.
    const sampleWeighted = await trainGbdt({ ...noisy, weight: Float32Array.from(noisy.y, (y) => (y === 1 ? 4 : 1)) }, { numRound: 20, maxDepth: 3, nthread: 1 });
    expectSameTrees(sampleWeighted.model, weighted.model);
  });

  it('when parameters are inconsistent then training refuses to start', async () => {
    const d = xor(50, 100);
    await expect(trainGbdt(d, { earlyStoppingRounds: 3 })).rejects.toThrow(/validation set/);
    await expect(trainGbdt(d, { maxBin: 300 })).rejects.toThrow(/maxBin/);
    await expect(trainGbdt({ ...d, y: Int32Array.from(d.y, (v) => v * 3) }, { objective: 'binary' })).rejects.toThrow(/numClass|label/);
    await expect(trainGbdt(d, { classWeight: [1, 2, 3] })).rejects.toThrow(/classWeight/);
  });
});
