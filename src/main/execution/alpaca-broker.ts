// Alpaca (paper by default, live only when asked) behind the Broker seam: idempotent order submission
// keyed by client_order_id over REST, and the trade_updates stream's updates (the socket itself is
// AlpacaTradeStream) turned into ordered OrderEvents, duplicates and stale events dropped and counted.
import type { z } from 'zod';
import type { Secret } from '../config/secret';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from '../data/vendors/backoff';
import {
  alpacaAccountSchema,
  alpacaCalendarSchema,
  alpacaClockSchema,
  alpacaCloseAllSchema,
  alpacaErrorBodySchema,
  alpacaOrderItemsSchema,
  alpacaOrderSchema,
  alpacaPositionListSchema,
  describeIssues,
  tradeUpdateSchema,
  type AlpacaOrder,
  type TradeUpdate,
} from './alpaca-schemas';
import { AlpacaTradeStream, type AlpacaStreamState, type TradeStreamCounters } from './alpaca-trade-stream';
import { isOwnOrderId, MAX_ORDER_ID_LENGTH } from './order-ids';
import type { Broker, BrokerOrder, BrokerPreflight, Fill, OrderEvent, OrderRequest, OrderStatus, Position, TimeInForce } from './types';
import { TERMINAL_STATUSES } from './types';

export const ALPACA_PAPER = Object.freeze({ restUrl: 'https://paper-api.alpaca.markets', streamUrl: 'wss://paper-api.alpaca.markets/stream' });
export const ALPACA_LIVE = Object.freeze({ restUrl: 'https://api.alpaca.markets', streamUrl: 'wss://api.alpaca.markets/stream' });

export type AlpacaLogLevel = 'info' | 'warn' | 'error';

export interface AlpacaBrokerConfig {
  readonly keyId: Secret;
  readonly secretKey: Secret;
  /** Real money. Default false (paper); the live hosts are refused unless this is true. */
  readonly live?: boolean;
  /** Override of the REST base URL (tests: the loopback fake). */
  readonly restUrl?: string;
  /** Override of the trade_updates stream URL. */
  readonly streamUrl?: string;
  /** Per-request timeout (ms). Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** After a cancel's 204, how long its order is read again until it ends (canceled or filled). Default 1 000. */
  readonly cancelSettleMs?: number;
  /** Tries of one submit before giving up (timeouts, 5xx, 429). Default 5. */
  readonly maxSubmitAttempts?: number;
  /** From opening trade_updates to the `listening` answer; longer and the socket is dropped and tried again. Default 15 000. */
  readonly streamHandshakeTimeoutMs?: number;
  /** trade_updates is pinged this often (alpaca-py pings every 10 s). Default 10 000. */
  readonly streamPingIntervalMs?: number;
  /** No frame and no pong for this long and trade_updates is taken for dead (half-open): dropped, reconnected, reconciled. Default 30 000. */
  readonly streamStaleAfterMs?: number;
  /** Retry and reconnect delays. Default 500 ms doubling to 30 s, full jitter. */
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  /** Longest Retry-After honoured (ms); a larger one is clipped. Default 60 000. */
  readonly maxRetryAfterMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  /** Log sink; messages never carry the keys. */
  readonly log?: (level: AlpacaLogLevel, message: string) => void;
  readonly id?: string;
  readonly label?: string;
}

export interface AlpacaAccount {
  id: string;
  status: string;
  currency: string;
  cash: number;
  equity: number;
  buyingPower: number;
  patternDayTrader: boolean;
  tradingBlocked: boolean;
  daytradeCount: number | null;
}

export interface AlpacaClock {
  time: number;
  isOpen: boolean;
  nextOpen: number;
  nextClose: number;
}

/** What the trade_updates stream saw: the socket's counters plus what the updates themselves showed. */
export interface AlpacaStreamStats extends TradeStreamCounters {
  duplicates: number;
  outOfOrder: number;
  /** Updates of orders the cockpit does not follow (options multi-leg orders placed outside it). */
  skipped: number;
}

export type { AlpacaStreamState } from './alpaca-trade-stream';

/** An unexpected answer or transport failure; the message names the call, never the keys. */
export class AlpacaBrokerError extends Error {
  constructor(
    message: string,
    readonly code: 'network' | 'http' | 'malformed' | 'unconfirmed' | 'config',
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'AlpacaBrokerError';
  }
}

type HttpResult = { kind: 'answer'; status: number; body: unknown; headers: Headers } | { kind: 'network'; detail: string };

const LIVE_HOSTS = new Set(['api.alpaca.markets']);
/** GET /v2/orders answers at most 500 per request. */
const ORDER_PAGE = 500;
const MAX_ORDER_PAGES = 20;

/** An open order the cockpit cannot follow (no symbol or side of its own: an options multi-leg order). */
export interface SkippedOrder {
  brokerOrderId: string;
  clientOrderId: string;
  /** "mleg order of AAPL250321P00200000, AAPL250321C00380000" and the like. */
  what: string;
  detail: string;
}

const submittedAtOf = (item: unknown): string | null => {
  const o = item as { submitted_at?: unknown; created_at?: unknown } | null;
  const t = o?.submitted_at ?? o?.created_at;
  return typeof t === 'string' ? t : null;
};

function unreadableOrder(item: unknown, detail: string): SkippedOrder {
  const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const legs = Array.isArray(o.legs) ? o.legs.map((l) => str((l as Record<string, unknown> | null)?.symbol)).filter(Boolean) : [];
  const kind = str(o.order_class) || str(o.asset_class) || 'unknown';
  const what = `${kind} order${str(o.symbol) ? ` of ${str(o.symbol)}` : ''}${legs.length > 0 ? ` of ${legs.join(', ')}` : ''}`;
  return { brokerOrderId: str(o.id) || '(no id)', clientOrderId: str(o.client_order_id), what, detail };
}
const parseTime = (iso: string | null | undefined, fallback: number): number => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? t : fallback;
};

/** Alpaca's order status in our vocabulary; `replaced` ends this order (its successor is another). */
function mapStatus(status: string): OrderStatus {
  switch (status) {
    case 'pending_new':
      return 'new';
    case 'partially_filled':
    case 'filled':
    case 'canceled':
    case 'expired':
    case 'rejected':
      return status;
    case 'replaced':
      return 'canceled';
    default:
      // new, accepted, accepted_for_bidding, pending_cancel, pending_replace, done_for_day, stopped, calculated, suspended, held
      return 'accepted';
  }
}

/** An order replaced (at the broker's web page or by another tool) ends here; its successor is another order. */
const replacedNote = (a: AlpacaOrder): string => `replaced by ${a.replaced_by ?? 'another order'}`;

/** Whether an order in this state can still fill, as far as the stream ordering is concerned. */
const rank = (s: OrderStatus): number => (s === 'new' ? 0 : s === 'accepted' ? 1 : s === 'partially_filled' ? 2 : 3);

export class AlpacaBroker implements Broker {
  readonly id: string;
  readonly label: string;
  readonly simulated = false;
  readonly reportsCumulativeFills = true;
  readonly holdsPositions = true;
  readonly live: boolean;
  readonly restUrl: string;
  readonly streamUrl: string;

  private readonly cfg: AlpacaBrokerConfig;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly listeners = new Set<(e: OrderEvent) => void>();
  private readonly liveListeners = new Set<() => void>();
  /** What the caller asked for, keyed by client order id: the reason and the bracket survive the round trip. */
  private readonly requests = new Map<string, OrderRequest>();
  /** Broker order id by client order id, from every order the broker sent back. */
  private readonly brokerIds = new Map<string, string>();
  /** Last state the stream told us per broker order id: drives duplicate and out-of-order detection. */
  private readonly tracked = new Map<string, { status: OrderStatus; filledQty: number }>();
  private readonly seenExecutions = new Set<string>();
  /** The acceptance events (pending_new, accepted, new) each order had: one of them again is a duplicate. */
  private readonly stages = new Map<string, Set<string>>();
  private readonly stream: AlpacaTradeStream;
  /** Retry waits of calls in progress: `stop()` clears their timers and ends them (see `pause`). */
  private readonly waits = new Map<ReturnType<typeof setTimeout>, () => void>();
  /** Open orders the last listing skipped (multi-leg options and the like): not followed, left alone. */
  skippedOrders: SkippedOrder[] = [];
  readonly stats: AlpacaStreamStats = { duplicates: 0, outOfOrder: 0, malformed: 0, reconnects: 0, heartbeats: 0, skipped: 0, stale: 0 };

  constructor(config: AlpacaBrokerConfig) {
    this.cfg = config;
    this.live = config.live === true;
    const base = this.live ? ALPACA_LIVE : ALPACA_PAPER;
    this.restUrl = (config.restUrl ?? base.restUrl).replace(/\/+$/, '');
    this.streamUrl = config.streamUrl ?? base.streamUrl;
    if (!this.live) {
      for (const u of [this.restUrl, this.streamUrl]) {
        if (LIVE_HOSTS.has(new URL(u).hostname)) {
          throw new AlpacaBrokerError(`alpaca: ${new URL(u).host} is the live host but live was not set`, 'config');
        }
      }
    }
    this.id = config.id ?? (this.live ? 'alpaca-live' : 'alpaca-paper');
    this.label = config.label ?? (this.live ? 'Alpaca (live)' : 'Alpaca (paper)');
    this.fetchFn = config.fetch ?? fetch;
    this.now = config.now ?? Date.now;
    this.stream = new AlpacaTradeStream({
      url: this.streamUrl,
      keyId: config.keyId,
      secretKey: config.secretKey,
      backoff: new Backoff(config.backoff ?? DEFAULT_BACKOFF, config.random ?? Math.random),
      counters: this.stats,
      ...(config.streamHandshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: config.streamHandshakeTimeoutMs } : {}),
      ...(config.streamPingIntervalMs !== undefined ? { pingIntervalMs: config.streamPingIntervalMs } : {}),
      ...(config.streamStaleAfterMs !== undefined ? { staleAfterMs: config.streamStaleAfterMs } : {}),
      onUpdate: (data) => this.onStreamUpdate(data),
      // The engine's Reconciler runs on every (re)connect through onStreamLive: the broker reads nothing itself.
      onLive: () => {
        for (const l of this.liveListeners) {
          try {
            l();
          } catch (err) {
            this.log('error', `alpaca stream-live listener threw: ${(err as Error).message}`);
          }
        }
      },
      log: (level, message) => this.log(level, message),
    });
  }

  // --- orders ----------------------------------------------------------------------------------------

  /**
   * Places an order under the caller's client_order_id. Timeouts and 5xx are retried, each resend preceded by
   * a lookup so the order is never doubled; 429 waits Retry-After; a 4xx is a 'rejected' order with the
   * broker's message. Throws only when the broker never confirmed either way (code 'unconfirmed').
   */
  async submit(request: OrderRequest): Promise<BrokerOrder> {
    this.requests.set(request.clientOrderId, request);
    const invalid = this.checkRequest(request);
    if (invalid) return this.rejected(request, invalid);
    const body = this.orderBody(request);
    const backoff = new Backoff(this.cfg.backoff ?? DEFAULT_BACKOFF, this.cfg.random ?? Math.random);
    const attempts = Math.max(1, this.cfg.maxSubmitAttempts ?? 5);
    let ambiguous = false;
    let last = '';
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (ambiguous) {
        // The previous try may have reached the broker: look before resending.
        const existing = await this.lookupQuietly(request.clientOrderId);
        if (existing) return existing;
      }
      const res = await this.http('POST', '/v2/orders', body);
      if (res.kind === 'network') {
        ambiguous = true;
        last = res.detail;
        this.log('warn', `alpaca submit ${request.clientOrderId}: ${res.detail}; retrying`);
        if (!(await this.pause(backoff.next()))) return this.stoppedWhileRetrying(request, ambiguous, last);
        continue;
      }
      if (res.status >= 200 && res.status < 300) return this.toOrder(this.parse(alpacaOrderSchema, res.body, 'POST /v2/orders'));
      const message = this.errorMessage(res.body);
      if (res.status === 429) {
        last = `429 ${message}`;
        const wait = this.retryAfterMs(res.headers) ?? backoff.next();
        this.log('warn', `alpaca submit ${request.clientOrderId}: rate limited; waiting ${wait} ms`);
        if (!(await this.pause(wait))) return this.stoppedWhileRetrying(request, ambiguous, last);
        continue;
      }
      if (res.status >= 500) {
        ambiguous = true;
        last = `${res.status} ${message}`;
        this.log('warn', `alpaca submit ${request.clientOrderId}: ${res.status} ${message}; retrying`);
        if (!(await this.pause(backoff.next()))) return this.stoppedWhileRetrying(request, ambiguous, last);
        continue;
      }
      const duplicate = res.status === 422 && /client_order_id/i.test(message);
      if (duplicate || ambiguous) {
        // An earlier try may have got through (and a duplicate says one did): never answer "rejected" for an
        // order that may exist. Only a lookup that succeeds decides; a failed lookup leaves it unconfirmed.
        let existing: BrokerOrder | null;
        try {
          existing = await this.orderByClientId(request.clientOrderId);
        } catch (err) {
          throw new AlpacaBrokerError(`alpaca submit ${request.clientOrderId}: ${res.status} ${message}, and the order could not be looked up (${(err as Error).message})`, 'unconfirmed');
        }
        if (existing) return existing;
        if (duplicate) throw new AlpacaBrokerError(`alpaca submit ${request.clientOrderId}: the broker says the id exists but does not find it`, 'unconfirmed');
      }
      this.log('warn', `alpaca submit ${request.clientOrderId}: rejected ${res.status} ${message}`);
      return this.rejected(request, message || `HTTP ${res.status}`);
    }
    const existing = ambiguous ? await this.lookupQuietly(request.clientOrderId) : null;
    if (existing) return existing;
    throw new AlpacaBrokerError(`alpaca submit ${request.clientOrderId}: not confirmed after ${attempts} tries (${last})`, 'unconfirmed');
  }

  /**
   * Waits `ms` before a retry: true when the time passed, false when `stop()` came first (its timer is
   * cleared then, and nothing more is sent). Unref'd, so a retry wait never holds the process open.
   */
  private pause(ms: number): Promise<boolean> {
    if (this.stream.state === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve(true);
      }, ms);
      timer.unref?.();
      this.waits.set(timer, () => resolve(false));
    });
  }

  /** A submit cut short by `stop()` between tries: never resent; "unconfirmed" (the next start's reconciliation settles it). */
  private stoppedWhileRetrying(request: OrderRequest, ambiguous: boolean, last: string): never {
    throw new AlpacaBrokerError(
      `alpaca submit ${request.clientOrderId}: stopped while waiting to retry (${last})${ambiguous ? '; an earlier try may have reached the broker' : ''}`,
      'unconfirmed',
    );
  }

  /** Asks the broker to cancel; returns the order as the broker then has it (a closed order is returned unchanged). */
  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    // The broker's id is known from the submit answer or the stream; looked up only when it is not.
    let brokerOrderId = this.brokerIds.get(clientOrderId);
    if (brokerOrderId === undefined) {
      const order = await this.orderByClientId(clientOrderId);
      if (!order) throw new AlpacaBrokerError(`alpaca cancel ${clientOrderId}: no such order`, 'http', 404);
      if (TERMINAL_STATUSES.has(order.status)) return order;
      brokerOrderId = order.brokerOrderId;
    }
    const res = await this.http('DELETE', `/v2/orders/${encodeURIComponent(brokerOrderId)}`);
    if (res.kind === 'network') throw new AlpacaBrokerError(`alpaca cancel ${clientOrderId}: ${res.detail}`, 'network');
    // 422: no longer cancelable (filled meanwhile); the fresh state below says what happened.
    if (res.status >= 400 && res.status !== 422) {
      throw new AlpacaBrokerError(`alpaca cancel ${clientOrderId}: ${res.status} ${this.errorMessage(res.body)}`, 'http', res.status);
    }
    // 204 means the request was accepted, not that the order is canceled (it may be pending_cancel, or
    // fill meanwhile): its own id is read until it ends, for a short while; the stream says the rest.
    const settleBy = Date.now() + (this.cfg.cancelSettleMs ?? 1_000);
    let order = await this.orderById(brokerOrderId, clientOrderId);
    for (let wait = 10; !TERMINAL_STATUSES.has(order.status) && Date.now() + wait <= settleBy; wait = Math.min(wait * 2, 200)) {
      if (!(await this.pause(wait))) break;
      order = await this.orderById(brokerOrderId, clientOrderId);
    }
    return order;
  }

  /** One order by the broker's id (GET /v2/orders/{id}). */
  async orderById(brokerOrderId: string, clientOrderId = brokerOrderId): Promise<BrokerOrder> {
    const res = await this.http('GET', `/v2/orders/${encodeURIComponent(brokerOrderId)}`);
    if (res.kind === 'network') throw new AlpacaBrokerError(`alpaca order ${clientOrderId}: ${res.detail}`, 'network');
    if (res.status >= 400) throw new AlpacaBrokerError(`alpaca order ${clientOrderId}: ${res.status} ${this.errorMessage(res.body)}`, 'http', res.status);
    return this.toOrder(this.parse(alpacaOrderSchema, res.body, 'GET /v2/orders/{id}'));
  }

  /**
   * Every open order, paged 500 at a time (Alpaca's most per request) oldest first by submission time.
   * Each item is read on its own: one the cockpit cannot follow (an options multi-leg order, with no
   * symbol or side at the top level) is skipped and named in the log and in `skippedOrders`, never
   * failing the whole list; the others (ours, and outside orders the reconciler flags) are kept.
   */
  async openOrders(): Promise<BrokerOrder[]> {
    const byId = new Map<string, BrokerOrder>();
    const skipped = new Map<string, SkippedOrder>();
    let after: string | null = null;
    for (let page = 0; page < MAX_ORDER_PAGES; page++) {
      const body = await this.getJson(`/v2/orders?status=open&limit=${ORDER_PAGE}&nested=true&direction=asc${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      const items = this.parse(alpacaOrderItemsSchema, body, 'GET /v2/orders');
      let added = 0;
      for (const item of items) {
        const read = alpacaOrderSchema.safeParse(item);
        if (read.success) {
          if (!byId.has(read.data.id)) added++;
          byId.set(read.data.id, this.toOrder(read.data));
          continue;
        }
        const s = unreadableOrder(item, describeIssues(read.error));
        if (!skipped.has(s.brokerOrderId)) {
          added++;
          this.log(isOwnOrderId(s.clientOrderId) ? 'error' : 'warn', `alpaca GET /v2/orders: open order ${s.brokerOrderId} (${s.what}) is not one the cockpit can follow; skipped and left alone (${s.detail})`);
        }
        skipped.set(s.brokerOrderId, s);
      }
      if (items.length < ORDER_PAGE || added === 0) break;
      // `after` is exclusive: step back a millisecond from the page's last submission so orders sharing it are not lost (duplicates are merged by id).
      const last = items.map(submittedAtOf).filter((t): t is string => t !== null).pop();
      if (!last || !Number.isFinite(Date.parse(last))) break;
      after = new Date(Date.parse(last) - 1).toISOString();
      if (page === MAX_ORDER_PAGES - 1) this.log('warn', `alpaca GET /v2/orders: more than ${MAX_ORDER_PAGES * ORDER_PAGE} open orders; the rest were not read`);
    }
    this.skippedOrders = [...skipped.values()];
    return [...byId.values()];
  }

  /** Positions with signed quantities (short negative). */
  async positions(): Promise<Position[]> {
    const body = await this.getJson('/v2/positions');
    return this.parse(alpacaPositionListSchema, body, 'GET /v2/positions').map((p) => ({
      symbol: p.symbol,
      qty: p.side === 'short' ? -Math.abs(p.qty) : Math.abs(p.qty),
      avgEntryPrice: p.avg_entry_price,
    }));
  }

  /** The order with this client order id, or null when the broker has none. */
  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const res = await this.http('GET', `/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`);
    if (res.kind === 'network') throw new AlpacaBrokerError(`alpaca order lookup ${clientOrderId}: ${res.detail}`, 'network');
    if (res.status === 404) return null;
    if (res.status >= 400) {
      throw new AlpacaBrokerError(`alpaca order lookup ${clientOrderId}: ${res.status} ${this.errorMessage(res.body)}`, 'http', res.status);
    }
    return this.toOrder(this.parse(alpacaOrderSchema, res.body, 'GET /v2/orders:by_client_order_id'));
  }

  /** Trading days from `start` to `end` (YYYY-MM-DD) with their regular open and close, New York wall time (HH:MM). */
  async calendar(start: string, end: string): Promise<Array<{ date: string; open: string; close: string }>> {
    const body = await this.getJson(`/v2/calendar?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
    return this.parse(alpacaCalendarSchema, body, 'GET /v2/calendar').map((d) => ({ date: d.date, open: d.open, close: d.close }));
  }

  async account(): Promise<AlpacaAccount> {
    const a = this.parse(alpacaAccountSchema, await this.getJson('/v2/account'), 'GET /v2/account');
    return {
      id: a.id,
      status: a.status,
      currency: a.currency,
      cash: a.cash,
      equity: a.equity,
      buyingPower: a.buying_power,
      patternDayTrader: a.pattern_day_trader ?? false,
      tradingBlocked: a.trading_blocked ?? false,
      daytradeCount: a.daytrade_count ?? null,
    };
  }

  async preflight(from: string, to: string): Promise<BrokerPreflight> {
    const [account, sessions] = await Promise.all([this.account(), this.calendar(from, to)]);
    return { account, sessions };
  }

  async clock(): Promise<AlpacaClock> {
    const c = this.parse(alpacaClockSchema, await this.getJson('/v2/clock'), 'GET /v2/clock');
    const t = (s: string, what: string): number => {
      const v = Date.parse(s);
      if (!Number.isFinite(v)) throw new AlpacaBrokerError(`alpaca GET /v2/clock: malformed ${what} ${JSON.stringify(s)}`, 'malformed');
      return v;
    };
    return { time: t(c.timestamp, 'timestamp'), isOpen: c.is_open, nextOpen: t(c.next_open, 'next_open'), nextClose: t(c.next_close, 'next_close') };
  }

  /** Called each time trade_updates is (re)established, the first time included. */
  onStreamLive(listener: () => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  // --- trade_updates stream --------------------------------------------------------------------------

  onEvent(listener: (event: OrderEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get streamState(): AlpacaStreamState {
    return this.stream.state;
  }

  /** Opens the trade_updates stream; it reconnects by itself until `stop()`. */
  start(): void {
    this.stream.start();
  }

  stop(): void {
    this.stream.stop();
    for (const [timer, end] of [...this.waits]) {
      clearTimeout(timer);
      this.waits.delete(timer);
      end();
    }
  }

  /** One trade_updates payload: validated, then applied; an outside options multi-leg order's update is skipped. */
  private onStreamUpdate(data: unknown): void {
    const update = tradeUpdateSchema.safeParse(data);
    if (!update.success) {
      const order = (data as { order?: { order_class?: unknown; client_order_id?: unknown } } | null)?.order;
      if (order?.order_class === 'mleg' && !(typeof order.client_order_id === 'string' && isOwnOrderId(order.client_order_id))) {
        // An update of an options multi-leg order placed outside the cockpit: not one it follows.
        this.stats.skipped++;
        return;
      }
      this.stats.malformed++;
      this.log('warn', `alpaca stream: malformed trade update dropped (${describeIssues(update.error)})`);
      return;
    }
    this.onTradeUpdate(update.data);
  }

  private onTradeUpdate(u: TradeUpdate): void {
    const order = this.toOrder(u.order);
    const prev = this.tracked.get(order.brokerOrderId);
    const prevRank = prev ? rank(prev.status) : -1;
    const track = (): void => void this.tracked.set(order.brokerOrderId, { status: order.status, filledQty: order.filledQty });
    switch (u.event) {
      case 'fill':
      case 'partial_fill': {
        const execId = u.execution_id ?? `${order.brokerOrderId}:${order.filledQty}`;
        if (this.seenExecutions.has(execId)) {
          this.stats.duplicates++;
          return;
        }
        if (prev && (prevRank >= 3 || order.filledQty <= prev.filledQty)) {
          this.stats.outOfOrder++;
          this.log('warn', `alpaca stream: stale ${u.event} for ${order.clientOrderId} after ${prev.status} ignored`);
          return;
        }
        const qty = u.qty ?? order.filledQty - (prev?.filledQty ?? 0);
        const price = u.price ?? order.avgFillPrice;
        if (price === null || !(qty > 0)) {
          this.stats.malformed++;
          return;
        }
        this.seenExecutions.add(execId);
        track();
        const fill: Fill = {
          clientOrderId: order.clientOrderId,
          brokerOrderId: order.brokerOrderId,
          symbol: order.symbol,
          side: order.side,
          qty,
          price,
          // Commission-free equities; regulatory fees are not on the stream.
          fees: 0,
          time: parseTime(u.timestamp, order.updatedAt),
          executionId: execId,
        };
        this.emit({ type: 'fill', order, fill });
        return;
      }
      case 'new':
      case 'pending_new':
      case 'accepted': {
        // pending_new, accepted and new of one order are one acceptance here; the same one twice is a duplicate.
        const stages = this.stages.get(order.brokerOrderId) ?? new Set<string>();
        this.stages.set(order.brokerOrderId, stages);
        const repeated = stages.has(u.event);
        stages.add(u.event);
        if (prev && prevRank >= 1) {
          if (repeated || prevRank > 1) this.stats.duplicates++;
          return;
        }
        this.tracked.set(order.brokerOrderId, { status: 'accepted', filledQty: order.filledQty });
        this.emit({ type: 'accepted', order: { ...order, status: 'accepted' } });
        return;
      }
      case 'canceled':
      case 'expired':
      case 'rejected':
      case 'replaced': {
        // `replaced` is the old order's last event: it ends canceled here (the note names its successor,
        // which is another order: outside the cockpit unless it carries one of our ids).
        const type = u.event === 'replaced' ? 'canceled' : u.event;
        if (prev && prevRank >= 3) {
          if (prev.status === type) this.stats.duplicates++;
          else this.stats.outOfOrder++;
          return;
        }
        this.tracked.set(order.brokerOrderId, { status: type, filledQty: order.filledQty });
        this.emit({ type, order: { ...order, status: type } });
        return;
      }
      default:
        // pending_new/accepted came above; pending_cancel, pending_replace, done_for_day, calculated, stopped,
        // suspended, order_cancel_rejected, order_replace_rejected: the order is still open (a terminal event follows).
        if (u.event.endsWith('_rejected')) this.log('warn', `alpaca stream: ${u.event} for ${order.clientOrderId}`);
        return;
    }
  }

  private emit(event: OrderEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log('error', `alpaca event listener threw: ${(err as Error).message}`);
      }
    }
  }

  // --- plumbing --------------------------------------------------------------------------------------

  private checkRequest(r: OrderRequest): string | null {
    if (!Number.isInteger(r.qty) || r.qty <= 0) return `qty must be a positive whole number, got ${r.qty}`;
    if (!r.clientOrderId || r.clientOrderId.length > MAX_ORDER_ID_LENGTH) return `client order id must be 1–${MAX_ORDER_ID_LENGTH} characters`;
    if ((r.type === 'limit' || r.type === 'stop_limit') && !(r.limitPrice! > 0)) return `${r.type} order needs a limit price`;
    if ((r.type === 'stop' || r.type === 'stop_limit') && !(r.stopPrice! > 0)) return `${r.type} order needs a stop price`;
    if (r.type === 'trailing_stop' && !(r.trailPrice! > 0)) return 'trailing_stop order needs a trail price';
    return null;
  }

  private orderBody(r: OrderRequest): Record<string, unknown> {
    const cents = (x: number): string => x.toFixed(2);
    const body: Record<string, unknown> = {
      symbol: r.symbol,
      qty: String(r.qty),
      side: r.side,
      type: r.type,
      time_in_force: r.timeInForce,
      client_order_id: r.clientOrderId,
    };
    if (r.limitPrice !== undefined) body.limit_price = cents(r.limitPrice);
    if (r.stopPrice !== undefined) body.stop_price = cents(r.stopPrice);
    if (r.trailPrice !== undefined) body.trail_price = cents(r.trailPrice);
    if (r.bracket) {
      body.order_class = 'bracket';
      body.take_profit = { limit_price: cents(r.bracket.takeProfit) };
      body.stop_loss = { stop_price: cents(r.bracket.stopLoss) };
    }
    return body;
  }

  private toOrder(a: AlpacaOrder): BrokerOrder {
    if (a.id) this.brokerIds.set(a.client_order_id, a.id);
    const req = this.requests.get(a.client_order_id);
    const now = this.now();
    const tif: TimeInForce = a.time_in_force === 'ioc' ? 'ioc' : 'day';
    const tp = a.legs?.find((l) => l.type === 'limit')?.limit_price ?? null;
    const sl = a.legs?.find((l) => l.type === 'stop' || l.type === 'stop_limit')?.stop_price ?? null;
    const order: BrokerOrder = {
      clientOrderId: a.client_order_id,
      symbol: a.symbol,
      side: a.side,
      qty: a.qty ?? 0,
      type: a.type,
      timeInForce: tif,
      reason: req?.reason ?? 'placed outside the cockpit',
      brokerOrderId: a.id,
      status: mapStatus(a.status),
      filledQty: a.filled_qty,
      avgFillPrice: a.filled_avg_price,
      submittedAt: parseTime(a.submitted_at ?? a.created_at, now),
      updatedAt: parseTime(a.updated_at ?? a.created_at, now),
      note: a.status === 'replaced' ? replacedNote(a) : a.time_in_force !== tif ? `time in force ${a.time_in_force}` : '',
    };
    if (a.limit_price !== null) order.limitPrice = a.limit_price;
    if (a.stop_price !== null) order.stopPrice = a.stop_price;
    if (a.trail_price !== null) order.trailPrice = a.trail_price;
    if (a.order_class === 'bracket' && tp !== null && sl !== null) order.bracket = { takeProfit: tp, stopLoss: sl };
    else if (req?.bracket) order.bracket = req.bracket;
    return order;
  }

  private rejected(r: OrderRequest, note: string): BrokerOrder {
    const now = this.now();
    return { ...r, brokerOrderId: '', status: 'rejected', filledQty: 0, avgFillPrice: null, submittedAt: now, updatedAt: now, note };
  }

  private async lookupQuietly(clientOrderId: string): Promise<BrokerOrder | null> {
    try {
      return await this.orderByClientId(clientOrderId);
    } catch (err) {
      this.log('warn', `alpaca lookup before resend failed: ${(err as Error).message}`);
      return null;
    }
  }

  private async getJson(path: string): Promise<unknown> {
    const res = await this.http('GET', path);
    const name = `GET ${path.split('?')[0]}`;
    if (res.kind === 'network') throw new AlpacaBrokerError(`alpaca ${name}: ${res.detail}`, 'network');
    if (res.status >= 400) throw new AlpacaBrokerError(`alpaca ${name}: ${res.status} ${this.errorMessage(res.body)}`, 'http', res.status);
    return res.body;
  }

  private parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
    const r = schema.safeParse(body);
    if (!r.success) throw new AlpacaBrokerError(`alpaca ${what}: malformed response (${describeIssues(r.error)})`, 'malformed');
    return r.data;
  }

  private async http(method: string, path: string, body?: unknown): Promise<HttpResult> {
    const headers: Record<string, string> = {
      'APCA-API-KEY-ID': this.cfg.keyId.reveal(),
      'APCA-API-SECRET-KEY': this.cfg.secretKey.reveal(),
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await this.fetchFn(`${this.restUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.cfg.requestTimeoutMs ?? 10_000),
      });
      const text = await res.text();
      let parsed: unknown = null;
      if (text.length > 0) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { message: `non-JSON answer: ${text.slice(0, 80)}` };
          if (res.ok) throw new AlpacaBrokerError(`alpaca ${method} ${path.split('?')[0]}: malformed response (not JSON)`, 'malformed', res.status);
        }
      }
      return { kind: 'answer', status: res.status, body: parsed, headers: res.headers };
    } catch (err) {
      if (err instanceof AlpacaBrokerError) throw err;
      const e = err as Error;
      // Only the name and message: a fetch error never carries the request headers, but keep it that way.
      const detail = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'request timed out' : `network error (${e.message})`;
      return { kind: 'network', detail };
    }
  }

  private errorMessage(body: unknown): string {
    const r = alpacaErrorBodySchema.safeParse(body);
    return r.success ? r.data.message : '';
  }

  private retryAfterMs(headers: Headers): number | null {
    const v = headers.get('retry-after');
    if (v === null) return null;
    const cap = this.cfg.maxRetryAfterMs ?? 60_000;
    const secs = Number(v);
    if (v.trim() !== '' && Number.isFinite(secs) && secs >= 0) return Math.min(cap, secs * 1000);
    const at = Date.parse(v);
    return Number.isFinite(at) ? Math.min(cap, Math.max(0, at - Date.now())) : null;
  }

  private log(level: AlpacaLogLevel, message: string): void {
    this.cfg.log?.(level, message);
  }
}
