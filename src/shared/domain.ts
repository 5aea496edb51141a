// Domain types shared by the engine and the renderer. Every timestamp is epoch milliseconds UTC;
// prices are floats in dollars rounded to the tick (0.01), quantities are whole shares.

export type SessionMode = 'SIMULATED' | 'PAPER' | 'LIVE';
export type HostKind = 'electron' | 'headless' | 'backtest' | 'cli';
export type FeedHealthState = 'connecting' | 'live' | 'stale' | 'reconnecting' | 'failed' | 'stopped';
export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';
export type ComponentState = 'stopped' | 'starting' | 'running' | 'degraded' | 'faulted' | 'stopping';
export type Timeframe = '1m' | '5m' | '15m' | '1d';

/** One OHLCV bar. `start` is the bar's opening instant (epoch ms UTC); a 1m bar covers [start, start + 60 000). */
export interface Bar {
  symbol: string;
  timeframe: Timeframe;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The watchlist's view of a symbol after its latest bar. */
export interface Quote {
  symbol: string;
  last: number;
  /** Close of the previous session, null until one session has been seen. */
  prevClose: number | null;
  /** Open of the current session. */
  sessionOpen: number;
  change: number;
  changePct: number;
  sessionVolume: number;
  time: number;
}

export interface FeedHealth {
  feedId: string;
  label: string;
  state: FeedHealthState;
  detail: string;
  at: number;
  simulated: boolean;
}

export interface TradingStateChange {
  state: TradingState;
  previous: TradingState;
  cause: string;
  at: number;
}

export interface ComponentStatus {
  name: string;
  state: ComponentState;
  detail: string;
}

/** One print from a vendor's trade stream. */
export interface Trade {
  symbol: string;
  time: number;
  price: number;
  size: number;
}

/** Top of book from a vendor's quote stream. */
export interface QuoteTick {
  symbol: string;
  time: number;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
}

/** A trading status from the vendor (halt, LULD pause, resume). */
export interface TradingStatus {
  symbol: string;
  time: number;
  /** Vendor status code, e.g. Alpaca's 'H' (halt) or 'T' (trading). */
  code: string;
  halted: boolean;
  reason: string;
}
