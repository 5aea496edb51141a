// Alpaca's trade_updates socket: the documented login and listen handshake (with a time limit), a ping
// and a staleness watchdog that drops a half-open socket, reconnects with jittered backoff, and the
// frames it carries: keep-alive bytes counted, malformed frames dropped and counted, each trade update
// handed on as it came (the broker turns it into order events). It knows nothing of orders.
import WebSocket from 'ws';
import type { Secret } from '../config/secret';
import type { Backoff } from '../data/vendors/backoff';
import { describeIssues, streamMessageSchema } from './alpaca-schemas';

export type AlpacaStreamState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'unauthorized' | 'stopped';

/** What the socket itself counts (the broker adds what it finds in the updates). */
export interface TradeStreamCounters {
  malformed: number;
  reconnects: number;
  /** Keep-alive frames (empty or one byte) the stream sent: not malformed. */
  heartbeats: number;
  /** Sockets dropped because they went silent (no frame, no pong) or never finished the handshake. */
  stale: number;
}

export interface TradeStreamOptions {
  url: string;
  keyId: Secret;
  secretKey: Secret;
  backoff: Backoff;
  /** The counters it adds to (shared with the broker's stream stats). */
  counters: TradeStreamCounters;
  /** From opening the socket to the `listening` answer. Default 15 000. */
  handshakeTimeoutMs?: number;
  /** Ping interval. Default 10 000. */
  pingIntervalMs?: number;
  /** No frame and no pong for this long and the socket is taken for dead. Default 30 000. */
  staleAfterMs?: number;
  /** A trade_updates payload, unparsed (the broker validates it). */
  onUpdate: (data: unknown) => void;
  /** The stream is (again) live: trade_updates granted. */
  onLive: () => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class AlpacaTradeStream {
  private ws: WebSocket | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** The handshake timer and the heartbeat of the current socket (cleared when it closes). */
  private handshakeTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private everLive = false;
  private current: AlpacaStreamState = 'idle';

  constructor(private readonly o: TradeStreamOptions) {}

  get state(): AlpacaStreamState {
    return this.current;
  }

  /** Opens the socket; it reconnects by itself until `stop()`. */
  start(): void {
    if (this.current !== 'idle' && this.current !== 'stopped') return;
    this.connect();
  }

  stop(): void {
    this.current = 'stopped';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.endSocketTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
  }

  private connect(): void {
    const { o } = this;
    this.current = this.everLive ? 'reconnecting' : 'connecting';
    const handshakeMs = o.handshakeTimeoutMs ?? 15_000;
    const ws = new WebSocket(o.url, { handshakeTimeout: handshakeMs });
    this.ws = ws;
    this.lastHeard = Date.now();
    this.handshakeTimer = setTimeout(() => {
      this.handshakeTimer = null;
      if (this.ws !== ws || this.current === 'live') return;
      this.dropSocket(ws, `no authorization and listening answer within ${handshakeMs} ms`);
    }, handshakeMs);
    this.handshakeTimer.unref?.();
    ws.on('open', () => {
      // The trading stream's documented login (alpaca-py, alpaca-trade-api-js): not the market-data form.
      ws.send(JSON.stringify({ action: 'authenticate', data: { key_id: o.keyId.reveal(), secret_key: o.secretKey.reveal() } }));
      this.startHeartbeat(ws);
    });
    ws.on('pong', () => {
      if (this.ws === ws) this.lastHeard = Date.now();
    });
    ws.on('message', (data) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      this.onText(ws, Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8'));
    });
    ws.on('error', (err) => o.log('warn', `alpaca stream error: ${err.message}`));
    ws.on('close', () => {
      if (this.ws !== ws || this.current === 'stopped') return;
      this.ws = null;
      this.endSocketTimers();
      if (this.current === 'unauthorized') return;
      const delay = o.backoff.next();
      this.current = 'reconnecting';
      o.log('warn', `alpaca stream closed; reconnecting in ${delay} ms`);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        if (this.current !== 'stopped') this.connect();
      }, delay);
    });
  }

  /** Pings the socket and drops it when nothing (no frame, no pong) came back for `staleAfterMs`: a half-open socket closes nothing by itself. */
  private startHeartbeat(ws: WebSocket): void {
    const every = this.o.pingIntervalMs ?? 10_000;
    const staleAfter = this.o.staleAfterMs ?? 30_000;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (this.ws !== ws) return;
      const silent = Date.now() - this.lastHeard;
      if (silent >= staleAfter) {
        this.dropSocket(ws, `silent for ${silent} ms (no frame, no pong)`);
        return;
      }
      try {
        ws.ping();
      } catch {
        // Not open (yet or any more): 'close' follows.
      }
    }, Math.max(10, Math.min(every, Math.floor(staleAfter / 2))));
    this.heartbeat.unref?.();
  }

  /** Ends a socket that is no use (silent, or stuck in the handshake): its 'close' reconnects. */
  private dropSocket(ws: WebSocket, why: string): void {
    this.o.counters.stale++;
    this.o.log('warn', `alpaca stream ${why}; dropping it and reconnecting`);
    this.endSocketTimers();
    ws.terminate();
  }

  private endSocketTimers(): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private onText(ws: WebSocket, text: string): void {
    const { o } = this;
    if (text.trim().length <= 1) {
      // A keep-alive frame (empty or one byte), not a message.
      o.counters.heartbeats++;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      o.counters.malformed++;
      o.log('warn', 'alpaca stream: a frame that is not JSON was dropped');
      return;
    }
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      const msg = streamMessageSchema.safeParse(item);
      if (!msg.success) {
        o.counters.malformed++;
        o.log('warn', `alpaca stream: malformed message dropped (${describeIssues(msg.error)})`);
        continue;
      }
      const m = msg.data;
      if (m.stream === 'authorization') {
        if (m.data.status === 'authorized') {
          ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
        } else {
          this.current = 'unauthorized';
          o.log('error', 'alpaca stream: authorization refused; not reconnecting (check the API keys)');
          ws.close();
        }
      } else if (m.stream === 'listening') {
        if (!m.data.streams.includes('trade_updates')) {
          o.log('error', 'alpaca stream: trade_updates not granted');
          continue;
        }
        const reconnected = this.everLive;
        this.everLive = true;
        this.current = 'live';
        if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
        this.handshakeTimer = null;
        o.backoff.reset();
        if (reconnected) o.counters.reconnects++;
        o.log('info', `alpaca stream live: trade_updates granted${reconnected ? ' again after a reconnect' : ''}`);
        o.onLive();
      } else {
        o.onUpdate(m.data);
      }
    }
  }
}
