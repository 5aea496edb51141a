// The engine bus's messages: every push event of the IPC contract (so hosts forward them as they are)
// plus the engine-internal topics that never leave the process, and the named request endpoints.
// They live here, not in the kernel, so the bus and the clock depend on no domain code.
import type { EventMap } from './contract';
import type { Bar, Fill, Order, OrderRequest, QuoteTick, Trade, TradeCorrection, TradingStatus } from './domain';

/** The feature vector of a closed regular-session bar. */
export interface FeatureRow {
  symbol: string;
  /** Bar start (epoch ms UTC); the row is known at start + 60 s. */
  start: number;
  values: Float64Array;
  overlays: Float64Array;
}

/** A feature row with the bar it was computed from: readers never look the bar up again. */
export interface BarFeatures extends FeatureRow {
  bar: Bar;
}

/** The active model's P(up) for the symbols of one minute, scored in one batched call. */
export interface Scores {
  start: number;
  symbols: string[];
  /** P(up) per symbol, from the active model. */
  probUp: Float32Array;
  modelId: string;
}

/**
 * One change the execution engine applied to its order store, with the stored order after it: risk
 * keeps its throttle, breaker, loss limit and reservations from these, the position manager its exits
 * and stops. `submitted` is the order just recorded, before the broker has it.
 */
export interface AppliedOrderEvent {
  type: 'submitted' | 'accepted' | 'fill' | 'canceled' | 'rejected' | 'expired';
  order: Order;
  fill?: Fill;
  /** Realised P&L (net of the fill's fees) of the part of the fill that reduced a position; null otherwise. */
  realizedPnl: number | null;
  /** Signed position in the order's symbol after the change. */
  heldAfter: number;
}

/** What an entry carries to execution besides the order: its exits and the capital at risk reserved for it. */
export interface EntryPlanInput {
  stopPrice: number;
  targetPrice: number | null;
  capitalAtRisk: number;
  tradingDay: string;
}

/** What a reconciliation with the broker found and did. */
export interface ReconciliationSummary {
  trigger: 'start' | 'stream';
  at: number;
  /** Local working orders the broker never received: closed locally as canceled. */
  neverReached: string[];
  /** Own orders whose missed fills or end state were applied from the broker's copy. */
  caughtUp: string[];
  /** Open at the broker with our id but missing locally: recorded and followed again. */
  adopted: string[];
  /** Open at the broker, placed outside the cockpit: flagged, left alone. */
  outside: Array<{ symbol: string; side: 'buy' | 'sell'; qty: number; brokerOrderId: string }>;
  /** Book and broker disagree after the catch-up: flagged, never overwritten; entries stop (REDUCING). */
  positionMismatches: Array<{ symbol: string; localQty: number; brokerQty: number }>;
  error: string | null;
}

export type EngineTopics = EventMap & {
  /** Prints, top of book and trading statuses from vendors that stream them (not sent to the renderer). */
  'data.trade': Trade;
  /** A vendor's correction or cancel of an earlier print: the tape replaces or removes it. */
  'data.tradeCorrection': TradeCorrection;
  'data.quote': QuoteTick;
  'data.status': TradingStatus;
  /** The feature vector of a closed regular-session bar, with its bar (its arrays are the engine's own: copy to keep). */
  'features.row': BarFeatures;
  /** The active model's P(up) for the symbols of one minute. */
  'models.scores': Scores;
  /** An order event applied to the order store (see AppliedOrderEvent). */
  'execution.applied': AppliedOrderEvent;
  /** A submit the broker never answered (network, timeout): an execution failure for the breaker. */
  'execution.failure': { at: number; clientOrderId: string; detail: string };
  /** A reconciliation with the broker finished (at start, and each time its stream is live again). */
  'execution.reconciled': ReconciliationSummary;
};

/** Named request endpoints inside the engine. */
export type EngineEndpoints = {
  'execution.flattenAll': (arg: { cause: string }) => Promise<{ closed: number }>;
  /** Routes an order risk approved: persisted, then sent; answers the stored order (rejected if refused). */
  'execution.submit': (arg: { request: OrderRequest; plan?: EntryPlanInput }) => Promise<Order>;
};
