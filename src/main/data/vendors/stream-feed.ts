// The machinery every live vendor stream shares behind the MarketFeed seam: one websocket at a time,
// reconnects with jittered backoff, REST backfill of the minutes a reconnect missed, a stale watchdog
// for market hours, and a gate that keeps each symbol's bars moving forward. A vendor subclass only
// speaks its protocol: it says when the session is ready and turns vendor messages into domain events.
import WebSocket from 'ws';
import type { Bar, FeedHealthState, QuoteTick, Trade, TradeCorrection, TradingStatus } from '../../../shared/domain';
import { NyseCalendar, type SessionPart } from '../../calendar/nyse';
import type { CancelTimer, Clock } from '../../engine/clock';
import type { Logger } from '../../logging/logger';
import type { FeedSink, MarketFeed } from '../feed';
import { checkBar, checkQuote, checkTrade } from '../validate-bar';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { BarGate, type BarKind, type GateVerdict } from './bar-gate';
import { VendorRestError, type FetchFn, type MinuteBarSource } from './rest-bars';
import { StaleWatchdog } from './stale-watchdog';
import { minuteLabel } from './vendor-time';

const MINUTE = 60_000;

/** Why the stream dropped something; passed to `sink.dropped` and counted in `stats.dropped`. */
export type StreamDropReason =
  | 'malformed_json'
  | 'invalid_message'
  | 'handler_error'
  | Exclude<GateVerdict, 'pass'>
  | 'backfill_failed';

export interface VendorStreamOptions {
  /** The watchlist: what is subscribed and backfilled. */
  symbols: readonly string[];
  /** Must be the live clock: reconnect timers and the watchdog run on it. */
  clock: Clock;
  /** Tells the watchdog when silence matters; a default NYSE calendar when omitted. */
  calendar?: NyseCalendar;
  log?: Logger;
  /** Reconnect delays; default 500 ms doubling to 30 s, full jitter. */
  backoff?: BackoffPolicy;
  /** Uniform [0, 1) for the jitter; default Math.random, seeded in tests. */
  random?: () => number;
  /** Silence during market hours after which health turns stale; default per vendor (see subclasses). */
  staleAfterMs?: number;
  /** Parts of the day in which silence is stale; default ['regular']. */
  staleSessions?: readonly SessionPart[];
  /** A stale stream is pinged; no pong within this closes and reconnects it. Default 10 s. */
  pongTimeoutMs?: number;
  /** From opening the socket to a confirmed subscription; longer and the attempt is abandoned. Default 15 s. */
  sessionTimeoutMs?: number;
  /** Wait before trying again after the vendor's connection-limit refusal. Default 60 s. */
  connectionLimitRetryMs?: number;
  /** A connection that stayed up this long resets the backoff. Default 60 s. */
  stableAfterMs?: number;
  /** The longest gap a reconnect backfills; older minutes are left to the history loader. Default 8 h. */
  backfillMaxMs?: number;
  /** Per symbol, all pages together. Default 15 s. */
  backfillTimeoutMs?: number;
  /** The start of the last bar the caller already holds per symbol: the first session backfills after it. */
  resumeAfter?: Readonly<Record<string, number>>;
  /** Default global fetch. */
  fetch?: FetchFn;
}

export interface StreamStats {
  connects: number;
  reconnects: number;
  bars: number;
  corrections: number;
  backfilled: number;
  trades: number;
  /** Prints corrected (`c`) and voided (`x`: canceled or errored) by the vendor, passed on to the sink. */
  tradeCorrections: number;
  tradeCancels: number;
  quotes: number;
  statuses: number;
  dropped: Record<string, number>;
}

interface VendorParts {
  /** "Alpaca", "Polygon": how details name the vendor. */
  vendor: string;
  barSource: MinuteBarSource;
  /** How far behind real time the vendor's data runs (delayed plans); backfill stops there. */
  dataDelayMs?: number;
  staleAfterMs: number;
}

type CloseIntent = { kind: 'retry' | 'slow-retry' | 'fatal'; detail: string };
type Phase = 'idle' | 'connecting' | 'handshaking' | 'backfilling' | 'live' | 'stale' | 'waiting' | 'failed' | 'stopped';
interface Gap {
  symbol: string;
  from: number;
  to: number;
}

const seconds = (ms: number): string => (ms >= 10_000 ? `${Math.round(ms / 1000)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

function errorText(err: unknown): string {
  if (err instanceof VendorRestError) return err.message;
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : '';
    return causeText ? `${err.message} (${causeText})` : err.message;
  }
  return String(err);
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

export abstract class VendorStreamFeed implements MarketFeed {
  abstract readonly id: string;
  abstract readonly label: string;
  abstract readonly simulated: boolean;

  protected readonly vendor: string;
  protected readonly symbols: readonly string[];
  protected readonly clock: Clock;
  protected readonly log: Logger | null;

  private readonly barSource: MinuteBarSource;
  private readonly dataDelayMs: number;
  private readonly calendar: NyseCalendar;
  private readonly backoff: Backoff;
  private readonly gate: BarGate;
  private readonly watchdog: StaleWatchdog;
  private readonly pongTimeoutMs: number;
  private readonly sessionTimeoutMs: number;
  private readonly connectionLimitRetryMs: number;
  private readonly stableAfterMs: number;
  private readonly backfillMaxMs: number;
  private readonly backfillTimeoutMs: number;

  private sink: FeedSink | null = null;
  private phase: Phase = 'idle';
  private lastHealth: FeedHealthState = 'stopped';
  private ws: WebSocket | null = null;
  /** Bumped per socket: events from a socket we already gave up on are ignored. */
  private generation = 0;
  private closeIntent: CloseIntent | null = null;
  private lastSocketError: string | null = null;
  private liveSince: number | null = null;
  private reconnectTimer: CancelTimer | null = null;
  private sessionTimer: CancelTimer | null = null;
  private pongTimer: CancelTimer | null = null;
  private backfillAbort: AbortController | null = null;
  /** Live bars that arrive while a backfill runs wait here, so history reaches the sink first. */
  private pendingBars: Array<{ bar: Bar; kind: BarKind }> | null = null;
  private readonly dropLoggedAt = new Map<string, number>();
  private readonly counters: StreamStats = {
    connects: 0,
    reconnects: 0,
    bars: 0,
    corrections: 0,
    backfilled: 0,
    trades: 0,
    tradeCorrections: 0,
    tradeCancels: 0,
    quotes: 0,
    statuses: 0,
    dropped: {},
  };

  protected constructor(options: VendorStreamOptions, parts: VendorParts) {
    if (options.clock.kind !== 'live') {
      throw new Error(`the ${parts.vendor} stream needs the live clock (got a ${options.clock.kind} clock): it runs in real time`);
    }
    if (options.symbols.length === 0) throw new Error(`the ${parts.vendor} stream needs at least one symbol`);
    this.vendor = parts.vendor;
    this.symbols = [...new Set(options.symbols)];
    this.clock = options.clock;
    this.log = options.log ?? null;
    this.barSource = parts.barSource;
    this.dataDelayMs = parts.dataDelayMs ?? 0;
    this.calendar = options.calendar ?? new NyseCalendar();
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random ?? Math.random);
    this.gate = new BarGate(options.resumeAfter);
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 15_000;
    this.connectionLimitRetryMs = options.connectionLimitRetryMs ?? 60_000;
    this.stableAfterMs = options.stableAfterMs ?? 60_000;
    this.backfillMaxMs = options.backfillMaxMs ?? 8 * 3_600_000;
    this.backfillTimeoutMs = options.backfillTimeoutMs ?? 15_000;
    this.watchdog = new StaleWatchdog({
      clock: this.clock,
      calendar: this.calendar,
      staleAfterMs: options.staleAfterMs ?? parts.staleAfterMs,
      ...(options.staleSessions ? { sessions: options.staleSessions } : {}),
      onStale: (silentMs, first) => this.onStale(silentMs, first),
      onFresh: (silentMs) => this.onFresh(silentMs),
    });
  }

  /** Counters since construction, for diagnostics and tests. */
  get stats(): StreamStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }

  /** Resolves once the first connection attempt is under way; health reports the rest. */
  async start(sink: FeedSink): Promise<void> {
    if (this.phase !== 'idle' && this.phase !== 'stopped') throw new Error(`${this.label} is already started`);
    this.sink = sink;
    this.phase = 'connecting';
    this.health('connecting', `connecting to ${this.vendor} (${this.symbols.length} symbols)`);
    this.connect();
  }

  async stop(): Promise<void> {
    if (this.phase === 'idle' || this.phase === 'stopped') return;
    this.phase = 'stopped';
    this.reconnectTimer?.();
    this.reconnectTimer = null;
    this.endSession();
    const ws = this.ws;
    this.ws = null;
    this.generation++;
    if (ws) await this.closeSocket(ws);
    this.health('stopped', `${this.vendor} stream stopped`);
    this.sink = null;
  }

  // ---- for the vendor protocol -------------------------------------------------------------------

  protected abstract streamUrl(): string;
  /** One element of a frame (vendors send JSON arrays); validate it and call the emit helpers. */
  protected abstract handleItem(item: unknown): void;

  protected send(message: unknown): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  /** Authenticated and subscribed: backfill what a reconnect missed, then go live. */
  protected sessionReady(detail: string): void {
    if (this.phase !== 'handshaking') return;
    this.sessionTimer?.();
    this.sessionTimer = null;
    const gaps = this.gaps();
    if (gaps.length === 0) {
      this.goLive(detail);
      return;
    }
    this.phase = 'backfilling';
    this.pendingBars = [];
    const state = this.counters.connects > 1 ? 'reconnecting' : 'connecting';
    this.health(state, `${detail}; backfilling missed bars for ${gaps.map((g) => g.symbol).join(', ')}`);
    const controller = new AbortController();
    this.backfillAbort = controller;
    const gen = this.generation;
    void this.backfill(gaps, controller.signal).then(({ bars, failures }) => {
      if (gen !== this.generation || this.phase !== 'backfilling') return;
      this.backfillAbort = null;
      const pending = this.pendingBars ?? [];
      this.pendingBars = null;
      try {
        for (const failure of failures) this.drop('backfill_failed', failure);
        for (const bar of bars) this.passBar(bar, 'new', true);
        for (const p of pending) this.passBar(p.bar, p.kind, false);
      } catch (err) {
        // A sink that throws is a bug downstream; the stream itself is fine and goes on.
        this.log?.error(`${this.vendor} stream: the sink failed on backfilled bars`, { error: err });
      }
      const note = failures.length > 0 ? `; backfill failed for ${failures.length} symbol(s), gap remains` : '';
      this.goLive(`${detail}; backfilled ${bars.length} bar(s)${note}`);
    });
  }

  /**
   * Closes the current socket on purpose. `fatal` stays failed until restarted (bad key, plan
   * without the feed); `slow-retry` tries again after the connection-limit wait; `retry` backs off.
   */
  protected abandon(kind: CloseIntent['kind'], detail: string): void {
    if (!this.closeIntent) this.closeIntent = { kind, detail };
    this.ws?.terminate();
  }

  protected emitBar(bar: Bar, kind: BarKind): void {
    if (this.pendingBars) this.pendingBars.push({ bar, kind });
    else this.passBar(bar, kind, false);
  }

  // An unsound print or quote (a price no market shows, a negative size) goes to the data engine
  // uncounted here, like an unsound bar: the engine drops it and counts it by its reason.
  protected emitTrade(trade: Trade): void {
    if (checkTrade(trade) === null) this.counters.trades++;
    this.sink?.trade?.(trade);
  }

  protected emitTradeCorrection(correction: TradeCorrection): void {
    const sound = [correction.original, ...(correction.corrected ? [correction.corrected] : [])].every(
      (p) => checkTrade({ symbol: correction.symbol, time: correction.time, price: p.price, size: p.size }) === null,
    );
    if (sound) this.counters[correction.kind === 'correction' ? 'tradeCorrections' : 'tradeCancels']++;
    this.sink?.tradeCorrection?.(correction);
  }

  protected emitQuote(quote: QuoteTick): void {
    if (checkQuote(quote) === null) this.counters.quotes++;
    this.sink?.quote?.(quote);
  }

  protected emitStatus(status: TradingStatus): void {
    this.counters.statuses++;
    this.sink?.status?.(status);
  }

  protected drop(reason: StreamDropReason, detail: string): void {
    const count = (this.counters.dropped[reason] ?? 0) + 1;
    this.counters.dropped[reason] = count;
    this.sink?.dropped?.(reason, detail);
    // One log line per reason per minute: a vendor spewing garbage must not flood the log file.
    const now = this.clock.now();
    if (now - (this.dropLoggedAt.get(reason) ?? -Infinity) >= MINUTE) {
      this.dropLoggedAt.set(reason, now);
      this.log?.warn(`${this.vendor} stream dropped a message`, { reason, detail, count });
    }
  }

  // ---- connection lifecycle ----------------------------------------------------------------------

  private after(ms: number, fn: () => void): CancelTimer {
    return this.clock.at(this.clock.now() + ms, fn);
  }

  private health(state: FeedHealthState, detail: string): void {
    this.lastHealth = state;
    const level = state === 'failed' ? 'error' : state === 'live' || state === 'connecting' || state === 'stopped' ? 'info' : 'warn';
    this.log?.[level](`${this.vendor} stream ${state}`, { detail });
    this.sink?.health(state, detail);
  }

  private connect(): void {
    if (this.phase === 'stopped' || !this.sink) return;
    const gen = ++this.generation;
    this.closeIntent = null;
    this.lastSocketError = null;
    this.counters.connects++;
    if (this.lastHealth !== 'connecting' && this.lastHealth !== 'reconnecting') {
      this.health('connecting', `connecting to ${this.vendor} again`);
    }
    this.phase = 'connecting';
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.streamUrl(), { handshakeTimeout: this.sessionTimeoutMs });
    } catch (err) {
      // Only a malformed URL throws here: a configuration error no retry can fix.
      this.phase = 'failed';
      this.health('failed', `cannot open the ${this.vendor} stream: ${errorText(err)}`);
      return;
    }
    this.ws = ws;
    this.sessionTimer = this.after(this.sessionTimeoutMs, () => {
      if (gen !== this.generation || (this.phase !== 'connecting' && this.phase !== 'handshaking')) return;
      this.abandon('retry', `${this.vendor} did not confirm the subscription within ${seconds(this.sessionTimeoutMs)}`);
    });
    ws.on('open', () => {
      if (gen === this.generation && this.phase === 'connecting') this.phase = 'handshaking';
    });
    ws.on('message', (data) => {
      if (gen === this.generation) this.onFrame(data, gen);
    });
    ws.on('pong', () => {
      if (gen !== this.generation) return;
      this.pongTimer?.();
      this.pongTimer = null;
    });
    ws.on('error', (err) => {
      // 'close' always follows; keep the cause for its detail.
      if (gen === this.generation) this.lastSocketError = err.message;
    });
    ws.on('close', (code, reason) => this.onClose(gen, code, reason.toString('utf8')));
  }

  private onFrame(data: WebSocket.RawData, gen: number): void {
    this.watchdog.touch();
    const text = frameText(data);
    // A keep-alive frame (empty or one byte): it proves the connection lives, it is not a message.
    if (text.trim().length <= 1) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.drop('malformed_json', `${this.vendor} sent a frame that is not JSON: ${preview(text)}`);
      return;
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    for (const item of items) {
      // A message may close the session (an error code); the rest of its frame is moot.
      if (gen !== this.generation || this.closeIntent || this.phase === 'stopped') return;
      try {
        this.handleItem(item);
      } catch (err) {
        this.log?.error(`${this.vendor} stream failed to handle a message`, { error: err });
        this.drop('handler_error', `${this.vendor}: ${errorText(err)}`);
      }
    }
  }

  private onClose(gen: number, code: number, reason: string): void {
    if (gen !== this.generation) return;
    this.ws = null;
    this.endSession();
    if (this.phase === 'stopped') return;
    const now = this.clock.now();
    if (this.liveSince !== null && now - this.liveSince >= this.stableAfterMs) this.backoff.reset();
    this.liveSince = null;
    const intent = this.closeIntent ?? { kind: 'retry', detail: this.describeClose(code, reason) };
    this.closeIntent = null;
    if (intent.kind === 'fatal') {
      this.phase = 'failed';
      this.health('failed', intent.detail);
      return;
    }
    const delay = intent.kind === 'slow-retry' ? this.connectionLimitRetryMs : this.backoff.next();
    this.phase = 'waiting';
    if (intent.kind === 'slow-retry') this.health('failed', `${intent.detail}; retrying in ${seconds(delay)}`);
    else this.health('reconnecting', `${intent.detail}; reconnecting in ${seconds(delay)} (attempt ${this.backoff.attempts})`);
    this.reconnectTimer = this.after(delay, () => {
      this.reconnectTimer = null;
      this.counters.reconnects++;
      this.connect();
    });
  }

  private describeClose(code: number, reason: string): string {
    if (this.lastSocketError) return `connection to ${this.vendor} lost: ${this.lastSocketError}`;
    return `${this.vendor} closed the connection (code ${code}${reason ? `, ${reason}` : ''})`;
  }

  /** Clears everything tied to the current socket. */
  private endSession(): void {
    this.sessionTimer?.();
    this.sessionTimer = null;
    this.pongTimer?.();
    this.pongTimer = null;
    this.watchdog.stop();
    this.backfillAbort?.abort();
    this.backfillAbort = null;
    // Bars held for a backfill that will not finish: the next session's backfill covers their minutes.
    this.pendingBars = null;
  }

  private closeSocket(ws: WebSocket): Promise<void> {
    return new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) {
        resolve();
        return;
      }
      const force = this.after(1_000, () => ws.terminate());
      ws.once('close', () => {
        force();
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'client stopping');
      else ws.terminate();
    });
  }

  private goLive(detail: string): void {
    this.phase = 'live';
    this.liveSince = this.clock.now();
    this.watchdog.start();
    this.health('live', detail);
  }

  private onStale(silentMs: number, first: boolean): void {
    if (this.phase !== 'live' && this.phase !== 'stale') return;
    if (first) {
      this.phase = 'stale';
      this.health('stale', `no message from ${this.vendor} for ${seconds(silentMs)} during market hours`);
    }
    // Silence may be a quiet vendor or a dead TCP connection; only a ping tells them apart.
    const ws = this.ws;
    if (!ws || this.pongTimer) return;
    try {
      ws.ping();
    } catch {
      return;
    }
    this.pongTimer = this.after(this.pongTimeoutMs, () => {
      this.pongTimer = null;
      this.abandon('retry', `${this.vendor} went silent and did not answer a ping within ${seconds(this.pongTimeoutMs)}`);
    });
  }

  private onFresh(silentMs: number): void {
    if (this.phase !== 'stale') return;
    this.phase = 'live';
    this.health('live', `messages from ${this.vendor} resumed after ${seconds(silentMs)} of silence`);
  }

  // ---- bars and backfill -------------------------------------------------------------------------

  private passBar(bar: Bar, kind: BarKind, backfilled: boolean): void {
    // A bar unsound on its own goes to the data engine, which drops it and counts it by its reason;
    // it does not move the gate, so a sound bar for the same minute can still follow.
    if (checkBar(bar) !== null) {
      this.sink?.bar(bar);
      return;
    }
    const verdict = this.gate.admit(bar, kind);
    if (verdict !== 'pass') {
      this.drop(verdict, `${this.vendor} ${bar.symbol} bar ${minuteLabel(bar.start)}${kind === 'correction' ? ' (correction)' : ''}`);
      return;
    }
    if (backfilled) this.counters.backfilled++;
    else if (kind === 'correction') this.counters.corrections++;
    else this.counters.bars++;
    this.sink?.bar(bar);
  }

  /** The closed minutes each symbol missed since its last bar, up to the vendor's data horizon. */
  private gaps(): Gap[] {
    const horizon = this.clock.now() - this.dataDelayMs;
    const to = Math.floor(horizon / MINUTE) * MINUTE - MINUTE; // the last minute that has closed
    const floor = Math.floor((horizon - this.backfillMaxMs) / MINUTE) * MINUTE;
    const out: Gap[] = [];
    for (const symbol of this.symbols) {
      const last = this.gate.last(symbol);
      if (last === undefined) continue;
      const from = Math.max(last + MINUTE, floor);
      if (from <= to) out.push({ symbol, from, to });
    }
    return out;
  }

  private async backfill(gaps: readonly Gap[], signal: AbortSignal): Promise<{ bars: Bar[]; failures: string[] }> {
    const fetched: Bar[] = [];
    const failures: string[] = [];
    let next = 0;
    // A few symbols at a time: quick after a reconnect, well inside the vendors' rate limits.
    const worker = async (): Promise<void> => {
      while (next < gaps.length && !signal.aborted) {
        const gap = gaps[next++]!;
        try {
          const bars = await this.barSource.fetchMinuteBars(
            gap.symbol,
            gap.from,
            gap.to,
            AbortSignal.any([signal, AbortSignal.timeout(this.backfillTimeoutMs)]),
          );
          fetched.push(...bars.filter((b) => b.start >= gap.from && b.start <= gap.to));
        } catch (err) {
          if (signal.aborted) return;
          failures.push(`${this.vendor} backfill ${gap.symbol} ${minuteLabel(gap.from)}–${minuteLabel(gap.to)}: ${errorText(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, gaps.length) }, () => worker()));
    const rank = new Map(this.symbols.map((s, i) => [s, i]));
    fetched.sort((a, b) => a.start - b.start || (rank.get(a.symbol) ?? 0) - (rank.get(b.symbol) ?? 0));
    return { bars: fetched, failures };
  }
}
