// Where a run stands, from the three things that say so: its job's `job.progress` (queued, running,
// and how it ended), its `backtest.progress` (how far, how fast), and the engine's stored summary
// (for a run this window did not start, or whose events were missed while disconnected). An ended
// state from any of them is final.
import type { BacktestProgress, BacktestRunSummary } from '../../../shared/backtest';
import type { JobProgress } from '../jobs/initialState';

export type RunState = 'starting' | 'queued' | 'running' | 'done' | 'failed' | 'canceled';

export interface RunView {
  state: RunState;
  /** 0..1. */
  fraction: number;
  bars: number | null;
  barsTotal: number | null;
  barsPerSecond: number | null;
  etaSeconds: number | null;
  phase: string;
  /** Why it failed, or the job's last word. */
  message: string;
  /** While queued: the place in the engine's line. */
  position: number | null;
}

const ENDED: ReadonlySet<RunState> = new Set(['done', 'failed', 'canceled']);
export const isEnded = (state: RunState): boolean => ENDED.has(state);

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function stateOf(job: JobProgress | undefined, progress: BacktestProgress | undefined, summary: BacktestRunSummary | undefined): RunState {
  if (job && ENDED.has(job.state)) return job.state;
  if (summary && summary.state !== 'running') return summary.state;
  // A progress report means the worker runs, whatever the job's last word was.
  if (progress) return 'running';
  if (job) return job.state;
  if (summary) return 'running';
  return 'starting';
}

export function runViewOf(input: { job?: JobProgress | undefined; progress?: BacktestProgress | undefined; summary?: BacktestRunSummary | undefined }): RunView {
  const { job, progress, summary } = input;
  const state = stateOf(job, progress, summary);
  const fraction = state === 'done' ? 1 : (finiteOrNull(progress?.fraction) ?? (job?.state === 'running' ? job.fraction : 0));
  return {
    state,
    fraction: Math.min(1, Math.max(0, fraction)),
    bars: finiteOrNull(progress?.bars),
    barsTotal: finiteOrNull(progress?.barsTotal),
    barsPerSecond: finiteOrNull(progress?.barsPerSecond),
    etaSeconds: isEnded(state) ? null : finiteOrNull(progress?.etaSeconds),
    phase: progress?.phase ?? job?.phase ?? '',
    message: job?.message ?? summary?.message ?? '',
    position: state === 'queued' ? (job?.position ?? null) : null,
  };
}
