// Helpers shared by the benchmarks: timing statistics and the machine description every result carries.
import { cpus, totalmem, platform, release } from 'node:os';

export interface BenchResult {
  name: string;
  unit: string;
  median: number;
  p99?: number;
  samples: number;
  goal?: string;
  extra?: Record<string, unknown>;
  machine: Record<string, unknown>;
}

export function machine(): Record<string, unknown> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    platform: `${platform()} ${release()}`,
  };
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarize(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

export type Benchmark = () => Promise<BenchResult>;
