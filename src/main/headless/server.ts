// The headless host's server: serves the built renderer and carries the IPC contract over a
// WebSocket on the same origin. Loopback by default, a random token required on the socket, the
// Origin and Host headers checked (no cross-site or DNS-rebinding page can drive the engine).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  ClientMessageSchema,
  describeZodError,
  SOCKET_PATH,
  type AppError,
  type EventName,
  type ServerMessage,
} from '../../shared/contract';
import type { EngineHost } from '../engine/host-api';
import type { Logger } from '../logging/logger';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

/** Events a slow client may miss (the next one supersedes them); all others are always delivered. */
const DROPPABLE: ReadonlySet<EventName> = new Set<EventName>(['market.bar', 'market.quote', 'clock.tick']);
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;
const AUTH_TIMEOUT_MS = 5_000;

export interface HeadlessServerOptions {
  engine: EngineHost;
  rendererDir: string;
  host?: string;
  port?: number;
  /** A fixed token (tests); a random 32-byte one by default. */
  token?: string;
  /** Extra origins allowed on the socket, e.g. 'http://workstation.lan:8787'. */
  allowedOrigins?: readonly string[];
  logger: Logger;
}

export interface HeadlessServer {
  readonly url: string;
  /** The URL to open: the token rides in the fragment, which the browser never sends to a server. */
  readonly openUrl: string;
  readonly token: string;
  readonly port: number;
  readonly clients: number;
  close(): Promise<void>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function hostnameOf(hostHeader: string): string {
  // "127.0.0.1:8787" → "127.0.0.1"; "[::1]:8787" → "::1"
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  if (m) return m[1]!;
  return hostHeader.replace(/:\d+$/, '');
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererRoot = resolve(options.rendererDir);
  const loopbackOnly = isLoopbackHost(host);
  const log = options.logger.child('headless');
  const allowedOrigins = new Set(options.allowedOrigins ?? []);

  /** Host header check: on a loopback bind only loopback names are served (defeats DNS rebinding). */
  const hostAllowed = (req: IncomingMessage): boolean => {
    const header = req.headers.host;
    if (!header) return false;
    if (!loopbackOnly) return true;
    return isLoopbackHost(hostnameOf(header)) || allowedOrigins.has(`http://${header}`);
  };

  /** Origin check: a browser page may use the socket only from this server's own origin. */
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not a browser; the token still guards the socket
    if (allowedOrigins.has(origin)) return true;
    return origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
  };

  const serveStatic = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://local');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(rendererRoot, rel));
    if (file !== rendererRoot && !file.startsWith(rendererRoot + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      const type = MIME[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': body.length,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'max-age=300',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${rel}`);
    }
  };

  const server: Server = createServer((req, res) => {
    if (!hostAllowed(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('this host name is not served');
      return;
    }
    serveStatic(req, res).catch((error: unknown) => {
      log.error('static file failed', { error });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const reject = (status: number, text: string): void => {
      log.warn('socket upgrade refused', { status, text, origin: req.headers.origin ?? null });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${text}`);
    };
    if (path !== SOCKET_PATH) return reject(404, 'Not Found');
    if (!hostAllowed(req)) return reject(421, 'Misdirected Request');
    if (!originAllowed(req)) return reject(403, 'Forbidden origin');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  const send = (ws: WebSocket, message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const sendError = (ws: WebSocket, error: AppError): void => send(ws, { type: 'error', error });

  const onConnection = (ws: WebSocket): void => {
    let authed = false;
    let unsubscribe: (() => void) | null = null;
    let droppedEvents = 0;
    const authTimer = setTimeout(() => {
      if (!authed) {
        send(ws, { type: 'auth.error', error: { code: 'UNAUTHORIZED', message: `no auth message within ${AUTH_TIMEOUT_MS} ms` } });
        ws.close(4401, 'unauthorized');
      }
    }, AUTH_TIMEOUT_MS);

    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (isBinary) return sendError(ws, { code: 'BAD_MESSAGE', message: 'binary frames are not accepted; send JSON text' });
      let json: unknown;
      try {
        json = JSON.parse(raw.toString());
      } catch {
        return sendError(ws, { code: 'BAD_MESSAGE', message: 'the message is not valid JSON' });
      }
      const parsed = ClientMessageSchema.safeParse(json);
      if (!parsed.success) {
        return sendError(ws, { code: 'BAD_MESSAGE', message: `malformed message: ${describeZodError(parsed.error)}` });
      }
      const msg = parsed.data;
      if (msg.type === 'auth') {
        if (authed) return;
        if (!tokensEqual(msg.token, token)) {
          log.warn('socket auth failed: wrong token');
          send(ws, { type: 'auth.error', error: { code: 'UNAUTHORIZED', message: 'wrong access token' } });
          ws.close(4401, 'unauthorized');
          return;
        }
        authed = true;
        clearTimeout(authTimer);
        unsubscribe = options.engine.onEvent((event, payload) => {
          if (DROPPABLE.has(event) && ws.bufferedAmount > SLOW_CLIENT_BYTES) {
            droppedEvents++;
            return;
          }
          send(ws, { type: 'event', event, payload });
        });
        send(ws, { type: 'auth.ok' });
        return;
      }
      if (!authed) {
        send(ws, { type: 'response', id: msg.id, result: { ok: false, error: { code: 'UNAUTHORIZED', message: 'authenticate first' } } });
        return;
      }
      options.engine
        .dispatch(msg.channel, msg.payload)
        .then((result) => send(ws, { type: 'response', id: msg.id, result }))
        .catch((error: unknown) => {
          // dispatch never rejects; this is the last line of defence for the connection.
          log.error('dispatch rejected', { error });
          send(ws, { type: 'response', id: msg.id, result: { ok: false, error: { code: 'INTERNAL', message: 'internal error' } } });
        });
    });
    ws.on('close', () => {
      clearTimeout(authTimer);
      unsubscribe?.();
      if (droppedEvents > 0) log.info('slow socket client missed events', { droppedEvents });
    });
    ws.on('error', (error) => log.warn('socket error', { error }));
  };

  await new Promise<void>((resolvePromise, rejectPromise) => {
    server.once('error', rejectPromise);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectPromise);
      resolvePromise();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `http://${shownHost}:${port}/`;
  if (!loopbackOnly) {
    log.warn(`headless host bound to ${host}: reachable from other machines; prefer 127.0.0.1 and an SSH tunnel`);
  }
  log.info('headless host listening', { url });

  return {
    url,
    openUrl: `${url}#token=${token}`,
    token,
    port,
    get clients() {
      return wss.clients.size;
    },
    async close() {
      for (const ws of wss.clients) ws.close(1001, 'server closing');
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
