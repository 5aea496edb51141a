// The session store: snapshots and events about mode, feed, trading state, clock and connection.
import { describe, expect, it } from 'vitest';
import { sessionSelectors } from '../../../src/renderer/store/session/selectors';
import { createSessionStore } from '../../../src/renderer/store/session/store';
import { engineInfo, feeds, sessionStatus, T0 } from '../fakes';

describe('session store', () => {
  it('before the engine answers then the mode is unknown and nothing claims LIVE or SIMULATED', () => {
    const s = createSessionStore().getState();
    expect(sessionSelectors.mode(s)).toBeNull();
    expect(sessionSelectors.isSimulated(s)).toBe(false);
    expect(sessionSelectors.tradingState(s)).toBeNull();
  });

  it('when app.info says SIMULATED then the session is marked simulated', () => {
    const session = createSessionStore();
    session.getState().engineInfoReceived(engineInfo({ mode: 'SIMULATED', simulated: true }));
    expect(sessionSelectors.mode(session.getState())).toBe('SIMULATED');
    expect(sessionSelectors.isSimulated(session.getState())).toBe(true);
  });

  it('when a PAPER session runs on a simulated feed then it is still marked simulated', () => {
    const session = createSessionStore();
    session.getState().sessionStatusReceived(
      sessionStatus({
        mode: 'PAPER',
        simulated: false,
        feed: { feedId: 'toy', label: 'Toy', state: 'live', detail: '', at: T0, simulated: true },
      }),
    );
    expect(sessionSelectors.isSimulated(session.getState())).toBe(true);
  });

  it('when the kill switch event overtakes the status snapshot then HALTED stays', () => {
    const session = createSessionStore();
    session.getState().tradingStateChanged({ state: 'HALTED', previous: 'ACTIVE', cause: 'kill switch', at: T0 + 5_000 });
    session.getState().sessionStatusReceived(sessionStatus({ trading: { state: 'ACTIVE', previous: 'ACTIVE', cause: 'start', at: T0 } }));
    expect(sessionSelectors.tradingState(session.getState())).toBe('HALTED');
    expect(sessionSelectors.isHalted(session.getState())).toBe(true);
  });

  it('when an older feed report about the same feed arrives then the newer health stays', () => {
    const session = createSessionStore();
    const feed = { feedId: 'toy', label: 'Toy', detail: '', simulated: true };
    session.getState().feedHealthChanged({ ...feed, state: 'stale', at: T0 + 10 });
    session.getState().feedHealthChanged({ ...feed, state: 'live', at: T0 });
    expect(sessionSelectors.feedState(session.getState())).toBe('stale');
    session.getState().feedHealthChanged({ ...feed, feedId: 'alpaca', label: 'Alpaca', state: 'connecting', at: T0 });
    expect(sessionSelectors.feedLabel(session.getState())).toBe('Alpaca');
  });

  it('when clock ticks arrived before the status snapshot then the clock does not go back', () => {
    const session = createSessionStore();
    session.getState().clockTicked(T0 + 60_000);
    session.getState().sessionStatusReceived(sessionStatus({ now: T0 }));
    expect(sessionSelectors.now(session.getState())).toBe(T0 + 60_000);
  });

  it('when the connection opens, drops and reopens then the epoch counts two openings', () => {
    const session = createSessionStore();
    const { connectionChanged } = session.getState();
    connectionChanged('connecting', '');
    connectionChanged('open', 'connected');
    connectionChanged('open', 'connected');
    connectionChanged('connecting', 'reconnecting');
    connectionChanged('open', 'connected');
    expect(sessionSelectors.connectionEpoch(session.getState())).toBe(2);
  });

  it('when a component degrades then it counts as needing attention', () => {
    const session = createSessionStore();
    session.getState().sessionStatusReceived(sessionStatus());
    expect(sessionSelectors.troubledComponentCount(session.getState())).toBe(0);
    session.getState().componentStateChanged({ name: 'data', state: 'degraded', detail: 'feed stale' });
    session.getState().componentStateChanged({ name: 'risk', state: 'running', detail: '' });
    expect(sessionSelectors.troubledComponentCount(session.getState())).toBe(1);
    expect(sessionSelectors.componentCount(session.getState())).toBe(2);
  });

  it('when market.feeds says replay is active then the session is a replay and the unavailable feeds keep their reasons', () => {
    const session = createSessionStore();
    expect(sessionSelectors.isReplay(session.getState())).toBe(false);
    expect(sessionSelectors.activeFeedId(session.getState())).toBeNull();
    session.getState().feedsReceived(feeds('replay'));
    expect(sessionSelectors.isReplay(session.getState())).toBe(true);
    expect(sessionSelectors.activeFeedId(session.getState())).toBe('replay');
    expect(sessionSelectors.feeds(session.getState())?.find((f) => f.id === 'alpaca')).toMatchObject({
      available: false,
      reason: 'unavailable: no keys',
    });
    session.getState().feedsReceived(feeds('synthetic'));
    expect(sessionSelectors.isReplay(session.getState())).toBe(false);
  });

  it('when the engine accepts a speed or a pause then the session shows it until the next status', () => {
    const session = createSessionStore();
    session.getState().sessionStatusReceived(sessionStatus({ feedSpeed: 60, feedPaused: false }));
    session.getState().feedSpeedChanged(600);
    session.getState().feedPausedChanged(true);
    expect(sessionSelectors.feedSpeed(session.getState())).toBe(600);
    expect(sessionSelectors.feedPaused(session.getState())).toBe(true);
  });
});
