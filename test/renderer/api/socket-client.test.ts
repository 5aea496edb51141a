// The headless transport in the page: the access token leaves the address bar once read (issue 12,
// finding 5) and a 4008 close is explained to the trader with a reconnect offered (finding 1).
import { describe, expect, it, vi } from 'vitest';
import { connectCockpit, RECONNECT_EVENT, takeAccessToken } from '../../../src/renderer/api';
import { createSocketClient, LAGGED_DETAIL, type ConnectionState } from '../../../src/renderer/api/socket-client';
import { SocketCloseCodes } from '../../../src/shared/socket-close';

/** A stand-in for the browser's WebSocket that records what the page sends. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  readonly sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closed = true;
  }
  // What the host does:
  open(): void {
    this.onopen?.();
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  serverClose(code: number): void {
    this.closed = true;
    this.onclose?.({ code });
  }
}

class FakeStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.items.set(k, v);
  }
}

/** The parts of `window` the transport uses, at the given address. */
function fakeWindow(href: string, storage = new FakeStorage()) {
  let url = new URL(href);
  const target = new EventTarget();
  const history = {
    state: null,
    replaceState: vi.fn((_state: unknown, _title: string, next: string) => {
      url = new URL(next, url);
    }),
  };
  const location = {
    get hash() {
      return url.hash;
    },
    set hash(v: string) {
      url.hash = v;
    },
    get pathname() {
      return url.pathname;
    },
    get search() {
      return url.search;
    },
    get protocol() {
      return url.protocol;
    },
    get host() {
      return url.host;
    },
    get href() {
      return url.href;
    },
  };
  const win = Object.assign(target, { location, history, sessionStorage: storage, WebSocket: FakeSocket });
  return { win: win as unknown as Window, history, storage, href: () => url.href };
}

describe('the access token in the page address (issue 12: headless HTTP headers, 404 and the token in location.hash)', () => {
  it('leaves location.hash once read, other fragment parameters stay, and reconnects still use it', () => {
    FakeSocket.instances = [];
    const page = fakeWindow('http://127.0.0.1:8787/?x=1#token=s3cr3t-token&view=chart');
    const connection = connectCockpit(page.win);
    expect(connection.transport).toBe('socket');
    expect(page.href()).toBe('http://127.0.0.1:8787/?x=1#view=chart');
    expect(page.href()).not.toContain('s3cr3t-token');
    expect(page.history.replaceState).toHaveBeenCalledTimes(1);

    const first = FakeSocket.instances[0]!;
    expect(first.url).toBe('ws://127.0.0.1:8787/ws');
    first.open();
    expect(first.sent).toEqual([{ type: 'auth', token: 's3cr3t-token' }]);
    // The host drops the window (4008); the trader's Reconnect uses the token kept in memory.
    first.receive({ type: 'auth.ok' });
    first.serverClose(SocketCloseCodes.TOO_SLOW);
    page.win.dispatchEvent(new Event(RECONNECT_EVENT));
    const second = FakeSocket.instances[1]!;
    second.open();
    expect(second.sent).toEqual([{ type: 'auth', token: 's3cr3t-token' }]);
    (connection.api as unknown as { close(): void }).close();
  });

  it('a reload of the same tab, with the fragment gone, still finds the token; the address never gets it back', () => {
    const storage = new FakeStorage();
    const first = fakeWindow('http://127.0.0.1:8787/#token=tab-token', storage);
    expect(takeAccessToken(first.win)).toBe('tab-token');
    expect(first.href()).toBe('http://127.0.0.1:8787/');
    const reloaded = fakeWindow('http://127.0.0.1:8787/', storage);
    expect(takeAccessToken(reloaded.win)).toBe('tab-token');
    expect(reloaded.history.replaceState).not.toHaveBeenCalled();
    expect(reloaded.href()).toBe('http://127.0.0.1:8787/');
  });
});

describe('a window the host dropped for falling behind (issue 12: unbounded send queue per client)', () => {
  it('shows the trader why (state lagged, with the explanation) and reconnects when asked', async () => {
    FakeSocket.instances = [];
    const states: Array<[ConnectionState, string]> = [];
    const client = createSocketClient({
      url: 'ws://127.0.0.1:8787/ws',
      token: 'tok',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      laggedReconnectDelayMs: 60_000,
      onState: (s, d) => states.push([s, d]),
    });
    const ws = FakeSocket.instances[0]!;
    ws.open();
    ws.receive({ type: 'auth.ok' });
    const pending = client.request('app.info', {});
    ws.serverClose(SocketCloseCodes.TOO_SLOW);

    expect(client.state).toBe('lagged');
    expect(states.at(-1)).toEqual(['lagged', LAGGED_DETAIL]);
    expect(LAGGED_DETAIL).toMatch(/fell too far behind/);
    expect(LAGGED_DETAIL).toMatch(/reconnect/i);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'DISCONNECTED' } });
    // Not straight back in a loop: the next socket waits for the trader (or the long delay).
    expect(FakeSocket.instances).toHaveLength(1);

    client.reconnect();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(client.state).toBe('connecting');
    FakeSocket.instances[1]!.open();
    FakeSocket.instances[1]!.receive({ type: 'auth.ok' });
    expect(client.state).toBe('open');
    client.close();
  });
});
