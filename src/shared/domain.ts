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
  /** The vendor's trade id, when it sends one: what a later correction or cancel of this print names. */
  id?: number;
}

/**
 * A vendor's amendment of an earlier print (Alpaca's `c` and `x` messages): a correction replaces its
 * price and size, a cancel or an error voids it (a busted trade). The tape removes or replaces the print.
 */
export interface TradeCorrection {
  symbol: string;
  /** When the vendor sent the amendment. */
  time: number;
  kind: 'correction' | 'cancel' | 'error';
  /** The print as first reported. */
  original: { id: number | null; price: number; size: number };
  /** A correction's new print. */
  corrected?: { id: number | null; price: number; size: number };
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

// ---- orders, fills, positions (the engine, the risk checks and the cockpit share these) ----
// Money: float dollars rounded to the cent at the edges; quantities are whole shares.

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'ioc';
export type OrderStatus = 'new' | 'accepted' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired';

/**
 * What an order is for, as data: an `entry` opens or adds; an `exit` closes a position by one of the
 * managed exit rules; a `flatten` closes everything of a symbol (the trader, the kill switch, the
 * end-of-day flatten); a `protective-stop` is an entry's hard stop held at the broker.
 */
export const ORDER_INTENTS = ['entry', 'exit', 'flatten', 'protective-stop'] as const;
export type OrderIntent = (typeof ORDER_INTENTS)[number];

/** The managed exit rules (src/main/risk/exits.ts), in the words the blotter and the chart use. */
export const EXIT_RULES = ['hardStop', 'target', 'trailingStop', 'peakExit', 'mlExit', 'timeStop', 'eodFlatten'] as const;
export type ExitRule = (typeof EXIT_RULES)[number];

export interface OrderRequest {
  /** Idempotency key: a resend with the same id never creates a second order. */
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  type: OrderType;
  timeInForce: TimeInForce;
  limitPrice?: number;
  stopPrice?: number;
  /** Trailing stop distance in dollars (trailing_stop). */
  trailPrice?: number;
  /** Bracket legs attached to an entry (take-profit limit and stop-loss), held at the broker. */
  bracket?: { takeProfit: number; stopLoss: number };
  /**
   * One-cancels-other: the working orders of one symbol that share this group are alternatives for the
   * same shares (a resting target and its protective stop); the broker cancels the others when one fills.
   */
  ocoGroup?: string;
  intent: OrderIntent;
  /** The exit rule that sent an exit, a protective stop ('hardStop') or the end-of-day flatten ('eodFlatten'). */
  exitRule?: ExitRule;
  /** The entry a protective stop protects. */
  parentId?: string;
  /** The desk's signal an entry carries out (a trade's sources and reasons are that signal's). */
  signalId?: string;
  /** Why the engine sent it, in words (signal id, exit detail, the flatten's cause): for the audit trail only. */
  reason: string;
}

export interface Order extends OrderRequest {
  /** Broker's id (the simulated broker makes its own). */
  brokerOrderId: string;
  status: OrderStatus;
  filledQty: number;
  avgFillPrice: number | null;
  submittedAt: number;
  updatedAt: number;
  /** Reason of a rejection or cancel, as the broker said it. */
  note: string;
}

/** A profit target resting at the broker: an exit by the target rule, one-cancels-other with a stop. */
export function isRestingTarget(o: Pick<Order, 'intent' | 'exitRule' | 'ocoGroup'>): boolean {
  return o.intent === 'exit' && o.exitRule === 'target' && o.ocoGroup !== undefined;
}

export interface Fill {
  clientOrderId: string;
  brokerOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  fees: number;
  time: number;
  /** Broker's execution id: a duplicate event with the same id is ignored. */
  executionId: string;
}

export interface Position {
  symbol: string;
  /** Signed: positive long, negative short. */
  qty: number;
  avgEntryPrice: number;
}
