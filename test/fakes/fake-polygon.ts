// A loopback stand-in for Polygon/Massive stocks: the websocket protocol (connected → auth → subscribe,
// auth_failed, max_connections, AM/T/Q events) and the REST aggregates endpoint with next_url paging,
// on 127.0.0.1 only. Its next_url names api.polygon.io, as the real one does, so a client that
// followed it blindly would fail the test rather than reach the internet.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export const FAKE_POLYGON_KEY = 'fake-polygon-key';

/** An aggregate as Polygon's REST endpoint returns it. */
export interface PolygonRestAgg {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw?: number;
  n?: number;
}

export interface FakePolygonOptions {
  /** REST results per page, small to exercise next_url. Default 50 000. */
  pageSize?: number;
  autoPong?: boolean;
}

interface Connection {
  ws: WebSocket;
  authenticated: boolean;
  subscribed: boolean;
}

/** A streamed minute aggregate; `start` is the window start (s), the end is start + 60 s (e). */
export function polygonMinuteAgg(symbol: string, start: number, over: Partial<Record<'o' | 'h' | 'l' | 'c' | 'v', number>> = {}): Record<string, unknown> {
  const o = over.o ?? 100;
  const c = over.c ?? 100.5;
  return {
    ev: 'AM',
    sym: symbol,
    v: over.v ?? 1000,
    av: 250_000,
    op: 99.5,
    vw: (o + c) / 2,
    o,
    c,
    h: over.h ?? Math.max(o, c) + 0.5,
    l: over.l ?? Math.min(o, c) - 0.5,
    a: 100.1,
    z: 40,
    s: start,
    e: start + 60_000,
  };
}

export function polygonRestAgg(start: number, close = 100.5): PolygonRestAgg {
  return { t: start, o: 100, h: Math.max(100, close) + 0.5, l: Math.min(100, close) - 0.5, c: close, v: 500, vw: 100.2, n: 7 };
}

export class FakePolygon {
  /** After "connected", send max_connections and close. */
  maxConnections = false;
  /** Answer every auth with auth_failed. */
  rejectAuth = false;
  /** Events sent to a connection after its subscription replies. */
  onSubscribe: Array<Record<string, unknown>> = [];
  restDelayMs = 0;
  restFailStatus: number | null = null;

  connectionCount = 0;
  readonly authMessages: unknown[] = [];
  readonly subscribeMessages: string[] = [];
  readonly restRequests: URL[] = [];

  private readonly conns = new Set<Connection>();
  private readonly restAggs = new Map<string, PolygonRestAgg[]>();

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly pageSize: number,
    readonly port: number,
  ) {}

  static async start(options: FakePolygonOptions = {}): Promise<FakePolygon> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http, autoPong: options.autoPong ?? true });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const fake = new FakePolygon(http, wss, options.pageSize ?? 50_000, (http.address() as AddressInfo).port);
    http.on('request', (req, res) => void fake.onRest(req, res));
    wss.on('connection', (ws) => fake.onConnection(ws));
    return fake;
  }

  get streamUrl(): string {
    return `ws://127.0.0.1:${this.port}/stocks`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get subscribedClients(): number {
    return [...this.conns].filter((c) => c.subscribed && c.ws.readyState === WebSocket.OPEN).length;
  }

  setRestAggs(symbol: string, aggs: PolygonRestAgg[]): void {
    this.restAggs.set(symbol, aggs);
  }

  send(...items: Array<Record<string, unknown>>): void {
    this.sendRaw(JSON.stringify(items));
  }

  sendRaw(text: string): void {
    for (const c of this.conns) if (c.subscribed && c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  }

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
    reply({ ev: 'status', status: 'connected', message: 'Connected Successfully' });
    if (this.maxConnections) {
      reply({ ev: 'status', status: 'max_connections', message: 'Maximum number of websocket connections exceeded.' });
      ws.close(1008, 'max connections');
      return;
    }
    ws.on('message', (data) => {
      let msg: { action?: unknown; params?: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        reply({ ev: 'status', status: 'error', message: 'invalid json' });
        return;
      }
      if (msg.action === 'auth') {
        this.authMessages.push(msg.params);
        if (this.rejectAuth || msg.params !== FAKE_POLYGON_KEY) {
          reply({ ev: 'status', status: 'auth_failed', message: 'authentication failed' });
          ws.close(1008, 'auth failed');
          return;
        }
        conn.authenticated = true;
        reply({ ev: 'status', status: 'auth_success', message: 'authenticated' });
        return;
      }
      if (msg.action === 'subscribe' && typeof msg.params === 'string') {
        if (!conn.authenticated) {
          reply({ ev: 'status', status: 'error', message: 'not authorized' });
          return;
        }
        this.subscribeMessages.push(msg.params);
        conn.subscribed = true;
        reply(...msg.params.split(',').map((p) => ({ ev: 'status', status: 'success', message: `subscribed to: ${p}` })));
        if (this.onSubscribe.length > 0) reply(...this.onSubscribe);
        return;
      }
      reply({ ev: 'status', status: 'error', message: 'unknown action' });
    });
  }

  private async onRest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.restUrl);
    this.restRequests.push(url);
    if (this.restDelayMs > 0) await new Promise((r) => setTimeout(r, this.restDelayMs));
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/1\/minute\/(\d+)\/(\d+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return json(404, { status: 'NOT_FOUND', message: 'not found' });
    if (url.searchParams.get('apiKey') !== FAKE_POLYGON_KEY) return json(401, { status: 'ERROR', error: 'Unknown API Key' });
    if (this.restFailStatus !== null) return json(this.restFailStatus, { status: 'ERROR', error: 'scripted failure' });
    const symbol = decodeURIComponent(m[1]!);
    const from = Number(m[2]);
    const to = Number(m[3]);
    const all = (this.restAggs.get(symbol) ?? []).filter((a) => a.t >= from && a.t <= to);
    const offset = Number(url.searchParams.get('cursor') ?? '0');
    const page = all.slice(offset, offset + this.pageSize);
    const more = offset + this.pageSize < all.length;
    json(200, {
      ticker: symbol,
      adjusted: url.searchParams.get('adjusted') !== 'false', // Polygon's default is adjusted
      status: 'OK',
      resultsCount: page.length,
      ...(page.length > 0 ? { results: page } : {}),
      ...(more ? { next_url: `https://api.polygon.io${url.pathname}?cursor=${offset + this.pageSize}` } : {}),
    });
  }
}
