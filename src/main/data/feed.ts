// The seam every source of prices plugs into (synthetic market, replay, Alpaca, Polygon): a feed
// pushes bars and its health into a sink; the data engine behind the sink validates and caches them.
import type { Bar, FeedHealthState } from '../../shared/domain';

export interface FeedSink {
  bar(bar: Bar): void;
  health(state: FeedHealthState, detail: string): void;
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
