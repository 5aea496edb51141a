// The order lifecycle as a pure state machine: given our copy of an order and a broker event, the next
// copy or a typed refusal. Never throws and never double-counts, so a replayed or reordered stream is safe.
import { TERMINAL_STATUSES, type Fill, type Order, type OrderEvent, type OrderStatus } from './types';

/**
 * Legal moves. A fill moves to partially_filled or filled depending on the quantity; partially_filled →
 * partially_filled is a further partial fill. new → partially_filled/filled is refused as out of order
 * (the broker acknowledges before it executes).
 */
export const LEGAL_TRANSITIONS: Readonly<Record<OrderStatus, ReadonlySet<OrderStatus>>> = {
  new: new Set<OrderStatus>(['accepted', 'rejected']),
  accepted: new Set<OrderStatus>(['partially_filled', 'filled', 'canceled', 'rejected', 'expired']),
  partially_filled: new Set<OrderStatus>(['partially_filled', 'filled', 'canceled', 'expired']),
  filled: new Set<OrderStatus>(),
  canceled: new Set<OrderStatus>(),
  rejected: new Set<OrderStatus>(),
  expired: new Set<OrderStatus>(),
};

export function isLegalTransition(from: OrderStatus, to: OrderStatus): boolean {
  return LEGAL_TRANSITIONS[from].has(to);
}

export type OrderRefusalCode =
  /** The order is already filled, canceled, rejected or expired. */
  | 'terminal'
  /** The same status again (a second 'accepted'). */
  | 'duplicate_event'
  /** A move the lifecycle does not allow from here (a fill before 'accepted', 'accepted' after a fill). */
  | 'out_of_order'
  /** A fill whose execution id was already applied. */
  | 'duplicate_execution'
  /** A fill that would take the filled quantity past the order's quantity. */
  | 'overfill'
  /** The event is about another order, or the fill's symbol or side differ from the order's. */
  | 'mismatch'
  /** A fill with a non-positive or fractional quantity, or a non-finite price or fee. */
  | 'invalid_fill';

export interface OrderRefusal {
  ok: false;
  code: OrderRefusalCode;
  clientOrderId: string;
  from: OrderStatus;
  event: OrderEvent['type'];
  reason: string;
}

export interface OrderTransition {
  ok: true;
  from: OrderStatus;
  to: OrderStatus;
  order: Order;
  /** The fill to record, for a fill event. */
  fill?: Fill;
}

export type TransitionResult = OrderTransition | OrderRefusal;

/** Tells whether an execution id has already been applied (the store asks its fills table). */
export type ExecutionSeen = (executionId: string) => boolean;

const noneSeen: ExecutionSeen = () => false;

/**
 * The next state of `order` after `event`. `seen` reports execution ids already applied; the caller owns
 * that memory (the order row alone cannot know which executions made up its filled quantity).
 */
export function transition(order: Order, event: OrderEvent, seen: ExecutionSeen = noneSeen): TransitionResult {
  const from = order.status;
  const refuse = (code: OrderRefusalCode, reason: string): OrderRefusal => ({
    ok: false,
    code,
    clientOrderId: order.clientOrderId,
    from,
    event: event.type,
    reason,
  });

  if (event.order.clientOrderId !== order.clientOrderId) {
    return refuse('mismatch', `event for order ${event.order.clientOrderId} applied to ${order.clientOrderId}`);
  }

  if (event.type === 'fill') {
    const fill = event.fill;
    // Duplicate first: a replayed execution is the common case and deserves its own code even on a filled order.
    if (seen(fill.executionId)) return refuse('duplicate_execution', `execution ${fill.executionId} was already applied`);
    if (TERMINAL_STATUSES.has(from)) return refuse('terminal', `fill ${fill.executionId} after the order was ${from}`);
    if (fill.clientOrderId !== order.clientOrderId || fill.symbol !== order.symbol || fill.side !== order.side) {
      return refuse('mismatch', `fill ${fill.executionId} (${fill.clientOrderId} ${fill.side} ${fill.symbol}) does not belong to ${order.clientOrderId} (${order.side} ${order.symbol})`);
    }
    if (!Number.isInteger(fill.qty) || fill.qty <= 0 || !Number.isFinite(fill.price) || fill.price <= 0 || !Number.isFinite(fill.fees) || !Number.isFinite(fill.time)) {
      return refuse('invalid_fill', `fill ${fill.executionId} has qty ${fill.qty}, price ${fill.price}, fees ${fill.fees}`);
    }
    const filledQty = order.filledQty + fill.qty;
    if (filledQty > order.qty) return refuse('overfill', `fill ${fill.executionId} of ${fill.qty} takes ${order.filledQty}/${order.qty} past the order quantity`);
    const to: OrderStatus = filledQty === order.qty ? 'filled' : 'partially_filled';
    if (!isLegalTransition(from, to)) return refuse('out_of_order', `fill ${fill.executionId} while the order is ${from}`);
    const avgFillPrice = ((order.avgFillPrice ?? 0) * order.filledQty + fill.price * fill.qty) / filledQty;
    return {
      ok: true,
      from,
      to,
      order: { ...order, status: to, filledQty, avgFillPrice, updatedAt: Math.max(order.updatedAt, fill.time) },
      fill,
    };
  }

  const to: OrderStatus = event.type;
  if (TERMINAL_STATUSES.has(from)) return refuse('terminal', `'${to}' after the order was ${from}`);
  if (to === from) return refuse('duplicate_event', `'${to}' again`);
  if (!isLegalTransition(from, to)) return refuse('out_of_order', `'${to}' while the order is ${from}`);
  const next: Order = { ...order, status: to, updatedAt: Math.max(order.updatedAt, event.order.updatedAt) };
  // The broker's id arrives with the acknowledgement; a cancel or rejection carries the broker's reason.
  if (to === 'accepted' && event.order.brokerOrderId) next.brokerOrderId = event.order.brokerOrderId;
  if (to !== 'accepted' && event.order.note) next.note = event.order.note;
  return { ok: true, from, to, order: next };
}
