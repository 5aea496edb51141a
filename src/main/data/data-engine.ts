// Data path: feed → validation → cache → publish. A bar reaches the bus (and so the features and the
// cockpit) only after it passed the checks and the cache holds it; a bad one is dropped, counted by
// reason and reported as a feed-health notice.
import type { Bar, FeedHealth, FeedHealthState, QuoteTick, Trade, TradeCorrection } from '../../shared/domain';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { Logger } from '../logging/logger';
import type { BarCache } from './bar-cache';
import type { FeedSink, MarketFeed } from './feed';
import { checkBar, checkQuote, checkTrade, type BarRejection, type TickRejection } from './validate-bar';

export type DropReason = BarRejection | TickRejection | 'unknown_symbol' | 'out_of_order' | `feed.${string}`;

export class DataEngine extends BaseComponent {
  private healthValue: FeedHealth;
  private readonly dropped = new Map<DropReason, number>();
  private readonly lastNoticeAt = new Map<DropReason, number>();
  private readonly watch: Set<string>;
  private accepted = 0;

  constructor(
    private readonly feed: MarketFeed,
    private readonly cache: BarCache,
    private readonly bus: EngineBus,
    private readonly clock: Clock,
    private readonly log: Logger,
    watchlist: readonly string[],
    onStatus: StatusListener,
  ) {
    super('data', onStatus);
    this.watch = new Set(watchlist);
    this.healthValue = {
      feedId: feed.id,
      label: feed.label,
      state: 'stopped',
      detail: 'not started',
      at: clock.now(),
      simulated: feed.simulated,
    };
  }

  get health(): FeedHealth {
    return this.healthValue;
  }

  get counts(): { accepted: number; dropped: Record<string, number> } {
    return { accepted: this.accepted, dropped: Object.fromEntries(this.dropped) };
  }

  /** Bars known before the session starts (history, backfill): validated and cached, not published. */
  seed(bars: readonly Bar[]): Bar[] {
    const accepted: Bar[] = [];
    for (const bar of bars) {
      if (this.admit(bar)) {
        this.cache.add(bar);
        accepted.push(bar);
      }
    }
    return accepted;
  }

  protected async onStart(): Promise<void> {
    const sink: FeedSink = {
      bar: (bar) => this.onBar(bar),
      health: (state, detail) => this.onHealth(state, detail),
      trade: (t) => this.onTrade(t),
      tradeCorrection: (c) => this.onTradeCorrection(c),
      quote: (q) => this.onQuote(q),
      status: (st) => {
        if (!this.watch.has(st.symbol)) return;
        this.bus.publish('data.status', st);
        this.bus.publish('app.notice', {
          level: st.halted ? 'warn' : 'info',
          code: st.halted ? 'market.halt' : 'market.resume',
          message: `${st.symbol} ${st.halted ? 'HALTED' : 'resumed'}: ${st.reason}`,
          at: this.clock.now(),
        });
      },
      dropped: (reason, detail) => this.count(`feed.${reason}`, detail),
    };
    await this.feed.start(sink);
  }

  protected async onStop(): Promise<void> {
    await this.feed.stop();
  }

  private admit(bar: Bar): boolean {
    let reason: DropReason | null = this.watch.has(bar.symbol) ? checkBar(bar) : 'unknown_symbol';
    if (reason === null) {
      const last = this.cache.lastBar(bar.symbol);
      if (last && bar.start < last.start) reason = 'out_of_order';
    }
    if (reason === null) return true;
    this.drop(bar, reason);
    return false;
  }

  private onBar(bar: Bar): void {
    if (!this.admit(bar)) return;
    const quote = this.cache.add(bar);
    this.accepted++;
    this.bus.publish('market.bar', bar);
    this.bus.publish('market.quote', quote);
  }

  // Prints and quotes for symbols off the watchlist are not ours to count; a bad one for a watched
  // symbol is dropped and counted like a bad bar.
  private onTrade(t: Trade): void {
    if (!this.watch.has(t.symbol)) return;
    const reason = checkTrade(t);
    if (reason) this.count(reason, `a bad print for ${t.symbol}`);
    else this.bus.publish('data.trade', t);
  }

  /** A correction or cancel of a print, checked like a print (the original and any corrected one). */
  private onTradeCorrection(c: TradeCorrection): void {
    if (!this.watch.has(c.symbol)) return;
    const prints = [c.original, ...(c.corrected ? [c.corrected] : [])];
    const reason = prints.map((p) => checkTrade({ symbol: c.symbol, time: c.time, price: p.price, size: p.size })).find((r) => r !== null) ?? null;
    if (reason) this.count(reason, `a bad trade ${c.kind} for ${c.symbol}`);
    else this.bus.publish('data.tradeCorrection', c);
  }

  private onQuote(q: QuoteTick): void {
    if (!this.watch.has(q.symbol)) return;
    const reason = checkQuote(q);
    if (reason) this.count(reason, `a bad quote for ${q.symbol}`);
    else this.bus.publish('data.quote', q);
  }

  private drop(bar: Bar, reason: DropReason): void {
    // A symbol off the watchlist is whatever the feed sent: it is not repeated back.
    const whose = reason === 'unknown_symbol' ? 'a symbol off the watchlist' : bar.symbol;
    this.count(reason, `a bad bar for ${whose} at ${bar.start}`);
  }

  /** Counts something dropped and tells the cockpit, at most once a minute per reason. */
  private count(reason: DropReason, detail: string): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
    const now = this.clock.now();
    const last = this.lastNoticeAt.get(reason) ?? -Infinity;
    if (now - last >= 60_000) {
      this.lastNoticeAt.set(reason, now);
      const code = reason.startsWith('feed.') ? reason : `feed.${reason}`;
      const message = `dropped from ${this.feed.label} (${reason}): ${detail}; ${this.dropped.get(reason)} so far`;
      this.log.warn(message, { reason });
      this.bus.publish('app.notice', { level: 'warn', code, message, at: now });
    }
  }

  private onHealth(state: FeedHealthState, detail: string): void {
    this.healthValue = { ...this.healthValue, state, detail, at: this.clock.now() };
    if (state === 'stale' || state === 'reconnecting' || state === 'failed') this.degrade(`feed ${state}: ${detail}`);
    else if (state === 'live') this.recover();
    this.bus.publish('feed.health', this.healthValue);
  }
}
