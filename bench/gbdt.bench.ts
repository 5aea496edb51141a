// Gradient-boosted trees: our histogram trainer against XGBoost's hist on the same seeded data, side
// by side in one run (same rows, threads and parameters; XGBoost from Debian's python3-xgboost via
// bench/xgb_peer.py), and the latency of our predictProba through a 600-tree model.
// GBDT_BENCH_QUICK=1 shrinks the training comparison to 50k rows; GBDT_BENCH_RUNS sets the runs per
// trainer (default 1: a full run of each takes about a minute here).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SeededRandom } from '../src/main/engine/random';
import { logLoss, trainGbdt, type GbdtData } from '../src/main/ml/gbdt/trainer';
import { predictProba } from '../src/main/ml/tree-model';
import { machine, summarize, type BenchResult } from './lib';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const FEATURES = 40;
const CLASSES = 3;

/**
 * Seeded 3-class problem with the texture of trading features: normal, uniform, correlated and
 * heavy-tailed columns, 3% NaN in three of them, and classes drawn from a softmax of nonlinear
 * scores (interactions, thresholds, periodic terms), so no model gets near zero loss.
 */
export function syntheticThreeClass(n: number, seed: number): GbdtData {
  const f = FEATURES;
  const rng = new SeededRandom(seed);
  const x = new Float32Array(n * f);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * f;
    for (let j = 0; j < f; j++) {
      let v: number;
      if (j < 10) v = rng.normal();
      else if (j < 20) v = rng.next() * 2 - 1;
      else if (j < 30) v = x[o + j - 20]! * 0.7 + rng.normal() * 0.7;
      else v = rng.normal() * Math.exp(rng.normal() * 0.5);
      if ((j === 5 || j === 15 || j === 25) && rng.next() < 0.03) v = Number.NaN;
      x[o + j] = v;
    }
    const a = (j: number): number => {
      const v = x[o + j]!;
      return Number.isNaN(v) ? 0 : v;
    };
    const s0 = a(0) - 0.8 * a(1) * a(2) + Math.sin(2 * a(3)) + 0.5 * (a(10) > 0.3 ? 1 : -1) + 0.4 * a(5);
    const s1 = 0.9 * a(4) * (a(11) > 0 ? 1 : -0.5) + 0.7 * Math.abs(a(6)) - 1.2 * a(12) * a(13) + 0.3 * a(15);
    const s2 = 0.5 * a(7) - 0.5 * a(8) + 0.4 * Math.cos(3 * a(14)) + 0.3 * a(25);
    const g0 = s0 - Math.log(-Math.log(rng.next() + 1e-12));
    const g1 = s1 - Math.log(-Math.log(rng.next() + 1e-12));
    const g2 = s2 - Math.log(-Math.log(rng.next() + 1e-12));
    y[i] = g0 >= g1 && g0 >= g2 ? 0 : g1 >= g2 ? 1 : 2;
  }
  return { x, y, n, f };
}

async function xgboostVersion(): Promise<string | null> {
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import xgboost; print(xgboost.__version__)']);
    return stdout.trim();
  } catch {
    return null;
  }
}

interface PeerResult {
  seconds: number;
  cpu_seconds: number;
  valid_logloss: number;
  version: string;
}

export async function gbdtTrainingVsXgboost(): Promise<BenchResult> {
  const quick = process.env.GBDT_BENCH_QUICK === '1';
  const runs = Math.max(1, Number(process.env.GBDT_BENCH_RUNS ?? 1));
  const n = quick ? 50_000 : 500_000;
  const nValid = quick ? 20_000 : 100_000;
  const rounds = 200;
  const threads = 2;
  const train = syntheticThreeClass(n, 1);
  const valid = syntheticThreeClass(nValid, 2);
  const version = await xgboostVersion();
  const dir = mkdtempSync(join(tmpdir(), 'gbdt-bench-'));
  try {
    writeFileSync(join(dir, 'x_train.f32'), train.x);
    writeFileSync(join(dir, 'y_train.i32'), train.y as Int32Array);
    writeFileSync(join(dir, 'x_valid.f32'), valid.x);
    writeFileSync(join(dir, 'y_valid.i32'), valid.y as Int32Array);
    const ours: number[] = [];
    const theirs: number[] = [];
    // CPU seconds (all threads) too: this machine is shared, and CPU time is less disturbed by
    // other processes than wall time.
    const oursCpu: number[] = [];
    const theirsCpu: number[] = [];
    let ourLoss = Number.NaN;
    let theirLoss = Number.NaN;
    for (let r = 0; r < runs; r++) {
      // Alternating, so machine noise hits both alike.
      const cpu0 = process.cpuUsage();
      const result = await trainGbdt(train, { numRound: rounds, maxDepth: 6, eta: 0.1, maxBin: 256, minChildWeight: 1, lambda: 1, nthread: threads, seed: 0 });
      const cpu = process.cpuUsage(cpu0);
      ours.push(result.seconds);
      oursCpu.push((cpu.user + cpu.system) / 1e6);
      ourLoss = logLoss(valid.y, predictProba(result.model, valid.x, valid.n), CLASSES);
      if (version !== null) {
        const script = fileURLToPath(new URL('./xgb_peer.py', import.meta.url));
        const { stdout } = await run(PYTHON, [script, dir, String(n), String(nValid), String(FEATURES), String(CLASSES), String(rounds), String(threads)], {
          maxBuffer: 1 << 20,
        });
        const peer = JSON.parse(stdout.trim().split('\n').pop()!) as PeerResult;
        theirs.push(peer.seconds);
        theirsCpu.push(peer.cpu_seconds);
        theirLoss = peer.valid_logloss;
      }
    }
    const o = summarize(ours);
    const t = theirs.length > 0 ? summarize(theirs) : null;
    return {
      name: `gbdt training: ${n} rows × ${FEATURES} features, ${CLASSES} classes, ${rounds} rounds, depth 6, ${threads} threads (ours vs XGBoost hist)`,
      unit: 's',
      median: o.median,
      samples: ours.length,
      goal: '≤ 1.0× XGBoost hist training time with equal or better held-out log loss',
      extra: {
        ours: { seconds: ours, cpuSeconds: oursCpu, validLogLoss: ourLoss },
        xgboost: t ? { seconds: theirs, cpuSeconds: theirsCpu, median: t.median, validLogLoss: theirLoss, version } : 'unavailable (/usr/bin/python3 cannot import xgboost)',
        timeRatio: t ? o.median / t.median : null,
        cpuTimeRatio: t ? summarize(oursCpu).median / summarize(theirsCpu).median : null,
        logLossDelta: t ? ourLoss - theirLoss : null,
        rows: n,
        validRows: nValid,
      },
      machine: machine(),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function gbdtInferenceLatency(): Promise<BenchResult> {
  const rows = 512;
  // 200 rounds × 3 classes = 600 trees of depth 6, trained on a small sample of the same problem.
  const { model } = await trainGbdt(syntheticThreeClass(20_000, 3), { numRound: 200, maxDepth: 6, eta: 0.1, nthread: 2 });
  const batch = syntheticThreeClass(rows, 4);
  let sink = 0;
  for (let i = 0; i < 20; i++) sink += predictProba(model, batch.x, rows)[0]!;
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    sink += predictProba(model, batch.x, rows)[0]!;
    samples.push(performance.now() - t0);
  }
  if (!(sink > 0)) throw new Error('unreachable');
  const s = summarize(samples);
  return {
    name: `gbdt predictProba: ${rows} rows × ${FEATURES} features through ${model.trees.length} trees (ours, one thread)`,
    unit: 'ms',
    median: s.median,
    p99: s.p99,
    samples: samples.length,
    extra: { trees: model.trees.length },
    machine: machine(),
  };
}

export const gbdtBenchmarks: Array<() => Promise<BenchResult>> = [gbdtTrainingVsXgboost, gbdtInferenceLatency];
