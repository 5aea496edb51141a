// Test doubles for the renderer: a CockpitApi whose requests are answered by per-channel responders
// and whose events the test emits, plus fixtures shaped like the engine's answers.
import {
  fail,
  type CockpitApi,
  type EventName,
  type EventPayload,
  type RequestChannel,
  type RequestOf,
  type ResponseOf,
  type Result,
} from '../../src/shared/contract';
import type { Bar, Quote } from '../../src/shared/domain';

export type Responders = {
  [C in RequestChannel]?: (payload: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>;
};

export interface FakeApi {
  api: CockpitApi;
  /** Every request made, in order. */
  calls: Array<{ channel: RequestChannel; payload: unknown }>;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  listenerCount(event: EventName): number;
}

export function createFakeApi(responders: Responders = {}): FakeApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const calls: FakeApi['calls'] = [];
  const api: CockpitApi = {
    request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      calls.push({ channel, payload });
      const responder = responders[channel] as
        | ((p: RequestOf<C>) => Result<ResponseOf<C>> | Promise<Result<ResponseOf<C>>>)
        | undefined;
      if (!responder) return Promise.resolve(fail('NOT_AVAILABLE', `${channel} has no responder in this test`));
      return Promise.resolve(responder(payload));
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
  };
  return {
    api,
    calls,
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    listenerCount: (event) => listeners.get(event)?.size ?? 0,
  };
}

/** Lets pending promise callbacks run. */
export const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export const T0 = Date.UTC(2024, 2, 15, 13, 30); // 2024-03-15 09:30 ET

export function quote(symbol: string, last: number, time: number, extra: Partial<Quote> = {}): Quote {
  return {
    symbol,
    last,
    prevClose: 100,
    sessionOpen: 100,
    change: Math.round((last - 100) * 100) / 100,
    changePct: last - 100,
    sessionVolume: 10_000,
    time,
    ...extra,
  };
}

export function bar(symbol: string, start: number, close: number, extra: Partial<Bar> = {}): Bar {
  return { symbol, timeframe: '1m', start, open: close, high: close, low: close, close, volume: 100, ...extra };
}

export function engineInfo(extra: Partial<ResponseOf<'app.info'>> = {}): ResponseOf<'app.info'> {
  return {
    appVersion: '0.1.0',
    engineId: 'engine-1',
    host: 'headless',
    mode: 'SIMULATED',
    simulated: true,
    watchlist: ['AAPL', 'MSFT'],
    runtime: { node: '20.19.0', electron: null, platform: 'linux' },
    credentials: { alpaca: false, polygon: false },
    ...extra,
  };
}

export function sessionStatus(extra: Partial<ResponseOf<'session.status'>> = {}): ResponseOf<'session.status'> {
  return {
    mode: 'SIMULATED',
    simulated: true,
    now: T0,
    feed: { feedId: 'toy', label: 'Toy market', state: 'live', detail: '', at: T0, simulated: true },
    feedSpeed: 60,
    feedPaused: false,
    trading: { state: 'ACTIVE', previous: 'ACTIVE', cause: 'start', at: T0 },
    components: [{ name: 'data', state: 'running', detail: '' }],
    ...extra,
  };
}
