// The backtest slice's shape: the form the trader is filling in (kept here, so closing the panel or
// switching tabs keeps it), the runs this window started (run id → job id; each job's state comes from
// the jobs store), the latest `backtest.progress` per run, the fetched results, the list of past runs,
// the runs picked to compare, and the trade whose day the day chart shows.
import type { AppError } from '../../../shared/contract';
import {
  DEFAULT_TRAINING_DELAY_BARS,
  SIGNAL_SOURCES,
  type BacktestProgress,
  type BacktestResult,
  type BacktestRunSummary,
  type BacktestTrade,
  type DecisionPolicy,
  type ModelMode,
  type SignalSourceId,
} from '../../../shared/backtest';
import type { Bar } from '../../../shared/domain';

export type PolicyKind = DecisionPolicy['kind'];
export type ModelKind = ModelMode['kind'];
export const FEE_SCHEDULES = ['alpaca-2024-05', 'alpaca-2025-05', 'none'] as const;
export type FeeSchedule = (typeof FEE_SCHEDULES)[number];
export type SlippageKind = 'none' | 'bps';

/**
 * The form as typed: numbers stay text until the run is asked for (an input being edited is often not
 * a number yet). `symbols`, `from` and `to` are null until the trader types, and follow their defaults
 * (the watchlist's first symbol, the range the history store holds for it) meanwhile. A blank optional
 * number means "the engine's default".
 */
export interface BacktestDraft {
  symbols: string | null;
  from: string | null;
  to: string | null;
  /** The signal generators enabled in the run. */
  sources: readonly SignalSourceId[];
  policy: PolicyKind;
  /** Auto policy: the confidence at or above which a signal is taken (0..1). */
  threshold: string;
  /** Sources policy: only these sources' signals are taken. */
  policySources: readonly SignalSourceId[];
  model: ModelKind;
  /** Frozen model: a registry id. */
  modelId: string;
  /** Walk-forward: simulated minutes between a retrain's last row and its model's first score. */
  trainingDelayBars: string;
  /** Walk-forward: retrain cadence in minutes (blank: the engine's). */
  retrainEveryMinutes: string;
  fees: FeeSchedule;
  slippage: SlippageKind;
  slippageBps: string;
  /** Percent of a bar's volume one order may take; blank: no cap. */
  maxParticipationPct: string;
  latencyMs: string;
  bankroll: string;
  dailyRiskPct: string;
  symbolCapPct: string;
  seed: string;
  randomRuns: string;
  label: string;
}

export const DEFAULT_DRAFT: BacktestDraft = {
  symbols: null,
  from: null,
  to: null,
  sources: SIGNAL_SOURCES,
  policy: 'all',
  threshold: '0.6',
  policySources: [],
  model: 'none',
  modelId: '',
  trainingDelayBars: String(DEFAULT_TRAINING_DELAY_BARS),
  retrainEveryMinutes: '',
  fees: 'alpaca-2024-05',
  slippage: 'none',
  slippageBps: '2',
  maxParticipationPct: '',
  latencyMs: '0',
  bankroll: '',
  dailyRiskPct: '',
  symbolCapPct: '',
  seed: '1',
  randomRuns: '100',
  label: '',
};

/** A run this window started: the engine's answer to `backtest.run`. */
export interface StartedRun {
  runId: string;
  jobId: string;
}

/** `backtest.get` for one run: its summary and, once it finished, its result; or the refusal. */
export type RunResult =
  | { kind: 'loading' }
  | { kind: 'loaded'; summary: BacktestRunSummary; result: BacktestResult | null }
  | { kind: 'refused'; error: AppError };

/** The engine's answer to a Cancel, per run, while it matters. */
export type CancelState = { kind: 'pending' } | { kind: 'answered'; canceled: boolean } | { kind: 'refused'; error: AppError };

/** The trade whose session the day chart shows, and that session's bars once `backtest.dayBars` answered. */
export interface TradeDay {
  runId: string;
  trade: BacktestTrade;
  symbol: string;
  /** The New York date of the trade's entry. */
  date: string;
  /** Grows with every pick, so a late answer for an earlier pick is told apart. */
  seq: number;
  bars: readonly Bar[] | null;
  error: AppError | null;
}

export interface BacktestState {
  draft: BacktestDraft;
  /** A `backtest.run` request is in flight. */
  starting: boolean;
  /** The engine's refusal of the last `backtest.run` (missing history, a bad setting), shown by the form. */
  runError: AppError | null;
  /** Runs this window started, newest first. */
  started: readonly StartedRun[];
  /** The run the panel shows: the one just started, or a past one picked from the list. */
  shownRunId: string | null;
  /** The latest `backtest.progress` per run (a few runs at most are kept). */
  progress: Readonly<Record<string, BacktestProgress>>;
  /** `backtest.get` answers per run (kept for the shown and the compared runs, and a few more). */
  results: Readonly<Record<string, RunResult>>;
  /** Past runs, newest first; null until the engine has listed them. */
  runs: readonly BacktestRunSummary[] | null;
  runsError: AppError | null;
  /** Run ids picked to compare, in the order picked (at most MAX_COMPARED). */
  compare: readonly string[];
  cancel: Readonly<Record<string, CancelState>>;
  tradeDay: TradeDay | null;
  /** Trade picks so far: each pick's `seq`. */
  tradePicks: number;
}

/** Runs compared side by side at most. */
export const MAX_COMPARED = 4;
/** Runs whose progress is kept; older ones are dropped first. */
export const PROGRESS_CAPACITY = 16;
/** Results kept besides the shown and compared runs' (a result can hold thousands of points). */
export const RESULT_CAPACITY = 8;

export const initialBacktestState: BacktestState = {
  draft: DEFAULT_DRAFT,
  starting: false,
  runError: null,
  started: [],
  shownRunId: null,
  progress: {},
  results: {},
  runs: null,
  runsError: null,
  compare: [],
  cancel: {},
  tradeDay: null,
  tradePicks: 0,
};
