// The wiring between one connection and one set of stores: snapshots on open, events to actions.
import { describe, expect, it } from 'vitest';
import { ok, type CockpitApi } from '../../../src/shared/contract';
import type { ConnectionState } from '../../../src/renderer/api/socket-client';
import { createCockpitStores } from '../../../src/renderer/store';
import { createEngineClient } from '../../../src/renderer/store/engine';
import { startCockpit, type CockpitConnection } from '../../../src/renderer/store/wiring';
import { createFakeApi, engineInfo, feeds, flush, historySummary, importReport, jobProgress, quote, sessionStatus, T0, type Responders } from '../fakes';

const snapshotResponders: Responders = {
  'app.info': () => ok(engineInfo()),
  'session.status': () => ok(sessionStatus()),
  'market.watchlist': () => ok({ symbols: ['AAPL', 'MSFT'], quotes: [quote('AAPL', 101, T0)] }),
  'history.summary': () => ok(historySummary()),
  'market.feeds': () => ok(feeds('synthetic')),
};

/** A connection whose state the test drives, like the socket client's. */
function fakeConnection(api: CockpitApi, transport: 'preload' | 'socket' = 'socket') {
  const listeners: Array<(s: ConnectionState, d: string) => void> = [];
  let state: ConnectionState = 'connecting';
  const connection: CockpitConnection = {
    api,
    transport,
    onState: (l) => {
      listeners.push(l);
      l(state, '');
    },
  };
  const setState = (next: ConnectionState): void => {
    state = next;
    for (const l of listeners) l(next, next);
  };
  return { connection, setState };
}

function start(responders: Responders = snapshotResponders) {
  const fake = createFakeApi(responders);
  const stores = createCockpitStores({ now: () => T0 });
  const engine = createEngineClient(fake.api, stores.notices);
  const { connection, setState } = fakeConnection(fake.api);
  const stop = startCockpit(connection, stores, engine);
  return { fake, stores, setState, stop };
}

describe('startCockpit', () => {
  it('when the connection opens then info, status, watchlist, stored history and feeds are requested and land in the stores', async () => {
    const { fake, stores, setState } = start();
    expect(fake.calls).toEqual([]);
    setState('open');
    await flush();
    expect(fake.calls.map((c) => c.channel).sort()).toEqual([
      'app.info',
      'history.summary',
      'market.feeds',
      'market.watchlist',
      'session.status',
    ]);
    expect(stores.history.getState().summary?.dbPath).toBe('/tmp/history.sqlite');
    expect(stores.session.getState().feeds?.map((f) => f.id)).toEqual(['synthetic', 'replay', 'alpaca', 'polygon']);
    expect(stores.session.getState().mode).toBe('SIMULATED');
    expect(stores.session.getState().transport).toBe('socket');
    expect(stores.session.getState().trading?.state).toBe('ACTIVE');
    expect(stores.market.getState().symbols).toEqual(['AAPL', 'MSFT']);
    expect(stores.market.getState().selected).toBe('AAPL');
  });

  it('when the socket reconnects then the snapshots are read again', async () => {
    const { fake, setState } = start();
    setState('open');
    await flush();
    setState('connecting');
    setState('open');
    await flush();
    expect(fake.calls.filter((c) => c.channel === 'session.status')).toHaveLength(2);
  });

  it('when events arrive then each reaches its store', () => {
    const { fake, stores } = start();
    fake.emit('market.quote', quote('AAPL', 104, T0));
    fake.emit('feed.health', { feedId: 'toy', label: 'Toy', state: 'stale', detail: 'no bar for 5 s', at: T0, simulated: true });
    fake.emit('trading.state', { state: 'HALTED', previous: 'ACTIVE', cause: 'daily loss limit', at: T0 });
    fake.emit('clock.tick', { now: T0 + 1_000 });
    fake.emit('component.state', { name: 'risk', state: 'faulted', detail: 'boom' });
    fake.emit('app.notice', { level: 'warn', code: 'RISK_DENIED', message: 'position limit', at: T0 });
    fake.emit('ui.command', { command: 'backtest.open' });
    expect(stores.market.getState().quotes.AAPL?.last).toBe(104);
    expect(stores.session.getState().feed?.state).toBe('stale');
    expect(stores.session.getState().trading?.state).toBe('HALTED');
    expect(stores.session.getState().now).toBe(T0 + 1_000);
    expect(stores.session.getState().components.risk?.state).toBe('faulted');
    expect(stores.notices.getState().notices[0]?.code).toBe('RISK_DENIED');
    expect(stores.ui.getState().dialog).toBe('backtest.open');
  });

  it('when a snapshot request is refused then it becomes a notice and the others still load', async () => {
    const { stores, setState } = start({ ...snapshotResponders, 'session.status': undefined });
    setState('open');
    await flush();
    expect(stores.notices.getState().notices.map((n) => n.code)).toEqual(['NOT_AVAILABLE']);
    expect(stores.market.getState().symbols).toEqual(['AAPL', 'MSFT']);
  });

  it('when the watchlist request fails then the watchlist from app.info is used', async () => {
    const { stores, setState } = start({ ...snapshotResponders, 'market.watchlist': undefined });
    setState('open');
    await flush();
    expect(stores.market.getState().symbols).toEqual(['AAPL', 'MSFT']);
  });

  it('when stopped then events no longer reach the stores and no listener is left behind', () => {
    const { fake, stores, stop } = start();
    stop();
    fake.emit('market.quote', quote('AAPL', 104, T0));
    expect(stores.market.getState().quotes.AAPL).toBeUndefined();
    expect(fake.listenerCount('market.quote')).toBe(0);
  });

  it('when job progress arrives then the jobs store follows it', () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ fraction: 0.25, phase: 'parsing' }));
    expect(stores.jobs.getState().jobs['import-1']).toMatchObject({ state: 'running', fraction: 0.25, phase: 'parsing' });
  });

  it('when an import finishes then the stored history and the feeds are read again, once', async () => {
    let stored = historySummary();
    const { fake, stores, setState } = start({ ...snapshotResponders, 'history.summary': () => ok(stored) });
    setState('open');
    await flush();
    const before = fake.calls.length;
    fake.emit('job.progress', jobProgress({ fraction: 0.5, phase: 'storing' }));
    expect(fake.calls.length).toBe(before);
    stored = historySummary([{ symbol: 'SPY', bars: 14_180, first: T0, last: T0 + 60_000 }]);
    const done = jobProgress({ state: 'done', fraction: 1, phase: 'done', message: 'imported SPY', result: importReport() });
    fake.emit('job.progress', done);
    fake.emit('job.progress', done);
    await flush();
    const reread = fake.calls.slice(before).map((c) => c.channel).sort();
    expect(reread).toEqual(['history.summary', 'market.feeds']);
    expect(stores.history.getState().summary?.symbols.map((s) => s.symbol)).toEqual(['SPY']);
    expect(stores.jobs.getState().jobs['import-1']?.state).toBe('done');
  });

  it('when an import fails then nothing is re-read, since nothing was written', async () => {
    const { fake, stores } = start();
    fake.emit('job.progress', jobProgress({ state: 'failed', fraction: 1, phase: 'failed', message: 'cannot parse line 3' }));
    await flush();
    expect(fake.calls).toEqual([]);
    expect(stores.jobs.getState().jobs['import-1']?.message).toBe('cannot parse line 3');
  });

  it('when a training job finishes then the history is not re-read', async () => {
    const { fake } = start();
    fake.emit('job.progress', jobProgress({ jobId: 'train-1', kind: 'train', state: 'done', fraction: 1 }));
    await flush();
    expect(fake.calls).toEqual([]);
  });

  it('when stopped then job progress no longer reaches the store', () => {
    const { fake, stores, stop } = start();
    stop();
    fake.emit('job.progress', jobProgress());
    expect(stores.jobs.getState().jobIds).toEqual([]);
    expect(fake.listenerCount('job.progress')).toBe(0);
  });
});
