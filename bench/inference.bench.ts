// Model-serving latency: one bar's batch (512 symbols × 40 features) through a 600-tree depth-6
// GBDT, via onnxruntime-node on one intra-op thread and via the TS predictProba, measured
// alternately in one run; plus exact TreeSHAP of one row (what "explain this signal" costs); and
// the inference service's two paths for one live row (score: onnxruntime, async; scoreNow: the
// compiled predictor, sync), for the live default model size and a 600-tree depth-6 model.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC } from '../src/main/features/spec';
import { InferenceService } from '../src/main/ml/inference/inference-service';
import { sidecarFor, writeModelDir } from '../src/main/ml/inference/sidecar';
import { DEFAULT_LEARNING } from '../src/main/ml/learning-service';
import { createSession, defaultSessionConfig } from '../src/main/ml/inference/model-loader';
import { compilePredictor } from '../src/main/ml/fast-predict';
import { exportTreeEnsemble } from '../src/main/ml/onnx/export-trees';
import { treeShap } from '../src/main/ml/shap/tree-shap';
import { predictProba } from '../src/main/ml/tree-model';
import { randomEnsemble, randomRows } from '../test/helpers/random-ensemble';
import { machine, summarize, type BenchResult } from './lib';

const ROWS = 512;
const FEATURES = 40;
const TREES = 600;
const DEPTH = 6;

function benchModel() {
  // Full depth-6 trees (127 nodes each): the worst case for the path length.
  return randomEnsemble({ seed: 2024, numFeatures: FEATURES, trees: TREES, maxDepth: DEPTH, splitChance: 1, learningRate: 0.05 });
}

export async function treeInferenceLatency(): Promise<BenchResult> {
  const model = benchModel();
  const onnx = exportTreeEnsemble(model);
  const created = await createSession(onnx, { providers: ['cpu'], intraOpThreads: 1 });
  if (!created.ok) throw new Error(created.message);
  const session = created.session;
  const rows = randomRows(7, ROWS, FEATURES, 0.05);
  const dims = [ROWS, FEATURES];
  const runOrt = async (): Promise<Float32Array> => {
    const out = await session.run({ input: new ort.Tensor('float32', rows, dims) }, ['probabilities']);
    return out.probabilities!.data as Float32Array;
  };

  // Warm both paths (JIT, ORT's first-run allocations), and check they agree before timing.
  let check: Float32Array = new Float32Array(0);
  for (let i = 0; i < 20; i++) check = await runOrt();
  let ref = predictProba(model, rows, ROWS);
  for (let i = 0; i < 5; i++) ref = predictProba(model, rows, ROWS);
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(check[i]! - ref[i]!));

  const ortMs: number[] = [];
  const tsMs: number[] = [];
  let sink = 0;
  for (let round = 0; round < 400; round++) {
    // Interleaved so machine noise hits both alike; TS every 4th round to keep the run short.
    let t0 = performance.now();
    const p = await runOrt();
    ortMs.push(performance.now() - t0);
    sink += p[1]!;
    if (round % 4 === 0) {
      t0 = performance.now();
      const q = predictProba(model, rows, ROWS);
      tsMs.push(performance.now() - t0);
      sink += q[1]!;
    }
  }
  await session.release();
  if (!Number.isFinite(sink)) throw new Error('unreachable');

  // For comparison, the service's default thread count (min(4, cores)) and a single row.
  const threads = defaultSessionConfig().intraOpThreads;
  const multi = await createSession(onnx, { providers: ['cpu'], intraOpThreads: threads });
  if (!multi.ok) throw new Error(multi.message);
  const multiMs: number[] = [];
  const oneRowMs: number[] = [];
  const oneRow = rows.subarray(0, FEATURES);
  for (let round = 0; round < 120; round++) {
    let t0 = performance.now();
    await multi.session.run({ input: new ort.Tensor('float32', rows, dims) }, ['probabilities']);
    if (round >= 20) multiMs.push(performance.now() - t0);
    t0 = performance.now();
    await multi.session.run({ input: new ort.Tensor('float32', oneRow, [1, FEATURES]) }, ['probabilities']);
    if (round >= 20) oneRowMs.push(performance.now() - t0);
  }
  await multi.session.release();

  const o = summarize(ortMs);
  const t = summarize(tsMs);
  const m = summarize(multiMs);
  const r = summarize(oneRowMs);
  return {
    name: `onnxruntime TreeEnsembleClassifier: ${ROWS} rows × ${FEATURES} features, ${TREES} trees depth ${DEPTH}, 1 thread`,
    unit: 'ms',
    median: o.median,
    p99: o.p99,
    samples: ortMs.length,
    goal: 'p99 ≤ 2 ms',
    extra: {
      tsPredictProba: { median: t.median, p99: t.p99, samples: tsMs.length },
      ortSpeedupMedian: t.median / o.median,
      ortDefaultThreads: { threads, median: m.median, p99: m.p99, samples: multiMs.length },
      ortOneRow: { median: r.median, p99: r.p99, samples: oneRowMs.length },
      nsPerNodeVisit: (o.median * 1e6) / (ROWS * TREES * DEPTH),
      maxAbsDiffVsTs: maxDiff,
      onnxBytes: onnx.length,
    },
    machine: machine(),
  };
}

export async function treeShapLatency(): Promise<BenchResult> {
  const model = benchModel();
  const rows = randomRows(8, 64, FEATURES, 0.05);
  for (let i = 0; i < 3; i++) treeShap(model, rows.subarray(i * FEATURES, (i + 1) * FEATURES), 1);
  const ms: number[] = [];
  for (let i = 3; i < 64; i++) {
    const t0 = performance.now();
    treeShap(model, rows.subarray(i * FEATURES, (i + 1) * FEATURES), 1);
    ms.push(performance.now() - t0);
  }
  const s = summarize(ms);
  return {
    name: `exact TreeSHAP of one row: ${TREES} trees depth ${DEPTH}, ${FEATURES} features`,
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    samples: ms.length,
    machine: machine(),
  };
}

/** The compiled WebAssembly predictor (fast-predict.ts) on the same model and batch, one thread, alternated with ORT. */
export async function fastPredictLatency(): Promise<BenchResult> {
  const model = benchModel();
  const t0 = performance.now();
  const fast = compilePredictor(model);
  const compileMs = performance.now() - t0;
  const created = await createSession(exportTreeEnsemble(model), { providers: ['cpu'], intraOpThreads: 1 });
  if (!created.ok) throw new Error(created.message);
  const session = created.session;
  const rows = randomRows(7, ROWS, FEATURES, 0.05);
  const dims = [ROWS, FEATURES];
  const runOrt = async (): Promise<Float32Array> => {
    const out = await session.run({ input: new ort.Tensor('float32', rows, dims) }, ['probabilities']);
    return out.probabilities!.data as Float32Array;
  };
  for (let i = 0; i < 20; i++) await runOrt();
  for (let i = 0; i < 20; i++) fast.predictProba(rows, ROWS);
  const ref = predictProba(model, rows, ROWS);
  const got = fast.predictProba(rows, ROWS);
  let mismatches = 0;
  for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) mismatches++;

  const fastMs: number[] = [];
  const ortMs: number[] = [];
  let sink = 0;
  for (let round = 0; round < 400; round++) {
    let t = performance.now();
    const q = fast.predictProba(rows, ROWS);
    fastMs.push(performance.now() - t);
    sink += q[1]!;
    t = performance.now();
    const p = await runOrt();
    ortMs.push(performance.now() - t);
    sink += p[1]!;
  }
  await session.release();
  if (!Number.isFinite(sink)) throw new Error('unreachable');
  const f = summarize(fastMs);
  const o = summarize(ortMs);
  return {
    name: `compiled WASM predictProba (fast-predict): ${ROWS} rows × ${FEATURES} features, ${TREES} trees depth ${DEPTH}, 1 thread`,
    unit: 'ms',
    median: f.median,
    p99: f.p99,
    samples: fastMs.length,
    goal: 'p99 ≤ 2 ms',
    extra: {
      ortSameRun: { median: o.median, p99: o.p99, samples: ortMs.length },
      speedupVsOrtMedian: o.median / f.median,
      nsPerNodeVisit: (f.median * 1e6) / (ROWS * TREES * DEPTH),
      mismatchesVsPredictProba: mismatches,
      compileMs,
    },
    machine: machine(),
  };
}

/**
 * One row (55 features) scored by the inference service as the live engine does, onnxruntime
 * (`score`, awaited; the default session config) against the compiled predictor (`scoreNow`),
 * alternated: for full trees of the live default size (DEFAULT_LEARNING: numRound trees of maxDepth;
 * early stopping may keep fewer) and for 600 trees of depth 6. Also the live minute (20 rows).
 */
export async function scoreOneRowLatency(): Promise<BenchResult> {
  const { numRound, maxDepth } = DEFAULT_LEARNING.params;
  const models = [
    { label: `default ${numRound ?? 0} trees depth ${maxDepth ?? 0}`, trees: numRound ?? 300, depth: maxDepth ?? 3 },
    { label: '600 trees depth 6', trees: 600, depth: 6 },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'bench-score-'));
  const service = new InferenceService(FEATURE_SPEC);
  const extra: Record<string, unknown> = {};
  let headline = 0;
  try {
    for (const [k, spec] of models.entries()) {
      const model = randomEnsemble({ seed: 77 + k, numFeatures: FEATURE_COUNT, trees: spec.trees, maxDepth: spec.depth, splitChance: 1, learningRate: 0.05 });
      model.featureNames = [...FEATURE_NAMES];
      const at = join(dir, `m${k}`);
      await writeModelDir(at, exportTreeEnsemble(model), sidecarFor('tree', model, FEATURE_SPEC, { modelId: `m${k}`, trainingWindow: { from: 0, to: 0 }, created: 0 }));
      const slot = `m${k}`;
      const activation = await service.activate(at, slot);
      if (!activation.ok) throw new Error(activation.error.message);
      const rows = randomRows(9 + k, 20, FEATURE_COUNT, 0.05);
      const one = rows.subarray(0, FEATURE_COUNT);
      if (!service.scoreNow(one, 1, slot)) throw new Error(`${spec.label}: no fast path`);
      let maxDiff = 0;
      const check = await service.score(rows, 20, slot);
      const fast = service.scoreNow(rows, 20, slot)!;
      for (let i = 0; i < check.length; i++) maxDiff = Math.max(maxDiff, Math.abs(check[i]! - fast[i]!));
      for (let i = 0; i < 200; i++) {
        await service.score(one, 1, slot);
        service.scoreNow(one, 1, slot);
      }
      const ortUs: number[] = [];
      const fastUs: number[] = [];
      const ortMinuteUs: number[] = [];
      const fastMinuteUs: number[] = [];
      let sink = 0;
      for (let round = 0; round < 2000; round++) {
        let t = performance.now();
        sink += (await service.score(one, 1, slot))[1]!;
        ortUs.push((performance.now() - t) * 1000);
        t = performance.now();
        sink += service.scoreNow(one, 1, slot)![1]!;
        fastUs.push((performance.now() - t) * 1000);
        if (round % 4 === 0) {
          t = performance.now();
          sink += (await service.score(rows, 20, slot))[1]!;
          ortMinuteUs.push((performance.now() - t) * 1000);
          t = performance.now();
          sink += service.scoreNow(rows, 20, slot)![1]!;
          fastMinuteUs.push((performance.now() - t) * 1000);
        }
      }
      if (!Number.isFinite(sink)) throw new Error('unreachable');
      const o = summarize(ortUs);
      const f = summarize(fastUs);
      const om = summarize(ortMinuteUs);
      const fm = summarize(fastMinuteUs);
      extra[spec.label] = {
        oneRow: { onnxruntimeUs: { median: o.median, p99: o.p99 }, fastPathUs: { median: f.median, p99: f.p99 }, speedupMedian: o.median / f.median },
        minute20Rows: { onnxruntimeUs: { median: om.median, p99: om.p99 }, fastPathUs: { median: fm.median, p99: fm.p99 }, speedupMedian: om.median / fm.median },
        maxAbsDiffVsOnnxruntime: maxDiff,
        samples: fastUs.length,
      };
      if (k === 0) headline = f.median;
    }
  } finally {
    await service.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: `inference service, one live row (${FEATURE_COUNT} features): scoreNow (compiled, sync) vs score (onnxruntime, async), default model and 600×6`,
    unit: 'µs',
    median: headline,
    samples: 2000,
    extra: { ...extra, ortThreads: defaultSessionConfig().intraOpThreads },
    machine: machine(),
  };
}

export const inferenceBenchmarks: Array<() => Promise<BenchResult>> = [treeInferenceLatency, treeShapLatency, fastPredictLatency, scoreOneRowLatency];
