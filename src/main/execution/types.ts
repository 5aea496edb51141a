// Orders, fills and the Broker seam: the simulated broker (paper, backtest) and Alpaca (paper, live)
// implement the same interface; the execution engine and the risk manager never ask which one runs.
// Money: float dollars rounded to the cent at the edges; quantities are whole shares.

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'ioc';
export type OrderStatus = 'new' | 'accepted' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired';

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'expired']);

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
  /** Why the engine sent it (signal id, exit rule, EOD flatten), for the audit trail. */
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

export type OrderEvent =
  | { type: 'accepted'; order: Order }
  | { type: 'fill'; order: Order; fill: Fill }
  | { type: 'canceled' | 'rejected' | 'expired'; order: Order };

export interface Broker {
  readonly id: string;
  readonly label: string;
  /** True for the simulated broker: no real money. */
  readonly simulated: boolean;
  /** True for a live account (real money, the trader confirms before entries); absent means not live. */
  readonly live?: boolean;
  submit(request: OrderRequest): Promise<Order>;
  cancel(clientOrderId: string): Promise<Order>;
  /** Open orders and positions as the broker sees them (for reconciliation). */
  openOrders(): Promise<Order[]>;
  positions(): Promise<Position[]>;
  /** Order updates in the order the broker produced them. */
  onEvent(listener: (event: OrderEvent) => void): () => void;
  /** The broker's copy of one order by our id, open or not; null when it never reached the broker. */
  orderByClientId?(clientOrderId: string): Promise<Order | null>;
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
