// Connects one engine connection to one set of stores: asks for the snapshots whenever the
// connection opens (first start and every reconnect) and routes each push event to its action.
// A finished import changes what is stored and which feeds can run, so it re-reads both; every model
// lifecycle event re-reads the registry, and the ones a trader must see anywhere become notices. A
// backtest's progress goes to the backtest store; its job's end re-reads the past runs (and fetches
// the result of a run this window started).
import type { CockpitApi, EventPayload } from '../../shared/contract';
import type { ConnectionState } from '../api/socket-client';
import { backtestJobEnded, loadBacktestRuns } from './backtest/commands';
import type { EngineClient } from './engine';
import { isFinished } from './jobs/store';
import type { CockpitStores } from './index';
import type { ModelEventKind } from './models/initialState';
import { readWalkForwardReport } from './models/walkForwardReport';
import type { Notice, NoticeLevel } from './notices/initialState';

/** What `connectCockpit()` returns, narrowed to what the wiring needs (tests pass a fake). */
export interface CockpitConnection {
  api: CockpitApi;
  transport: 'preload' | 'socket';
  onState(listener: (state: ConnectionState, detail: string) => void): void;
}

/** Requests what the history store holds and which feeds can run; each answer goes to its store. */
export async function loadHistory(engine: EngineClient, stores: CockpitStores): Promise<void> {
  await Promise.all([
    engine.call('history.summary', {}).then((r) => {
      if (r.ok) stores.history.getState().historySummaryReceived(r.data);
    }),
    engine.call('market.feeds', {}).then((r) => {
      if (r.ok) stores.session.getState().feedsReceived(r.data);
    }),
  ]);
}

/** Requests the model registry, the inference status and the learning schedule (`models.list`). */
export async function loadModels(engine: EngineClient, stores: CockpitStores): Promise<void> {
  const r = await engine.call('models.list', {});
  if (r.ok) stores.models.getState().modelsListed(r.data);
}

/** Requests the execution engine's book (`orders.list`): orders, positions, recent fills. */
export async function loadOrders(engine: EngineClient, stores: CockpitStores): Promise<void> {
  const r = await engine.call('orders.list', {});
  if (r.ok) stores.blotter.getState().ordersListed(r.data);
}

/** Requests the approval desk's mode and signals (`signals.list`). */
export async function loadSignals(engine: EngineClient, stores: CockpitStores): Promise<void> {
  const r = await engine.call('signals.list', {});
  if (r.ok) stores.signals.getState().signalsListed(r.data);
}

/** Requests the latest pre-market focus list (`signals.focusList`). */
export async function loadFocusList(engine: EngineClient, stores: CockpitStores): Promise<void> {
  const r = await engine.call('signals.focusList', {});
  if (r.ok) stores.signals.getState().focusReceived(r.data);
}

/**
 * Wraps a reload so that calls during a running one cost one more reload, not one each: events can
 * come in bursts (a retrain emits 'training', then 'promoted', then 'drift') and the last answer is
 * all that matters. The returned promise settles once a reload that began after the call has ended.
 */
export function coalesceReloads(load: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const reload = (): Promise<void> => {
    if (!running) {
      running = load()
        .catch(() => undefined)
        .finally(() => {
          running = null;
        });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return reload();
    });
    return queued;
  };
  return reload;
}

/**
 * Model events a trader should see wherever they are looking, as notices; the rest stay in the Models
 * log. A retrain that fails, or drift, tends to repeat every retrain with the same words: those are
 * said once until the words change, so the notices do not fill up with copies.
 */
const MODEL_EVENT_NOTICES: Partial<Record<ModelEventKind, { level: NoticeLevel; code: string; repeats: boolean }>> = {
  promoted: { level: 'info', code: 'MODEL_PROMOTED', repeats: true },
  'rolled-back': { level: 'info', code: 'MODEL_ROLLED_BACK', repeats: true },
  refused: { level: 'warn', code: 'MODEL_REFUSED', repeats: true },
  drift: { level: 'warn', code: 'MODEL_DRIFT', repeats: false },
  failed: { level: 'warn', code: 'MODEL_TRAINING_FAILED', repeats: false },
};

/** Turns model events into notices; remembers what it last said per code to hold back copies. */
function createModelEventNotices(): (e: EventPayload<'models.event'>) => EventPayload<'app.notice'> | null {
  const lastMessage = new Map<string, string>();
  return (e) => {
    const kind = MODEL_EVENT_NOTICES[e.kind];
    if (!kind) return null;
    if (!kind.repeats && lastMessage.get(kind.code) === e.message) return null;
    lastMessage.set(kind.code, e.message);
    return { level: kind.level, code: kind.code, message: e.modelId ? `${e.modelId}: ${e.message}` : e.message, at: e.at };
  };
}

/** A walk-forward that failed, or whose report cannot be read, is said as a notice. */
function walkForwardNotice(p: EventPayload<'job.progress'>): Pick<Notice, 'level' | 'code' | 'message'> | null {
  // Canceled by the trader (or by the engine's stop): nothing to warn about.
  if (p.state === 'canceled') return null;
  if (p.state === 'failed') return { level: 'error', code: 'WALK_FORWARD_FAILED', message: p.message };
  if (readWalkForwardReport(p.result) === null) {
    return { level: 'error', code: 'WALK_FORWARD_UNREADABLE', message: `${p.jobId}: the engine's walk-forward report could not be read` };
  }
  return null;
}

/** Requests the snapshots; each answer goes to its store as it arrives. */
export async function loadSnapshots(engine: EngineClient, stores: CockpitStores): Promise<void> {
  await Promise.all([
    loadHistory(engine, stores),
    engine.call('app.info', {}).then((r) => {
      if (!r.ok) return;
      stores.session.getState().engineInfoReceived(r.data);
      // The info carries the watchlist too; use it if the watchlist answer has not come yet.
      if (stores.market.getState().symbols.length === 0) {
        stores.market.getState().watchlistReceived({ symbols: r.data.watchlist, quotes: [] });
      }
    }),
    engine.call('session.status', {}).then((r) => {
      if (r.ok) stores.session.getState().sessionStatusReceived(r.data);
    }),
    engine.call('market.watchlist', {}).then((r) => {
      if (r.ok) stores.market.getState().watchlistReceived(r.data);
    }),
    loadModels(engine, stores),
    loadOrders(engine, stores),
    loadSignals(engine, stores),
    loadFocusList(engine, stores),
    loadBacktestRuns(engine, stores),
  ]);
}

/** Starts the wiring; the returned function stops it (events are dropped after). */
export function startCockpit(connection: CockpitConnection, stores: CockpitStores, engine: EngineClient): () => void {
  const { api } = connection;
  const { session, market, notices, ui, jobs, models, blotter, signals, backtest } = stores;
  let stopped = false;
  const reloadModels = coalesceReloads(() => (stopped ? Promise.resolve() : loadModels(engine, stores)));
  const modelEventNotice = createModelEventNotices();

  session.getState().transportSelected(connection.transport);

  const unsubscribers = [
    api.on('market.quote', (q) => market.getState().quoteReceived(q)),
    api.on('feed.health', (h) => session.getState().feedHealthChanged(h)),
    api.on('trading.state', (t) => session.getState().tradingStateChanged(t)),
    api.on('clock.tick', (t) => session.getState().clockTicked(t.now)),
    api.on('component.state', (c) => session.getState().componentStateChanged(c)),
    api.on('app.notice', (n) => notices.getState().noticeReceived(n)),
    api.on('ui.command', (c) => ui.getState().uiCommandReceived(c.command)),
    api.on('orders.update', (o) => blotter.getState().orderUpdated(o)),
    api.on('positions.update', (p) => blotter.getState().positionsUpdated(p)),
    api.on('signals.update', (s) => signals.getState().signalUpdated(s)),
    api.on('signals.focus', (f) => signals.getState().focusReceived(f)),
    api.on('backtest.progress', (p) => backtest.getState().progressReceived(p)),
    api.on('job.progress', (p) => {
      const before = jobs.getState().jobs[p.jobId];
      jobs.getState().jobProgressed(p);
      // Once per import: a repeated 'done' finds the job already finished and changes nothing.
      const finishedNow = before?.state !== 'done' && jobs.getState().jobs[p.jobId]?.state === 'done';
      if (p.kind === 'import' && finishedNow && !stopped) void loadHistory(engine, stores);
      // The folded job, not the raw event: a late 'running' report must not restart a finished retrain.
      if (p.kind === 'train') models.getState().trainingProgressed(jobs.getState().jobs[p.jobId] ?? p);
      // Once per walk-forward as well: only the report that ends a queued, running (or unseen) job is judged.
      const endedNow = (before === undefined || !isFinished(before)) && isFinished(p);
      if (p.kind === 'backtest' && endedNow && !stopped) void backtestJobEnded(engine, stores, p);
      if (p.kind === 'evaluate' && endedNow) {
        const notice = walkForwardNotice(p);
        if (notice) notices.getState().noticeRaised(notice);
      }
    }),
    api.on('models.event', (e) => {
      models.getState().modelEventReceived(e);
      const notice = modelEventNotice(e);
      if (notice) notices.getState().noticeReceived(notice);
      void reloadModels();
    }),
  ];

  let wasOpen = false;
  connection.onState((state, detail) => {
    if (stopped) return;
    session.getState().connectionChanged(state, detail);
    const isOpen = state === 'open';
    // Snapshots are re-read after a reconnect: events sent while the socket was down are lost.
    if (isOpen && !wasOpen) void loadSnapshots(engine, stores);
    wasOpen = isOpen;
  });

  return () => {
    stopped = true;
    for (const off of unsubscribers) off();
  };
}
