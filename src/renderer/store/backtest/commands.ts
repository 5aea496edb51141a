// The backtest panel's requests: each calls the engine and files the answer with the store's event
// actions. Refusals are filed as notices by the engine client too; here they are also kept where the
// panel shows them (next to the form, the Cancel button, the list). The wiring calls
// `backtestJobEnded` when a backtest's job ends, whoever started it.
import type { BacktestSpecInput, BacktestTrade } from '../../../shared/backtest';
import { nyDate } from '../../components/nyTime';
import type { EngineClient } from '../engine';
import type { CockpitStores } from '../index';
import type { JobProgress } from '../jobs/initialState';
import { isFinished } from '../jobs/store';

/** Past runs asked for at once. */
export const RUN_LIST_LIMIT = 50;

/** The New York calendar date of a trade's entry: the session the day chart shows. */
export function tradeDate(trade: Pick<BacktestTrade, 'entryTime'>): string {
  return nyDate(trade.entryTime);
}

/** `backtest.list`: the past runs, newest first. */
export async function loadBacktestRuns(engine: EngineClient, stores: CockpitStores): Promise<void> {
  const r = await engine.call('backtest.list', { limit: RUN_LIST_LIMIT });
  if (r.ok) stores.backtest.getState().runsListed(r.data.runs);
  else stores.backtest.getState().runsRefused(r.error);
}

/** `backtest.get`: one run's summary and result. */
export async function loadBacktestResult(engine: EngineClient, stores: CockpitStores, runId: string): Promise<void> {
  stores.backtest.getState().resultRequested(runId);
  const r = await engine.call('backtest.get', { runId });
  if (r.ok) stores.backtest.getState().resultReceived(runId, r.data);
  else stores.backtest.getState().resultRefused(runId, r.error);
}

/**
 * A backtest's job ended (done, failed or canceled): the list is read again, and a finished run this
 * window started has its result fetched.
 */
export async function backtestJobEnded(engine: EngineClient, stores: CockpitStores, job: Pick<JobProgress, 'jobId' | 'state'>): Promise<void> {
  const run = stores.backtest.getState().started.find((r) => r.jobId === job.jobId);
  await Promise.all([
    loadBacktestRuns(engine, stores),
    run && job.state === 'done' ? loadBacktestResult(engine, stores, run.runId) : Promise.resolve(),
  ]);
}

/** `backtest.run`; the run becomes the one the panel shows, and the past runs are read again to list it. */
export async function startBacktest(engine: EngineClient, stores: CockpitStores, spec: BacktestSpecInput): Promise<void> {
  stores.backtest.getState().runRequested();
  const r = await engine.call('backtest.run', spec);
  if (!r.ok) {
    stores.backtest.getState().runRefused(r.error);
    return;
  }
  stores.backtest.getState().runStarted(r.data);
  // A short run can end before the answer that names its job arrives: its end was already seen.
  const job = stores.jobs.getState().jobs[r.data.jobId];
  if (job && isFinished(job)) await backtestJobEnded(engine, stores, job);
  // The past runs list the new one as running.
  else await loadBacktestRuns(engine, stores);
}

/** `backtest.cancel`; the job's own `job.progress` says when it has stopped. */
export async function cancelBacktest(engine: EngineClient, stores: CockpitStores, runId: string): Promise<void> {
  stores.backtest.getState().cancelRequested(runId);
  const r = await engine.call('backtest.cancel', { runId });
  if (r.ok) stores.backtest.getState().cancelAnswered(runId, r.data.canceled);
  else stores.backtest.getState().cancelRefused(runId, r.error);
}

/** Shows a past run; its result is fetched unless it is already here. */
export async function showPastRun(engine: EngineClient, stores: CockpitStores, runId: string): Promise<void> {
  stores.backtest.getState().runShown(runId);
  const cached = stores.backtest.getState().results[runId];
  if (cached === undefined || cached.kind === 'refused' || (cached.kind === 'loaded' && cached.result === null)) {
    await loadBacktestResult(engine, stores, runId);
  }
}

/** Ticks or clears a run's compare box; a run newly compared has its result fetched if needed. */
export async function toggleCompared(engine: EngineClient, stores: CockpitStores, runId: string): Promise<void> {
  stores.backtest.getState().compareToggled(runId);
  const s = stores.backtest.getState();
  if (!s.compare.includes(runId)) return;
  const cached = s.results[runId];
  if (cached === undefined || cached.kind === 'refused') await loadBacktestResult(engine, stores, runId);
}

/** A trade row was clicked: its New York day is fetched for the day chart. */
export async function openTradeDay(engine: EngineClient, stores: CockpitStores, runId: string, trade: BacktestTrade): Promise<void> {
  const date = tradeDate(trade);
  stores.backtest.getState().tradePicked(runId, trade, date);
  const seq = stores.backtest.getState().tradePicks;
  const r = await engine.call('backtest.dayBars', { symbol: trade.symbol, date });
  if (r.ok) stores.backtest.getState().dayBarsReceived(seq, r.data.bars);
  else stores.backtest.getState().dayBarsRefused(seq, r.error);
}
