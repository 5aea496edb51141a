// Kernel benchmarks: bus throughput, the IPC boundary's validation cost, the headless socket's
// round trip, and the synthetic market through the data engine.
import { MessageBus } from '../src/main/engine/bus';
import { startHeadlessServer } from '../src/main/headless/server';
import { createMemoryLogger } from '../src/main/logging/logger';
import type { Bar } from '../src/shared/domain';
import { manualEngine } from '../test/helpers/engine';
import { openSocket } from '../test/helpers/socket';
import { machine, summarize, type BenchResult } from './lib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function busPublish(): Promise<BenchResult> {
  const bus = new MessageBus<{ bar: Bar }>();
  let sink = 0;
  for (let i = 0; i < 3; i++) bus.subscribe('bar', (b) => (sink += b.close));
  const bar: Bar = { symbol: 'SPY', timeframe: '1m', start: 1, open: 1, high: 1, low: 1, close: 1, volume: 1 };
  const n = 200_000;
  const rates: number[] = [];
  for (let run = 0; run < 15; run++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) bus.publish('bar', bar);
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  if (sink === 0) throw new Error('unreachable');
  const s = summarize(rates);
  return { name: 'bus.publish (3 subscribers)', unit: 'messages/s', median: s.median, samples: rates.length, machine: machine() };
}

export async function dispatchLatency(): Promise<BenchResult> {
  const m = manualEngine();
  await m.engine.start();
  const samples: number[] = [];
  for (let i = 0; i < 3_000; i++) {
    const t0 = performance.now();
    await m.engine.dispatch('market.bars', { symbol: 'SPY', limit: 100 });
    samples.push((performance.now() - t0) * 1000);
  }
  await m.engine.stop();
  const s = summarize(samples.slice(500));
  return { name: 'ipc.dispatch market.bars (validate + handle, 100 bars)', unit: 'µs', median: s.median, p99: s.p99, samples: samples.length - 500, machine: machine() };
}

export async function socketRoundTrip(): Promise<BenchResult> {
  const m = manualEngine();
  await m.engine.start();
  const dir = mkdtempSync(join(tmpdir(), 'bench-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  const server = await startHeadlessServer({ engine: m.engine, rendererDir: dir, port: 0, token: 't', logger: createMemoryLogger() });
  const s = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
  s.send({ type: 'auth', token: 't' });
  await s.next((x) => x.type === 'auth.ok');
  const samples: number[] = [];
  for (let id = 1; id <= 2_000; id++) {
    const t0 = performance.now();
    s.send({ type: 'request', id, channel: 'session.status', payload: {} });
    await s.next((x) => x.type === 'response' && x.id === id);
    samples.push(performance.now() - t0);
    s.messages.length = 0;
  }
  s.close();
  await server.close();
  await m.engine.stop();
  const st = summarize(samples.slice(200));
  return { name: 'headless socket round trip (session.status)', unit: 'ms', median: st.median, p99: st.p99, samples: samples.length - 200, machine: machine() };
}

export async function syntheticMarket(): Promise<BenchResult> {
  const rates: number[] = [];
  for (let run = 0; run < 5; run++) {
    const m = manualEngine();
    await m.engine.start();
    const t0 = performance.now();
    m.minutes(390 * 5);
    const seconds = (performance.now() - t0) / 1000;
    rates.push(m.bars.length / seconds);
    await m.engine.stop();
  }
  const s = summarize(rates);
  return { name: 'full engine pipeline: synthetic market → data engine → features → learning buffer (10 symbols)', unit: 'bars/s', median: s.median, samples: rates.length, machine: machine() };
}

export const kernelBenchmarks = [busPublish, dispatchLatency, socketRoundTrip, syntheticMarket];
