// Feature-engine throughput: the full vector (55 features) per bar across 20 symbols on one core,
// and proof that the cost per bar does not grow with the length of history (10k vs 1M bars); the
// engine against its pre-optimisation copy (test/unit/features/legacy), alternated in one run; and
// building a training dataset from the store at 10k, 40k and 160k rows (rows/s flat = linear).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NyseCalendar } from '../src/main/calendar/nyse';
import { buildDataset } from '../src/main/features/dataset';
import { FeatureEngine } from '../src/main/features/feature-engine';
import { FEATURE_COUNT } from '../src/main/features/spec';
import { OVERLAY_COUNT } from '../src/main/features/streaming';
import { SeededRandom } from '../src/main/engine/random';
import type { Bar } from '../src/shared/domain';
import { openDatabase } from '../src/main/store/database';
import { HistoryStore, type StoredBar } from '../src/main/store/history-store';
import { referenceBuildDataset } from '../test/helpers/dataset-reference';
import { LegacyFeatureEngine } from '../test/unit/features/legacy/feature-engine-v1';
import { machine, summarize, type BenchResult } from './lib';

const calendar = new NyseCalendar();

/** 20 symbols of seeded random-walk minute bars over consecutive regular sessions, time-ordered. */
function makeBars(total: number): Bar[] {
  const symbols = ['SPY', 'QQQ', ...Array.from({ length: 18 }, (_, i) => `S${String(i).padStart(2, '0')}`)];
  const rng = new SeededRandom(7);
  const px = symbols.map(() => 50 + rng.next() * 400);
  const bars: Bar[] = [];
  let day = '2015-01-02';
  while (bars.length < total) {
    const s = calendar.sessionOnOrAfter(day);
    for (let t = s.open; t < s.close && bars.length < total; t += 60_000) {
      for (let j = 0; j < symbols.length && bars.length < total; j++) {
        const o = px[j]!;
        const c = Math.max(1, Math.round(o * Math.exp(rng.normal() * 0.0008) * 100) / 100);
        px[j] = c;
        bars.push({ symbol: symbols[j]!, timeframe: '1m', start: t, open: o, high: Math.max(o, c) + 0.01, low: Math.min(o, c) - 0.01, close: c, volume: 100 * (1 + rng.int(200)) });
      }
    }
    day = new Date(Date.parse(`${s.date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  return bars;
}

function run(bars: readonly Bar[]): number {
  const engine = new FeatureEngine(calendar);
  const row = { symbol: '', start: 0, values: new Float64Array(FEATURE_COUNT), overlays: new Float64Array(OVERLAY_COUNT) };
  const t0 = performance.now();
  for (let i = 0; i < bars.length; i++) engine.onBar(bars[i]!, row);
  return bars.length / ((performance.now() - t0) / 1000);
}

export async function featureThroughput(): Promise<BenchResult> {
  const big = makeBars(1_000_000);
  const small = big.slice(0, 10_000);
  run(small); // warm the JIT
  const smallRates: number[] = [];
  const bigRates: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    // Side by side in one run, alternating, so machine noise hits both alike.
    smallRates.push(run(small));
    bigRates.push(run(big));
  }
  const s = summarize(smallRates);
  const b = summarize(bigRates);
  return {
    name: 'feature engine: full vector per bar, 20 symbols, one core',
    unit: 'bars/s',
    median: b.median,
    samples: bigRates.length,
    goal: '>= 1,000,000 bars/s; cost per bar flat in history length',
    extra: { features: FEATURE_COUNT, bars1M: { median: b.median }, bars10k: { median: s.median }, ratio1MTo10k: b.median / s.median },
    machine: machine(),
  };
}

/** Bars per second of wall time and of this process's CPU time (robust to other load on the machine). */
function runTimed(bars: readonly Bar[], Engine: typeof FeatureEngine | typeof LegacyFeatureEngine): { wall: number; cpu: number } {
  const engine = new Engine(calendar);
  const row = { symbol: '', start: 0, values: new Float64Array(FEATURE_COUNT), overlays: new Float64Array(OVERLAY_COUNT) };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < bars.length; i++) engine.onBar(bars[i]!, row);
  const wallS = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall: bars.length / wallS, cpu: bars.length / ((c.user + c.system) / 1e6) };
}

/**
 * Before/after: the same 1M bars through the engine as it was before the speed work (a frozen copy,
 * bit-identical outputs: streaming-exact.test.ts) and through the current one, alternated. Wall
 * time is the figure; CPU time is reported too, because on a shared machine other processes take
 * the core away from both alike.
 */
export async function featureThroughputVsBefore(): Promise<BenchResult> {
  const bars = makeBars(1_000_000);
  const warm = bars.slice(0, 50_000);
  for (let i = 0; i < 3; i++) {
    runTimed(warm, LegacyFeatureEngine);
    runTimed(warm, FeatureEngine);
  }
  const before: Array<{ wall: number; cpu: number }> = [];
  const after: Array<{ wall: number; cpu: number }> = [];
  for (let rep = 0; rep < 7; rep++) {
    before.push(runTimed(bars, LegacyFeatureEngine));
    after.push(runTimed(bars, FeatureEngine));
  }
  const med = (xs: Array<{ wall: number; cpu: number }>, k: 'wall' | 'cpu') => summarize(xs.map((x) => x[k])).median;
  const a = med(after, 'wall');
  const b = med(before, 'wall');
  return {
    name: 'feature engine before vs after the speed work: full vector per bar, 20 symbols, 1M bars, alternated',
    unit: 'bars/s',
    median: a,
    samples: after.length,
    goal: '>= 1,000,000 bars/s',
    extra: {
      after: { median: a, cpuMedian: med(after, 'cpu'), runs: after.map((x) => Math.round(x.wall)) },
      before: { median: b, cpuMedian: med(before, 'cpu'), runs: before.map((x) => Math.round(x.wall)) },
      speedup: a / b,
      speedupCpu: med(after, 'cpu') / med(before, 'cpu'),
    },
    machine: machine(),
  };
}

/**
 * buildDataset (export-dataset, walk-forward, the training worker) from a file store of 4 symbols'
 * minute bars, at about 10k, 40k and 160k exported rows; rows/s flat across the sizes means linear.
 * The straightforward implementation it replaced (test/helpers/dataset-reference.ts) is timed
 * alternately on the same requests.
 */
export async function datasetBuildScaling(): Promise<BenchResult> {
  const symbols = ['SPY', 'QQQ', 'AAA', 'BBB'];
  const days = calendar.tradingDays('2023-01-03', '2023-07-31'); // 5 warm-up sessions + 140
  const rng = new SeededRandom(3);
  const px = symbols.map(() => 50 + rng.next() * 300);
  const bars: StoredBar[] = [];
  for (const day of days) {
    const s = calendar.session(day)!;
    for (let t = s.open; t < s.close; t += 60_000) {
      symbols.forEach((symbol, j) => {
        const o = px[j]!;
        const c = Math.max(1, Math.round(o * Math.exp(rng.normal() * 0.0008) * 100) / 100);
        px[j] = c;
        bars.push({ symbol, timeframe: '1m', start: t, open: o, high: Math.max(o, c) + 0.01, low: Math.min(o, c) - 0.01, close: c, volume: 100 * (1 + rng.int(200)), part: 'regular' });
      });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-dataset-'));
  const db = openDatabase(join(dir, 'h.sqlite'));
  try {
    const store = new HistoryStore(db);
    store.insertBars('1m', bars);
    const perSession = symbols.length * 390;
    const sizes = [10_000, 40_000, 160_000].map((rows) => {
      const sessions = Math.ceil(rows / perSession);
      return { target: rows, request: { symbols, from: days[5]!, to: days[5 + sessions - 1]! } };
    });
    const result: Record<string, unknown> = {};
    let rowsPerSecond160k = 0;
    let small = 0;
    for (const { target, request } of sizes) {
      buildDataset(store, calendar, request); // warm
      const now: number[] = [];
      const ref: number[] = [];
      let rows = 0;
      for (let rep = 0; rep < (target > 50_000 ? 3 : 5); rep++) {
        let t0 = performance.now();
        rows = buildDataset(store, calendar, request).meta.rows;
        now.push(rows / ((performance.now() - t0) / 1000));
        t0 = performance.now();
        referenceBuildDataset(store, calendar, request);
        ref.push(rows / ((performance.now() - t0) / 1000));
      }
      const a = summarize(now).median;
      const b = summarize(ref).median;
      result[`rows${target / 1000}k`] = { rows, rowsPerSecond: a, referenceRowsPerSecond: b, msPerBuild: (rows / a) * 1000 };
      if (target === 10_000) small = a;
      if (target === 160_000) rowsPerSecond160k = a;
    }
    return {
      name: 'buildDataset from the store (4 symbols, features + labels): rows/s at 10k, 40k, 160k rows',
      unit: 'rows/s',
      median: rowsPerSecond160k,
      samples: 3,
      goal: 'linear: rows/s at 160k within noise of rows/s at 10k',
      extra: { ...result, ratio160kTo10k: rowsPerSecond160k / small },
      machine: machine(),
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const featureBenchmarks = [featureThroughput, featureThroughputVsBefore, datasetBuildScaling];
