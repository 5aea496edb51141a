// Atomic selectors over the backtest slice: each returns a primitive or a reference the store
// already holds, so a component re-renders only when its own value changes.
import type { BacktestRunSummary } from '../../../shared/backtest';
import type { StartedRun } from './initialState';
import type { BacktestStore } from './store';

const NO_RUNS: readonly BacktestRunSummary[] = [];

export const backtestSelectors = {
  draft: (s: BacktestStore) => s.draft,
  starting: (s: BacktestStore) => s.starting,
  runError: (s: BacktestStore) => s.runError,
  shownRunId: (s: BacktestStore) => s.shownRunId,
  /** The job of a run this window started; null for runs started elsewhere. */
  jobIdOf:
    (runId: string | null) =>
    (s: BacktestStore): string | null =>
      runId === null ? null : (s.started.find((r: StartedRun) => r.runId === runId)?.jobId ?? null),
  progressOf: (runId: string | null) => (s: BacktestStore) => (runId === null ? undefined : s.progress[runId]),
  resultOf: (runId: string | null) => (s: BacktestStore) => (runId === null ? undefined : s.results[runId]),
  /**
   * The engine's summary of a run: its `backtest.get` answer's, unless that was read while the run
   * was still running and the list has been read since; then the list's.
   */
  summaryOf:
    (runId: string | null) =>
    (s: BacktestStore): BacktestRunSummary | undefined => {
      if (runId === null) return undefined;
      const r = s.results[runId];
      const fromResult = r?.kind === 'loaded' ? r.summary : undefined;
      if (fromResult && fromResult.state !== 'running') return fromResult;
      return s.runs?.find((run) => run.runId === runId) ?? fromResult;
    },
  cancelOf: (runId: string | null) => (s: BacktestStore) => (runId === null ? undefined : s.cancel[runId]),
  /** The same empty list until the engine answers. */
  runs: (s: BacktestStore): readonly BacktestRunSummary[] => s.runs ?? NO_RUNS,
  runsKnown: (s: BacktestStore): boolean => s.runs !== null,
  runsError: (s: BacktestStore) => s.runsError,
  compare: (s: BacktestStore) => s.compare,
  isCompared: (runId: string) => (s: BacktestStore): boolean => s.compare.includes(runId),
  tradeDay: (s: BacktestStore) => s.tradeDay,
  /** The number of the trade whose day is charted, for the shown run; null when none. */
  pickedTradeOf:
    (runId: string | null) =>
    (s: BacktestStore): number | null =>
      s.tradeDay !== null && s.tradeDay.runId === runId ? s.tradeDay.trade.n : null,
};
