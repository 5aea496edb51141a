// Backtests through the engine's contract, as the cockpit asks for them: refused at once when history
// is missing; otherwise a job in its own worker thread that reports progress, stores its result (listed,
// opened again), can be canceled running or queued — while the engine's own thread stays responsive.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/main/app/compose';
import { defaultConfig } from '../../../src/main/config/config';
import type { EventPayload, Result, ResponseOf } from '../../../src/shared/contract';
import { HAVE_SPY, SPY_MONTH, spyHistoryDb } from '../../helpers/backtest';

type Progress = EventPayload<'job.progress'>;

describe.skipIf(!HAVE_SPY)('backtest jobs through the contract', () => {
  let history: { dir: string; dbPath: string };
  let engine: Engine;
  const jobs: Progress[] = [];
  const runs: Array<EventPayload<'backtest.progress'>> = [];
  const ended = (jobId: string): Promise<Progress> =>
    new Promise((resolve) => {
      const check = (): boolean => {
        const last = jobs.find((p) => p.jobId === jobId && (p.state === 'done' || p.state === 'failed' || p.state === 'canceled'));
        if (last) resolve(last);
        return last !== undefined;
      };
      if (check()) return;
      const off = engine.bus.subscribe('job.progress', () => {
        if (check()) off();
      });
    });
  const call = async <T,>(channel: string, body: unknown): Promise<T> => {
    const r = (await engine.dispatch(channel as never, body as never)) as Result<T>;
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
    return r.data;
  };

  beforeAll(async () => {
    history = spyHistoryDb();
    engine = createEngine(defaultConfig({ TRADING_DB_PATH: history.dbPath, TRADING_DATA_DIR: history.dir, TRADING_SIM_START: '2025-03-03' }), { clockTickMs: 0 });
    engine.bus.subscribe('job.progress', (p) => jobs.push(p));
    engine.bus.subscribe('backtest.progress', (p) => runs.push(p));
  });
  afterAll(async () => {
    await engine.stop();
    rmSync(history.dir, { recursive: true, force: true });
  });

  it('refuses missing history at once, naming it and the import command', async () => {
    const r = (await engine.dispatch('backtest.run', { symbols: ['QQQ'], ...SPY_MONTH })) as Result<unknown>;
    expect(r).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    if (!r.ok) expect(r.error.message).toMatch(/QQQ: no stored bars .*import/);
    expect((await call<ResponseOf<'backtest.list'>>('backtest.list', {})).runs).toEqual([]);
  });

  it('runs in a worker: progress, then the stored result; the engine thread stays responsive meanwhile', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const { runId, jobId } = await call<ResponseOf<'backtest.run'>>('backtest.run', { symbols: ['SPY'], ...SPY_MONTH });
    const end = await ended(jobId);
    delay.disable();
    expect(end.state).toBe('done');
    // The replay, the fills and the baselines ran off this thread: it never stalled for long.
    expect(delay.max / 1e6).toBeLessThan(250);
    const mine = runs.filter((p) => p.runId === runId);
    expect(mine.length).toBeGreaterThan(1);
    expect(mine.at(-1)!.fraction).toBe(1);
    expect(mine.some((p) => p.barsPerSecond > 0)).toBe(true);
    const got = await call<ResponseOf<'backtest.get'>>('backtest.get', { runId });
    expect(got.summary.state).toBe('done');
    expect(got.result!.sessions).toBe(20);
    expect(got.result!.trades.length).toBe(got.summary.trades);
    const listed = await call<ResponseOf<'backtest.list'>>('backtest.list', {});
    expect(listed.runs.map((r) => r.runId)).toContain(runId);
    const day = await call<ResponseOf<'backtest.dayBars'>>('backtest.dayBars', { symbol: 'SPY', date: '2011-01-04' });
    expect(day.bars).toHaveLength(390);
  }, 120_000);

  it('cancels a running run and one still waiting its turn; both are listed as canceled', async () => {
    const first = await call<ResponseOf<'backtest.run'>>('backtest.run', { symbols: ['SPY'], ...SPY_MONTH, randomRuns: 1000, seed: 3 });
    const second = await call<ResponseOf<'backtest.run'>>('backtest.run', { symbols: ['SPY'], ...SPY_MONTH, seed: 4 });
    expect(jobs.some((p) => p.jobId === second.jobId && p.state === 'queued')).toBe(true);
    expect(await call<ResponseOf<'backtest.cancel'>>('backtest.cancel', { runId: second.runId })).toEqual({ canceled: true });
    expect(await call<ResponseOf<'backtest.cancel'>>('backtest.cancel', { runId: first.runId })).toEqual({ canceled: true });
    expect((await ended(first.jobId)).state).toBe('canceled');
    const states = new Map((await call<ResponseOf<'backtest.list'>>('backtest.list', {})).runs.map((r) => [r.runId, r.state]));
    expect(states.get(first.runId)).toBe('canceled');
    expect(states.get(second.runId)).toBe('canceled');
    expect((await call<ResponseOf<'backtest.get'>>('backtest.get', { runId: first.runId })).result).toBeNull();
  }, 120_000);
});
