// The composition root: builds a whole engine from a validated config. Live, paper and backtest
// differ only in the clock, the feed and the broker plugged in here; nothing below asks which mode it
// runs in. Each call builds fresh parts, so several engines can share a process. The request
// handlers live with their domains (./handlers) and are combined here into the one typed map.
import { randomUUID } from 'node:crypto';
import { isEventName, type EventName } from '../../shared/contract';
import type { ComponentStatus, HostKind } from '../../shared/domain';
import { NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import { secretsOf, type EngineConfig } from '../config/config';
import { BarCache } from '../data/bar-cache';
import { BarRecorder } from '../data/bar-recorder';
import { DataEngine } from '../data/data-engine';
import type { MarketFeed } from '../data/feed';
import { MessageBus } from '../engine/bus';
import type { Clock } from '../engine/clock';
import type { EngineHost, EventListener } from '../engine/host-api';
import type { Component } from '../engine/lifecycle';
import { SessionScheduler } from '../engine/session-scheduler';
import type { EngineBus, EngineEndpoints, EngineTopics } from '../engine/topics';
import { runBrokerPreflight } from '../execution/broker-preflight';
import type { ExecutionBroker, ExecutionEngine } from '../execution/execution-engine';
import type { PositionManager } from '../execution/position-manager';
import type { Reconciler } from '../execution/reconciler';
import { buildTradingCore } from '../execution/trading-core';
import type { RiskEngine } from '../risk/risk-engine';
import { OrderStore } from '../execution/order-store';
import { FeatureService } from '../features/feature-service';
import { FEATURE_SPEC } from '../features/spec';
import { loadVixFile, vixBefore, type VixCloses } from '../features/vix';
import { createDispatcher, type Dispatch } from '../ipc/dispatcher';
import { JobQueue, type JobKind, type KindLimit } from '../jobs/job-queue';
import { createMemoryLogger, type Logger } from '../logging/logger';
import { NightlyJob, retrainDailyModel } from '../ml/daily-model';
import { InferenceService } from '../ml/inference/inference-service';
import { DEFAULT_LEARNING, LearningService, type LearningOptions } from '../ml/learning-service';
import { ModelRegistry } from '../ml/registry/registry';
import { startWalkForward } from '../ml/walk-forward-job';
import { riskLimits, type RiskLimits } from '../risk/pre-trade';
import { RiskLedger } from '../risk/risk-ledger';
import { loadSectorTable } from '../risk/sectors';
import { TradingStateMachine } from '../risk/trading-state';
import { ApprovalDesk, type DeskPolicy } from '../signals/desk';
import { FocusListJob, FocusListStore } from '../signals/focus-list';
import { buildSessionFocusList } from '../signals/focus-universe';
import { SignalService, type Sizer } from '../signals/signal-service';
import { CalendarOverrideStore } from '../store/calendar-overrides';
import { openDatabase, type Db } from '../store/database';
import { HistoryStore } from '../store/history-store';
import { buildBroker, type BrokerDeps } from './broker';
import { EngineConfigError } from './config-error';
import { exitRulesOf } from './exit-rules';
import { buildFeed, type FeedChoice, type FeedDeps } from './feed';
import { backtestHandlers } from './handlers/backtest';
import { BacktestStore } from '../backtest/backtest-store';
import { combineHandlers } from './handlers/combine';
import { historyHandlers } from './handlers/history';
import { jobHandlers } from './handlers/jobs';
import { marketHandlers } from './handlers/market';
import { modelHandlers } from './handlers/models';
import { orderHandlers } from './handlers/orders';
import { sessionHandlers } from './handlers/session';
import { signalHandlers } from './handlers/signals';
import { LIVE_WAIT_CAUSE, tradingHandlers, type LiveConfirmation } from './handlers/trading';

export { APP_VERSION } from './handlers/session';
export { EngineConfigError } from './config-error';
export type { FeedChoice } from './feed';

export interface EngineDeps extends FeedDeps, BrokerDeps {
  host?: HostKind;
  logger?: Logger;
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
  /**
   * The desktop app's open-file dialog (the Electron host passes one that shows the system's); resolves
   * to the path picked, or null when the trader canceled. Without it (headless) `history.chooseImportFile`
   * lists the import folder instead. A file picked here may be imported for the rest of the session.
   */
  chooseImportFile?: () => Promise<string | null>;
  /** Job queue limits per kind over DEFAULT_JOB_LIMITS (how many run at once, how many may wait). */
  jobLimits?: Partial<Record<JobKind, Partial<KindLimit>>>;
  /**
   * Where stored bars are read from, when not the engine's own database: a backtest writes its orders,
   * signals and ledger to a database of its own and reads the trader's history (read-only).
   */
  history?: HistoryStore;
  /**
   * The engine's database is scratch (a backtest's own book, deleted after the run): commits are not
   * synced to disk. Never for a session that trades.
   */
  scratchDatabase?: boolean;
  /** Decides every signal in place of the trader (a backtest's decision policy). */
  deskPolicy?: DeskPolicy;
  /** The signal generators that run (rule ids and 'ml'); default all. */
  signalSources?: ReadonlySet<string>;
  /** Learning settings over the config's (a backtest's model mode: no retraining, a frozen model, a training delay). */
  learning?: Partial<Pick<LearningOptions, 'retrain' | 'activationDelayMs' | 'frozenModel' | 'retrainEveryMinutes' | 'minRows'>>;
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
  /** The order path: risk approves, execution routes, the position manager runs the exits, the reconciler squares the book. */
  readonly risk: RiskEngine;
  readonly execution: ExecutionEngine;
  readonly positions: PositionManager;
  readonly reconciler: Reconciler;
  readonly orders: OrderStore;
  readonly ledger: RiskLedger;
  /** The approval desk: signals wait here for the trader (or the auto policy) before execution. */
  readonly desk: ApprovalDesk;
  readonly feed: MarketFeed;
  readonly log: Logger;
  components(): ComponentStatus[];
}

export function createEngine(config: EngineConfig, deps: EngineDeps = {}): Engine {
  const id = `engine-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? createMemoryLogger()).child(id);
  const bus: EngineBus = new MessageBus<EngineTopics, EngineEndpoints>((report) =>
    log.error(`bus ${report.kind} ${report.name} threw`, { error: report.error }),
  );
  const calendar = new NyseCalendar();
  // better-sqlite3's build for this runtime, for the engine's connection and its workers' own.
  const native = deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {};
  const db: Db = openDatabase(config.dbPath, deps.scratchDatabase ? { ...native, synchronous: 'OFF' } : native);
  const store = deps.history ?? new HistoryStore(db);
  const overrides = new CalendarOverrideStore(db);
  let choice: FeedChoice;
  let limits: ReturnType<typeof riskLimits>;
  try {
    limits = riskLimits({ ...config.risk, ...deps.riskLimits });
    for (const o of overrides.all()) calendar.addOverride(o);
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
    broker = buildBroker(config, deps, clock, calendar, bus, log);
  } catch (error) {
    db.close();
    throw error instanceof EngineConfigError ? error : new EngineConfigError(`the broker cannot be set up: ${error instanceof Error ? error.message : String(error)}`);
  }
  const live: LiveConfirmation = { live: broker.live === true, confirmed: false };
  // Real money waits for the trader: a LIVE session takes no entry until confirmed in the cockpit (exits
  // and the end-of-day flatten of what is already held still run).
  if (live.live) trading.change('REDUCING', `${LIVE_WAIT_CAUSE}: confirm live trading in the cockpit to allow entries`);
  const exitRules = exitRulesOf(config.exits);
  // One session schedule for the engine: the flatten time, the 09:15 focus list and the nightly retrain.
  const schedule = new SessionScheduler(clock, calendar);
  let sectors: ReadonlyMap<string, string>;
  try {
    sectors = loadSectorTable(config.sectorsFile ?? undefined);
  } catch (error) {
    // The trader's table is part of the risk limits: a bad one stops start-up like a bad limit.
    throw new EngineConfigError(`TRADING_SECTORS_FILE: ${error instanceof Error ? error.message : String(error)}`);
  }
  let vix: VixCloses | null = null;
  const core = buildTradingCore(
    { bus, clock, calendar, cache, trading, store: orders, ledger, broker, log, vix: () => vixBefore(vix, nyDateKey(clock.now())), scheduler: schedule },
    { limits, exits: exitRules, sectorOf: sectors },
    onStatus,
  );
  const { risk, execution, positions, reconciler } = core;
  const desk = new ApprovalDesk({ bus, clock, db, execution: risk, log: log.child('desk') }, deps.deskPolicy ? { policy: deps.deskPolicy } : {}, onStatus);
  if (config.vixFile) {
    try {
      vix = loadVixFile(config.vixFile);
    } catch (error) {
      db.close();
      throw new EngineConfigError(error instanceof Error ? error.message : String(error));
    }
  }
  const features = new FeatureService(bus, store, calendar, clock, log.child('features'), config.watchlist, vix, onStatus);
  const registry = new ModelRegistry(db, () => clock.now());
  // Backtest runs live in the engine's database (a model a stored run names is never pruned).
  const backtestRuns = new BacktestStore(db);
  const inference = new InferenceService(FEATURE_SPEC, { providers: config.inferenceProviders }, () => clock.now());
  const learning = new LearningService(bus, clock, registry, inference, log.child('learning'), { ...DEFAULT_LEARNING, ...config.learning, ...deps.learning, modelsDir: deps.modelsDir ?? config.modelsDir, isReferenced: (modelId) => backtestRuns.referencesModel(modelId) }, onStatus);
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
  // The pre-market focus list at 09:15 New York on each trading day (signals/focus-universe.ts).
  const focusStore = new FocusListStore(db);
  const focusParts = { bus, clock, calendar, store, cache, streamedDaily: (symbol: string, date: string) => features.engine.dailyBefore(symbol, date), focusStore, watchlist: config.watchlist, log };
  const focusJob = schedule.adopt(new FocusListJob(clock, calendar, (date) => buildSessionFocusList(focusParts, date), {
    onError: (date, error) => {
      const message = `focus list for ${date} failed: ${error instanceof Error ? error.message : String(error)}`;
      log.error(message, { error });
      bus.publish('app.notice', { level: 'error', code: 'signals.focus', message, at: clock.now() });
    },
  }));
  // Each component declares its bus phase (data → features → models → signals → risk → venue →
  // execution → presentation), so a bar's feature row is known before the bar moves the broker and the exits,
  // whatever the start order. The desk starts after execution: on a restart its stale signals expire
  // before any bar can arrive.
  // Sizing a signal: risk 10% of the day's risk budget over the stop distance, capped by every limit.
  const sizeSignal: Sizer = (symbol, side, entryPrice, stopPrice) =>
    risk.sizeFor({ symbol, side: side === 'long' ? 'buy' : 'sell', entryPrice, stopPrice }).qty;
  const signals = new SignalService(bus, clock, cache, desk, sizeSignal, log.child('signals'), onStatus, (values) => learning.explainRow(values), deps.signalSources);
  const components: Component[] = [features, learning, ...core.components, desk, ...(deps.signalGenerators === false ? [] : [signals]), data];
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

  const handlers = combineHandlers(
    sessionHandlers({ engineId: id, host: deps.host ?? 'headless', config, feed, clock, data, trading, components: () => [...statusOf.values()], broker, live }),
    marketHandlers({ config, cache, features, storedSymbols: () => store.symbols('1m'), feed, clock }),
    historyHandlers({ config, ...native, ...(deps.chooseImportFile ? { chooseImportFile: deps.chooseImportFile } : {}), bus, store, calendar, jobs, log }),
    tradingHandlers({ config, trading, ledger, positions, brokerLabel: broker.label, live, log }),
    orderHandlers({ execution }),
    signalHandlers({ config, feed, clock, cache, desk, focusLists: focusStore, size: sizeSignal }),
    modelHandlers({
      learning,
      registry,
      inference,
      jobs,
      dbPath: config.dbPath,
      startWalkForward: (jobId, req, label) =>
        startWalkForward({ bus, dbPath: config.dbPath, ...native, vix }, jobId, req, label),
    }),
    jobHandlers({ jobs }),
    backtestHandlers({ config, bus, store, calendar, registry, runs: backtestRuns, jobs, ...native, log }),
  );
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
    risk,
    execution,
    positions,
    reconciler,
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
      const abandoned = backtestRuns.abandonRunning('the engine stopped before this backtest finished');
      if (abandoned > 0) log.warn('backtests left running by the last process marked failed', { runs: abandoned });
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
      // A remote broker's account and calendar are read before the session trades (the simulated one has none).
      if (await runBrokerPreflight({ broker, trading, calendar, saveOverride: (o) => overrides.save(o), bankroll: limits.bankroll, bus, clock })) {
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
