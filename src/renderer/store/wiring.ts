// Connects one engine connection to one set of stores: asks for the snapshots whenever the
// connection opens (first start and every reconnect) and routes each push event to its action.
// A finished import changes what is stored and which feeds can run, so it re-reads both.
import type { CockpitApi } from '../../shared/contract';
import type { ConnectionState } from '../api/socket-client';
import type { EngineClient } from './engine';
import type { CockpitStores } from './index';

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
  ]);
}

/** Starts the wiring; the returned function stops it (events are dropped after). */
export function startCockpit(connection: CockpitConnection, stores: CockpitStores, engine: EngineClient): () => void {
  const { api } = connection;
  const { session, market, notices, ui, jobs } = stores;
  let stopped = false;

  session.getState().transportSelected(connection.transport);

  const unsubscribers = [
    api.on('market.quote', (q) => market.getState().quoteReceived(q)),
    api.on('feed.health', (h) => session.getState().feedHealthChanged(h)),
    api.on('trading.state', (t) => session.getState().tradingStateChanged(t)),
    api.on('clock.tick', (t) => session.getState().clockTicked(t.now)),
    api.on('component.state', (c) => session.getState().componentStateChanged(c)),
    api.on('app.notice', (n) => notices.getState().noticeReceived(n)),
    api.on('ui.command', (c) => ui.getState().uiCommandReceived(c.command)),
    api.on('job.progress', (p) => {
      const before = jobs.getState().jobs[p.jobId];
      jobs.getState().jobProgressed(p);
      // Once per import: a repeated 'done' finds the job already finished and changes nothing.
      const finishedNow = before?.state !== 'done' && jobs.getState().jobs[p.jobId]?.state === 'done';
      if (p.kind === 'import' && finishedNow && !stopped) void loadHistory(engine, stores);
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
