// The headless transport: the same CockpitApi as the preload, carried over the host's WebSocket.
// The access token comes from the page's URL fragment (#token=…), which browsers never send to a
// server; connectCockpit (./index) takes it out of the address bar and hands it here, where it
// stays in memory for every reconnect. A close with 4008 (this window fell too far behind) is
// explained to the trader, with a reconnect offered and tried again after a while.
import {
  fail,
  type CockpitApi,
  type EventName,
  type EventPayload,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Result,
  type ServerMessage,
} from '../../shared/contract';
import { SocketCloseCodes } from '../../shared/socket-close';

/** `lagged`: the host dropped this window for falling behind (close 4008); see LAGGED_DETAIL. */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized' | 'lagged';

/** What the trader is told when the host closed the socket with 4008. */
export const LAGGED_DETAIL =
  'The host closed this window\'s connection because it fell too far behind the data being sent ' +
  '(a busy or background tab, a slow link, or a very large request). Nothing was lost on the host; ' +
  'reconnect to reload the current state.';

export interface SocketClientOptions {
  url: string;
  token: string;
  /** Injected for tests; the browser's WebSocket by default. */
  WebSocketImpl?: typeof WebSocket;
  requestTimeoutMs?: number;
  reconnectDelayMs?: number;
  /** After a 4008 close, how long before reconnecting on its own (the trader may reconnect sooner). */
  laggedReconnectDelayMs?: number;
  onState?: (state: ConnectionState, detail: string) => void;
}

interface Pending {
  resolve: (result: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

export interface SocketClient extends CockpitApi {
  close(): void;
  /** Connects again now (after a 4008 close, say); a no-op while connecting or open, or once closed. */
  reconnect(): void;
  readonly state: ConnectionState;
}

export function createSocketClient(options: SocketClientOptions): SocketClient {
  const WS = options.WebSocketImpl ?? WebSocket;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const reconnectDelayMs = options.reconnectDelayMs ?? 1_000;
  const laggedReconnectDelayMs = options.laggedReconnectDelayMs ?? 30_000;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let authed = false;
  let closedByUser = false;
  let state: ConnectionState = 'connecting';

  const setState = (next: ConnectionState, detail: string): void => {
    state = next;
    options.onState?.(next, detail);
  };

  const failAllPending = (message: string): void => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve(fail('DISCONNECTED', message));
      pending.delete(id);
    }
  };

  const connect = (): void => {
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    setState('connecting', options.url);
    const ws = new WS(options.url);
    socket = ws;
    authed = false;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: options.token }));
    ws.onmessage = (ev: MessageEvent) => {
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMessage;
      } catch {
        return; // the host only sends JSON; anything else is ignored rather than trusted
      }
      switch (msg.type) {
        case 'auth.ok':
          authed = true;
          setState('open', 'connected');
          for (const frame of queue.splice(0)) ws.send(frame);
          break;
        case 'auth.error':
          setState('unauthorized', msg.error.message);
          closedByUser = true;
          ws.close();
          break;
        case 'response': {
          const p = pending.get(msg.id);
          if (p) {
            clearTimeout(p.timer);
            pending.delete(msg.id);
            p.resolve(msg.result);
          }
          break;
        }
        case 'event':
          for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
          break;
        case 'error':
          options.onState?.(state, `${msg.error.code}: ${msg.error.message}`);
          break;
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return; // an old socket, replaced by reconnect()
      authed = false;
      failAllPending('the connection to the cockpit host closed');
      if (closedByUser) {
        if (state !== 'unauthorized') setState('closed', 'closed');
        return;
      }
      if (ev.code === SocketCloseCodes.UNAUTHORIZED) {
        // Refused without an auth.error reaching us (the auth timeout, say): the token will not do better.
        if (state !== 'unauthorized') setState('unauthorized', 'the host refused the access token');
        closedByUser = true;
        return;
      }
      if (ev.code === SocketCloseCodes.TOO_SLOW) {
        setState('lagged', LAGGED_DETAIL);
        reconnectTimer = setTimeout(connect, laggedReconnectDelayMs);
        return;
      }
      setState('connecting', 'reconnecting');
      reconnectTimer = setTimeout(connect, reconnectDelayMs);
    };
  };

  connect();

  return {
    get state() {
      return state;
    },
    request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      const id = nextId++;
      const frame = JSON.stringify({ type: 'request', id, channel, payload });
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(fail('TIMEOUT', `no answer to ${channel} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (r: Result<unknown>) => void, timer });
        if (authed && socket) socket.send(frame);
        else queue.push(frame);
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    reconnect() {
      if (closedByUser || state === 'open' || state === 'connecting') return;
      connect();
    },
    close() {
      closedByUser = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      socket?.close();
    },
  };
}
