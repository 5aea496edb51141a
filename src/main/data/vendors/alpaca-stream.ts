// Alpaca market data stream v2 (wss://stream.data.alpaca.markets/v2/{iex|sip}) behind the MarketFeed
// seam: minute bars, updated (corrected) bars, trades, quotes and trading statuses, with gaps after
// a reconnect filled from Alpaca's REST bars endpoint.
import { z } from 'zod';
import type { Bar } from '../../../shared/domain';
import { AlpacaBarsClient, type SecretValue } from './rest-bars';
import { VendorStreamFeed, type VendorStreamOptions } from './stream-feed';
import { parseRfc3339 } from './vendor-time';

export type AlpacaDataFeed = 'iex' | 'sip';

export interface AlpacaStreamOptions extends VendorStreamOptions {
  keyId: SecretValue;
  secretKey: SecretValue;
  /** Default 'iex' (free plan); 'sip' needs a paid market-data subscription. */
  feed?: AlpacaDataFeed;
  /** Default wss://stream.data.alpaca.markets/v2/{feed}. */
  streamUrl?: string;
  /** Default https://data.alpaca.markets. */
  restBaseUrl?: string;
  /** Channels beyond bars and updated bars; all off by default. */
  channels?: { trades?: boolean; quotes?: boolean; statuses?: boolean };
}

// Documented error codes (stream v2). Every other code is treated as transient.
const AUTH_FAILED = 402;
const ALREADY_AUTHENTICATED = 403;
const SYMBOL_LIMIT = 405;
const CONNECTION_LIMIT = 406;
const INSUFFICIENT_SUBSCRIPTION = 409;
/** "invalid subscribe action for this feed": a channel this stream does not have; the same subscribe fails again. */
const INVALID_SUBSCRIBE_ACTION = 410;
/** Insufficient scope: the key may not read this stream; as fatal as 402 and 409. */
const INSUFFICIENT_SCOPE = 411;
/** A 406 this soon after our own connection dropped is most likely that connection, not yet released. */
const OWN_CONNECTION_GRACE_TRIES = 3;

// Trading-status codes that stop trading (CTA '2' halt; UTP 'H' halt, 'P' volatility pause,
// 'Q' quotation-only resumption) and that resume it (CTA '3', UTP 'T'). Other codes (imbalances,
// short-sale restriction, LULD notices) leave the halted flag as it was.
const HALT_CODES = new Set(['2', 'H', 'P', 'Q']);
const RESUME_CODES = new Set(['3', 'T']);

const Rfc3339 = z.string().transform((s, ctx) => {
  const ms = parseRfc3339(s);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `not an RFC-3339 time: ${s.slice(0, 40)}` });
    return z.NEVER;
  }
  return ms;
});
const Ticker = z.string().min(1).max(32);

const SuccessMsg = z.object({ T: z.literal('success'), msg: z.string() });
const ErrorMsg = z.object({ T: z.literal('error'), code: z.number().int(), msg: z.string() });
const SubscriptionMsg = z.object({ T: z.literal('subscription'), bars: z.array(z.string()).optional() });
const BarMsg = z.object({
  T: z.enum(['b', 'u']),
  S: Ticker,
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  t: Rfc3339,
  n: z.number().optional(),
  vw: z.number().optional(),
});
const TradeMsg = z.object({ T: z.literal('t'), S: Ticker, i: z.number().optional(), p: z.number(), s: z.number(), t: Rfc3339 });
/** A trade correction: the print `oi` (at op × os) is now `ci` (at cp × cs). */
const CorrectionMsg = z.object({
  T: z.literal('c'),
  S: Ticker,
  oi: z.number().optional(),
  op: z.number(),
  os: z.number(),
  ci: z.number().optional(),
  cp: z.number(),
  cs: z.number(),
  t: Rfc3339,
});
/** A trade cancel or error: the print `i` (at p × s) is void; `a` is "C" (cancel) or "E" (error). */
const CancelErrorMsg = z.object({ T: z.literal('x'), S: Ticker, i: z.number().optional(), p: z.number(), s: z.number(), a: z.enum(['C', 'E']), t: Rfc3339 });
const QuoteMsg = z.object({ T: z.literal('q'), S: Ticker, bp: z.number(), bs: z.number(), ap: z.number(), as: z.number(), t: Rfc3339 });
const StatusMsg = z.object({
  T: z.literal('s'),
  S: Ticker,
  sc: z.string(),
  sm: z.string().optional(),
  rc: z.string().optional(),
  rm: z.string().optional(),
  t: Rfc3339,
});

const SCHEMAS = {
  success: SuccessMsg,
  error: ErrorMsg,
  subscription: SubscriptionMsg,
  b: BarMsg,
  u: BarMsg,
  t: TradeMsg,
  c: CorrectionMsg,
  x: CancelErrorMsg,
  q: QuoteMsg,
  s: StatusMsg,
} as const;
type KnownType = keyof typeof SCHEMAS;
const isKnown = (t: string): t is KnownType => Object.hasOwn(SCHEMAS, t);

export class AlpacaStreamFeed extends VendorStreamFeed {
  readonly id = 'alpaca';
  readonly label: string;
  readonly simulated = false;

  private readonly options: AlpacaStreamOptions;
  private readonly feed: AlpacaDataFeed;
  private readonly halted = new Map<string, boolean>();
  private readonly ignoredTypes = new Set<string>();
  /** Whether a session ever subscribed, and the 406s since: a reconnect's 406 is retried soon a few times. */
  private everSubscribed = false;
  private ownConnectionTries = 0;

  constructor(options: AlpacaStreamOptions) {
    const feed = options.feed ?? 'iex';
    const ticks = options.channels?.trades === true || options.channels?.quotes === true;
    super(options, {
      vendor: 'Alpaca',
      barSource: new AlpacaBarsClient({
        keyId: options.keyId,
        secretKey: options.secretKey,
        feed,
        ...(options.restBaseUrl ? { baseUrl: options.restBaseUrl } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      // Bars alone arrive once a minute per symbol (and not at all for a minute without trades on
      // IEX), so a bars-only stream gets a longer leash than one carrying trades and quotes.
      staleAfterMs: ticks ? 30_000 : 150_000,
    });
    this.options = options;
    this.feed = feed;
    this.label = `Alpaca ${feed.toUpperCase()} (live market data)`;
  }

  protected streamUrl(): string {
    return this.options.streamUrl ?? `wss://stream.data.alpaca.markets/v2/${this.feed}`;
  }

  protected handleItem(item: unknown): void {
    const type = typeof item === 'object' && item !== null ? (item as { T?: unknown }).T : undefined;
    if (typeof type !== 'string') {
      this.drop('invalid_message', `Alpaca message without a type: ${JSON.stringify(item)?.slice(0, 80)}`);
      return;
    }
    if (!isKnown(type)) {
      // Daily bars, LULD, imbalances: channels we do not subscribe to.
      if (!this.ignoredTypes.has(type)) {
        this.ignoredTypes.add(type);
        this.log?.debug('Alpaca stream ignores a message type', { type });
      }
      return;
    }
    const parsed = SCHEMAS[type].safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.drop('invalid_message', `Alpaca '${type}' message: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`);
      return;
    }
    const m = parsed.data;
    switch (m.T) {
      case 'success':
        return this.onSuccess(m.msg);
      case 'error':
        return this.onError(m.code, m.msg);
      case 'subscription':
        this.ownConnectionTries = 0;
        this.everSubscribed = true;
        return this.sessionReady(`subscribed to ${this.symbols.length} symbols on Alpaca ${this.feed.toUpperCase()}`);
      case 'b':
      case 'u': {
        const bar: Bar = { symbol: m.S, timeframe: '1m', start: m.t, open: m.o, high: m.h, low: m.l, close: m.c, volume: m.v };
        return this.emitBar(bar, m.T === 'u' ? 'correction' : 'new');
      }
      case 't':
        return this.emitTrade({ symbol: m.S, time: m.t, price: m.p, size: m.s, ...(m.i !== undefined ? { id: m.i } : {}) });
      case 'c':
        return this.emitTradeCorrection({
          symbol: m.S,
          time: m.t,
          kind: 'correction',
          original: { id: m.oi ?? null, price: m.op, size: m.os },
          corrected: { id: m.ci ?? null, price: m.cp, size: m.cs },
        });
      case 'x':
        return this.emitTradeCorrection({ symbol: m.S, time: m.t, kind: m.a === 'C' ? 'cancel' : 'error', original: { id: m.i ?? null, price: m.p, size: m.s } });
      case 'q':
        return this.emitQuote({ symbol: m.S, time: m.t, bidPrice: m.bp, bidSize: m.bs, askPrice: m.ap, askSize: m.as });
      case 's': {
        const halted = HALT_CODES.has(m.sc) ? true : RESUME_CODES.has(m.sc) ? false : (this.halted.get(m.S) ?? false);
        this.halted.set(m.S, halted);
        const reason = [m.sm, m.rm].filter((s): s is string => typeof s === 'string' && s.length > 0).join(': ');
        return this.emitStatus({ symbol: m.S, time: m.t, code: m.sc, halted, reason });
      }
    }
  }

  private onSuccess(msg: string): void {
    if (msg === 'connected') {
      this.send({ action: 'auth', key: this.options.keyId.reveal(), secret: this.options.secretKey.reveal() });
    } else if (msg === 'authenticated') {
      const symbols = [...this.symbols];
      const ch = this.options.channels ?? {};
      this.send({
        action: 'subscribe',
        bars: symbols,
        updatedBars: symbols,
        ...(ch.trades ? { trades: symbols } : {}),
        ...(ch.quotes ? { quotes: symbols } : {}),
        ...(ch.statuses ? { statuses: symbols } : {}),
      });
    }
  }

  private onError(code: number, msg: string): void {
    const said = `${code} ${msg}`;
    switch (code) {
      case AUTH_FAILED:
        return this.abandon('fatal', `Alpaca rejected the API key (${said}); check TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY`);
      case INSUFFICIENT_SUBSCRIPTION:
        return this.abandon(
          'fatal',
          `the Alpaca account's market-data plan does not include the ${this.feed.toUpperCase()} feed (${said}); set TRADING_ALPACA_FEED=iex or upgrade the plan`,
        );
      case INVALID_SUBSCRIBE_ACTION:
        return this.abandon('fatal', `Alpaca refused the subscription (${said}): the ${this.feed.toUpperCase()} stream has no such channel; check the channels asked for`);
      case INSUFFICIENT_SCOPE:
        return this.abandon('fatal', `Alpaca says the API key may not read this stream (${said}); check the key's permissions or the plan`);
      case SYMBOL_LIMIT:
        // Reconnecting would ask for the same symbols again: the watchlist has to shrink first.
        return this.abandon('fatal', `Alpaca refused ${this.symbols.length} symbols (${said}); shorten the watchlist or turn off trades/quotes`);
      case CONNECTION_LIMIT:
        if (this.everSubscribed && this.ownConnectionTries < OWN_CONNECTION_GRACE_TRIES) {
          // Right after a drop, Alpaca may still count our own dead connection: try again soon.
          this.ownConnectionTries++;
          return this.abandon('retry', `Alpaca refused the reconnect (${said}), probably still counting the connection that dropped`);
        }
        return this.abandon('slow-retry', `Alpaca refused the connection (${said}): another program is using this account's ${this.feed.toUpperCase()} stream`);
      case ALREADY_AUTHENTICATED:
        // Harmless: the session is authenticated either way.
        this.log?.debug('Alpaca says the stream is already authenticated');
        return;
      default:
        // 400 invalid syntax, 401 not authenticated, 404 auth timeout, 407 slow client, 500 internal error.
        return this.abandon('retry', `Alpaca reported an error (${said})`);
    }
  }
}
