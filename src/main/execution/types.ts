// The Broker seam: the simulated broker (paper, backtest) and Alpaca (paper, live) implement the same
// interface; the execution engine and the risk checks never ask which one runs. Orders, fills and
// positions themselves are shared domain types (src/shared/domain.ts).
import type { Fill, Order, OrderStatus, OrderRequest, Position } from '../../shared/domain';

export type { ExitRule, Fill, Order, OrderIntent, OrderRequest, OrderStatus, OrderType, Position, Side, TimeInForce } from '../../shared/domain';

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'expired']);

/**
 * An order as a broker reports it: the broker knows what was asked (symbol, side, prices, its state),
 * not what the order is for. Intent, exit rule and parent are the engine's, kept in its order store.
 */
export type BrokerOrder = Omit<Order, 'intent' | 'exitRule' | 'parentId'>;

export type OrderEvent =
  | { type: 'accepted'; order: BrokerOrder }
  | { type: 'fill'; order: BrokerOrder; fill: Fill }
  | { type: 'canceled' | 'rejected' | 'expired'; order: BrokerOrder };

export interface Broker {
  readonly id: string;
  readonly label: string;
  /** True for the simulated broker: no real money. */
  readonly simulated: boolean;
  /** True for a live account (real money, the trader confirms before entries); absent means not live. */
  readonly live?: boolean;
  /** True when the broker holds one-cancels-other groups (orders sharing an `ocoGroup`): targets can rest there. */
  readonly supportsOco?: boolean;
  /**
   * True when its events come over a stream that can repeat or lose one (a remote account): each event
   * carries the order's cumulative filled quantity, and execution checks it against the book first.
   */
  readonly reportsCumulativeFills?: boolean;
  /** True when the broker keeps positions of its own across engine restarts (a real account): reconciliation compares them with the book. */
  readonly holdsPositions?: boolean;
  submit(request: OrderRequest): Promise<BrokerOrder>;
  cancel(clientOrderId: string): Promise<BrokerOrder>;
  /** Open orders and positions as the broker sees them (for reconciliation). */
  openOrders(): Promise<BrokerOrder[]>;
  positions(): Promise<Position[]>;
  /** Order updates in the order the broker produced them. */
  onEvent(listener: (event: OrderEvent) => void): () => void;
  /** The broker's copy of one order by our id, open or not; null when it never reached the broker. */
  orderByClientId?(clientOrderId: string): Promise<BrokerOrder | null>;
  /** Opens the broker's event stream (a remote broker); the engine calls it after its start reconciliation. */
  start?(): void;
  stop?(): void;
  /** Called each time the broker's event stream is (re)established: the engine reconciles its book again. */
  onStreamLive?(listener: () => void): () => void;
  /** A remote broker's account and its calendar from `from` to `to` (YYYY-MM-DD), read before a session trades. */
  preflight?(from: string, to: string): Promise<BrokerPreflight>;
}

/** What a broker reports before a session trades: its account's standing and its trading days. */
export interface BrokerPreflight {
  account: { status: string; tradingBlocked: boolean; equity: number };
  /** The broker's trading days, with the regular open and close in New York wall time (HH:MM). */
  sessions: Array<{ date: string; open: string; close: string }>;
}
