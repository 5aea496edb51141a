// The synchronous scoring path: a tree model's ONNX read back and compiled to WebAssembly. onnxruntime
// is the reference: on a model trained with the live parameters and on random rows (NaN, ±Infinity,
// zeros among them) scoreNow's probabilities equal score's within 1e-6, in the same layout; a model
// without a fast path answers null. Through the learning service, the same minute's published
// models.scores message is the same either way (same minute, symbols and model; P(up) within 1e-6:
// onnxruntime adds the leaf weights in float32, the compiled predictor in float64, so the last bits
// differ on some rows), and with the fast path it is published before the next minute's first row
// has finished going through the bus.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/shared/domain';
import type { BarFeatures, Scores } from '../../../src/shared/messages';
import { MessageBus } from '../../../src/main/engine/bus';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { SeededRandom } from '../../../src/main/engine/random';
import type { EngineBus } from '../../../src/main/engine/topics';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC } from '../../../src/main/features/spec';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { trainGbdt } from '../../../src/main/ml/gbdt/trainer';
import { InferenceError, InferenceService } from '../../../src/main/ml/inference/inference-service';
import { sidecarFor, writeModelDir } from '../../../src/main/ml/inference/sidecar';
import { DEFAULT_LEARNING, INTRADAY_PURPOSE, LearningService } from '../../../src/main/ml/learning-service';
import { withMeanImputation } from '../../../src/main/ml/linear-model';
import { exportLinearModel } from '../../../src/main/ml/onnx/export-linear';
import { exportTreeEnsemble } from '../../../src/main/ml/onnx/export-trees';
import { ModelRegistry } from '../../../src/main/ml/registry/registry';
import type { TreeEnsemble } from '../../../src/main/ml/tree-model';
import { openDatabase } from '../../../src/main/store/database';
import { randomEnsemble } from '../../helpers/random-ensemble';

const CPU = { providers: ['cpu' as const], intraOpThreads: 1 };
const META = { trainingWindow: { from: Date.UTC(2025, 0, 2), to: Date.UTC(2025, 0, 31) }, created: Date.UTC(2025, 1, 3) };

let modelsDir: string;
let trained: TreeEnsemble;
let trainedDir: string;
let multiclassDir: string;
let linearDir: string;

/** Rows like the engine's: mostly standard normal, with NaN, ±Infinity and exact zeros. */
function rows(seed: number, n: number): Float32Array {
  const rng = new SeededRandom(seed);
  const x = new Float32Array(n * FEATURE_COUNT);
  for (let i = 0; i < x.length; i++) {
    const u = rng.next();
    x[i] = u < 0.04 ? Number.NaN : u < 0.05 ? (rng.next() < 0.5 ? Infinity : -Infinity) : u < 0.06 ? 0 : rng.normal();
  }
  return x;
}

async function writeTree(name: string, model: TreeEnsemble): Promise<string> {
  const dir = join(modelsDir, name);
  await writeModelDir(dir, exportTreeEnsemble(model), sidecarFor('tree', model, FEATURE_SPEC, { ...META, modelId: name }));
  return dir;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'fast-path-'));
  // A model trained with the live learning parameters on rows where a few features carry signal.
  const rng = new SeededRandom(17);
  const n = 5_000;
  const x = rows(18, n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let f = 0; f < 6; f++) {
      const v = x[i * FEATURE_COUNT + f]!;
      if (Number.isFinite(v)) z += 0.4 * v;
    }
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const fit = 4_000;
  const { model } = await trainGbdt(
    { x: x.slice(0, fit * FEATURE_COUNT), y: y.slice(0, fit), n: fit, f: FEATURE_COUNT, featureNames: [...FEATURE_NAMES] },
    DEFAULT_LEARNING.params,
    { x: x.slice(fit * FEATURE_COUNT), y: y.slice(fit), n: n - fit, f: FEATURE_COUNT },
  );
  trained = model;
  trainedDir = await writeTree('trained', model);
  const three = randomEnsemble({ seed: 19, numFeatures: FEATURE_COUNT, trees: 90, maxDepth: 5, objective: 'multiclass', numClass: 3, splitChance: 0.8 });
  three.featureNames = [...FEATURE_NAMES];
  multiclassDir = await writeTree('three-class', three);
  const lr = new SeededRandom(20);
  const linear = withMeanImputation({
    coefficients: Float64Array.from({ length: FEATURE_COUNT }, () => lr.normal() * 0.1),
    intercepts: Float64Array.of(0.05),
    classLabels: [0, 1],
    featureNames: [...FEATURE_NAMES],
    scaler: { mean: new Float64Array(FEATURE_COUNT), scale: new Float64Array(FEATURE_COUNT).fill(1) },
  });
  linearDir = join(modelsDir, 'linear');
  await writeModelDir(linearDir, exportLinearModel(linear), sidecarFor('linear', linear, FEATURE_SPEC, { ...META, modelId: 'linear' }));
}, 120_000);

describe('InferenceService.scoreNow', () => {
  const service = new InferenceService(FEATURE_SPEC, CPU);
  afterAll(() => service.dispose());

  it('on a model trained with the live parameters equals onnxruntime within 1e-6, same layout', async () => {
    expect(trained.trees.length).toBeGreaterThan(10);
    expect((await service.activate(trainedDir)).ok).toBe(true);
    for (const [seed, n] of [[1, 1], [2, 20], [3, 2_000]] as const) {
      const x = rows(seed, n);
      const fast = service.scoreNow(x, n);
      expect(fast).toBeInstanceOf(Float32Array);
      const reference = await service.score(x, n);
      expect(maxAbsDiff(fast!, reference)).toBeLessThanOrEqual(1e-6);
      for (let i = 0; i < n; i++) expect(fast![i * 2]! + fast![i * 2 + 1]!).toBeCloseTo(1, 6);
    }
    // A buffer longer than the rows (sized for the watchlist) is read only as far as n rows.
    const long = rows(4, 50);
    expect(Array.from(service.scoreNow(long, 10)!)).toEqual(Array.from(service.scoreNow(long.slice(0, 10 * FEATURE_COUNT), 10)!));
  });

  it('on a 3-class model too (softmax, class-label order)', async () => {
    expect((await service.activate(multiclassDir, 'three')).ok).toBe(true);
    const x = rows(5, 500);
    const fast = service.scoreNow(x, 500, 'three');
    expect(fast).not.toBeNull();
    expect(fast!.length).toBe(500 * 3);
    expect(maxAbsDiff(fast!, await service.score(x, 500, 'three'))).toBeLessThanOrEqual(1e-6);
  });

  it('answers null where there is no fast path (no model, a linear model) and validates like score', async () => {
    expect(service.scoreNow(rows(6, 1), 1, 'nothing-here')).toBeNull();
    expect((await service.activate(linearDir, 'linear')).ok).toBe(true);
    expect(service.scoreNow(rows(6, 1), 1, 'linear')).toBeNull();
    expect((await service.score(rows(6, 1), 1, 'linear')).length).toBe(2);
    expect(service.scoreNow(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    expect(() => service.scoreNow(rows(7, 1), 2)).toThrow(InferenceError);
    expect(() => service.scoreNow(rows(7, 1), 1.5)).toThrow(/non-negative integer/);
  });
});

/** The same service, without its fast path: every score goes through onnxruntime. */
class OnnxOnly extends InferenceService {
  override scoreNow(): Float32Array | null {
    return null;
  }
}

interface Rig {
  bus: EngineBus;
  learning: LearningService;
  scores: Scores[];
  inference: InferenceService;
}

async function rig(inference: InferenceService): Promise<Rig> {
  const bus: EngineBus = new MessageBus();
  const clock = new SimulatedClock(Date.UTC(2025, 2, 3, 14, 30));
  const registry = new ModelRegistry(openDatabase(':memory:'), () => clock.now());
  registry.register({ id: 'trained', purpose: INTRADAY_PURPOSE, kind: 'tree', dir: trainedDir, sha256: 'ab'.repeat(32), specVersion: FEATURE_SPEC.version, dataFrom: null, dataTo: null, params: {}, metrics: {}, importance: {}, parentId: null, note: '' });
  registry.promote('trained', 'test');
  const learning = new LearningService(bus, clock, registry, inference, createMemoryLogger(), { ...DEFAULT_LEARNING, modelsDir, keepModels: 100 }, () => {});
  const scores: Scores[] = [];
  bus.subscribe('models.scores', (s) => scores.push(s));
  await learning.start();
  return { bus, learning, scores, inference };
}

/** Resolves once the rig has heard `n` minutes of scores. */
function scoresReach(r: Rig, n: number): Promise<void> {
  return new Promise((resolve) => {
    if (r.scores.length >= n) return resolve();
    const off = r.bus.subscribe('models.scores', () => {
      if (r.scores.length >= n) {
        off();
        resolve();
      }
    });
  });
}

describe('the learning service publishing a minute’s scores', () => {
  it('publishes the same message through the fast path as through onnxruntime, and publishes it synchronously', async () => {
    const fast = await rig(new InferenceService(FEATURE_SPEC, CPU));
    const slow = await rig(new OnnxOnly(FEATURE_SPEC, CPU));
    try {
      const symbols = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'SPY' : i === 1 ? 'QQQ' : `S${i}`));
      const x = rows(8, 4 * symbols.length);
      const t0 = Date.UTC(2025, 2, 3, 14, 30);
      const row = (minute: number, j: number): BarFeatures => {
        const start = t0 + minute * 60_000;
        const bar: Bar = { symbol: symbols[j]!, timeframe: '1m', start, open: 100, high: 101, low: 99, close: 100, volume: 1000 };
        const values = Float64Array.from(x.subarray((minute * symbols.length + j) * FEATURE_COUNT, (minute * symbols.length + j + 1) * FEATURE_COUNT));
        return { symbol: bar.symbol, start, values, overlays: new Float64Array(0), bar };
      };
      for (let minute = 0; minute < 4; minute++) {
        for (let j = 0; j < symbols.length; j++) {
          const before = { fast: fast.scores.length, slow: slow.scores.length };
          fast.bus.publish('features.row', row(minute, j));
          slow.bus.publish('features.row', row(minute, j));
          if (minute > 0 && j === 0) {
            // The first row of a minute closes the previous one: with the fast path its scores are out
            // before publish returns; through onnxruntime they come later.
            expect(fast.scores.length).toBe(before.fast + 1);
            expect(fast.scores.at(-1)!.start).toBe(t0 + (minute - 1) * 60_000);
            expect(slow.scores.length).toBe(before.slow);
          }
        }
      }
      // The onnxruntime path publishes once its sessions answer: wait for those messages, not the clock.
      await Promise.all([scoresReach(fast, 4), scoresReach(slow, 4)]);
      expect(fast.scores).toHaveLength(4);
      expect(slow.scores).toHaveLength(4);
      for (let m = 0; m < 4; m++) {
        const a = fast.scores.find((s) => s.start === t0 + m * 60_000)!;
        const b = slow.scores.find((s) => s.start === t0 + m * 60_000)!;
        expect(a.symbols).toEqual(symbols);
        expect({ ...a, probUp: null }).toEqual({ ...b, probUp: null });
        expect(a.probUp).toBeInstanceOf(Float32Array);
        expect(maxAbsDiff(a.probUp, b.probUp)).toBeLessThanOrEqual(1e-6);
      }
    } finally {
      await fast.learning.stop();
      await slow.learning.stop();
      await fast.inference.dispose();
      await slow.inference.dispose();
    }
  }, 60_000);
});
