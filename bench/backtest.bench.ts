// The backtester end to end: synthetic 1-minute history of many symbols in a SQLite file, then the
// whole pipeline (features, every signal source, the desk's policy, risk, the simulated broker's fills,
// exits) through `runBacktest`, as the CLI and the cockpit run it. Bars per second for no model, a
// frozen model of the live default size and a 600-tree depth-6 one; peak memory for a short and a long
// span (it should stay flat: bars are read a session at a time); and walk-forward wall time with the
// in-session retraining every 30 minutes. Sizes come from the environment (defaults finish in minutes).
// Run under `node --expose-gc --import tsx bench/run.ts backtest` for the heap retained at each run's end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../src/main/calendar/nyse';
import { defaultConfig } from '../src/main/config/config';
import { SyntheticMarketModel } from '../src/main/data/synthetic/model';
import { runBacktest } from '../src/main/backtest/run-backtest';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC } from '../src/main/features/spec';
import { sidecarFor, writeModelDir } from '../src/main/ml/inference/sidecar';
import { DEFAULT_LEARNING, INTRADAY_PURPOSE } from '../src/main/ml/learning-service';
import { exportTreeEnsemble } from '../src/main/ml/onnx/export-trees';
import { ModelRegistry } from '../src/main/ml/registry/registry';
import { openDatabase } from '../src/main/store/database';
import { HistoryStore, type StoredBar } from '../src/main/store/history-store';
import type { BacktestSpecInput } from '../src/shared/backtest';
import { randomEnsemble } from '../test/helpers/random-ensemble';
import { machine, type BenchResult } from './lib';

const TICKERS = ['SPY', 'QQQ', 'IWM', 'DIA', 'AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'TSLA', 'JPM', 'XOM', 'JNJ', 'PG', 'V', 'UNH', 'HD', 'KO', 'PEP', 'BAC', 'WMT', 'CVX', 'MRK', 'ABBV'];
const envInt = (name: string, d: number): number => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : d;
};

/** `sessions` trading days of synthetic minute bars for `symbols` from 2024-01-02, in a new database file. */
function syntheticHistory(symbols: readonly string[], sessions: number): { dir: string; dbPath: string; from: string; to: string; bars: number } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-backtest-'));
  const dbPath = join(dir, 'history.db');
  const db = openDatabase(dbPath, { synchronous: 'NORMAL' });
  const store = new HistoryStore(db);
  const calendar = new NyseCalendar();
  const model = new SyntheticMarketModel({ symbols, seed: 11 });
  const days = calendar.tradingDays('2023-12-26', '2026-12-31');
  let bars = 0;
  const used: string[] = [];
  for (const date of days.slice(0, sessions + 1)) {
    const s = calendar.session(date)!;
    const minutes = Math.round((s.close - s.open) / 60_000);
    model.openSession(minutes);
    const out: StoredBar[] = [];
    for (let i = 0; i < minutes; i++) for (const b of model.minute(s.open + i * 60_000, i)) out.push({ ...b, part: 'regular' });
    store.insertBars('1m', out);
    bars += out.length;
    used.push(date);
  }
  db.close();
  // The first session is the features' warm-up (the replay's history); the rest are backtested.
  return { dir, dbPath, from: used[1]!, to: used.at(-1)!, bars: bars - bars / used.length };
}

/** A random tree model registered as a candidate in the history's registry (for frozen runs). */
async function frozenModel(dbPath: string, dir: string, trees: number, depth: number): Promise<string> {
  const ensemble = { ...randomEnsemble({ seed: 7, numFeatures: FEATURE_COUNT, trees, maxDepth: depth, splitChance: 1, learningRate: 0.05 }), featureNames: [...FEATURE_NAMES] };
  const id = `bench-${trees}x${depth}`;
  const modelDir = join(dir, 'models', id);
  const sidecar = await writeModelDir(
    modelDir,
    exportTreeEnsemble(ensemble),
    sidecarFor('tree', ensemble, FEATURE_SPEC, { modelId: id, trainingWindow: { from: 0, to: 0 }, metrics: {}, params: {}, created: 0, parentId: null }),
  );
  const db = openDatabase(dbPath);
  new ModelRegistry(db, () => 0).register({
    id, purpose: INTRADAY_PURPOSE, kind: 'tree', dir: modelDir, sha256: sidecar.onnxSha256, specVersion: FEATURE_SPEC.version,
    dataFrom: '2024-01-01', dataTo: '2024-01-01', params: {}, metrics: {}, importance: {}, parentId: null, note: 'benchmark',
  });
  db.close();
  return id;
}

interface Measured {
  seconds: number;
  bars: number;
  trades: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** Heap still in use after a full collection at the end of the run (null unless run with --expose-gc). */
  retainedHeapMiB: number | null;
}

async function measure(h: { dir: string; dbPath: string; from: string; to: string }, symbols: readonly string[], spec: Partial<BacktestSpecInput>): Promise<Measured> {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 250);
  let retained: number | null = null;
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  const r = await runBacktest(
    { symbols: [...symbols], from: h.from, to: h.to, randomRuns: 0, ...spec },
    { runId: 'bench', historyDbPath: h.dbPath, workDir: join(h.dir, `work-${Math.random().toString(36).slice(2)}`), base: defaultConfig({ TRADING_DATA_DIR: h.dir }), progressEveryMs: 500,
      onCollected: () => {
        if (!gc) return;
        gc();
        retained = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  sample();
  return { seconds, bars: r.bars, trades: r.trades.length, peakRssMiB: Math.round(peakRss / 2 ** 20), peakHeapMiB: Math.round(peakHeap / 2 ** 20), retainedHeapMiB: retained };
}

export async function backtestPipeline(): Promise<BenchResult> {
  const symbols = TICKERS.slice(0, envInt('BENCH_BACKTEST_SYMBOLS', 20));
  const short = envInt('BENCH_BACKTEST_SESSIONS', 21);
  const long = envInt('BENCH_BACKTEST_LONG_SESSIONS', 63);
  const h = syntheticHistory(symbols, long);
  try {
    const shortSpan = { ...h, to: new NyseCalendar().tradingDays(h.from, h.to)[short - 1]! };
    const live = DEFAULT_LEARNING.params;
    const defaultTrees = live.numRound ?? 300;
    const defaultDepth = live.maxDepth ?? 3;
    const defaultId = await frozenModel(h.dbPath, h.dir, defaultTrees, defaultDepth);
    const bigId = await frozenModel(h.dbPath, h.dir, 600, 6);
    const none = await measure(shortSpan, symbols, { model: { kind: 'none' } });
    const frozenDefault = await measure(shortSpan, symbols, { model: { kind: 'frozen', modelId: defaultId } });
    const frozenBig = await measure(shortSpan, symbols, { model: { kind: 'frozen', modelId: bigId } });
    const longRun = await measure(h, symbols, { model: { kind: 'none' } });
    const rate = (m: Measured): number => Math.round(m.bars / m.seconds);
    return {
      name: `backtest pipeline (${symbols.length} synthetic symbols × ${short} sessions, every signal source, approve-all policy, risk, simulated fills and exits)`,
      unit: 'bars/s',
      median: rate(frozenDefault),
      samples: 1,
      goal: '≥ 500 000 bars/s with a frozen model of the live default size; memory flat from 1 month to 1 year',
      extra: {
        noModel: { barsPerSecond: rate(none), ...none },
        frozenLiveDefault: { trees: defaultTrees, depth: defaultDepth, barsPerSecond: rate(frozenDefault), ...frozenDefault },
        frozen600x6: { barsPerSecond: rate(frozenBig), ...frozenBig },
        memory: {
          sessions: [short, long],
          retainedHeapMiB: [none.retainedHeapMiB, longRun.retainedHeapMiB],
          peakHeapMiB: [none.peakHeapMiB, longRun.peakHeapMiB],
          peakRssMiB: [none.peakRssMiB, longRun.peakRssMiB],
          barsPerSecondLong: rate(longRun),
        },
      },
      machine: machine(),
    };
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
}

export async function backtestWalkForward(): Promise<BenchResult> {
  const symbols = TICKERS.slice(0, envInt('BENCH_WF_SYMBOLS', 10));
  const sessions = envInt('BENCH_WF_SESSIONS', 21);
  const h = syntheticHistory(symbols, sessions);
  try {
    const m = await measure(h, symbols, { model: { kind: 'walk-forward', retrainEveryMinutes: 30 } });
    return {
      name: `backtest walk-forward (${symbols.length} synthetic symbols × ${sessions} sessions, in-session retraining every 30 minutes, training delay 2 bars)`,
      unit: 's',
      median: m.seconds,
      samples: 1,
      goal: '≤ 60 s',
      extra: { ...m, barsPerSecond: Math.round(m.bars / m.seconds) },
      machine: machine(),
    };
  } finally {
    rmSync(h.dir, { recursive: true, force: true });
  }
}

export const backtestBenchmarks = [backtestPipeline, backtestWalkForward];
