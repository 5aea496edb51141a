// What a backtest is asked to do and what it answers: the settings (symbols, days, decision policy,
// model mode, fills, risk), and the result (trades, equity, daily P&L, metrics, baselines). The
// contract's backtest channels, the CLI's --config file, the worker that runs it and the report all
// read these schemas, so a setting means the same thing wherever it is given.
import { z } from 'zod';

const Ticker = z.string().regex(/^[A-Z][A-Z0-9.]{0,9}$/, 'a ticker in upper case, 1-10 characters (A-Z, 0-9, .)');
const DateKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const Finite = z.number().refine(Number.isFinite, 'a finite number');

/** The signal generators a backtest can enable (rules by id, and the ML source). */
export const SIGNAL_SOURCES = ['orb', 'vwap_reversion', 'momentum_breakout', 'vwap_bounce', 'laguerre_cross', 'sr_break', 'ml'] as const;
export type SignalSourceId = (typeof SIGNAL_SOURCES)[number];

/**
 * How the desk decides in a backtest: approve all that the risk manager sizes; auto above a confidence;
 * only signals from chosen sources; or the trader's own approve/veto decisions from the audit trail.
 */
export const DecisionPolicySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('auto'), threshold: z.number().min(0).max(1) }),
  z.strictObject({ kind: z.literal('sources'), sources: z.array(z.string().min(1).max(32)).min(1).max(16) }),
  z.strictObject({ kind: z.literal('replay') }),
]);
export type DecisionPolicy = z.output<typeof DecisionPolicySchema>;

/**
 * Which model scores in a backtest: none (rules only); a frozen model from the registry; or walk-forward,
 * the live in-session retraining, where a model trained on rows up to t trades from t + trainingDelayBars.
 */
export const ModelModeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('frozen'), modelId: z.string().min(1).max(120) }),
  z.strictObject({
    kind: z.literal('walk-forward'),
    /** Minutes of simulated time between a retrain's last row and its model's first score (default: DEFAULT_TRAINING_DELAY_BARS). */
    trainingDelayBars: z.number().int().min(1).max(390).optional(),
    retrainEveryMinutes: z.number().int().min(5).max(390).optional(),
  }),
]);
export type ModelMode = z.output<typeof ModelModeSchema>;

/** What a live retrain of the default model size takes on this machine (about 1-2 s), in minutes, rounded up. */
export const DEFAULT_TRAINING_DELAY_BARS = 2;

export const FillSettingsSchema = z.strictObject({
  /** Slippage on market and stop fills: none, basis points of the price, or a fraction of the ATR. */
  slippage: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('none') }),
      z.strictObject({ kind: z.literal('bps'), bps: z.number().min(0).max(500) }),
      z.strictObject({ kind: z.literal('atr'), fraction: z.number().min(0).max(5), fallbackBps: z.number().min(0).max(500) }),
    ])
    .default({ kind: 'none' }),
  limitFill: z.enum(['through', 'touch']).default('through'),
  /** Largest share of a bar's volume an order may take (partial fills past it); null = no cap. */
  maxParticipation: z.number().gt(0).max(1).nullable().default(null),
  latencyMs: z.number().int().min(0).max(600_000).default(0),
  /** Alpaca's regulatory fees (SEC and FINRA TAF on sells) as of a date, or none, or a commission schedule. */
  fees: z
    .union([
      z.enum(['alpaca-2024-05', 'alpaca-2025-05', 'none']),
      z.strictObject({ perShare: z.number().min(0).max(1), perOrder: z.number().min(0).max(100) }),
    ])
    .default('alpaca-2024-05'),
});
export type FillSettings = z.output<typeof FillSettingsSchema>;

export const BacktestRiskSchema = z
  .strictObject({
    bankroll: z.number().positive().max(1e10),
    maxOrderValue: z.number().positive(),
    maxOrderQty: z.number().int().positive(),
    dailyPositionLimit: z.number().positive(),
    dailyRiskPct: z.number().positive().max(100),
    symbolCapPct: z.number().positive().max(100),
    sectorCapPct: z.number().positive().max(100),
    entryCutoffMinutes: z.number().int().min(0).max(390),
    flattenMinutesBeforeClose: z.number().int().min(1).max(390),
    maxOrdersPerMinute: z.number().int().positive(),
    maxDailyLoss: z.number().positive(),
  })
  .partial();
export type BacktestRisk = z.output<typeof BacktestRiskSchema>;

export const BacktestSpecSchema = z.strictObject({
  symbols: z.array(Ticker).min(1).max(50),
  from: DateKey,
  to: DateKey,
  /** Enabled signal generators (default: all of them). */
  sources: z.array(z.enum(SIGNAL_SOURCES)).min(1).optional(),
  policy: DecisionPolicySchema.default({ kind: 'all' }),
  model: ModelModeSchema.default({ kind: 'none' }),
  fills: FillSettingsSchema.default(FillSettingsSchema.parse({})),
  risk: BacktestRiskSchema.default({}),
  /** Seed of everything random in the run (the random-entry baselines). */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Random-entry baseline runs (same sizing and exits, random entry minutes). */
  randomRuns: z.number().int().min(0).max(1000).default(100),
  label: z.string().max(80).optional(),
});
export type BacktestSpec = z.output<typeof BacktestSpecSchema>;
export type BacktestSpecInput = z.input<typeof BacktestSpecSchema>;

export const BacktestTradeSchema = z.strictObject({
  /** 1-based, in entry order. */
  n: z.number().int().positive(),
  symbol: Ticker,
  side: z.enum(['long', 'short']),
  qty: z.number().int().positive(),
  entryTime: z.number().int(),
  /** Volume-weighted entry price of the fills that opened the position. */
  entryPrice: Finite,
  exitTime: z.number().int(),
  exitPrice: Finite,
  /** The exit rule of the fill that closed the position (its largest share when several did). */
  exitRule: z.string(),
  /** Net of fees. */
  pnl: Finite,
  fees: Finite,
  /** Largest open gain and loss per share seen while the trade was open (from the bars' highs and lows). */
  mfe: Finite,
  mae: Finite,
  barsHeld: z.number().int().nonnegative(),
  sources: z.array(z.string()),
  reasons: z.array(z.string()),
});
export type BacktestTrade = z.output<typeof BacktestTradeSchema>;

export const EquityPointSchema = z.strictObject({ t: z.number().int(), equity: Finite, drawdown: Finite });
export type EquityPoint = z.output<typeof EquityPointSchema>;

export const DailyPnlSchema = z.strictObject({ date: DateKey, pnl: Finite, fees: Finite, trades: z.number().int().nonnegative(), equity: Finite });
export type DailyPnl = z.output<typeof DailyPnlSchema>;

export const MetricsSchema = z.strictObject({
  startEquity: Finite,
  endEquity: Finite,
  totalReturn: Finite,
  cagr: Finite,
  sharpe: Finite,
  sortino: Finite,
  calmar: Finite,
  maxDrawdown: Finite,
  /** Longest stretch below a previous equity high, in trading days. */
  maxDrawdownDays: z.number().int().nonnegative(),
  winRate: Finite,
  avgWin: Finite,
  avgLoss: Finite,
  profitFactor: Finite,
  expectancy: Finite,
  /** Share of the session's minutes with a position open. */
  exposure: Finite,
  trades: z.number().int().nonnegative(),
  /** Traded notional over the starting equity. */
  turnover: Finite,
  fees: Finite,
});
export type Metrics = z.output<typeof MetricsSchema>;

export const BaselinesSchema = z.strictObject({
  /** Buy at the first session's open, sell at the last close, with the whole bankroll (null: SPY not stored for those days). */
  buyHoldSpy: z.strictObject({ totalReturn: Finite, maxDrawdown: Finite }).nullable(),
  /** The bankroll split equally across the traded symbols, held the whole time. */
  buyHoldSymbols: z.strictObject({ totalReturn: Finite, maxDrawdown: Finite }).nullable(),
  random: z.strictObject({
    runs: z.number().int().nonnegative(),
    medianReturn: Finite,
    p5Return: Finite,
    p95Return: Finite,
    /** Percent of random runs whose total return the strategy beat (ties count half). */
    strategyPercentile: Finite,
  }),
  /** True when the strategy did not beat the median random run: the report says so at the top. */
  beatenByRandom: z.boolean(),
});
export type Baselines = z.output<typeof BaselinesSchema>;

export const GroupPnlSchema = z.strictObject({ key: z.string(), trades: z.number().int(), pnl: Finite, winRate: Finite });

export const BacktestResultSchema = z.strictObject({
  runId: z.string(),
  spec: BacktestSpecSchema,
  /** Bars replayed and sessions run. */
  bars: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
  trades: z.array(BacktestTradeSchema),
  equity: z.array(EquityPointSchema),
  daily: z.array(DailyPnlSchema),
  metrics: MetricsSchema,
  baselines: BaselinesSchema,
  bySource: z.array(GroupPnlSchema),
  byExitRule: z.array(GroupPnlSchema),
  /** Signals the engine proposed and what the policy did with them. */
  signals: z.strictObject({ proposed: z.number().int(), approved: z.number().int(), vetoed: z.number().int(), refused: z.number().int() }),
  /** Every model retrained during the run (walk-forward): when, on what, when judged, and whether it traded. */
  models: z.array(z.strictObject({
    modelId: z.string(),
    /** Simulated time the retrain started (its newest labelled row is from before it). */
    trainedAt: z.number().int(),
    /** Start of the newest bar the model was fitted on (the newer held-out rows only judged it). */
    trainedThrough: z.number().int(),
    /** Simulated time of the verdict: trainedAt + the training delay, never earlier; a promoted model scores from the next bar. */
    decidedAt: z.number().int(),
    promoted: z.boolean(),
  })),
});
export type BacktestResult = z.output<typeof BacktestResultSchema>;

/** One stored run, as the list of past runs shows it. */
export const BacktestRunSummarySchema = z.strictObject({
  runId: z.string(),
  label: z.string(),
  createdAt: z.number().int(),
  symbols: z.array(Ticker),
  from: DateKey,
  to: DateKey,
  state: z.enum(['running', 'done', 'failed', 'canceled']),
  totalReturn: Finite.nullable(),
  sharpe: Finite.nullable(),
  trades: z.number().int().nullable(),
  message: z.string(),
});
export type BacktestRunSummary = z.output<typeof BacktestRunSummarySchema>;

/** Progress of a running backtest: how far, how fast, how long still. */
export const BacktestProgressSchema = z.strictObject({
  runId: z.string(),
  fraction: z.number().min(0).max(1),
  bars: z.number().int().nonnegative(),
  barsTotal: z.number().int().nonnegative(),
  barsPerSecond: Finite,
  etaSeconds: Finite.nullable(),
  phase: z.string(),
});
export type BacktestProgress = z.output<typeof BacktestProgressSchema>;
