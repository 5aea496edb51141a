// The engine's in-process message bus: typed topics (publish/subscribe, synchronous) and named
// request endpoints (one handler each). One bus per engine; nothing is global. Subscribers run in
// the explicit phase they declare, never in the order they happened to subscribe.

export type Unsubscribe = () => void;

/**
 * The order every message is handled in: a bar is known to the data layer, then turned into features,
 * scored by models, read by signal sources, checked by risk, matched by a simulated venue (the
 * simulated broker fills its working orders on the bar), acted on by execution, and last shown.
 * Within one phase, subscribers run in subscription order.
 */
export const BUS_PHASES = ['data', 'features', 'models', 'signals', 'risk', 'venue', 'execution', 'presentation'] as const;
export type BusPhase = (typeof BUS_PHASES)[number];
const PHASE_RANK: Readonly<Record<BusPhase, number>> = Object.fromEntries(BUS_PHASES.map((p, i) => [p, i])) as Record<BusPhase, number>;

interface Subscriber {
  rank: number;
  handler: (message: never) => void;
}

export interface BusErrorReport {
  kind: 'subscriber' | 'endpoint';
  name: string;
  error: unknown;
}

export class MessageBus<Topics extends object, Endpoints extends Record<string, (arg: never) => unknown> = Record<never, never>> {
  private readonly subscribers = new Map<keyof Topics, Subscriber[]>();
  private readonly wildcard: Array<(topic: keyof Topics, message: unknown) => void> = [];
  private readonly endpoints = new Map<keyof Endpoints, (arg: never) => unknown>();
  private published = 0;

  /** `onError` hears about a subscriber that threw; the publisher and the other subscribers carry on. */
  constructor(private readonly onError: (report: BusErrorReport) => void = () => {}) {}

  /** Subscribes in `phase` (default 'presentation': after every engine component has handled the message). */
  subscribe<K extends keyof Topics>(topic: K, handler: (message: Topics[K]) => void, phase: BusPhase = 'presentation'): Unsubscribe {
    const list = this.subscribers.get(topic) ?? [];
    const entry: Subscriber = { rank: PHASE_RANK[phase], handler: handler as (message: never) => void };
    // After every subscriber of the same or an earlier phase. Copy on write, so a handler that
    // unsubscribes during a publish does not skip its neighbour.
    let at = list.length;
    while (at > 0 && list[at - 1]!.rank > entry.rank) at--;
    this.subscribers.set(topic, [...list.slice(0, at), entry, ...list.slice(at)]);
    return () => {
      const current = this.subscribers.get(topic) ?? [];
      this.subscribers.set(
        topic,
        current.filter((s) => s !== entry),
      );
    };
  }

  /** Hears every topic; used by the hosts' bridges to forward push events. */
  subscribeAll(handler: (topic: keyof Topics, message: unknown) => void): Unsubscribe {
    this.wildcard.push(handler);
    return () => {
      const i = this.wildcard.indexOf(handler);
      if (i >= 0) this.wildcard.splice(i, 1);
    };
  }

  publish<K extends keyof Topics>(topic: K, message: Topics[K]): void {
    this.published++;
    const list = this.subscribers.get(topic);
    if (list) {
      for (const { handler } of list) {
        try {
          (handler as (m: Topics[K]) => void)(message);
        } catch (error) {
          this.onError({ kind: 'subscriber', name: String(topic), error });
        }
      }
    }
    for (const handler of this.wildcard) {
      try {
        handler(topic, message);
      } catch (error) {
        this.onError({ kind: 'subscriber', name: String(topic), error });
      }
    }
  }

  register<K extends keyof Endpoints>(endpoint: K, handler: Endpoints[K]): Unsubscribe {
    if (this.endpoints.has(endpoint)) {
      throw new Error(`endpoint ${String(endpoint)} already has a handler`);
    }
    this.endpoints.set(endpoint, handler);
    return () => {
      if (this.endpoints.get(endpoint) === handler) this.endpoints.delete(endpoint);
    };
  }

  async request<K extends keyof Endpoints>(
    endpoint: K,
    arg: Parameters<Endpoints[K]>[0],
  ): Promise<Awaited<ReturnType<Endpoints[K]>>> {
    const handler = this.endpoints.get(endpoint);
    if (!handler) throw new Error(`no handler registered for endpoint ${String(endpoint)}`);
    return (await (handler as (a: unknown) => unknown)(arg)) as Awaited<ReturnType<Endpoints[K]>>;
  }

  hasEndpoint(endpoint: keyof Endpoints): boolean {
    return this.endpoints.has(endpoint);
  }

  subscriberCount(topic: keyof Topics): number {
    return this.subscribers.get(topic)?.length ?? 0;
  }

  get publishedCount(): number {
    return this.published;
  }
}
