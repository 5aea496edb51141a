// A loopback stand-in for Alpaca's Trading API v2: orders (submit, by client order id, open with
// paging, cancel), positions (list, close all), account, clock, and the trade_updates stream, written
// from Alpaca's documentation (docs.alpaca.markets/docs/websocket-streaming, the order reference) and
// what its SDKs send, not from our client: the login is only the documented
// {"action":"authenticate","data":{"key_id","secret_key"}} (the market-data form is refused), frames are
// binary like the paper host, a cancel is answered 204 on acceptance and ends later (optionally through
// pending_cancel), and the events include pending_new, accepted, replaced, done_for_day, expired and
// rejected. Tests script it: rejects, 5xx/429, hung requests, fills and partial fills, duplicate and
// stale events, dropped or silent sockets, orders placed outside the cockpit (mleg, notional, crypto too).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export const FAKE_TRADING_KEY = 'fake-trading-key-id';
export const FAKE_TRADING_SECRET = 'fake-trading-secret-key';

/** What the next POST /v2/orders does instead of a plain accept. */
export type SubmitScript =
  | { kind: 'status'; status: number; message: string; retryAfter?: string; createFirst?: boolean }
  | { kind: 'hang'; createFirst: boolean };

export interface FakeOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  type: string;
  time_in_force: string;
  status: string;
  order_class: string;
  limit_price: string | null;
  stop_price: string | null;
  trail_price: string | null;
  created_at: string;
  submitted_at: string;
  updated_at: string;
  legs: Array<Record<string, unknown>> | null;
  replaced_by: string | null;
  replaces: string | null;
  asset_class: string;
  notional: string | null;
}

interface Conn {
  ws: WebSocket;
  authorized: boolean;
  listening: boolean;
  /** Stopped answering without closing (a half-open connection): nothing is sent, pings go unanswered. */
  silent: boolean;
}

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);

export class FakeAlpacaTrading {
  // --- script knobs -------------------------------------------------------------------------------
  /** Consumed one per POST /v2/orders. */
  readonly submitScript: SubmitScript[] = [];
  /** Routes (e.g. 'GET /v2/account') answered with a body that does not fit the documented shape. */
  readonly malformed = new Set<string>();
  /** Rejects every order with this message (403, like insufficient buying power). */
  rejectWith: string | null = null;
  /** Calendar days that differ from "every weekday, 09:30–16:00": null closes the day, a close time shortens it. */
  readonly calendarDays = new Map<string, { close: string } | null>();
  /** Account fields over the defaults (an ACTIVE account with $100 000 equity). */
  account: Record<string, unknown> = {};
  /** Delay between creating an accepted order and answering the POST (a slow broker: a client can die in between). */
  submitDelayMs = 0;
  /** A new order is reported pending_new, then accepted, then new (the documented path through Alpaca to the venue). */
  staged = false;
  /** A cancel is reported pending_cancel before canceled (Alpaca: "most cancelations occur without" it). */
  pendingCancel = false;
  /** Delay between the 204 of a cancel and the order ending canceled. */
  cancelDelayMs = 5;
  /** The next this-many stream connections never answer anything (a login that hangs). */
  silenceNewConnections = 0;
  /** GET /v2/orders answers at most this many per page (Alpaca's limit is 500; `after` pages on). */
  listLimit = 500;

  // --- what the fake saw --------------------------------------------------------------------------
  readonly requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }> = [];
  readonly orders = new Map<string, FakeOrder>();
  readonly positions = new Map<string, { qty: number; avg: number }>();
  readonly sentEvents: Array<Record<string, unknown>> = [];
  /** Every login message the stream received, as sent. */
  readonly authMessages: unknown[] = [];
  connectionCount = 0;
  postCount = 0;

  private readonly conns = new Set<Conn>();
  private seq = 0;
  private exec = 0;
  private nanos = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeAlpacaTrading> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, path: '/stream' });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const fake = new FakeAlpacaTrading(http, wss, (http.address() as AddressInfo).port);
    http.on('request', (req, res) => void fake.onRest(req, res));
    wss.on('connection', (ws) => fake.onConnection(ws));
    return fake;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get streamUrl(): string {
    return `ws://127.0.0.1:${this.port}/stream`;
  }

  get listeningClients(): number {
    return [...this.conns].filter((c) => c.listening && c.ws.readyState === WebSocket.OPEN).length;
  }

  orderByClientId(clientOrderId: string): FakeOrder | undefined {
    return [...this.orders.values()].find((o) => o.client_order_id === clientOrderId);
  }

  /** An order placed in Alpaca's web app, not through the cockpit. */
  addOutsideOrder(symbol: string, qty: number, side: 'buy' | 'sell' = 'buy'): FakeOrder {
    return this.createOrder({ symbol, qty: String(qty), side, type: 'limit', time_in_force: 'day', limit_price: '1.00', client_order_id: `web-${++this.seq}` });
  }

  /** An open order with the cockpit's own id that the cockpit's book does not have (a restored backup). */
  addLostOwnOrder(clientOrderId: string, symbol: string, qty: number, side: 'buy' | 'sell', type: 'limit' | 'stop', price: number): FakeOrder {
    const priceField = type === 'stop' ? { stop_price: price.toFixed(2) } : { limit_price: price.toFixed(2) };
    return this.createOrder({ symbol, qty: String(qty), side, type, time_in_force: 'day', ...priceField, client_order_id: clientOrderId });
  }

  /** An options multi-leg order placed outside the cockpit, shaped as the documentation's example: empty symbol, side and asset_class at the top level, legs without a type. */
  addOutsideMlegOrder(): FakeOrder {
    const o = this.createOrder({ symbol: '', qty: '1', side: 'buy', type: 'limit', time_in_force: 'day', limit_price: '2', client_order_id: `web-${++this.seq}`, order_class: 'mleg' });
    const leg = (symbol: string, n: number): Record<string, unknown> => ({
      id: `${o.id}-leg${n}`, client_order_id: `${o.id}-leg${n}`, symbol, asset_class: 'us_option', order_class: 'mleg', type: '', order_type: '', side: 'buy', status: 'new', qty: '1', filled_qty: '0', limit_price: null, stop_price: null, ratio_qty: '1',
    });
    Object.assign(o, { side: '', asset_class: '', order_class: 'mleg', legs: [leg('AAPL250321P00200000', 1), leg('AAPL250321C00380000', 2)] });
    return o;
  }

  /** A dollar (notional) order placed outside the cockpit: no qty, a notional amount. */
  addOutsideNotionalOrder(symbol: string, notional: number): FakeOrder {
    const o = this.createOrder({ symbol, qty: '0', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: `web-${++this.seq}` });
    Object.assign(o, { qty: null, notional: notional.toFixed(2) });
    return o;
  }

  /** A crypto order placed outside the cockpit (fractional qty, gtc, asset_class crypto). */
  addOutsideCryptoOrder(): FakeOrder {
    const o = this.createOrder({ symbol: 'BTC/USD', qty: '0.0015', side: 'buy', type: 'limit', time_in_force: 'gtc', limit_price: '20000', client_order_id: `web-${++this.seq}` });
    Object.assign(o, { asset_class: 'crypto' });
    return o;
  }

  /**
   * Replaces an open order as the web app does (PATCH /v2/orders/{id}): a new order with a new id and
   * client order id takes its place; the old one ends `replaced` (replaced_by the new id) and its
   * trade update is `replaced`, its last.
   */
  replaceOrder(clientOrderId: string, changes: { qty?: number; limitPrice?: number }, newClientOrderId = `web-${++this.seq}`): FakeOrder {
    const old = this.orderByClientId(clientOrderId);
    if (!old) throw new Error(`fake: no order ${clientOrderId}`);
    const next = this.createOrder({
      symbol: old.symbol, side: old.side, type: old.type, time_in_force: old.time_in_force, client_order_id: newClientOrderId,
      qty: changes.qty !== undefined ? String(changes.qty) : old.qty,
      limit_price: changes.limitPrice !== undefined ? changes.limitPrice.toFixed(2) : old.limit_price,
      stop_price: old.stop_price,
    }, { replaces: old.id });
    const now = new Date().toISOString();
    Object.assign(old, { status: 'replaced', replaced_by: next.id, replaced_at: now, updated_at: now });
    this.event('replaced', old, { timestamp: now });
    return next;
  }

  /** Ends an order as its time in force runs out (`expired`). */
  expire(clientOrderId: string): void {
    this.end(clientOrderId, 'expired');
  }

  /** Reports the order done for the day (no more updates until the next trading day); it stays open. */
  doneForDay(clientOrderId: string): void {
    this.end(clientOrderId, 'done_for_day');
  }

  /** Rejects an order after it was accepted (the venue refused it): the `rejected` event. */
  rejectLater(clientOrderId: string): void {
    this.end(clientOrderId, 'rejected');
  }

  /** Stops answering on every stream socket without closing it: no frames, no pongs (a half-open connection). */
  silence(): void {
    for (const c of this.conns) {
      c.silent = true;
      c.ws.pause();
    }
  }

  /** A keep-alive frame of one byte (0x01, the heartbeat alpaca-trade-api-js skips) on every listening socket. */
  heartbeat(): void {
    for (const c of this.conns) if (c.listening && !c.silent && c.ws.readyState === WebSocket.OPEN) c.ws.send(Buffer.from([1]));
  }

  setPosition(symbol: string, qty: number, avg: number): void {
    if (qty === 0) this.positions.delete(symbol);
    else this.positions.set(symbol, { qty, avg });
  }

  /** Fills `qty` more of the order at `price`, updates the position and streams fill/partial_fill. */
  fill(clientOrderId: string, qty: number, price: number): Record<string, unknown> {
    const o = this.orderByClientId(clientOrderId);
    if (!o) throw new Error(`fake: no order ${clientOrderId}`);
    const before = Number(o.filled_qty);
    const after = before + qty;
    const avg = ((Number(o.filled_avg_price ?? 0) * before + price * qty) / after).toFixed(4);
    o.filled_qty = String(after);
    o.filled_avg_price = avg;
    o.status = after >= Number(o.qty) ? 'filled' : 'partially_filled';
    o.updated_at = new Date().toISOString();
    const signed = o.side === 'buy' ? qty : -qty;
    const p = this.positions.get(o.symbol) ?? { qty: 0, avg: price };
    this.setPosition(o.symbol, p.qty + signed, price);
    return this.event(o.status === 'filled' ? 'fill' : 'partial_fill', o, { execution_id: `exec-${++this.exec}`, price: String(price), qty: String(qty), position_qty: String(p.qty + signed) });
  }

  /** Streams a trade update for the order as it is now. */
  event(event: string, o: FakeOrder, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const data = { event, timestamp: new Date().toISOString(), ...extra, order: { ...o } };
    this.sendRaw(data);
    return data;
  }

  /** Sends an already-built update again (a duplicate) or an old one late (out of order). */
  sendRaw(data: Record<string, unknown>): void {
    this.sentEvents.push(data);
    const frame = Buffer.from(JSON.stringify({ stream: 'trade_updates', data }));
    for (const c of this.conns) if (c.listening && !c.silent && c.ws.readyState === WebSocket.OPEN) c.ws.send(frame);
  }

  /** Kills every stream socket without a closing handshake, like a network drop. */
  dropStream(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private end(clientOrderId: string, status: 'expired' | 'done_for_day' | 'rejected' | 'canceled'): void {
    const o = this.orderByClientId(clientOrderId);
    if (!o) throw new Error(`fake: no order ${clientOrderId}`);
    const now = new Date().toISOString();
    o.status = status;
    o.updated_at = now;
    this.event(status, o, { timestamp: now });
  }

  private createOrder(b: Record<string, unknown>, extra: Record<string, unknown> = {}): FakeOrder {
    // Nanosecond timestamps like Alpaca's ("2022-04-19T17:45:05.024916716Z"), increasing within a millisecond.
    const now = `${new Date().toISOString().slice(0, 23)}${String(++this.nanos % 1_000_000).padStart(6, '0')}Z`;
    const bracket = b.order_class === 'bracket';
    const id = `ord-${++this.seq}`;
    const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
    const o: FakeOrder = {
      id,
      client_order_id: typeof b.client_order_id === 'string' ? b.client_order_id : `auto-${this.seq}`,
      symbol: String(b.symbol),
      side: b.side === 'sell' ? 'sell' : 'buy',
      qty: String(b.qty),
      filled_qty: '0',
      filled_avg_price: null,
      type: String(b.type),
      time_in_force: String(b.time_in_force),
      status: 'new',
      order_class: bracket ? 'bracket' : '',
      limit_price: str(b.limit_price),
      stop_price: str(b.stop_price),
      trail_price: str(b.trail_price),
      created_at: now,
      submitted_at: now,
      updated_at: now,
      legs: bracket
        ? [
            { id: `${id}-tp`, client_order_id: `${id}-tp`, type: 'limit', side: b.side === 'buy' ? 'sell' : 'buy', status: 'held', limit_price: str((b.take_profit as { limit_price?: unknown })?.limit_price), stop_price: null },
            { id: `${id}-sl`, client_order_id: `${id}-sl`, type: 'stop', side: b.side === 'buy' ? 'sell' : 'buy', status: 'held', limit_price: null, stop_price: str((b.stop_loss as { stop_price?: unknown })?.stop_price) },
          ]
        : null,
      replaced_by: null,
      replaces: null,
      asset_class: 'us_equity',
      notional: null,
      ...extra,
    } as FakeOrder;
    this.orders.set(id, o);
    if (this.staged) {
      o.status = 'pending_new';
      this.event('pending_new', o);
      o.status = 'accepted';
      this.event('accepted', o);
      o.status = 'new';
    }
    this.event('new', o);
    return o;
  }

  private onConnection(ws: WebSocket): void {
    this.connectionCount++;
    const conn: Conn = { ws, authorized: false, listening: false, silent: this.silenceNewConnections > 0 };
    if (conn.silent) this.silenceNewConnections--;
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => undefined);
    const reply = (msg: unknown): void => {
      if (!conn.silent) ws.send(Buffer.from(JSON.stringify(msg)));
    };
    const refuse = (action: string): void => {
      reply({ stream: 'authorization', data: { status: 'unauthorized', action } });
      ws.close();
    };
    ws.on('message', (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return reply({ action: 'error', data: { error_message: 'invalid syntax' } });
      }
      this.authMessages.push(msg);
      if (msg.action === 'authenticate') {
        // The documented login: the keys under data.key_id and data.secret_key.
        const d = (msg.data ?? {}) as { key_id?: unknown; secret_key?: unknown };
        if (d.key_id !== FAKE_TRADING_KEY || d.secret_key !== FAKE_TRADING_SECRET) return refuse('authenticate');
        conn.authorized = true;
        return reply({ stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } });
      }
      if (msg.action === 'listen') {
        // Documented: a listen before the login is answered as unauthorized.
        if (!conn.authorized) return refuse('listen');
        const streams = ((msg.data as { streams?: unknown })?.streams ?? []) as unknown[];
        conn.listening = streams.includes('trade_updates');
        return reply({ stream: 'listening', data: { streams: conn.listening ? ['trade_updates'] : [] } });
      }
      // Anything else before the login (the market-data form {"action":"auth","key","secret"} included) is refused.
      if (!conn.authorized) return refuse(typeof msg.action === 'string' ? msg.action : 'authenticate');
    });
  }

  private async onRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.restUrl);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname + url.search, headers: req.headers });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      if (res.destroyed) return;
      const route = `${method} ${url.pathname.startsWith('/v2/orders/') ? '/v2/orders/{id}' : url.pathname}`;
      const out = this.malformed.has(route) ? { surprise: true, cash: 'lots' } : body;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(status === 204 ? undefined : JSON.stringify(out));
    };
    if (req.headers['apca-api-key-id'] !== FAKE_TRADING_KEY || req.headers['apca-api-secret-key'] !== FAKE_TRADING_SECRET) {
      return json(401, { code: 40110000, message: 'request is not authorized' });
    }
    const open = (): FakeOrder[] => [...this.orders.values()].filter((o) => !TERMINAL.has(o.status));

    if (method === 'POST' && url.pathname === '/v2/orders') {
      this.postCount++;
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return json(400, { code: 40010000, message: 'invalid body' });
      }
      const script = this.submitScript.shift();
      const dup = typeof body.client_order_id === 'string' && this.orderByClientId(body.client_order_id);
      if (script?.kind === 'hang') {
        if (script.createFirst && !dup) this.createOrder(body);
        return; // never answers; the client times out
      }
      if (script?.kind === 'status') {
        if (script.createFirst && !dup) this.createOrder(body);
        return json(script.status, { code: script.status * 100000, message: script.message }, script.retryAfter !== undefined ? { 'retry-after': script.retryAfter } : {});
      }
      if (dup) return json(422, { code: 40010001, message: 'client_order_id must be unique' });
      // The order reference: client_order_id is at most 48 characters.
      if (typeof body.client_order_id === 'string' && body.client_order_id.length > 48) return json(422, { code: 40010001, message: 'client_order_id must be no more than 48 characters' });
      if (this.rejectWith) return json(403, { code: 40310000, message: this.rejectWith });
      if (!(Number(body.qty) > 0)) return json(422, { code: 40010001, message: 'qty must be > 0' });
      const created = this.createOrder(body);
      if (this.submitDelayMs > 0) await new Promise((r) => setTimeout(r, this.submitDelayMs));
      return json(200, created);
    }
    if (method === 'GET' && url.pathname === '/v2/orders') {
      // Documented: limit (default 50, at most 500), direction (default desc) and `after`/`until` by submission time.
      const limit = Math.min(this.listLimit, Number(url.searchParams.get('limit') ?? 50) || 50);
      const asc = url.searchParams.get('direction') === 'asc';
      const after = url.searchParams.get('after');
      const until = url.searchParams.get('until');
      let list = url.searchParams.get('status') === 'open' ? open() : [...this.orders.values()];
      list = list.sort((a, b) => (asc ? 1 : -1) * (a.submitted_at.localeCompare(b.submitted_at) || Number(a.id.slice(4)) - Number(b.id.slice(4))));
      if (after) list = list.filter((o) => o.submitted_at > after);
      if (until) list = list.filter((o) => o.submitted_at < until);
      return json(200, list.slice(0, limit));
    }
    if (method === 'GET' && url.pathname === '/v2/orders:by_client_order_id') {
      const o = this.orderByClientId(url.searchParams.get('client_order_id') ?? '');
      return o ? json(200, o) : json(404, { code: 40410000, message: 'order not found' });
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(url.pathname);
    if (byId) {
      const o = this.orders.get(decodeURIComponent(byId[1]!));
      if (!o) return json(404, { code: 40410000, message: 'order not found' });
      if (method === 'GET') return json(200, o);
      if (method === 'DELETE') {
        if (TERMINAL.has(o.status)) return json(422, { code: 42210000, message: `order is already in "${o.status}" state` });
        // 204 on acceptance of the request; the order ends canceled a moment later, on the stream.
        if (this.pendingCancel) {
          o.status = 'pending_cancel';
          o.updated_at = new Date().toISOString();
          this.event('pending_cancel', o);
        }
        setTimeout(() => {
          if (TERMINAL.has(o.status)) return;
          o.status = 'canceled';
          o.updated_at = new Date().toISOString();
          this.event('canceled', o, { timestamp: o.updated_at });
        }, this.cancelDelayMs);
        return json(204, null);
      }
    }
    if (url.pathname === '/v2/positions') {
      const list = [...this.positions.entries()].map(([symbol, p]) => ({
        symbol,
        qty: String(p.qty),
        side: p.qty < 0 ? 'short' : 'long',
        avg_entry_price: String(p.avg),
        market_value: String(p.qty * p.avg),
      }));
      if (method === 'GET') return json(200, list);
      if (method === 'DELETE') {
        if (url.searchParams.get('cancel_orders') === 'true') for (const o of open()) o.status = 'canceled';
        const out = list.map((p) => ({ symbol: p.symbol, status: 200, body: {} }));
        this.positions.clear();
        return json(207, out);
      }
    }
    if (method === 'GET' && url.pathname === '/v2/account') {
      return json(200, { id: 'acct-1', status: 'ACTIVE', currency: 'USD', cash: '100000', equity: '100000', buying_power: '200000', pattern_day_trader: false, trading_blocked: false, daytrade_count: 0, ...this.account });
    }
    if (method === 'GET' && url.pathname === '/v2/calendar') {
      const start = url.searchParams.get('start') ?? '2025-01-01';
      const end = url.searchParams.get('end') ?? start;
      const days: Array<{ date: string; open: string; close: string; session_open: string; session_close: string; settlement_date: string }> = [];
      for (let t = Date.parse(`${start}T12:00:00Z`); t <= Date.parse(`${end}T12:00:00Z`); t += 86_400_000) {
        const date = new Date(t).toISOString().slice(0, 10);
        const wd = new Date(t).getUTCDay();
        const scripted = this.calendarDays.get(date);
        if (scripted === null || (scripted === undefined && (wd === 0 || wd === 6))) continue;
        days.push({ date, open: '09:30', close: scripted?.close ?? '16:00', session_open: '0400', session_close: '2000', settlement_date: date });
      }
      return json(200, days);
    }
    if (method === 'GET' && url.pathname === '/v2/clock') {
      return json(200, { timestamp: '2025-03-03T10:10:30-05:00', is_open: true, next_open: '2025-03-04T09:30:00-05:00', next_close: '2025-03-03T16:00:00-05:00' });
    }
    json(404, { code: 40410000, message: 'endpoint not found' });
  }
}
