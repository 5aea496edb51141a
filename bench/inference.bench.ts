// Model-serving latency: one bar's batch (512 symbols × 40 features) through a 600-tree depth-6
// GBDT, via onnxruntime-node on one intra-op thread and via the TS predictProba, measured
// alternately in one run; plus exact TreeSHAP of one row (what "explain this signal" costs).
import * as ort from 'onnxruntime-node';
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

export const inferenceBenchmarks: Array<() => Promise<BenchResult>> = [treeInferenceLatency, treeShapLatency, fastPredictLatency];
