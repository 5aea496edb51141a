// The wiring between one connection and one set of stores: snapshots on open, events to actions.
import { describe, expect, it } from 'vitest';
import { ok, type CockpitApi } from '../../../src/shared/contract';
import type { ConnectionState } from '../../../src/renderer/api/socket-client';
import { createCockpitStores } from '../../../src/renderer/store';
import { createEngineClient } from '../../../src/renderer/store/engine';
import { startCockpit, type CockpitConnection } from '../../../src/renderer/store/wiring';
import { createFakeApi, engineInfo, flush, quote, sessionStatus, T0, type Responders } from '../fakes';

const snapshotResponders: Responders = {
  'app.info': () => ok(engineInfo()),
  'session.status': () => ok(sessionStatus()),
  'market.watchlist': () => ok({ symbols: ['AAPL', 'MSFT'], quotes: [quote('AAPL', 101, T0)] }),
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
  it('when the connection opens then info, status and watchlist are requested and land in the stores', async () => {
    const { fake, stores, setState } = start();
    expect(fake.calls).toEqual([]);
    setState('open');
    await flush();
    expect(fake.calls.map((c) => c.channel).sort()).toEqual(['app.info', 'market.watchlist', 'session.status']);
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
});
