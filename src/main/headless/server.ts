// The headless host's server: serves the built renderer and carries the IPC contract over a
// WebSocket on the same origin. Loopback by default, a random token required on the socket, the
// Origin and Host headers checked (no cross-site or DNS-rebinding page can drive the engine).
// A bind other than loopback needs TLS and accepts only the origins it was configured with.
// Every client's send queue is bounded (a client that stops reading is dropped with close code
// 4008), connections, socket clients, header and auth time are limited, every response carries
// the security headers, and the configured secrets are scrubbed out of everything sent.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
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
import { SocketCloseCodes } from '../../shared/socket-close';
import type { EngineHost } from '../engine/host-api';
import { containsSecret, scrubSecrets, scrubSecretsInText } from '../engine/scrub';
import type { Logger } from '../logging/logger';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** On every HTTP response the host sends, errors included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

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
const DROPPABLE: ReadonlySet<EventName> = new Set<EventName>(['market.bar', 'market.quote', 'market.overlay', 'clock.tick']);

export interface HeadlessLimits {
  /** Bytes queued to one client above which droppable market events are skipped for it. */
  dropEventsAboveBytes: number;
  /** Bytes queued to one client (responses included) above which it is closed with 4008. */
  maxQueuedBytes: number;
  /** How long a client being closed gets to take its close frame before the socket is destroyed. */
  closeGraceMs: number;
  /** Requests of one client being answered at once; more are refused until answers go out. */
  maxInFlightRequests: number;
  /** Open WebSocket clients, authenticated or not; more upgrades get 503. */
  maxClients: number;
  /** Open TCP connections of any kind (server.maxConnections); more are dropped on accept. */
  maxConnections: number;
  /** A socket that has not authenticated within this is closed (4401). */
  authTimeoutMs: number;
  /** Time to receive a request's headers (also the TLS handshake's limit). */
  headersTimeoutMs: number;
  /** Time to receive a whole request. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: Readonly<HeadlessLimits> = {
  dropEventsAboveBytes: 4 * 1024 * 1024,
  maxQueuedBytes: 32 * 1024 * 1024,
  closeGraceMs: 5_000,
  maxInFlightRequests: 64,
  maxClients: 16,
  maxConnections: 128,
  authTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};

export interface HeadlessTls {
  /** PEM certificate (chain). */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
}

export interface SlowClientInfo {
  /** What was queued to the client when it was dropped. */
  queuedBytes: number;
  /** The size of the message that would have gone past the limit. */
  nextMessageBytes: number;
  limitBytes: number;
}

export interface HeadlessServerOptions {
  engine: EngineHost;
  rendererDir: string;
  host?: string;
  port?: number;
  /** A fixed token (tests); a random 32-byte one by default. */
  token?: string;
  /** Extra origins allowed on the socket, e.g. 'https://workstation.lan:8787'. */
  allowedOrigins?: readonly string[];
  /** Serve https and wss. Required for any bind other than loopback. */
  tls?: HeadlessTls;
  limits?: Partial<HeadlessLimits>;
  /** Called when a client is dropped for falling behind (after the log line). */
  onSlowClient?: (info: SlowClientInfo) => void;
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

/** The host cannot start with these options; the message says what to change (exit code 2). */
export class HeadlessStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeadlessStartError';
  }
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '' || h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0';
}

/** The normalised host name of a Host header ("[::1]:8787" → "[::1]", "Evil.Example" → "evil.example"), or null. */
function hostnameOf(hostHeader: string): string | null {
  try {
    const url = new URL(`http://${hostHeader}`);
    // Anything beyond host[:port] (a path, user info) is not a Host header.
    if (url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') return null;
    return url.hostname;
  } catch {
    return null;
  }
}

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AccessPolicy {
  /** Whether a request with this Host header is served at all (defeats DNS rebinding). */
  hostAllowed(hostHeader: string | undefined): boolean;
  /** Whether a browser page of this origin may open the socket (Host already allowed). */
  originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean;
}

/**
 * Which Host and Origin headers the host accepts. Loopback names are always served and a page
 * from a loopback name is this server's own (no remote page can make a browser send them). On a
 * bind other than loopback, any other name must be configured: the bind address itself, or the
 * host of an `--allow-origin`; and an Origin must be exactly a configured one, never derived from
 * the request's own Host header, which an attacker chooses.
 */
export function createAccessPolicy(options: {
  bindHost: string;
  port: number;
  scheme: 'http' | 'https';
  allowedOrigins: readonly string[];
}): AccessPolicy {
  const { scheme, port } = options;
  const loopbackBind = isLoopbackHost(options.bindHost);
  const origins = new Set<string>();
  for (const o of options.allowedOrigins) {
    const normal = originOf(o);
    if (normal !== null) origins.add(normal);
  }
  if (!loopbackBind && !isWildcardHost(options.bindHost)) {
    const literal = options.bindHost.includes(':') && !options.bindHost.startsWith('[') ? `[${options.bindHost}]` : options.bindHost;
    const own = originOf(`${scheme}://${literal}:${port}`);
    if (own !== null) origins.add(own);
  }
  const names = new Set<string>();
  for (const o of origins) names.add(new URL(o).hostname);

  return {
    hostAllowed(hostHeader) {
      if (hostHeader === undefined) return false;
      const name = hostnameOf(hostHeader);
      if (name === null) return false;
      return isLoopbackHost(name) || names.has(name);
    },
    originAllowed(origin, hostHeader) {
      if (origin === undefined) return true; // not a browser; the token still guards the socket
      const normal = originOf(origin);
      if (normal === null) return false;
      if (origins.has(normal)) return true;
      // The page's own origin when it was loaded through a loopback name (an SSH tunnel, say).
      if (hostHeader === undefined) return false;
      const name = hostnameOf(hostHeader);
      if (name === null || !isLoopbackHost(name)) return false;
      return normal === originOf(`${scheme}://${hostHeader}`);
    },
  };
}

interface Client {
  ws: WebSocket;
  authed: boolean;
  /** Being closed for falling behind: nothing more is sent or read. */
  lagging: boolean;
  inFlight: number;
  droppedEvents: number;
}

export async function startHeadlessServer(options: HeadlessServerOptions): Promise<HeadlessServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererRoot = resolve(options.rendererDir);
  const loopbackOnly = isLoopbackHost(host);
  const log = options.logger.child('headless');
  const limits: HeadlessLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const scheme = options.tls ? 'https' : 'http';
  const engine = options.engine;

  if (!loopbackOnly && !options.tls) {
    throw new HeadlessStartError(
      `refusing to bind to ${host} without TLS: the token would cross the network in clear text. ` +
        'Give --tls-cert FILE and --tls-key FILE, or bind to 127.0.0.1 and use an SSH tunnel (ssh -L 8787:127.0.0.1:8787 workstation).',
    );
  }
  for (const origin of options.allowedOrigins ?? []) {
    if (originOf(origin) === null) throw new HeadlessStartError('an --allow-origin value is not an origin such as https://workstation.lan:8787');
  }

  // Needs the port, known once listening; until then nothing is served.
  let policy: AccessPolicy = { hostAllowed: () => false, originAllowed: () => false };

  /** The message as JSON with every configured secret scrubbed out; null when it cannot be sent. */
  const serialize = (message: ServerMessage): string | null => {
    try {
      const secrets = engine.secrets();
      let text = JSON.stringify(scrubSecrets(message, secrets));
      // toJSON() output is not walked above; text-level scrubbing catches whatever it produced.
      if (containsSecret(text, secrets)) {
        text = scrubSecretsInText(text, secrets);
        JSON.parse(text); // still one valid message, or it is not sent
      }
      return text;
    } catch (error) {
      log.error('an outgoing message could not be serialized; withheld', { error });
      return null;
    }
  };

  const serveStatic = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://local');
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('bad path');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = normalize(join(rendererRoot, rel));
    if (file !== rendererRoot && !file.startsWith(rendererRoot + sep)) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('forbidden');
      return;
    }
    let body: Buffer;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      body = await readFile(file);
    } catch {
      // The path is not repeated back: a 404 page that echoes input is a reflection vector.
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': body.length,
      'Cache-Control': type.startsWith('text/html') ? 'no-store' : 'max-age=300',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    // Set first, so every response below (errors included) carries them.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('Cache-Control', 'no-store');
    if (!policy.hostAllowed(req.headers.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('this host name is not served');
      return;
    }
    serveStatic(req, res).catch((error: unknown) => {
      log.error('static file failed', { error });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('internal error');
      else res.destroy();
    });
  };

  // Node checks the header and request timeouts on this interval; a short timeout needs a short one.
  const checkEveryMs = Math.max(25, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
  let server: Server;
  if (options.tls) {
    try {
      server = createHttpsServer({
        cert: options.tls.cert,
        key: options.tls.key,
        handshakeTimeout: limits.headersTimeoutMs,
        connectionsCheckingInterval: checkEveryMs,
      }, onRequest) as unknown as Server;
    } catch (error) {
      // OpenSSL's reason, never the file's content.
      const reason = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : 'unreadable';
      throw new HeadlessStartError(`the TLS certificate or key could not be used (${reason}); give a PEM certificate and its PEM private key`);
    }
  } else {
    server = createHttpServer({ connectionsCheckingInterval: checkEveryMs }, onRequest);
  }
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  let droppedConnections = 0;
  server.on('drop', () => {
    droppedConnections++;
    if (droppedConnections === 1 || droppedConnections % 1000 === 0) {
      log.warn('connection refused: too many open connections', { limit: limits.maxConnections, refusedSoFar: droppedConnections });
    }
  });
  if (options.tls) {
    // A failed handshake (a plain-http client, a scanner) is the peer's problem, not an error of ours.
    server.on('tlsClientError', (_error: Error, socket: { destroy(): void }) => socket.destroy());
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const clients = new Set<Client>();

  /** Closes with a code, and destroys the socket if the peer does not take the close frame in time. */
  const closeWithin = (ws: WebSocket, code: number, reason: string): void => {
    if (ws.readyState === ws.CLOSED) return;
    const timer = setTimeout(() => ws.terminate(), limits.closeGraceMs);
    ws.once('close', () => clearTimeout(timer));
    try {
      ws.close(code, reason);
    } catch {
      ws.terminate();
    }
  };

  const dropSlowClient = (client: Client, nextMessageBytes: number): void => {
    client.lagging = true;
    const info: SlowClientInfo = { queuedBytes: client.ws.bufferedAmount, nextMessageBytes, limitBytes: limits.maxQueuedBytes };
    log.warn('socket client fell too far behind; closing it', { ...info });
    closeWithin(client.ws, SocketCloseCodes.TOO_SLOW, 'too slow');
    options.onSlowClient?.(info);
  };

  /** Queues one serialized message to a client, within the client's queue limits. */
  const deliver = (client: Client, data: string, droppable: boolean): void => {
    const ws = client.ws;
    if (client.lagging || ws.readyState !== ws.OPEN) return;
    const queued = ws.bufferedAmount;
    if (droppable && queued > limits.dropEventsAboveBytes) {
      client.droppedEvents++;
      return;
    }
    // A message on an empty queue always goes (no answer may be undeliverable); past that the
    // queue may not grow beyond the limit.
    if (queued > 0 && queued + data.length > limits.maxQueuedBytes) {
      dropSlowClient(client, data.length);
      return;
    }
    ws.send(data);
  };

  const send = (client: Client, message: ServerMessage): void => {
    const data = serialize(message);
    if (data !== null) deliver(client, data, false);
    else if (message.type === 'response') {
      const fallback = serialize({ type: 'response', id: message.id, result: { ok: false, error: { code: 'INTERNAL', message: 'the answer could not be sent' } } });
      if (fallback !== null) deliver(client, fallback, false);
    }
  };
  const sendError = (client: Client, error: AppError): void => send(client, { type: 'error', error });

  // One engine subscription for all clients: each event is scrubbed and serialized once.
  const unsubscribeEngine = engine.onEvent((event, payload) => {
    let any = false;
    for (const c of clients) if (c.authed && !c.lagging) any = true;
    if (!any) return;
    const data = serialize({ type: 'event', event, payload });
    if (data === null) return;
    const droppable = DROPPABLE.has(event);
    for (const c of clients) if (c.authed) deliver(c, data, droppable);
  });

  const onConnection = (ws: WebSocket): void => {
    const client: Client = { ws, authed: false, lagging: false, inFlight: 0, droppedEvents: 0 };
    clients.add(client);
    const authTimer = setTimeout(() => {
      if (!client.authed) {
        log.warn('socket closed: no auth message in time', { timeoutMs: limits.authTimeoutMs });
        send(client, { type: 'auth.error', error: { code: 'UNAUTHORIZED', message: `no auth message within ${limits.authTimeoutMs} ms` } });
        closeWithin(ws, SocketCloseCodes.UNAUTHORIZED, 'unauthorized');
      }
    }, limits.authTimeoutMs);

    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (client.lagging) return;
      if (isBinary) return sendError(client, { code: 'BAD_MESSAGE', message: 'binary frames are not accepted; send JSON text' });
      let json: unknown;
      try {
        json = JSON.parse(raw.toString());
      } catch {
        return sendError(client, { code: 'BAD_MESSAGE', message: 'the message is not valid JSON' });
      }
      const parsed = ClientMessageSchema.safeParse(json);
      if (!parsed.success) {
        return sendError(client, { code: 'BAD_MESSAGE', message: `malformed message: ${describeZodError(parsed.error)}` });
      }
      const msg = parsed.data;
      if (msg.type === 'auth') {
        if (client.authed) return;
        if (!tokensEqual(msg.token, token)) {
          log.warn('socket auth failed: wrong token');
          send(client, { type: 'auth.error', error: { code: 'UNAUTHORIZED', message: 'wrong access token' } });
          closeWithin(ws, SocketCloseCodes.UNAUTHORIZED, 'unauthorized');
          return;
        }
        client.authed = true;
        clearTimeout(authTimer);
        send(client, { type: 'auth.ok' });
        return;
      }
      if (!client.authed) {
        send(client, { type: 'response', id: msg.id, result: { ok: false, error: { code: 'UNAUTHORIZED', message: 'authenticate first' } } });
        return;
      }
      if (client.inFlight >= limits.maxInFlightRequests) {
        send(client, {
          type: 'response',
          id: msg.id,
          result: { ok: false, error: { code: 'REFUSED', message: `too many requests at once (${limits.maxInFlightRequests}); wait for the answers` } },
        });
        return;
      }
      client.inFlight++;
      engine
        .dispatch(msg.channel, msg.payload)
        .then((result) => send(client, { type: 'response', id: msg.id, result }))
        .catch((error: unknown) => {
          // dispatch never rejects; this is the last line of defence for the connection.
          log.error('dispatch rejected', { error });
          send(client, { type: 'response', id: msg.id, result: { ok: false, error: { code: 'INTERNAL', message: 'internal error' } } });
        })
        .finally(() => {
          client.inFlight--;
        });
    });
    ws.on('close', () => {
      clearTimeout(authTimer);
      clients.delete(client);
      if (client.droppedEvents > 0) log.info('slow socket client missed events', { droppedEvents: client.droppedEvents });
    });
    ws.on('error', (error) => log.warn('socket error', { error }));
  };

  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const reject = (status: number, text: string): void => {
      log.warn('socket upgrade refused', { status, text, origin: req.headers.origin ?? null });
      // The same headers as every HTTP response of the host (the text is ours, never the request's).
      const headers = { Connection: 'close', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store', ...SECURITY_HEADERS };
      const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.end(`HTTP/1.1 ${status} ${text}\r\n${head}\r\n${text}`);
    };
    socket.on('error', () => undefined); // a peer that resets mid-handshake is not our error
    if (path !== SOCKET_PATH) return reject(404, 'Not Found');
    if (!policy.hostAllowed(req.headers.host)) return reject(421, 'Misdirected Request');
    if (!policy.originAllowed(req.headers.origin, req.headers.host)) return reject(403, 'Forbidden origin');
    if (wss.clients.size >= limits.maxClients) return reject(503, 'Too many clients');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  await new Promise<void>((resolvePromise, rejectPromise) => {
    server.once('error', rejectPromise);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectPromise);
      resolvePromise();
    });
  }).catch((error: unknown) => {
    unsubscribeEngine();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  policy = createAccessPolicy({ bindHost: host, port, scheme, allowedOrigins: options.allowedOrigins ?? [] });
  const bare = host.replace(/^\[|\]$/g, '');
  const shownHost = bare === '0.0.0.0' || bare === '' ? '127.0.0.1' : bare === '::' ? '[::1]' : bare.includes(':') ? `[${bare}]` : bare;
  const url = `${scheme}://${shownHost}:${port}/`;
  if (!loopbackOnly) {
    log.warn(`headless host bound to ${host} over TLS: reachable from other machines; prefer 127.0.0.1 and an SSH tunnel`);
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
      unsubscribeEngine();
      for (const ws of wss.clients) ws.close(1001, 'server closing');
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
