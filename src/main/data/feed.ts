// The seam every source of prices plugs into (synthetic market, replay, Alpaca, Polygon): a feed
// pushes bars and its health into a sink; the data engine behind the sink validates and caches them.
import type { Bar, FeedHealthState, QuoteTick, Trade, TradeCorrection, TradingStatus } from '../../shared/domain';

export interface FeedSink {
  /** A closed 1-minute bar; a second bar with the same start is a correction of the first. */
  bar(bar: Bar): void;
  health(state: FeedHealthState, detail: string): void;
  /** Prints and quotes, from vendors that stream them. */
  trade?(trade: Trade): void;
  /** A correction or cancel of an earlier print (the tape replaces or removes it). */
  tradeCorrection?(correction: TradeCorrection): void;
  quote?(quote: QuoteTick): void;
  status?(status: TradingStatus): void;
  /** Something the feed dropped (malformed message, bad bar), counted and shown as feed health. */
  dropped?(reason: string, detail: string): void;
}

export interface MarketFeed {
  readonly id: string;
  /** Shown in the status bar, e.g. "Synthetic market (SIMULATED)". */
  readonly label: string;
  /** True for every feed whose prices are not real market prices right now. */
  readonly simulated: boolean;
  start(sink: FeedSink): Promise<void>;
  stop(): Promise<void>;
}

/** A feed whose pace the trader controls (synthetic market, replay). */
export interface PacedFeed {
  readonly speed: number;
  readonly paused: boolean;
  setSpeed(speed: number): void;
  pause(): void;
  resume(): void;
}

export function isPaced(feed: MarketFeed): feed is MarketFeed & PacedFeed {
  return typeof (feed as Partial<PacedFeed>).setSpeed === 'function';
}
