// `npm run bench`: runs every benchmark in turn and prints one JSON object per line.
// Figures are medians (and p99 where latency matters) on this machine; compare ratios measured in
// one run, never single absolute times across runs.
import { kernelBenchmarks } from './kernel.bench';
import { storeBenchmarks } from './store.bench';
import { featureBenchmarks } from './features.bench';
import { gbdtBenchmarks } from './gbdt.bench';
import { inferenceBenchmarks } from './inference.bench';
import { executionBenchmarks } from './execution.bench';
import { backtestBenchmarks } from './backtest.bench';
import type { Benchmark } from './lib';

const all: Benchmark[] = [...kernelBenchmarks, ...storeBenchmarks, ...featureBenchmarks, ...executionBenchmarks, ...inferenceBenchmarks, ...gbdtBenchmarks, ...backtestBenchmarks];
const only = process.argv.slice(2);

for (const bench of all) {
  if (only.length > 0 && !only.some((o) => bench.name.toLowerCase().includes(o.toLowerCase()))) continue;
  try {
    const result = await bench();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ name: bench.name, error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exitCode = 1;
  }
}
