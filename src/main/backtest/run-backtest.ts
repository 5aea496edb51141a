// The backtest host: the live engine, built by the same composition root, on stored history. Only the
// parts a backtest plugs in differ: a replay of the trader's stored bars driven as fast as the engine
// goes (event by event, no pacing), the simulated broker with the run's fill settings, the desk's
// decision policy, and the run's model mode. Orders, signals and the risk ledger go to a database of
// the run's own (deleted after); bars, the trader's decisions and the model registry are read from
// the trader's database, read-only.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BacktestSpecSchema, DEFAULT_TRAINING_DELAY_BARS, type BacktestProgress, type BacktestResult, type BacktestSpec } from '../../shared/backtest';
import { createEngine, type Engine } from '../app/compose';
import { NyseCalendar } from '../calendar/nyse';
import type { EngineConfig } from '../config/config';
import { ReplayFeed, replayStart } from '../data/replay-feed';
import { SimulatedClock } from '../engine/clock';
import type { Logger, LogFields } from '../logging/logger';
import { riskLimits, type RiskLimits } from '../risk/pre-trade';
import { exitRulesOf } from '../app/exit-rules';
import type { ClockBarrier, LearningOptions } from '../ml/learning-service';
import { INTRADAY_PURPOSE } from '../ml/learning-service';
import { ModelRegistry } from '../ml/registry/registry';
import { openDatabase, type Db } from '../store/database';
import { HistoryStore } from '../store/history-store';
import { assembleResult } from './assemble';
import { BacktestCanceled, BacktestInputError } from './errors';
import { checkHistory } from './history-check';
import { deskPolicyFor, readTraderDecisions } from './policies';
import { ResultCollector, type CollectedRun } from './result-collector';

export interface BacktestDeps {
  runId: string;
  /** The trader's database: stored bars, the audit trail of decisions, the model registry (opened read-only). */
  historyDbPath: string;
  /** A folder of the run's own (its database and any model trained in it); removed when the run ends. */
  workDir: string;
  /** The host's configuration: exits, learning parameters, VIX and sector files carry over. */
  base: EngineConfig;
  nativeBinding?: string;
  onProgress?: (p: BacktestProgress) => void;
  /** Wall-clock ms between progress reports (default 250). */
  progressEveryMs?: number;
  /** Hears the run's whole book (every fill) before the result is assembled (tests reconcile with it). */
  onCollected?: (run: CollectedRun) => void;
  /** Polled between due times: true stops the run (BacktestCanceled). */
  shouldStop?: () => boolean;
  log?: Logger;
}

/** Runs one backtest to the end and returns its result (deterministic: same data and settings, same bytes). */
export async function runBacktest(input: unknown, deps: BacktestDeps): Promise<BacktestResult> {
  const spec = BacktestSpecSchema.parse(input);
  const native = deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {};
  const historyDb = openDatabase(deps.historyDbPath, { ...native, readonly: true });
  mkdirSync(deps.workDir, { recursive: true, mode: 0o700 });
  let engine: Engine | null = null;
  try {
    const history = new HistoryStore(historyDb);
    const calendar = new NyseCalendar();
    checkHistory(history, calendar, spec.symbols, spec.from, spec.to);
    const clock = new SimulatedClock(replayStart(calendar, spec.from));
    const feed = new ReplayFeed({ store: history, calendar, symbols: spec.symbols, from: spec.from, to: spec.to, clock, speed: 1, drive: 'manual' });
    const runLimits = riskLimitsOf(spec);
    const limits = { ...deps.base.risk, ...runLimits };
    const bankroll = riskLimits(limits).bankroll;
    engine = createEngine(backtestConfig(deps.base, spec, deps.workDir), {
      host: 'backtest',
      ...native,
      logger: deps.log ?? quietLogger(),
      clockTickMs: 0,
      scratchDatabase: true,
      feed: { feed, clock, history: () => feed.history() },
      history,
      simFills: spec.fills,
      deskPolicy: deskPolicyFor(spec.policy, spec.policy.kind === 'replay' ? readTraderDecisions(historyDb) : undefined),
      ...(spec.sources ? { signalSources: new Set(spec.sources) } : {}),
      learning: learningFor(spec, historyDb),
      riskLimits: runLimits,
      ...(spec.risk.maxDailyLoss !== undefined ? { maxDailyLoss: spec.risk.maxDailyLoss } : {}),
      modelsDir: join(deps.workDir, 'models'),
    });
    const collector = new ResultCollector(engine.bus, bankroll);
    await engine.start();
    const learning = engine.learning;
    await drive(clock, feed, () => learning.barrier(), deps);
    collector.detach();
    const run = collector.finish();
    deps.onCollected?.(run);
    const models = learning.verdictLog().map((m) => ({ ...m }));
    await engine.stop();
    engine = null;
    return assembleResult({ runId: deps.runId, spec, run, models, history, calendar, exits: exitRulesOf(deps.base.exits), limits });
  } finally {
    if (engine) await engine.stop().catch(() => {});
    historyDb.close();
    rmSync(deps.workDir, { recursive: true, force: true });
  }
}

/** The engine configuration of a run: the host's, with the run's symbols, days, risk and a database of its own. */
export function backtestConfig(base: EngineConfig, spec: BacktestSpec, workDir: string): EngineConfig {
  return {
    ...base,
    mode: 'SIMULATED',
    feed: 'replay',
    replay: { from: spec.from, to: spec.to },
    watchlist: spec.symbols,
    // The run's orders, signals and ledger are scratch (never synced, deleted with the run), in a file so
    // a year of them does not sit in memory.
    dbPath: join(workDir, 'run.db'),
    modelsDir: join(workDir, 'models'),
    alpaca: null,
    polygon: null,
    endpoints: { alpacaTrading: null, alpacaTradingStream: null, alpacaData: null, alpacaDataRest: null },
  };
}

function riskLimitsOf(spec: BacktestSpec): Partial<RiskLimits> {
  const { maxDailyLoss: _loss, ...limits } = spec.risk;
  return limits;
}

function learningFor(spec: BacktestSpec, historyDb: Db): Partial<Pick<LearningOptions, 'retrain' | 'activationDelayMs' | 'frozenModel' | 'retrainEveryMinutes'>> {
  const model = spec.model;
  if (model.kind === 'none') return { retrain: false };
  if (model.kind === 'frozen') {
    const record = new ModelRegistry(historyDb, () => 0).get(model.modelId);
    if (!record) throw new BacktestInputError(`no model ${model.modelId} in the registry; pick one listed by the Models panel or models.list`);
    if (record.purpose !== INTRADAY_PURPOSE) throw new BacktestInputError(`model ${model.modelId} is a ${record.purpose} model, not an intraday one`);
    return { retrain: false, frozenModel: { id: record.id, dir: record.dir } };
  }
  return {
    retrain: true,
    activationDelayMs: (model.trainingDelayBars ?? DEFAULT_TRAINING_DELAY_BARS) * 60_000,
    ...(model.retrainEveryMinutes !== undefined ? { retrainEveryMinutes: model.retrainEveryMinutes } : {}),
  };
}


/**
 * Moves the simulated clock from one due time to the next as fast as the engine goes. Between two due
 * times the event loop turns once, so what a bar set off (an approval, a submit) settles before the next
 * bar; work the clock must not outrun (a retrain's verdict at its training delay, a minute's scoring) is
 * awaited first.
 */
/**
 * One step of the driver: the next due time is fired (then the event loop turns once, so what it set off
 * settles), unless a barrier holds the clock short of it — then its work is awaited instead. 'idle' when
 * no timer is left.
 */
export async function stepClock(clock: SimulatedClock, barrier: () => ClockBarrier | null, deps: Pick<BacktestDeps, 'shouldStop'> = {}): Promise<'fired' | 'waited' | 'idle'> {
  const next = clock.nextTimerAt();
  if (next === null) return 'idle';
  const hold = barrier();
  if (hold && next >= hold.until) {
    await waitOrStop(hold.ready, deps);
    await settle(); // its callbacks (and what they set off) run before the clock moves on
    return 'waited';
  }
  clock.advanceTo(next);
  await settle();
  return 'fired';
}

async function drive(clock: SimulatedClock, feed: ReplayFeed, barrier: () => ClockBarrier | null, deps: BacktestDeps): Promise<void> {
  const every = deps.progressEveryMs ?? 250;
  const started = performance.now();
  let reported = started;
  const report = (phase: string): void => {
    const seconds = (performance.now() - started) / 1000;
    const done = feed.barsEmitted;
    const total = Math.max(feed.barsTotal, done);
    const rate = seconds > 0 ? done / seconds : 0;
    deps.onProgress?.({
      runId: deps.runId,
      fraction: feed.finished ? 1 : total > 0 ? Math.min(0.999, done / total) : 0,
      bars: done,
      barsTotal: total,
      barsPerSecond: Math.round(rate),
      etaSeconds: rate > 0 && !feed.finished ? Math.max(0, (total - done) / rate) : feed.finished ? 0 : null,
      phase,
    });
  };
  report('starting');
  for (;;) {
    if (deps.shouldStop?.()) throw new BacktestCanceled();
    if (feed.finished) break;
    if ((await stepClock(clock, barrier, deps)) === 'idle') break;
    const now = performance.now();
    if (now - reported >= every) {
      reported = now;
      report('replaying');
    }
  }
  // What the last bars set off settles before the book is read.
  for (let i = 0; i < 3; i++) {
    const hold = barrier();
    if (hold) await waitOrStop(hold.ready, deps);
    await settle();
  }
  report('done');
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits for a barrier's work, asking every 100 ms whether the run was canceled meanwhile (a slow retrain). */
async function waitOrStop(ready: Promise<void>, deps: Pick<BacktestDeps, 'shouldStop'>): Promise<void> {
  let done = false;
  void ready.then(() => (done = true));
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([ready, new Promise<void>((resolve) => (timer = setTimeout(resolve, 100)))]);
    clearTimeout(timer);
    if (done) return;
    if (deps.shouldStop?.()) throw new BacktestCanceled();
  }
}

/** A run logs only its warnings and errors, and at most a few hundred (a year of bars must not fill memory). */
export function quietLogger(limit = 200): Logger & { lines: Array<{ level: string; msg: string; fields?: LogFields }> } {
  const lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  const keep = (level: string) => (msg: string, fields?: LogFields) => {
    if (lines.length < limit) lines.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  const logger: Logger = { error: keep('error'), warn: keep('warn'), info: () => {}, debug: () => {}, child: () => logger };
  return Object.assign(logger, { lines });
}
