// Test doubles for the renderer: a CockpitApi whose requests are answered by per-channel responders
// and whose events the test emits, plus fixtures shaped like the engine's answers.
import {
  fail,
  OVERLAY_KEYS,
  type CockpitApi,
  type EventName,
  type EventPayload,
  type OverlayKey,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../../src/shared/contract';
import type { OverlayPoint } from '../../src/renderer/components/chart/overlayBook';
import {
  BacktestSpecSchema,
  type BacktestProgress,
  type BacktestResult,
  type BacktestRunSummary,
  type BacktestTrade,
  type Baselines,
  type Metrics,
} from '../../src/shared/backtest';
import type { Bar, Quote } from '../../src/shared/domain';

export type Responders = {
  [C in RequestChannel]?: (payload: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>;
};

export interface FakeApi {
  api: CockpitApi;
  /** Every request made, in order. */
  calls: Array<{ channel: RequestChannel; payload: unknown }>;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  listenerCount(event: EventName): number;
}

export function createFakeApi(responders: Responders = {}): FakeApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const calls: FakeApi['calls'] = [];
  const api: CockpitApi = {
    request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      calls.push({ channel, payload });
      const responder = responders[channel] as
        | ((p: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>)
        | undefined;
      if (!responder) return Promise.resolve(fail('NOT_AVAILABLE', `${channel} has no responder in this test`));
      return Promise.resolve(responder(payload));
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
  };
  return {
    api,
    calls,
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    listenerCount: (event) => listeners.get(event)?.size ?? 0,
  };
}

/** Lets pending promise callbacks run. */
export const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export const T0 = Date.UTC(2024, 2, 15, 13, 30); // 2024-03-15 09:30 ET

export function quote(symbol: string, last: number, time: number, extra: Partial<Quote> = {}): Quote {
  return {
    symbol,
    last,
    prevClose: 100,
    sessionOpen: 100,
    change: Math.round((last - 100) * 100) / 100,
    changePct: last - 100,
    sessionVolume: 10_000,
    time,
    ...extra,
  };
}

export function bar(symbol: string, start: number, close: number, extra: Partial<Bar> = {}): Bar {
  return { symbol, timeframe: '1m', start, open: close, high: close, low: close, close, volume: 100, ...extra };
}

/** An overlay point with every line empty (a gap) except the values given. */
export function overlayPoint(start: number, values: Partial<Record<OverlayKey, number | null>> = {}): OverlayPoint {
  const all = Object.fromEntries(OVERLAY_KEYS.map((key) => [key, null])) as Record<OverlayKey, number | null>;
  return { start, values: { ...all, ...values } };
}

export function engineInfo(extra: Partial<ResponseOf<'app.info'>> = {}): ResponseOf<'app.info'> {
  return {
    appVersion: '0.1.0',
    engineId: 'engine-1',
    host: 'headless',
    mode: 'SIMULATED',
    simulated: true,
    watchlist: ['AAPL', 'MSFT'],
    runtime: { node: '20.19.0', electron: null, platform: 'linux' },
    credentials: { alpaca: false, polygon: false },
    ...extra,
  };
}

export function sessionStatus(extra: Partial<ResponseOf<'session.status'>> = {}): ResponseOf<'session.status'> {
  return {
    mode: 'SIMULATED',
    simulated: true,
    now: T0,
    feed: { feedId: 'toy', label: 'Toy market', state: 'live', detail: '', at: T0, simulated: true },
    broker: { label: 'Simulated broker', simulated: true, live: false, liveConfirmed: false },
    feedSpeed: 60,
    feedPaused: false,
    trading: { state: 'ACTIVE', previous: 'ACTIVE', cause: 'start', at: T0 },
    components: [{ name: 'data', state: 'running', detail: '' }],
    ...extra,
  };
}

export function jobProgress(extra: Partial<EventPayload<'job.progress'>> = {}): EventPayload<'job.progress'> {
  return { jobId: 'import-1', kind: 'import', state: 'running', fraction: 0, phase: 'starting', message: 'importing spy.csv', ...extra };
}

/** An import report as the engine's importer writes it (the real SPY month). */
export function importReport(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    file: 'spy-1m-2011-01.ninjatrader.csv',
    format: 'ninjatrader',
    symbol: 'SPY',
    sha256: 'abc',
    rows: 14_200,
    accepted: 14_180,
    inserted: 14_180,
    unchanged: 0,
    rejected: { market_closed: 15, duplicate_timestamp: 5 },
    rejectedSamples: [{ line: 3, reason: 'market_closed' }],
    firstStart: Date.UTC(2011, 0, 3, 9, 0),
    lastStart: Date.UTC(2011, 0, 31, 23, 59),
    byPart: { pre: 3_000, regular: 7_800, post: 3_380 },
    sessions: 20,
    derived: { '5m': 2_840, '15m': 950, '1d': 20 },
    ...extra,
  };
}

export function feeds(active: ResponseOf<'market.feeds'>[number]['id'] = 'synthetic'): ResponseOf<'market.feeds'> {
  return [
    { id: 'synthetic', label: 'Synthetic market (SIMULATED)', available: true, active: active === 'synthetic', reason: 'always available' },
    { id: 'replay', label: 'Replay of stored history (SIMULATED)', available: active === 'replay', active: active === 'replay', reason: 'no history stored yet' },
    { id: 'alpaca', label: 'Alpaca market data (IEX)', available: false, active: false, reason: 'unavailable: no keys' },
    { id: 'polygon', label: 'Polygon/Massive stocks stream', available: false, active: false, reason: 'unavailable: no key' },
  ];
}

export function historySummary(symbols: ResponseOf<'history.summary'>['symbols'] = []): ResponseOf<'history.summary'> {
  return { dbPath: '/tmp/history.sqlite', symbols };
}

export function modelSummary(extra: Partial<ResponseOf<'models.list'>['models'][number]> = {}): ResponseOf<'models.list'>['models'][number] {
  return {
    id: 'intraday-20240315T100000-train-1',
    purpose: 'intraday',
    kind: 'tree',
    status: 'candidate',
    createdAt: T0 + 30 * 60_000,
    promotedAt: null,
    parentId: null,
    metrics: { holdoutLogLoss: 0.6871, activeHoldoutLogLoss: 0.6902, priorLogLoss: 0.6929, holdoutRows: 450, reason: 'schedule' },
    topFeatures: [
      { name: 'ret_1', importance: 0.012 },
      { name: 'vwap_dist', importance: 0.008 },
      { name: 'rsi_14', importance: 0.005 },
      { name: 'volume_z', importance: 0.001 },
    ],
    note: '',
    ...extra,
  };
}

export function modelEvent(extra: Partial<EventPayload<'models.event'>> = {}): EventPayload<'models.event'> {
  return { kind: 'candidate', modelId: 'intraday-20240315T100000-train-1', message: 'kept as a candidate', at: T0 + 30 * 60_000, ...extra };
}

export function modelsList(extra: Partial<ResponseOf<'models.list'>> = {}): ResponseOf<'models.list'> {
  return {
    models: [modelSummary()],
    events: [modelEvent({ kind: 'training', modelId: null, message: 'retraining on 1800 rows (schedule)', at: T0 + 29 * 60_000 }), modelEvent()],
    inference: { provider: 'cpu', note: null, activeModel: null },
    learning: { labelledRows: 2_250, retrainEveryMinutes: 15, training: false, nextRetrainAt: T0 + 45 * 60_000 },
    ...extra,
  };
}

/** One fold of a walk-forward report as the engine sends it: after JSON, so NaN and Infinity are null. */
export function walkForwardFold(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    index,
    testPeriods: [`2011-01-${String(10 + index).padStart(2, '0')}`],
    trainRows: 1_900,
    testRows: 390,
    purged: 1,
    embargoed: 5,
    logLoss: 0.6905,
    priorLogLoss: 0.6931,
    accuracy: 0.53,
    brier: 0.2486,
    ece: 0.021,
    classes: { n: 390, accuracy: 0.53, confusion: [[100, 90], [93, 107]], precision: [0.518, 0.543], recall: [0.526, 0.535], f1: [0.522, 0.539], support: [190, 200] },
    precisionAt50: 0.56,
    topDecileLong: { count: 39, scoreCut: 0.55, hitRate: 0.54, avgReturn: 0.00012, profitFactor: 1.18 },
    topDecileShort: { count: 39, scoreCut: 0.45, hitRate: 0.49, avgReturn: -0.00003, profitFactor: 0.93 },
    reliability: Array.from({ length: 10 }, (_, b) => ({
      lower: b / 10,
      upper: (b + 1) / 10,
      count: b === 4 || b === 5 ? 195 : 0,
      meanPredicted: b === 4 ? 0.47 : b === 5 ? 0.53 : null,
      observed: b === 4 ? 0.45 : b === 5 ? 0.55 : null,
    })),
    calibration: 'platt',
    trees: 100,
    ...extra,
  };
}

export function walkForwardResult(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    label: 'label_up_1',
    rows: 780,
    folds: [walkForwardFold(0), walkForwardFold(1)],
    summary: { logLoss: 0.6905, priorLogLoss: 0.6931, accuracy: 0.53, hitRateLong: 0.54, profitFactorLong: 1.18, avgReturnLong: 0.00012 },
    ...extra,
  };
}

// ---------------------------------------------------------------- backtests

const BT_DAY = Date.UTC(2011, 0, 4, 14, 30); // 2011-01-04 09:30 ET

export function backtestTrade(n: number, extra: Partial<BacktestTrade> = {}): BacktestTrade {
  return {
    n,
    symbol: 'SPY',
    side: 'long',
    qty: 100,
    entryTime: BT_DAY + (30 + n) * 60_000,
    entryPrice: 127.1,
    exitTime: BT_DAY + (60 + n) * 60_000,
    exitPrice: 127.5,
    exitRule: 'target',
    pnl: 39.9,
    fees: 0.1,
    mfe: 0.45,
    mae: 0.12,
    barsHeld: 30,
    sources: ['orb'],
    reasons: ['opening range breakout'],
    ...extra,
  };
}

export function backtestMetrics(extra: Partial<Metrics> = {}): Metrics {
  return {
    startEquity: 25_000,
    endEquity: 25_310,
    totalReturn: 0.0124,
    cagr: 0.16,
    sharpe: 1.42,
    sortino: 2.1,
    calmar: 3.3,
    maxDrawdown: 0.0081,
    maxDrawdownDays: 4,
    winRate: 0.55,
    avgWin: 41.2,
    avgLoss: -30.5,
    profitFactor: 1.31,
    expectancy: 7.75,
    exposure: 0.18,
    trades: 40,
    turnover: 6.2,
    fees: 4.1,
    ...extra,
  };
}

export function backtestBaselines(extra: Partial<Baselines> = {}): Baselines {
  return {
    buyHoldSpy: { totalReturn: 0.0233, maxDrawdown: 0.011 },
    buyHoldSymbols: { totalReturn: 0.0233, maxDrawdown: 0.011 },
    random: { runs: 100, medianReturn: 0.002, p5Return: -0.01, p95Return: 0.015, strategyPercentile: 88 },
    beatenByRandom: false,
    ...extra,
  };
}

export function backtestResult(runId: string, extra: Partial<BacktestResult> = {}): BacktestResult {
  return {
    runId,
    spec: BacktestSpecSchema.parse({ symbols: ['SPY'], from: '2011-01-03', to: '2011-01-31', label: `run ${runId}` }),
    bars: 7_800,
    sessions: 20,
    trades: [backtestTrade(1), backtestTrade(2, { pnl: -12.3, exitRule: 'hardStop' })],
    equity: [
      { t: BT_DAY, equity: 25_000, drawdown: 0 },
      { t: BT_DAY + 86_400_000, equity: 25_120, drawdown: 0 },
      { t: BT_DAY + 2 * 86_400_000, equity: 25_050, drawdown: -0.0028 },
    ],
    daily: [],
    metrics: backtestMetrics(),
    baselines: backtestBaselines(),
    bySource: [],
    byExitRule: [],
    signals: { proposed: 60, approved: 44, vetoed: 0, refused: 16 },
    models: [],
    ...extra,
  };
}

export function backtestSummary(runId: string, extra: Partial<BacktestRunSummary> = {}): BacktestRunSummary {
  return {
    runId,
    label: `run ${runId}`,
    createdAt: Date.UTC(2024, 2, 15, 14, 0),
    symbols: ['SPY'],
    from: '2011-01-03',
    to: '2011-01-31',
    state: 'done',
    totalReturn: 0.0124,
    sharpe: 1.42,
    trades: 40,
    message: '',
    ...extra,
  };
}

export function backtestProgress(runId: string, extra: Partial<BacktestProgress> = {}): BacktestProgress {
  return { runId, fraction: 0.42, bars: 3_276, barsTotal: 7_800, barsPerSecond: 12_345.6, etaSeconds: 35, phase: 'replaying', ...extra };
}
