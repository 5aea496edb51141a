// window.cockpit over a fake ipcRenderer: requests go out only on contract channels, events reach
// only their own listeners, and page code never receives Electron objects.
import { describe, expect, it, vi } from 'vitest';
import { createCockpitApi, type IpcPort } from '../../../src/preload/cockpit-api';
import { fail, requestChannels, type RequestChannel } from '../../../src/shared/contract';

type Subscriber = (event: unknown, ...args: unknown[]) => void;

function fakeIpc(answer: (channel: string, payload: unknown) => Promise<unknown> = async () => ({ ok: true, data: {} })) {
  const subscribers: Array<{ channel: string; listener: Subscriber }> = [];
  const invoke = vi.fn(answer);
  const on = vi.fn((channel: string, listener: Subscriber) => {
    subscribers.push({ channel, listener });
  });
  const port = { invoke, on } as unknown as IpcPort;
  const ipcRendererEvent = { sender: { send: () => {} }, senderId: 0, ports: [] };
  /** What the main process's webContents.send(IPC_EVENT_CHANNEL, message) looks like here. */
  const push = (message: unknown) => {
    for (const s of subscribers) if (s.channel === 'cockpit:event') s.listener(ipcRendererEvent, message);
  };
  return { port, invoke, on, subscribers, push };
}

describe('cockpit.request', () => {
  it('when the channel is not in the contract then it is refused without touching IPC', async () => {
    const ipc = fakeIpc();
    const api = createCockpitApi(ipc.port);
    for (const channel of ['orders.submitRaw', '__proto__', 'constructor', '', 'cockpit:app.info']) {
      const result = await api.request(channel as RequestChannel, {} as never);
      expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    }
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('when the channel is in the contract then it is invoked with the prefix and the Result comes back', async () => {
    const ipc = fakeIpc(async () => fail('REFUSED', 'trading is halted'));
    const api = createCockpitApi(ipc.port);
    const result = await api.request('trading.resume', { confirm: true });
    expect(ipc.invoke).toHaveBeenCalledWith('cockpit:trading.resume', { confirm: true });
    expect(result).toEqual(fail('REFUSED', 'trading is halted'));
  });

  it('when every contract channel is requested then each goes out under its own IPC name', async () => {
    const ipc = fakeIpc();
    const api = createCockpitApi(ipc.port);
    for (const channel of requestChannels) await api.request(channel, {} as never);
    expect(ipc.invoke.mock.calls.map((c) => c[0])).toEqual(requestChannels.map((c) => `cockpit:${c}`));
  });

  it('when no handler answers then the page gets a DISCONNECTED Result, not a rejection', async () => {
    const ipc = fakeIpc(async () => {
      throw new Error("No handler registered for 'cockpit:app.info'");
    });
    const result = await createCockpitApi(ipc.port).request('app.info', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
  });
});

describe('cockpit.on', () => {
  it('when events arrive then each reaches only its own listeners, as the bare payload', () => {
    const ipc = fakeIpc();
    const api = createCockpitApi(ipc.port);
    const ticksA = vi.fn();
    const ticksB = vi.fn();
    const states = vi.fn();
    api.on('clock.tick', ticksA);
    api.on('clock.tick', ticksB);
    api.on('trading.state', states);

    ipc.push({ event: 'clock.tick', payload: { now: 5 } });

    expect(ticksA.mock.calls).toEqual([[{ now: 5 }]]);
    expect(ticksB.mock.calls).toEqual([[{ now: 5 }]]);
    expect(states).not.toHaveBeenCalled();
    // Several listeners, one IPC subscription.
    expect(ipc.on).toHaveBeenCalledOnce();
    expect(ipc.on).toHaveBeenCalledWith('cockpit:event', expect.any(Function));
  });

  it('when a listener unsubscribes then it gets nothing more and the others still do', () => {
    const ipc = fakeIpc();
    const api = createCockpitApi(ipc.port);
    const quotes = vi.fn();
    const other = vi.fn();
    const off = api.on('market.quote', quotes);
    api.on('market.quote', other);
    off();
    off();

    ipc.push({ event: 'market.quote', payload: { symbol: 'AAPL' } });
    expect(quotes).not.toHaveBeenCalled();
    expect(other).toHaveBeenCalledOnce();
  });

  it('when the same function subscribes twice then each unsubscribe removes only its own subscription', () => {
    const ipc = fakeIpc();
    const api = createCockpitApi(ipc.port);
    const listener = vi.fn();
    const offFirst = api.on('clock.tick', listener);
    api.on('clock.tick', listener);
    offFirst();
    ipc.push({ event: 'clock.tick', payload: { now: 1 } });
    expect(listener).toHaveBeenCalledOnce();
  });

  it('when the event name is not in the contract then on() refuses it', () => {
    const api = createCockpitApi(fakeIpc().port);
    expect(() => api.on('orders.everything' as 'clock.tick', () => {})).toThrow(TypeError);
  });

  it('when a malformed message or an unknown event arrives then no listener is called', () => {
    const ipc = fakeIpc();
    const api = createCockpitApi(ipc.port);
    const listener = vi.fn();
    api.on('clock.tick', listener);
    for (const message of [null, 'clock.tick', { payload: {} }, { event: 'toString', payload: {} }, { event: 'x.y' }]) {
      ipc.push(message);
    }
    expect(listener).not.toHaveBeenCalled();
  });

  it('when one listener throws then the others still get the event', () => {
    const ipc = fakeIpc();
    const reported = vi.fn();
    const api = createCockpitApi(ipc.port, reported);
    const after = vi.fn();
    api.on('feed.health', () => {
      throw new Error('panel bug');
    });
    api.on('feed.health', after);
    ipc.push({ event: 'feed.health', payload: { feedId: 'sim' } });
    expect(after).toHaveBeenCalledOnce();
    expect(reported).toHaveBeenCalledWith('feed.health', expect.any(Error));
  });
});
