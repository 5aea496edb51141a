// The backtest store: the form, the runs this window started and what the engine says of them
// (progress, results, the list of past runs), the compare picks and the trade whose day is charted.
// Actions are pure state changes named for what happened; the requests that cause them are in
// ./commands. A late answer never overwrites a newer one: day bars are matched to the pick they
// answer, and results stay keyed by run.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppError } from '../../../shared/contract';
import type { BacktestProgress, BacktestResult, BacktestRunSummary, BacktestTrade } from '../../../shared/backtest';
import type { Bar } from '../../../shared/domain';
import {
  initialBacktestState,
  MAX_COMPARED,
  PROGRESS_CAPACITY,
  RESULT_CAPACITY,
  type BacktestDraft,
  type BacktestState,
  type RunResult,
  type StartedRun,
} from './initialState';

export interface BacktestActions {
  draftChanged(patch: Partial<BacktestDraft>): void;
  runRequested(): void;
  runStarted(run: StartedRun): void;
  runRefused(error: AppError): void;
  progressReceived(progress: BacktestProgress): void;
  cancelRequested(runId: string): void;
  cancelAnswered(runId: string, canceled: boolean): void;
  cancelRefused(runId: string, error: AppError): void;
  resultRequested(runId: string): void;
  resultReceived(runId: string, answer: { summary: BacktestRunSummary; result: BacktestResult | null }): void;
  resultRefused(runId: string, error: AppError): void;
  runsListed(runs: readonly BacktestRunSummary[]): void;
  runsRefused(error: AppError): void;
  /** The trader opened a past run from the list. */
  runShown(runId: string): void;
  /** A compare box was ticked or cleared; a fifth pick is ignored. */
  compareToggled(runId: string): void;
  /** A trade row was clicked: its day is asked for (`date` is its New York entry date). */
  tradePicked(runId: string, trade: BacktestTrade, date: string): void;
  /** `seq` is the pick the answer belongs to; answers for an earlier pick are dropped. */
  dayBarsReceived(seq: number, bars: readonly Bar[]): void;
  dayBarsRefused(seq: number, error: AppError): void;
  tradeDayClosed(): void;
}

export type BacktestStore = BacktestState & BacktestActions;
export type BacktestStoreApi = StoreApi<BacktestStore>;

/** `record` with `key` set to `value` as its newest entry (object keys keep insertion order). */
function withNewest<V>(record: Readonly<Record<string, V>>, key: string, value: V): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(record)) if (k !== key) out[k] = v;
  out[key] = value;
  return out;
}

/** Drops the oldest entries past `capacity`, never those in `keep`. */
export function pruneOldest<V>(record: Readonly<Record<string, V>>, capacity: number, keep: ReadonlySet<string> = new Set()): Readonly<Record<string, V>> {
  const keys = Object.keys(record);
  let excess = keys.length - capacity;
  if (excess <= 0) return record;
  const out: Record<string, V> = {};
  for (const k of keys) {
    if (excess > 0 && !keep.has(k)) {
      excess--;
      continue;
    }
    out[k] = record[k]!;
  }
  return out;
}

const inUse = (s: BacktestState): Set<string> => new Set([...(s.shownRunId ? [s.shownRunId] : []), ...s.compare]);

function setResult(s: BacktestState, runId: string, value: RunResult): Pick<BacktestState, 'results'> {
  const used = inUse(s);
  // The run just answered is kept too, as the newest of the others.
  return { results: pruneOldest(withNewest(s.results, runId, value), RESULT_CAPACITY + used.size, new Set([...used, runId])) };
}

export interface BacktestStoreOptions {
  initial?: Partial<BacktestState>;
}

export function createBacktestStore(options: BacktestStoreOptions = {}): BacktestStoreApi {
  return createStore<BacktestStore>()((set) => ({
    ...initialBacktestState,
    ...options.initial,
    draftChanged: (patch) => set((s) => ({ draft: { ...s.draft, ...patch } })),
    runRequested: () => set({ starting: true, runError: null }),
    runStarted: (run) =>
      set((s) => ({
        starting: false,
        runError: null,
        started: [run, ...s.started.filter((r) => r.runId !== run.runId)],
        shownRunId: run.runId,
        tradeDay: null,
      })),
    runRefused: (error) => set({ starting: false, runError: error }),
    progressReceived: (progress) =>
      set((s) => ({
        progress: pruneOldest(withNewest(s.progress, progress.runId, progress), PROGRESS_CAPACITY, inUse(s)),
      })),
    cancelRequested: (runId) => set((s) => ({ cancel: { ...s.cancel, [runId]: { kind: 'pending' } } })),
    cancelAnswered: (runId, canceled) => set((s) => ({ cancel: { ...s.cancel, [runId]: { kind: 'answered', canceled } } })),
    cancelRefused: (runId, error) => set((s) => ({ cancel: { ...s.cancel, [runId]: { kind: 'refused', error } } })),
    resultRequested: (runId) =>
      set((s) => {
        // A result already loaded stays shown while it is read again.
        if (s.results[runId]?.kind === 'loaded') return s;
        return setResult(s, runId, { kind: 'loading' });
      }),
    resultReceived: (runId, answer) => set((s) => setResult(s, runId, { kind: 'loaded', summary: answer.summary, result: answer.result })),
    resultRefused: (runId, error) => set((s) => setResult(s, runId, { kind: 'refused', error })),
    runsListed: (runs) => set({ runs, runsError: null }),
    runsRefused: (error) => set({ runsError: error }),
    runShown: (runId) =>
      set((s) => (s.shownRunId === runId ? s : { shownRunId: runId, tradeDay: s.tradeDay?.runId === runId ? s.tradeDay : null })),
    compareToggled: (runId) =>
      set((s) => {
        if (s.compare.includes(runId)) return { compare: s.compare.filter((id) => id !== runId) };
        if (s.compare.length >= MAX_COMPARED) return s;
        return { compare: [...s.compare, runId] };
      }),
    tradePicked: (runId, trade, date) =>
      set((s) => ({
        tradePicks: s.tradePicks + 1,
        tradeDay: { runId, trade, symbol: trade.symbol, date, seq: s.tradePicks + 1, bars: null, error: null },
      })),
    dayBarsReceived: (seq, bars) =>
      set((s) => (s.tradeDay?.seq === seq ? { tradeDay: { ...s.tradeDay, bars, error: null } } : s)),
    dayBarsRefused: (seq, error) =>
      set((s) => (s.tradeDay?.seq === seq ? { tradeDay: { ...s.tradeDay, bars: null, error } } : s)),
    tradeDayClosed: () => set({ tradeDay: null }),
  }));
}
