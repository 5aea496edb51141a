// A loopback stand-in for Alpaca market data: the v2 stream protocol (connected → auth → subscribe,
// the documented error codes 400–411, bars/updated bars/trades/quotes/statuses, trade corrections `c`
// and cancel-errors `x`) and the REST bars endpoint with pagination, on 127.0.0.1 only. Tests script it:
// reject auth, refuse connections (406 while a dropped connection is still counted), drop sockets, send
// garbage or one-byte keep-alive frames.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export const FAKE_ALPACA_KEY = 'fake-key-id';
export const FAKE_ALPACA_SECRET = 'fake-secret-key';

export interface AlpacaError {
  code: number;
  msg: string;
}

export const ALPACA_ERRORS = {
  invalidSyntax: { code: 400, msg: 'invalid syntax' },
  notAuthenticated: { code: 401, msg: 'not authenticated' },
  authFailed: { code: 402, msg: 'auth failed' },
  alreadyAuthenticated: { code: 403, msg: 'already authenticated' },
  authTimeout: { code: 404, msg: 'auth timeout' },
  symbolLimit: { code: 405, msg: 'symbol limit exceeded' },
  connectionLimit: { code: 406, msg: 'connection limit exceeded' },
  slowClient: { code: 407, msg: 'slow client' },
  insufficientSubscription: { code: 409, msg: 'insufficient subscription' },
  invalidSubscribeAction: { code: 410, msg: 'invalid subscribe action for this feed' },
  insufficientScope: { code: 411, msg: 'insufficient scope' },
  internal: { code: 500, msg: 'internal error' },
} as const satisfies Record<string, AlpacaError>;

/** A bar as Alpaca's REST endpoint returns it. */
export interface AlpacaRestBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n?: number;
  vw?: number;
}

export interface FakeAlpacaOptions {
  /** REST bars per page, small to exercise pagination. Default 1000. */
  pageSize?: number;
  /** Answer client pings (the ws default); false makes a silent socket look dead. */
  autoPong?: boolean;
  /** The key pair it accepts (default FAKE_ALPACA_KEY / FAKE_ALPACA_SECRET): one account's keys serve data and trading. */
  credentials?: { key: string; secret: string };
}

interface Connection {
  ws: WebSocket;
  authenticated: boolean;
  subscribed: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A streamed bar message (`T: 'b'`); `start` is the bar's opening minute. */
export function alpacaBar(symbol: string, start: number, over: Partial<Record<'o' | 'h' | 'l' | 'c' | 'v', number>> & { T?: 'b' | 'u' } = {}): Record<string, unknown> {
  const o = over.o ?? 100;
  const c = over.c ?? 100.5;
  return { T: over.T ?? 'b', S: symbol, o, h: over.h ?? Math.max(o, c) + 0.5, l: over.l ?? Math.min(o, c) - 0.5, c, v: over.v ?? 1000, t: iso(start), n: 12, vw: (o + c) / 2 };
}

/** A trade correction (`T: 'c'`): print `oi` at op × os becomes print `ci` at cp × cs. */
export function alpacaCorrection(symbol: string, time: number, original: { i: number; p: number; s: number }, corrected: { i: number; p: number; s: number }): Record<string, unknown> {
  return { T: 'c', S: symbol, x: 'V', oi: original.i, op: original.p, os: original.s, oc: ['@'], ci: corrected.i, cp: corrected.p, cs: corrected.s, cc: ['@'], z: 'B', t: iso(time) };
}

/** A trade cancel or error (`T: 'x'`, action "C" or "E") of print `i`. */
export function alpacaCancelError(symbol: string, time: number, print: { i: number; p: number; s: number }, action: 'C' | 'E' = 'C'): Record<string, unknown> {
  return { T: 'x', S: symbol, i: print.i, x: 'V', p: print.p, s: print.s, a: action, z: 'B', t: iso(time) };
}

/** A REST bar starting at `start`. */
export function alpacaRestBar(start: number, close = 100.5): AlpacaRestBar {
  return { t: iso(start), o: 100, h: Math.max(100, close) + 0.5, l: Math.min(100, close) - 0.5, c: close, v: 500, n: 7, vw: 100.2 };
}

export class FakeAlpacaData {
  // --- script knobs -------------------------------------------------------------------------------
  /** Sent right after "connected", then the socket is closed (406 connection limit). */
  connectError: AlpacaError | null = null;
  /** Consumed one per new connection before `connectError`: e.g. a 406 while Alpaca still counts a dropped connection. */
  readonly nextConnectErrors: AlpacaError[] = [];
  /** Sent instead of "authenticated", then the socket is closed (402). */
  authError: AlpacaError | null = null;
  /** Sent instead of the subscription reply, then the socket is closed (405, 409). */
  subscribeError: AlpacaError | null = null;
  /** Messages sent to each connection right after its subscription reply. */
  onSubscribe: Array<Record<string, unknown>> = [];
  /** Delay before every REST answer, so live bars can arrive while a backfill runs. */
  restDelayMs = 0;
  /** Answer REST requests with this HTTP status instead of bars. */
  restFailStatus: number | null = null;

  // --- what the fake saw --------------------------------------------------------------------------
  connectionCount = 0;
  readonly authMessages: Array<{ key: unknown; secret: unknown }> = [];
  readonly subscribeMessages: Array<Record<string, unknown>> = [];
  readonly restRequests: URL[] = [];
  readonly restHeaders: Array<Record<string, string | string[] | undefined>> = [];

  private readonly conns = new Set<Connection>();
  private readonly restBars = new Map<string, AlpacaRestBar[]>();

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly pageSize: number,
    readonly port: number,
    private readonly key: string = FAKE_ALPACA_KEY,
    private readonly secret: string = FAKE_ALPACA_SECRET,
  ) {}

  static async start(options: FakeAlpacaOptions = {}): Promise<FakeAlpacaData> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, autoPong: options.autoPong ?? true });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const fake = new FakeAlpacaData(http, wss, options.pageSize ?? 1000, (http.address() as AddressInfo).port, options.credentials?.key, options.credentials?.secret);
    http.on('request', (req, res) => void fake.onRest(req, res));
    wss.on('connection', (ws) => fake.onConnection(ws));
    return fake;
  }

  get streamUrl(): string {
    return `ws://127.0.0.1:${this.port}/v2/iex`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Connections that completed a subscription and are still open. */
  get subscribedClients(): number {
    return [...this.conns].filter((c) => c.subscribed && c.ws.readyState === WebSocket.OPEN).length;
  }

  setRestBars(symbol: string, bars: AlpacaRestBar[]): void {
    this.restBars.set(symbol, bars);
  }

  /** Sends one frame (a JSON array) to every subscribed client. */
  send(...items: Array<Record<string, unknown>>): void {
    this.sendRaw(JSON.stringify(items));
  }

  /** A one-byte keep-alive frame (0x01) to every subscribed client. */
  heartbeat(): void {
    this.sendRaw('\u0001');
  }

  sendRaw(text: string): void {
    for (const c of this.conns) if (c.subscribed && c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }

  /** Kills every socket without a closing handshake, like a network drop. */
  dropAll(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    this.connectionCount++;
    const conn: Connection = { ws, authenticated: false, subscribed: false };
    this.conns.add(conn);
    ws.on('close', () => this.conns.delete(conn));
    ws.on('error', () => undefined);
    const reply = (...items: unknown[]): void => ws.send(JSON.stringify(items));
    reply({ T: 'success', msg: 'connected' });
    const refusal = this.nextConnectErrors.shift() ?? this.connectError;
    if (refusal) {
      reply({ T: 'error', ...refusal });
      ws.close();
      return;
    }
    ws.on('message', (data) => {
      let msg: { action?: unknown; key?: unknown; secret?: unknown } & Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        reply({ T: 'error', ...ALPACA_ERRORS.invalidSyntax });
        return;
      }
      if (msg.action === 'auth') {
        this.authMessages.push({ key: msg.key, secret: msg.secret });
        if (conn.authenticated) return reply({ T: 'error', ...ALPACA_ERRORS.alreadyAuthenticated });
        const error = this.authError ?? (msg.key === this.key && msg.secret === this.secret ? null : ALPACA_ERRORS.authFailed);
        if (error) {
          reply({ T: 'error', ...error });
          ws.close();
          return;
        }
        conn.authenticated = true;
        return reply({ T: 'success', msg: 'authenticated' });
      }
      if (msg.action === 'subscribe') {
        if (!conn.authenticated) return reply({ T: 'error', ...ALPACA_ERRORS.notAuthenticated });
        this.subscribeMessages.push(msg);
        // Documented 410: a channel the stream does not have (the stock stream has these).
        const channels = new Set(['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars', 'statuses', 'lulds', 'imbalances']);
        const unknown = Object.keys(msg).some((k) => k !== 'action' && !channels.has(k));
        const error = this.subscribeError ?? (unknown ? ALPACA_ERRORS.invalidSubscribeAction : null);
        if (error) {
          reply({ T: 'error', ...error });
          ws.close();
          return;
        }
        conn.subscribed = true;
        const list = (k: string): unknown => (Array.isArray(msg[k]) ? msg[k] : []);
        reply({ T: 'subscription', trades: list('trades'), quotes: list('quotes'), bars: list('bars'), updatedBars: list('updatedBars'), dailyBars: [], statuses: list('statuses'), lulds: [], corrections: list('trades'), cancelErrors: list('trades') });
        if (this.onSubscribe.length > 0) reply(...this.onSubscribe);
        return;
      }
      reply({ T: 'error', ...ALPACA_ERRORS.invalidSyntax });
    });
  }

  private async onRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.restUrl);
    this.restRequests.push(url);
    this.restHeaders.push(req.headers);
    if (this.restDelayMs > 0) await new Promise((r) => setTimeout(r, this.restDelayMs));
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return json(404, { message: 'not found' });
    if (req.headers['apca-api-key-id'] !== this.key || req.headers['apca-api-secret-key'] !== this.secret) {
      return json(401, { message: 'unauthorized.' });
    }
    if (this.restFailStatus !== null) return json(this.restFailStatus, { message: 'scripted failure' });
    if (url.searchParams.get('timeframe') !== '1Min') return json(422, { message: 'this fake serves 1Min only' });
    const symbol = decodeURIComponent(m[1]!);
    const start = Date.parse(url.searchParams.get('start') ?? '');
    const end = Date.parse(url.searchParams.get('end') ?? '');
    const all = (this.restBars.get(symbol) ?? []).filter((b) => {
      const t = Date.parse(b.t);
      return (Number.isNaN(start) || t >= start) && (Number.isNaN(end) || t <= end);
    });
    const offset = Number(url.searchParams.get('page_token') ?? '0');
    const page = all.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < all.length ? String(offset + this.pageSize) : null;
    json(200, { bars: page.length > 0 ? page : null, symbol, next_page_token: next });
  }
}
