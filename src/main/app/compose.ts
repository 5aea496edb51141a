// The composition root: builds a whole engine from a validated config. Live, paper and backtest
// differ only in the clock, the feed and the broker plugged in here; nothing below asks which mode it
// runs in. Each call builds fresh parts, so several engines can share a process.
import { randomUUID } from 'node:crypto';
import { isEventName, type EventName, type ParsedRequestOf, type ResponseOf } from '../../shared/contract';
import type { Bar, ComponentStatus, HostKind } from '../../shared/domain';
import { NyseCalendar } from '../calendar/nyse';
import { secretsOf, type EngineConfig } from '../config/config';
import { BarCache } from '../data/bar-cache';
import { DataEngine } from '../data/data-engine';
import { isPaced, type MarketFeed } from '../data/feed';
import { ReplayFeed, replayStart } from '../data/replay-feed';
import { BarRecorder } from '../data/bar-recorder';
import { AlpacaStreamFeed } from '../data/vendors/alpaca-stream';
import { PolygonStreamFeed } from '../data/vendors/polygon-stream';
import { latestSessionDate, SyntheticMarket } from '../data/synthetic-market';
import { createDispatcher, RefusalError, type Dispatch, type HandlerMap } from '../ipc/dispatcher';
import { createMemoryLogger, type Logger } from '../logging/logger';
import { TradingStateMachine } from '../risk/trading-state';
import { riskLimits, type RiskLimits } from '../risk/pre-trade';
import { RiskLedger } from '../risk/risk-ledger';
import { loadSectorTable } from '../risk/sectors';
import { ExecutionEngine, type ExecutionBroker } from '../execution/execution-engine';
import { AlpacaBroker } from '../execution/alpaca-broker';
import type { ExitRules } from '../risk/exits';
import { OrderStore } from '../execution/order-store';
import { SimBroker } from '../execution/sim-broker';
import { openDatabase, type Db } from '../store/database';
import { HistoryStore } from '../store/history-store';
import { resolveImportSource, runImportJob } from '../workers/import-job';
import { checkImportFile, ImportAccessError, listImportFiles, type ImportPolicy } from '../data/import/access';
import { FeatureService } from '../features/feature-service';
import { InferenceService } from '../ml/inference/inference-service';
import { DEFAULT_LEARNING, INTRADAY_PURPOSE, LearningService } from '../ml/learning-service';
import { NightlyJob, retrainDailyModel } from '../ml/daily-model';
import { ModelRegistry, RegistryError, type ModelRecord } from '../ml/registry/registry';
import { startWorker } from '../workers/launch';
import { JobQueue, type JobKind, type JobProgress, type KindLimit, type RunningJob } from '../jobs/job-queue';
import { ApprovalDesk, simulatedTestSignal } from '../signals/desk';
import { SignalService } from '../signals/signal-service';
import { buildFocusList, FocusListJob, FocusListStore, toStored, type FocusCandidate } from '../signals/focus-list';
import { nyDateKey } from '../calendar/ny-time';
import type { TrainWorkerMessage } from '../workers/train-worker';
import { readDailyCloseCsv } from '../features/dataset';
import { readFileSync } from 'node:fs';
import { FEATURE_SPEC } from '../features/spec';
import { MessageBus } from '../engine/bus';
import { SessionScheduler } from '../engine/session-scheduler';
import { LiveClock, SimulatedClock, type Clock } from '../engine/clock';
import type { EngineHost, EventListener } from '../engine/host-api';
import type { Component } from '../engine/lifecycle';
import type { EngineBus, EngineEndpoints, EngineTopics } from '../engine/topics';

export const APP_VERSION = '0.1.0';
/** The cause of the REDUCING state a LIVE session starts in, until the trader confirms. */
const LIVE_WAIT_CAUSE = 'LIVE session';

export interface FeedChoice {
  feed: MarketFeed;
  clock: Clock;
  /** Bars known before the feed starts (chart context, prior closes). */
  history?: () => readonly Bar[];
}

export interface EngineDeps {
  host?: HostKind;
  logger?: Logger;
  /** Wall clock for choosing the first simulated session (tests pin it). */
  wallClock?: () => number;
  /** Replaces the feed the config asks for (tests, backtests). */
  feed?: FeedChoice | ((parts: { store: HistoryStore; calendar: NyseCalendar }) => FeedChoice);
  /** better-sqlite3 built for this runtime (Electron); Node's build otherwise. */
  nativeBinding?: string;
  /** Real-time interval between clock.tick events; 0 disables them. */
  clockTickMs?: number;
  /** Where trained models are written (default: the config's data folder). */
  modelsDir?: string;
  /** Generate signals from the feature stream (default true; tests of the desk alone turn it off). */
  signalGenerators?: boolean;
  /** Risk limits over the defaults (tests, backtests); checked at start. */
  riskLimits?: Partial<RiskLimits>;
  /** Realised loss in dollars at which the day turns REDUCING (default 2% of the bankroll). */
  maxDailyLoss?: number;
  /** Replaces the broker the mode picks (tests, backtests); built with the engine's clock and calendar. */
  broker?: (parts: { clock: Clock; calendar: NyseCalendar }) => ExecutionBroker;
  /** fetch for the Alpaca REST calls (tests pass one that refuses anything but loopback). */
  fetch?: typeof fetch;
  /**
   * The desktop app's open-file dialog (the Electron host passes one that shows the system's); resolves
   * to the path picked, or null when the trader canceled. Without it (headless) `history.chooseImportFile`
   * lists the import folder instead. A file picked here may be imported for the rest of the session.
   */
  chooseImportFile?: () => Promise<string | null>;
  /** Job queue limits per kind over DEFAULT_JOB_LIMITS (how many run at once, how many may wait). */
  jobLimits?: Partial<Record<JobKind, Partial<KindLimit>>>;
}

export interface Engine extends EngineHost {
  readonly config: EngineConfig;
  readonly bus: EngineBus;
  readonly clock: Clock;
  readonly cache: BarCache;
  readonly calendar: NyseCalendar;
  readonly store: HistoryStore;
  readonly data: DataEngine;
  readonly features: FeatureService;
  readonly learning: LearningService;
  readonly signals: SignalService;
  readonly registry: ModelRegistry;
  readonly inference: InferenceService;
  readonly trading: TradingStateMachine;
  readonly execution: ExecutionEngine;
  readonly orders: OrderStore;
  readonly ledger: RiskLedger;
  /** The approval desk: signals wait here for the trader (or the auto policy) before execution. */
  readonly desk: ApprovalDesk;
  readonly feed: MarketFeed;
  readonly log: Logger;
  components(): ComponentStatus[];
}

export class EngineConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineConfigError';
  }
}

/** Chart context for a live feed: the stored bars of the last two sessions. */
function storedHistory(store: HistoryStore, symbols: readonly string[], now: number): Bar[] {
  const out: Bar[] = [];
  for (const symbol of symbols) {
    for (const b of store.loadBars(symbol, '1m', now - 4 * 86_400_000, now)) {
      if (b.part === 'regular') out.push({ symbol, timeframe: '1m', start: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function lastStoredStarts(store: HistoryStore, symbols: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of symbols) {
    const r = store.range(s, '1m');
    if (r) out[s] = r.last;
  }
  return out;
}

function buildFeed(config: EngineConfig, deps: EngineDeps, store: HistoryStore, calendar: NyseCalendar, log: Logger): FeedChoice {
  if (deps.feed) return typeof deps.feed === 'function' ? deps.feed({ store, calendar }) : deps.feed;
  switch (config.feed) {
    case 'replay': {
      const { from, to } = config.replay!;
      const clock = new SimulatedClock(replayStart(calendar, from));
      const feed = new ReplayFeed({ store, calendar, symbols: config.watchlist, from, to, clock, speed: config.sim.speed });
      return { feed, clock, history: () => feed.history() };
    }
    case 'synthetic': {
      const wall = deps.wallClock ?? Date.now;
      const startDate = config.sim.startDate ?? latestSessionDate(calendar, wall());
      const clock = new SimulatedClock(calendar.sessionOnOrAfter(startDate).open);
      const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: config.sim.speed, startDate, calendar, historySessions: 1 });
      return { feed, clock, history: () => feed.history() };
    }
    case 'alpaca': {
      const clock = new LiveClock();
      const feed = new AlpacaStreamFeed({
        keyId: config.alpaca!.keyId,
        secretKey: config.alpaca!.secretKey,
        feed: config.alpaca!.feed,
        symbols: config.watchlist,
        clock,
        calendar,
        log: log.child('alpaca'),
        resumeAfter: lastStoredStarts(store, config.watchlist),
        channels: { trades: false, quotes: true, statuses: true },
        ...(config.endpoints.alpacaData ? { streamUrl: config.endpoints.alpacaData } : {}),
        ...(config.endpoints.alpacaDataRest ? { restBaseUrl: config.endpoints.alpacaDataRest } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      return { feed, clock, history: () => storedHistory(store, config.watchlist, clock.now()) };
    }
    case 'polygon': {
      const clock = new LiveClock();
      const feed = new PolygonStreamFeed({
        apiKey: config.polygon!.apiKey,
        symbols: config.watchlist,
        clock,
        calendar,
        log: log.child('polygon'),
        resumeAfter: lastStoredStarts(store, config.watchlist),
        channels: { trades: false, quotes: true },
      });
      return { feed, clock, history: () => storedHistory(store, config.watchlist, clock.now()) };
    }
  }
}

/**
 * The broker the mode asks for: the simulated one (SIMULATED), or Alpaca's paper or live account with
 * the book's own orders as the reconciliation's local view. PAPER never reaches the live host.
 */
function buildBroker(config: EngineConfig, deps: EngineDeps, clock: Clock, calendar: NyseCalendar, orders: OrderStore, log: Logger): ExecutionBroker {
  if (deps.broker) return deps.broker({ clock, calendar });
  if (config.mode === 'SIMULATED') return new SimBroker(clock, { calendar });
  if (!config.alpaca) throw new EngineConfigError(`TRADING_MODE=${config.mode.toLowerCase()} needs the Alpaca keys (TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY)`);
  const brokerLog = log.child('alpaca-broker');
  return new AlpacaBroker({
    keyId: config.alpaca.keyId,
    secretKey: config.alpaca.secretKey,
    live: config.mode === 'LIVE',
    ...(config.endpoints.alpacaTrading ? { restUrl: config.endpoints.alpacaTrading } : {}),
    ...(config.endpoints.alpacaTradingStream ? { streamUrl: config.endpoints.alpacaTradingStream } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    now: () => clock.now(),
    log: (level, message) => brokerLog[level](message),
  });
}

/** Which feeds this configuration could use, and why not where it cannot. */
function feedAvailability(config: EngineConfig, store: HistoryStore): ResponseOf<'market.feeds'> {
  const stored = store.symbols('1m');
  return [
    { id: 'synthetic', label: 'Synthetic market (SIMULATED)', available: true, active: config.feed === 'synthetic', reason: 'always available, no network' },
    {
      id: 'replay',
      label: 'Replay of stored history (SIMULATED)',
      available: stored.length > 0,
      active: config.feed === 'replay',
      reason: stored.length > 0 ? `stored: ${stored.join(', ')}` : 'no history stored yet: import a file first (File → Import history…)',
    },
    {
      id: 'alpaca',
      label: `Alpaca market data (${config.alpaca?.feed.toUpperCase() ?? 'IEX'})`,
      available: config.alpaca !== null,
      active: config.feed === 'alpaca',
      reason: config.alpaca ? 'keys configured' : 'unavailable: no keys (set TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY)',
    },
    {
      id: 'polygon',
      label: 'Polygon/Massive stocks stream',
      available: config.polygon !== null,
      active: config.feed === 'polygon',
      reason: config.polygon ? 'key configured' : 'unavailable: no key (set TRADING_POLYGON_API_KEY)',
    },
  ];
}

function summary(m: ModelRecord): ResponseOf<'models.list'>['models'][number] {
  return {
    id: m.id,
    purpose: m.purpose,
    kind: m.kind,
    status: m.status,
    createdAt: m.createdAt,
    promotedAt: m.promotedAt,
    parentId: m.parentId,
    metrics: m.metrics,
    topFeatures: Object.entries(m.importance)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, importance]) => ({ name, importance })),
    note: m.note,
  };
}

export function createEngine(config: EngineConfig, deps: EngineDeps = {}): Engine {
  const id = `engine-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? createMemoryLogger()).child(id);
  const bus: EngineBus = new MessageBus<EngineTopics, EngineEndpoints>((report) =>
    log.error(`bus ${report.kind} ${report.name} threw`, { error: report.error }),
  );
  const calendar = new NyseCalendar();
  const db: Db = openDatabase(config.dbPath, deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {});
  const store = new HistoryStore(db);
  let choice: FeedChoice;
  let limits: ReturnType<typeof riskLimits>;
  try {
    limits = riskLimits({ ...config.risk, ...deps.riskLimits });
    for (const o of db.prepare('SELECT date, kind, reason FROM calendar_overrides').all() as Array<{ date: string; kind: 'closed' | 'early-close'; reason: string }>) {
      calendar.addOverride(o);
    }
    choice = buildFeed(config, deps, store, calendar, log);
  } catch (error) {
    db.close();
    throw error;
  }
  const { feed, clock } = choice;
  const history = choice.history ?? (() => []);
  const cache = new BarCache();
  const statusOf = new Map<string, ComponentStatus>();
  const onStatus = (s: ComponentStatus): void => {
    statusOf.set(s.name, s);
    bus.publish('component.state', s);
  };
  const data = new DataEngine(feed, cache, bus, clock, log.child('data'), config.watchlist, onStatus);
  const trading = new TradingStateMachine(bus, clock, log.child('trading'));
  // SIMULATED only: buildFeed refuses PAPER and LIVE, so the simulated broker is the one there is.
  const orders = new OrderStore(db);
  const ledger = new RiskLedger(
    db,
    () => ({
      positionValueLimit: limits.dailyPositionLimit,
      capitalAtRiskCap: (limits.dailyRiskPct / 100) * limits.bankroll,
      maxDailyLoss: deps.maxDailyLoss ?? config.maxDailyLoss ?? 0.02 * limits.bankroll,
    }),
    clock,
  );
  let broker: ExecutionBroker;
  try {
    broker = buildBroker(config, deps, clock, calendar, orders, log);
  } catch (error) {
    db.close();
    throw error instanceof EngineConfigError ? error : new EngineConfigError(`the broker cannot be set up: ${error instanceof Error ? error.message : String(error)}`);
  }
  const liveBroker = broker instanceof AlpacaBroker && broker.live;
  let liveConfirmed = false;
  // Real money waits for the trader: a LIVE session takes no entry until confirmed in the cockpit (exits
  // and the end-of-day flatten of what is already held still run).
  if (liveBroker) trading.change('REDUCING', `${LIVE_WAIT_CAUSE}: confirm live trading in the cockpit to allow entries`);
  const exitRules: Omit<ExitRules, 'flattenMinutesBeforeClose'> = {
    ...(config.exits.peakExitPct > 0 ? { peakExitPct: config.exits.peakExitPct } : {}),
    ...(config.exits.trailAmount > 0 ? { trailAmount: config.exits.trailAmount } : {}),
    ...(config.exits.maxBarsHeld > 0 ? { maxBarsHeld: config.exits.maxBarsHeld } : {}),
    ...(config.exits.mlExitThreshold > 0 ? { mlExitThreshold: config.exits.mlExitThreshold } : {}),
  };
  // One session schedule for the engine: the flatten time, the 09:15 focus list and the nightly retrain.
  const schedule = new SessionScheduler(clock, calendar);
  let sectors: ReadonlyMap<string, string>;
  try {
    sectors = loadSectorTable(config.sectorsFile ?? undefined);
  } catch (error) {
    // The trader's table is part of the risk limits: a bad one stops start-up like a bad limit.
    throw new EngineConfigError(`TRADING_SECTORS_FILE: ${error instanceof Error ? error.message : String(error)}`);
  }
  const execution = new ExecutionEngine(
    { bus, clock, calendar, cache, trading, store: orders, ledger, broker, log: log.child('execution'), vix: () => vixOn(nyDateKey(clock.now())), scheduler: schedule },
    { limits, exits: exitRules, sectorOf: sectors },
    onStatus,
  );
  const desk = new ApprovalDesk({ bus, clock, db, execution, log: log.child('desk') }, {}, onStatus);
  let vix: Array<{ date: string; close: number }> | null = null;
  /** The day filter's VIX: the last close before the session's day (known before the open); null when none. */
  function vixOn(day: string): number | null {
    if (!vix) return null;
    let found: number | null = null;
    for (const v of vix) {
      if (v.date >= day) break;
      found = v.close;
    }
    return found;
  }
  if (config.vixFile) {
    try {
      vix = readDailyCloseCsv(readFileSync(config.vixFile, 'utf8'));
    } catch (error) {
      db.close();
      throw new EngineConfigError(`TRADING_VIX_FILE=${config.vixFile} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const features = new FeatureService(bus, store, calendar, clock, log.child('features'), config.watchlist, vix, onStatus);
  const registry = new ModelRegistry(db, () => clock.now());
  const inference = new InferenceService(FEATURE_SPEC, { providers: config.inferenceProviders }, () => clock.now());
  const learning = new LearningService(bus, clock, registry, inference, log.child('learning'), { ...DEFAULT_LEARNING, ...config.learning, modelsDir: deps.modelsDir ?? config.modelsDir }, onStatus);
  // After each close, the daily-context model retrains on all stored history (live clocks only: in a
  // replay the store holds the replay's future, and a simulated session has no daily history).
  const nightlyDaily = schedule.adopt(new NightlyJob(
    clock,
    calendar,
    async (sessionDate) => {
      bus.publish('models.event', { kind: 'training', modelId: null, message: `nightly daily-context retrain after ${sessionDate}`, at: clock.now() });
      const r = await retrainDailyModel({ store, registry, modelsDir: deps.modelsDir ?? config.modelsDir, now: () => clock.now(), workerRows: 0 });
      log.info('nightly daily retrain', { sessionDate, rows: r.rows, heldOutLogLoss: r.heldOutLogLoss, priorLogLoss: r.priorLogLoss, promoted: r.promoted });
      bus.publish('models.event', { kind: r.promoted ? 'promoted' : 'candidate', modelId: r.modelId, message: r.message, at: clock.now() });
    },
    {
      onError: (sessionDate, error) => {
        const message = `nightly daily retrain for ${sessionDate} failed: ${error instanceof Error ? error.message : String(error)}`;
        log.error(message, { error });
        bus.publish('models.event', { kind: 'failed', modelId: null, message, at: clock.now() });
      },
    },
  ));
  // The pre-market focus list at 09:15 New York on each trading day: daily bars from the store (the
  // feature engine's daily history when the store holds fewer), the cache's last price (the prior
  // close or the latest pre-market print), no daily-model score yet (the momentum fallback ranks).
  const focusStore = new FocusListStore(db);
  const buildFocus = (date: string): void => {
    const session = calendar.session(date);
    const before = session?.preOpen ?? clock.now();
    const universe: FocusCandidate[] = config.watchlist.map((symbol) => {
      const stored = store.loadBars(symbol, '1d', 0, before).map((b) => ({ date: nyDateKey(b.start), open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume })).filter((d) => d.date < date);
      const streamed = features.engine.dailyBefore(symbol, date);
      const days = stored.length >= Math.min(20, streamed.length) ? stored : streamed;
      const quote = cache.quote(symbol);
      const last = cache.lastBar(symbol);
      const lastPrice = quote && quote.time <= clock.now() ? quote.last : last && last.start <= clock.now() ? last.close : null;
      return { symbol, days, lastPrice, modelScore: null };
    });
    const list = toStored(buildFocusList({ date, universe }), clock.now());
    focusStore.save(list);
    log.info('focus list built', { date, picks: list.picks.map((p) => p.symbol).join(','), rejected: list.rejected.length });
    bus.publish('signals.focus', list);
  };
  const focusJob = schedule.adopt(new FocusListJob(clock, calendar, buildFocus, {
    onError: (date, error) => {
      const message = `focus list for ${date} failed: ${error instanceof Error ? error.message : String(error)}`;
      log.error(message, { error });
      bus.publish('app.notice', { level: 'error', code: 'signals.focus', message, at: clock.now() });
    },
  }));
  // Each component declares its bus phase (data → features → models → signals → risk → execution →
  // presentation), so a bar's feature row is known before the bar moves the broker and the exits,
  // whatever the start order. The desk starts after execution: on a restart its stale signals expire
  // before any bar can arrive.
  // Sizing a signal: risk 10% of the day's risk budget over the stop distance, capped by every limit.
  const sizeSignal = (symbol: string, side: 'long' | 'short', entryPrice: number, stopPrice: number): number =>
    execution.sizeFor({ symbol, side: side === 'long' ? 'buy' : 'sell', entryPrice, stopPrice }).qty;
  const signals = new SignalService(bus, clock, cache, desk, sizeSignal, log.child('signals'), onStatus, (values) => learning.explainRow(values));
  const components: Component[] = [features, learning, execution, desk, ...(deps.signalGenerators === false ? [] : [signals]), data];
  // Real vendor bars are kept in the history; simulated and replayed ones never are.
  const recorder = !deps.feed && (config.feed === 'alpaca' || config.feed === 'polygon') ? new BarRecorder(store, calendar, log.child('recorder')) : null;
  if (recorder) bus.subscribe('market.bar', (b) => recorder.record(b), 'data');
  for (const c of components) statusOf.set(c.name, c.status());
  let jobCounter = 0;
  // Long jobs wait their turn, per kind, and past the queue's length are refused (twenty walk-forwards
  // and four imports at once once took 31 threads and 1.5 GB). One queue per engine.
  const jobs = new JobQueue({
    publish: (progress) => bus.publish('job.progress', progress),
    ...(deps.jobLimits ? { limits: deps.jobLimits } : {}),
    nextId: (kind) => `${kind}-${++jobCounter}`,
    onError: (jobId, error) => log.error(`job ${jobId} failed`, { error }),
  });
  /** One walk-forward evaluation in the train worker; it settles once the worker has exited (its thread is gone). */
  const startWalkForward = (jobId: string, req: ParsedRequestOf<'models.walkForward'>, label: string): RunningJob => {
    const worker = startWorker('train-worker', {
      kind: 'walk-forward',
      dbPath: config.dbPath,
      ...(deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {}),
      symbols: req.symbols,
      from: req.from,
      to: req.to,
      period: req.period,
      trainPeriods: req.trainPeriods,
      ...(vix ? { vix } : {}),
    });
    const publish = (state: JobProgress['state'], fraction: number, phase: string, message: string, result?: unknown): void =>
      bus.publish('job.progress', { jobId, kind: 'evaluate', state, fraction, phase, message, ...(result !== undefined ? { result } : {}) });
    publish('running', 0, 'starting', label);
    let ended = false;
    const end = (state: 'done' | 'failed' | 'canceled', message: string, result?: unknown): void => {
      if (ended) return;
      ended = true;
      publish(state, 1, state, message, result);
      void worker.terminate();
    };
    worker.on('message', (m: TrainWorkerMessage) => {
      if (ended) return;
      if (m.type === 'progress') publish('running', m.fraction, m.phase, m.phase);
      else if (m.type === 'report') {
        end('done', `walk-forward: ${m.report.folds.length} folds, mean log loss ${m.report.summary.logLoss.toFixed(4)} vs prior ${m.report.summary.priorLogLoss.toFixed(4)}`, JSON.parse(JSON.stringify(m.report)));
      } else if (m.type === 'failed') end('failed', `walk-forward failed: ${m.message}`);
    });
    worker.on('error', (error) => end('failed', `walk-forward failed: ${error.message}`));
    const settled = new Promise<void>((resolve) => {
      worker.on('exit', (code) => {
        end('failed', `the evaluation worker stopped (exit ${code})`);
        resolve();
      });
    });
    return { settled, cancel: () => end('canceled', `${label}: canceled`) };
  };
  let testSignalCounter = 0;
  // What `history.import` may read: files in the import folder, and in the desktop app the files the
  // trader picked in its dialog this session (real paths). Never anything else the socket names.
  const chosenImportFiles = new Set<string>();
  const importPolicy: ImportPolicy = { roots: [config.importDir], ...(deps.chooseImportFile ? { files: chosenImportFiles } : {}) };

  /**
   * Before a paper or live session trades: the account must be active and not blocked (else HALTED), a
   * bankroll above the account's equity is flagged, and the broker's calendar for the next two weeks is
   * checked against ours: a closure or an early close we did not know becomes a stored override.
   */
  const brokerPreflight = async (alpaca: AlpacaBroker): Promise<void> => {
    const notice = (level: 'info' | 'warn' | 'error', message: string): void => bus.publish('app.notice', { level, code: 'broker.preflight', message, at: clock.now() });
    const now = clock.now();
    const today = nyDateKey(now);
    const last = nyDateKey(now + 14 * 86_400_000);
    let account: Awaited<ReturnType<AlpacaBroker['account']>>;
    let days: Awaited<ReturnType<AlpacaBroker['calendar']>>;
    try {
      [account, days] = await Promise.all([alpaca.account(), alpaca.calendar(today, last)]);
    } catch (error) {
      notice('warn', `Could not read the ${alpaca.label} account and calendar: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (account.tradingBlocked || account.status !== 'ACTIVE') {
      const why = `${alpaca.label} account is ${account.status}${account.tradingBlocked ? ' and trading is blocked' : ''}`;
      trading.change('HALTED', why);
      notice('error', `${why}: trading HALTED`);
    }
    if (account.equity < limits.bankroll) {
      notice('warn', `TRADING_BANKROLL ${limits.bankroll} is above the ${alpaca.label} account equity ${account.equity.toFixed(2)}: the percentage caps are taken of the bankroll`);
    }
    const theirs = new Map(days.map((d) => [d.date, d]));
    const insert = db.prepare('INSERT OR REPLACE INTO calendar_overrides (date, kind, reason) VALUES (?, ?, ?)');
    for (let t = now; nyDateKey(t) <= last; t += 86_400_000) {
      const date = nyDateKey(t);
      const ours = calendar.session(date);
      const day = theirs.get(date);
      if (ours && !day) {
        const o = { date, kind: 'closed' as const, reason: `closed per the ${alpaca.label} calendar` };
        calendar.addOverride(o);
        insert.run(o.date, o.kind, o.reason);
        notice('warn', `${date}: ${alpaca.label} lists no session; the cockpit treats the day as closed`);
      } else if (ours && day && day.close === '13:00' && !ours.earlyClose) {
        const o = { date, kind: 'early-close' as const, reason: `13:00 close per the ${alpaca.label} calendar` };
        calendar.addOverride(o);
        insert.run(o.date, o.kind, o.reason);
        notice('warn', `${date}: ${alpaca.label} closes at 13:00; the flatten and the entry cutoff move with it`);
      } else if (!ours && day) {
        // (kept as is: the cockpit's calendar errs on the side of not trading)
        notice('warn', `${date}: ${alpaca.label} lists a session the cockpit's calendar has closed (${calendar.closureReason(date) ?? 'closed'}); the cockpit will not trade it`);
      }
    }
  };

  const notAvailable = (what: string, issue: string): never => {
    throw new RefusalError('NOT_AVAILABLE', `${what} is not part of this build yet (${issue}); nothing was started`);
  };
  const paced = () => {
    if (!isPaced(feed)) throw new RefusalError('REFUSED', `${feed.label} runs in real time; it cannot be paused, sped up or moved`);
    return feed;
  };

  const handlers: HandlerMap = {
    'app.info': () => ({
      appVersion: APP_VERSION,
      engineId: id,
      host: deps.host ?? 'headless',
      mode: config.mode,
      simulated: feed.simulated,
      watchlist: [...config.watchlist],
      runtime: { node: process.versions.node, electron: process.versions.electron ?? null, platform: process.platform },
      credentials: { alpaca: config.alpaca !== null, polygon: config.polygon !== null },
    }),
    'session.status': () => ({
      mode: config.mode,
      simulated: feed.simulated,
      now: clock.now(),
      feed: data.health,
      feedSpeed: isPaced(feed) ? feed.speed : 1,
      feedPaused: isPaced(feed) ? feed.paused : false,
      trading: trading.state,
      components: [...statusOf.values()],
      broker: { label: broker.label, simulated: broker.simulated, live: liveBroker, liveConfirmed },
    }),
    'market.watchlist': () => ({
      symbols: [...config.watchlist],
      quotes: config.watchlist.map((s) => cache.quote(s)).filter((q): q is NonNullable<typeof q> => q !== null),
    }),
    'market.bars': ({ symbol, limit }) => {
      if (!config.watchlist.includes(symbol)) {
        throw new RefusalError('BAD_REQUEST', `market.bars: ${symbol} is not in the watchlist (${config.watchlist.join(', ')})`);
      }
      return { symbol, bars: cache.bars(symbol, limit) };
    },
    'market.overlays': ({ symbol, limit }) => {
      if (!config.watchlist.includes(symbol)) throw new RefusalError('BAD_REQUEST', `market.overlays: ${symbol} is not in the watchlist`);
      return { symbol, points: features.overlayHistory(symbol, limit) as ResponseOf<'market.overlays'>['points'] };
    },
    'market.feeds': () => feedAvailability(config, store),
    'feed.setSpeed': ({ speed }) => {
      const f = paced();
      f.setSpeed(speed);
      return { speed: f.speed };
    },
    'feed.pause': () => {
      paced().pause();
      return { paused: true };
    },
    'feed.resume': () => {
      paced().resume();
      return { paused: false };
    },
    'feed.seek': ({ date }) => {
      if (!(feed instanceof ReplayFeed)) throw new RefusalError('REFUSED', `${feed.label} cannot seek; only a replay can`);
      try {
        feed.seek(date);
      } catch (error) {
        throw new RefusalError('REFUSED', error instanceof Error ? error.message : String(error));
      }
      return { now: clock.now() };
    },
    'history.chooseImportFile': async () => {
      if (!deps.chooseImportFile) return { kind: 'folder' as const, folder: config.importDir, files: listImportFiles(config.importDir) };
      const picked = await deps.chooseImportFile();
      if (picked === null) return { kind: 'canceled' as const };
      try {
        // The trader picked it in the system's dialog; it is still only ever a regular file outside /proc, /dev and /sys.
        const source = checkImportFile(picked, { roots: 'anywhere' });
        chosenImportFiles.add(source.path);
        return { kind: 'chosen' as const, path: source.path, name: source.name };
      } catch (error) {
        throw new RefusalError('BAD_REQUEST', `history.chooseImportFile: ${error instanceof ImportAccessError ? error.message : 'that file cannot be imported'}`);
      }
    },
    'history.import': (req) => {
      // Checked now, before a job exists: a refused path is answered at once, with one message for every reason.
      const source = resolveImportSource(req.path, importPolicy);
      const label = `import of ${source.name} as ${req.symbol}`;
      const request = {
        source,
        format: req.format,
        symbol: req.symbol,
        csv: {
          ...(req.timeZone ? { timeZone: req.timeZone } : {}),
          ...(req.stamp ? { stamp: req.stamp } : {}),
          ...(req.columns ? { columns: req.columns } : {}),
        },
      };
      const start = (jobId: string) =>
        runImportJob(
          {
            bus,
            store,
            calendar,
            dbPath: config.dbPath,
            ...(deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {}),
            log: log.child('import'),
            nextId: () => jobId,
          },
          request,
        );
      return { jobId: jobs.enqueue('import', label, start).jobId };
    },
    'history.summary': () => ({
      dbPath: config.dbPath,
      symbols: store.symbols('1m').map((symbol) => {
        const range = store.range(symbol, '1m')!;
        return { symbol, bars: store.countBars('1m', symbol), first: range.first, last: range.last };
      }),
    }),
    'trading.killSwitch': ({ reason }) => trading.killSwitch(reason),
    'orders.list': () => execution.snapshot(),
    'positions.flatten': async ({ symbol }) => {
      if (symbol !== undefined && !config.watchlist.includes(symbol)) throw new RefusalError('BAD_REQUEST', `positions.flatten: ${symbol} is not in the watchlist`);
      return execution.flatten(symbol ?? null, symbol ? `flatten ${symbol} by the trader` : 'flatten all by the trader');
    },
    'trading.resume': () => {
      if (trading.state.state === 'ACTIVE') return trading.state;
      if (liveBroker && !liveConfirmed) throw new RefusalError('REFUSED', 'this is a LIVE session: confirm live trading first (type LIVE), then entries are allowed');
      const day = ledger.day();
      if (day.realizedPnl <= -day.maxDailyLoss) {
        // The max daily loss is a limit, not a warning: entries stay off until the next trading day.
        throw new RefusalError('REFUSED', `the daily loss limit was reached on ${day.tradingDay} (realised ${day.realizedPnl.toFixed(2)}, max loss ${day.maxDailyLoss.toFixed(2)}); entries resume on the next trading day`);
      }
      return trading.change('ACTIVE', 'resumed by the trader');
    },
    'trading.confirmLive': ({ phrase }) => {
      if (!liveBroker) throw new RefusalError('REFUSED', `this session trades ${broker.label}, not a live account: there is nothing to confirm`);
      if (phrase !== 'LIVE') throw new RefusalError('BAD_REQUEST', 'trading.confirmLive: type LIVE (capitals) to confirm trading with real money');
      liveConfirmed = true;
      log.warn('live trading confirmed by the trader');
      // The confirmation lifts only the wait for it: a kill switch, a loss limit or a position mismatch
      // (anything else that stopped entries) still needs the trader's resume and its checks.
      if (trading.state.state !== 'REDUCING' || !trading.state.cause.startsWith(LIVE_WAIT_CAUSE)) return trading.state;
      const day = ledger.day();
      if (day.state !== 'ACTIVE' || day.realizedPnl <= -day.maxDailyLoss) return trading.state;
      return trading.change('ACTIVE', 'LIVE trading confirmed by the trader');
    },
    'signals.list': () => ({ ...desk.policy(), signals: desk.list() }),
    'signals.approve': async ({ id, qty }) => {
      const r = await desk.approve(id, qty);
      if (!r.ok) throw new RefusalError('REFUSED', r.reason);
      return r.signal;
    },
    'signals.veto': ({ id, reason }) => {
      const r = desk.veto(id, reason);
      if (!r.ok) throw new RefusalError('REFUSED', r.reason);
      return r.signal;
    },
    'signals.setMode': ({ mode, threshold }) => desk.setMode(mode, threshold),
    'signals.focusList': () => focusStore.latest(),
    // SIMULATED TEST HOOK: only a simulated session answers it (see the contract).
    'signals.proposeTest': async ({ symbol, side, source, confidence, ttlMinutes }) => {
      if (config.mode !== 'SIMULATED' || !feed.simulated) {
        throw new RefusalError('NOT_AVAILABLE', 'signals.proposeTest is a test hook of the simulated session only');
      }
      if (!config.watchlist.includes(symbol)) throw new RefusalError('BAD_REQUEST', `signals.proposeTest: ${symbol} is not in the watchlist`);
      const now = clock.now();
      const side_ = side === 'long' ? 'buy' : 'sell';
      const signal = simulatedTestSignal({
        id: `test-${symbol}-${now}-${++testSignalCounter}`,
        symbol,
        side,
        source,
        confidence,
        bars: cache.bars(symbol, 15),
        now,
        ttlMs: Math.round(ttlMinutes * 60_000),
        size: (entryPrice, stopPrice) => execution.sizeFor({ symbol, side: side_, entryPrice, stopPrice }).qty,
      });
      if (!signal) throw new RefusalError('REFUSED', `no bar of ${symbol} yet to build a test signal from`);
      try {
        return await desk.propose(signal);
      } catch (error) {
        throw new RefusalError('REFUSED', error instanceof Error ? error.message : String(error));
      }
    },
    'backtest.run': () => notAvailable('The backtester', 'the backtest issue'),
    'models.train': ({ reason }) => {
      try {
        return learning.retrain(reason);
      } catch (error) {
        throw new RefusalError('REFUSED', error instanceof Error ? error.message : String(error));
      }
    },
    'models.list': () => {
      const status = inference.status();
      return {
        models: registry.list(INTRADAY_PURPOSE).slice(-50).map(summary),
        events: learning.recentEvents().slice(-50),
        inference: {
          provider: status.active?.provider ?? 'cpu',
          note: status.active?.providerNote ?? (status.lastRefusal ? `last model refused: ${status.lastRefusal.message}` : null),
          activeModel: status.active?.modelId ?? null,
        },
        learning: learning.schedule(),
      };
    },
    'models.promote': async ({ id }) => {
      const m = registry.get(id);
      if (!m) throw new RefusalError('BAD_REQUEST', `no model ${id}`);
      const activation = await inference.activate(m.dir);
      if (!activation.ok) throw new RefusalError('REFUSED', `model ${id} cannot be loaded: ${activation.error.message}`);
      try {
        const promoted = registry.promote(id, 'promoted by the trader').promoted;
        learning.adopt(promoted, 'promoted');
        return summary(promoted);
      } catch (error) {
        throw new RefusalError('REFUSED', error instanceof Error ? error.message : String(error));
      }
    },
    'models.rollback': async ({ reason }) => {
      try {
        const back = registry.rollback(INTRADAY_PURPOSE, reason);
        const activation = await inference.activate(back.dir);
        if (!activation.ok) throw new RegistryError(`rolled back to ${back.id} but it does not load: ${activation.error.message}`);
        learning.adopt(back, 'rolled-back');
        return summary(back);
      } catch (error) {
        throw new RefusalError('REFUSED', error instanceof Error ? error.message : String(error));
      }
    },
    'models.walkForward': (req) => {
      if (config.dbPath === ':memory:') throw new RefusalError('REFUSED', 'a walk-forward report needs a history database on disk');
      const label = `walk-forward on ${req.symbols.join(', ')} ${req.from} → ${req.to}`;
      return { jobId: jobs.enqueue('evaluate', label, (jobId) => startWalkForward(jobId, req, label)).jobId };
    },
    'jobs.cancel': ({ jobId }) => {
      const outcome = jobs.cancel(jobId);
      if (outcome === 'unknown') throw new RefusalError('REFUSED', `no job ${jobId} is queued or running (it may have finished already)`);
      return { jobId, state: outcome };
    },
    'jobs.list': () => ({ jobs: jobs.list(), limits: jobs.limits }),
  };
  const dispatch: Dispatch = createDispatcher(handlers, (channel, error) => log.error(`handler ${channel} threw`, { error }));

  let tickTimer: ReturnType<typeof setInterval> | null = null;
  let started = false;
  let closed = false;

  const engine: Engine = {
    id,
    config,
    bus,
    clock,
    cache,
    calendar,
    store,
    data,
    features,
    learning,
    signals,
    registry,
    inference,
    trading,
    execution,
    orders,
    ledger,
    desk,
    feed,
    log,
    dispatch,
    secrets: () => secretsOf(config),
    components: () => [...statusOf.values()],
    onEvent(listener: EventListener) {
      return bus.subscribeAll((topic, message) => {
        if (isEventName(topic)) listener(topic as EventName, message as never);
      });
    },
    async start() {
      if (started || closed) return;
      started = true;
      log.info('engine starting', { mode: config.mode, feed: feed.label, watchlist: config.watchlist.join(','), db: config.dbPath });
      try {
        // Only what the data engine accepted reaches the features.
        features.warm(data.seed(history()));
      } catch (error) {
        log.warn('no history before the session', { error });
      }
      for (const c of components) {
        try {
          await c.start();
        } catch (error) {
          // A faulted component is shown, and the rest of the engine keeps running.
          log.error(`component ${c.name} failed to start`, { error });
          bus.publish('app.notice', {
            level: 'error',
            code: `component.${c.name}`,
            message: `${c.name} failed to start: ${error instanceof Error ? error.message : String(error)}`,
            at: clock.now(),
          });
        }
      }
      recorder?.start();
      if (broker instanceof AlpacaBroker) {
        await brokerPreflight(broker);
        schedule.calendarChanged();
      }
      // The list fires at 09:15 New York; a session started later (the simulated one starts at 09:30,
      // or a restart mid-day) builds today's list once now, so the cockpit has one.
      focusJob.start();
      if (!focusStore.get(nyDateKey(clock.now()))) focusJob.catchUp();
      if (clock.kind === 'live') nightlyDaily.start();
      const tickMs = deps.clockTickMs ?? 500;
      if (tickMs > 0) {
        tickTimer = setInterval(() => bus.publish('clock.tick', { now: clock.now() }), tickMs);
        tickTimer.unref?.();
      }
    },
    async stop() {
      if (closed) return;
      closed = true;
      if (tickTimer) clearInterval(tickTimer);
      tickTimer = null;
      // Waiting jobs are dropped and running ones stopped; their workers have exited when this returns.
      await jobs.stop();
      if (started) {
        for (const c of [...components].reverse()) {
          try {
            await c.stop();
          } catch (error) {
            log.error(`component ${c.name} failed to stop`, { error });
          }
        }
      }
      started = false;
      recorder?.stop();
      focusJob.stop();
      nightlyDaily.stop();
      await nightlyDaily.idle(); // a run in progress still uses the database
      await inference.dispose();
      db.close();
      log.info('engine stopped');
    },
  };
  return engine;
}
