// Polygon/Massive stocks websocket (wss://socket.polygon.io/stocks, or the 15-minute delayed cluster)
// behind the MarketFeed seam: minute aggregates as bars, optionally trades and quotes, with gaps
// after a reconnect filled from Polygon's REST aggregates endpoint.
import { z } from 'zod';
import { PolygonAggsClient, type SecretValue } from './rest-bars';
import { VendorStreamFeed, type VendorStreamOptions } from './stream-feed';

export interface PolygonStreamOptions extends VendorStreamOptions {
  apiKey: SecretValue;
  /** The 15-minute delayed cluster (plans without real-time stocks). Default false. */
  delayed?: boolean;
  /** Default wss://socket.polygon.io/stocks, or wss://delayed.polygon.io/stocks when delayed. */
  streamUrl?: string;
  /** Default https://api.polygon.io. */
  restBaseUrl?: string;
  /** Channels beyond minute aggregates; off by default. */
  channels?: { trades?: boolean; quotes?: boolean };
  /**
   * Shares per unit of a quote's bid/ask size. The stocks quote docs give sizes in round lots of
   * 100 shares, so the default is 100; set 1 if the account's feed reports shares.
   */
  quoteSizeMultiplier?: number;
}

const DELAY_MS = 15 * 60_000;

const Ticker = z.string().min(1).max(32);
const EpochMs = z.number().int().positive();

const StatusMsg = z.object({ ev: z.literal('status'), status: z.string(), message: z.string().optional() });
const MinuteAggMsg = z.object({
  ev: z.literal('AM'),
  sym: Ticker,
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  s: EpochMs,
  e: EpochMs,
});
const TradeMsg = z.object({ ev: z.literal('T'), sym: Ticker, p: z.number(), s: z.number(), t: EpochMs });
const QuoteMsg = z.object({ ev: z.literal('Q'), sym: Ticker, bp: z.number(), bs: z.number(), ap: z.number(), as: z.number(), t: EpochMs });

const SCHEMAS = { status: StatusMsg, AM: MinuteAggMsg, T: TradeMsg, Q: QuoteMsg } as const;
type KnownEvent = keyof typeof SCHEMAS;
const isKnown = (ev: string): ev is KnownEvent => Object.hasOwn(SCHEMAS, ev);

export class PolygonStreamFeed extends VendorStreamFeed {
  readonly id = 'polygon';
  readonly label: string;
  /** Delayed prices are not the market right now, and the cockpit must say so. */
  readonly simulated: boolean;

  private readonly options: PolygonStreamOptions;
  private readonly delayed: boolean;
  private readonly quoteSizeMultiplier: number;
  private readonly ignoredEvents = new Set<string>();

  constructor(options: PolygonStreamOptions) {
    const delayed = options.delayed ?? false;
    const ticks = options.channels?.trades === true || options.channels?.quotes === true;
    super(options, {
      vendor: 'Polygon',
      barSource: new PolygonAggsClient({
        apiKey: options.apiKey,
        ...(options.restBaseUrl ? { baseUrl: options.restBaseUrl } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      dataDelayMs: delayed ? DELAY_MS : 0,
      // Minute aggregates alone come once a minute, and not for a minute without qualifying trades.
      staleAfterMs: ticks ? 30_000 : 150_000,
    });
    this.options = options;
    this.delayed = delayed;
    this.simulated = delayed;
    this.quoteSizeMultiplier = options.quoteSizeMultiplier ?? 100;
    this.label = delayed ? 'Polygon stocks (15-min delayed)' : 'Polygon stocks (live market data)';
  }

  protected streamUrl(): string {
    return this.options.streamUrl ?? (this.delayed ? 'wss://delayed.polygon.io/stocks' : 'wss://socket.polygon.io/stocks');
  }

  protected handleItem(item: unknown): void {
    const ev = typeof item === 'object' && item !== null ? (item as { ev?: unknown }).ev : undefined;
    if (typeof ev !== 'string') {
      this.drop('invalid_message', `Polygon message without an event type: ${JSON.stringify(item)?.slice(0, 80)}`);
      return;
    }
    if (!isKnown(ev)) {
      // Second aggregates, LULD, FMV: channels we do not subscribe to.
      if (!this.ignoredEvents.has(ev)) {
        this.ignoredEvents.add(ev);
        this.log?.debug('Polygon stream ignores an event type', { ev });
      }
      return;
    }
    const parsed = SCHEMAS[ev].safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.drop('invalid_message', `Polygon '${ev}' event: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`);
      return;
    }
    const m = parsed.data;
    switch (m.ev) {
      case 'status':
        return this.onStatus(m.status, m.message ?? '');
      case 'AM':
        // Data before the subscription reply means the subscription took; do not wait for the reply.
        this.sessionReady(this.liveDetail());
        return this.emitBar({ symbol: m.sym, timeframe: '1m', start: m.s, open: m.o, high: m.h, low: m.l, close: m.c, volume: m.v }, 'new');
      case 'T':
        this.sessionReady(this.liveDetail());
        return this.emitTrade({ symbol: m.sym, time: m.t, price: m.p, size: m.s });
      case 'Q':
        this.sessionReady(this.liveDetail());
        return this.emitQuote({
          symbol: m.sym,
          time: m.t,
          bidPrice: m.bp,
          bidSize: m.bs * this.quoteSizeMultiplier,
          askPrice: m.ap,
          askSize: m.as * this.quoteSizeMultiplier,
        });
    }
  }

  private liveDetail(): string {
    return `subscribed to ${this.symbols.length} symbols on Polygon${this.delayed ? ' (15-min delayed)' : ''}`;
  }

  private onStatus(status: string, message: string): void {
    const said = message ? `${status}: ${message}` : status;
    switch (status) {
      case 'connected':
        this.send({ action: 'auth', params: this.options.apiKey.reveal() });
        return;
      case 'auth_success': {
        const ch = this.options.channels ?? {};
        const params = this.symbols.flatMap((s) => [`AM.${s}`, ...(ch.trades ? [`T.${s}`] : []), ...(ch.quotes ? [`Q.${s}`] : [])]);
        this.send({ action: 'subscribe', params: params.join(',') });
        return;
      }
      case 'success':
        // One reply per subscribed channel ("subscribed to: AM.SPY"); the first one is enough.
        if (message.startsWith('subscribed to')) this.sessionReady(this.liveDetail());
        return;
      case 'auth_failed':
        return this.abandon('fatal', `Polygon rejected the API key (${said}); check TRADING_POLYGON_API_KEY and the plan's websocket access`);
      case 'max_connections':
        return this.abandon('slow-retry', `Polygon refused the connection (${said}): another program is using this key's stocks stream`);
      case 'auth_timeout':
        return this.abandon('retry', `Polygon timed out the authentication (${said})`);
      default:
        // 'error' and anything new: worth a line in the log, not a reconnect.
        this.log?.warn('Polygon stream status', { status, message });
    }
  }
}
