// Feature-engine throughput: the full vector (55 features) per bar across 20 symbols on one core,
// and proof that the cost per bar does not grow with the length of history (10k vs 1M bars).
import { NyseCalendar } from '../src/main/calendar/nyse';
import { FeatureEngine } from '../src/main/features/feature-engine';
import { FEATURE_COUNT } from '../src/main/features/spec';
import { OVERLAY_COUNT } from '../src/main/features/streaming';
import { SeededRandom } from '../src/main/engine/random';
import type { Bar } from '../src/shared/domain';
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

export const featureBenchmarks = [featureThroughput];
