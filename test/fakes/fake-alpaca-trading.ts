// A loopback stand-in for Alpaca's Trading API v2: orders (submit, by client order id, open, cancel),
// positions (list, close all), account, clock, and the trade_updates stream (auth → listen → events,
// sent as binary frames like the paper host). Tests script it: rejects, 5xx/429, hung requests,
// fills and partial fills, duplicate and stale events, dropped sockets, orders placed outside the cockpit.
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
}

interface Conn {
  ws: WebSocket;
  authorized: boolean;
  listening: boolean;
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

  // --- what the fake saw --------------------------------------------------------------------------
  readonly requests: Array<{ method: string; path: string; headers: Record<string, string | string[] | undefined> }> = [];
  readonly orders = new Map<string, FakeOrder>();
  readonly positions = new Map<string, { qty: number; avg: number }>();
  readonly sentEvents: Array<Record<string, unknown>> = [];
  connectionCount = 0;
  postCount = 0;

  private readonly conns = new Set<Conn>();
  private seq = 0;
  private exec = 0;

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
    for (const c of this.conns) if (c.listening && c.ws.readyState === WebSocket.OPEN) c.ws.send(frame);
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

  private createOrder(b: Record<string, unknown>): FakeOrder {
    const now = new Date().toISOString();
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
    };
    this.orders.set(id, o);
    this.event('new', o);
    return o;
  }

  private onConnection(ws: WebSocket): void {
    this.connectionCount++;
    const conn: Conn = { ws, authorized: false, listening: false };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => undefined);
    const reply = (msg: unknown): void => ws.send(Buffer.from(JSON.stringify(msg)));
    ws.on('message', (data) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return reply({ stream: 'error', data: { error_message: 'invalid syntax' } });
      }
      if (msg.action === 'auth') {
        const ok = msg.key === FAKE_TRADING_KEY && msg.secret === FAKE_TRADING_SECRET;
        reply({ stream: 'authorization', data: { action: 'authenticate', status: ok ? 'authorized' : 'unauthorized' } });
        if (!ok) ws.close();
        conn.authorized = ok;
        return;
      }
      if (msg.action === 'listen' && conn.authorized) {
        const streams = ((msg.data as { streams?: unknown })?.streams ?? []) as unknown[];
        conn.listening = streams.includes('trade_updates');
        return reply({ stream: 'listening', data: { streams: conn.listening ? ['trade_updates'] : [] } });
      }
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
      if (this.rejectWith) return json(403, { code: 40310000, message: this.rejectWith });
      if (!(Number(body.qty) > 0)) return json(422, { code: 40010001, message: 'qty must be > 0' });
      const created = this.createOrder(body);
      if (this.submitDelayMs > 0) await new Promise((r) => setTimeout(r, this.submitDelayMs));
      return json(200, created);
    }
    if (method === 'GET' && url.pathname === '/v2/orders') {
      return json(200, url.searchParams.get('status') === 'open' ? open() : [...this.orders.values()]);
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
        o.status = 'canceled';
        o.updated_at = new Date().toISOString();
        this.event('canceled', o);
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
