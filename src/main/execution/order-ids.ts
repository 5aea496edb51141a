// The cockpit's order ids at a broker, and what an order of ours that the book lost is taken for.
// An id says whose an order is (ours or placed outside the cockpit); it never says what the order is
// for: that is the order's `intent`, kept in the order store.
import type { ExitRule, OrderIntent, Side } from '../../shared/domain';

/** Every id the engine gives an order starts with one of these (entries, exits and stops, flattens). */
const OWN_ID = /^(?:entry|exit|flatten)-[A-Za-z0-9._-]+$/;

/** True for an id the engine made; false for an order placed on the broker's web page or by another tool. */
export function isOwnOrderId(clientOrderId: string): boolean {
  return OWN_ID.test(clientOrderId);
}

/**
 * The intent of one of our orders found at the broker but missing from the book (a restored backup):
 * read from what it does, never from its id. A stop against the held position is that position's
 * protective stop; another order against it closes it (an exit); anything else opens or adds (an entry,
 * so it is canceled at the flatten time like any entry).
 */
export function adoptedIntent(order: { side: Side; type: string }, heldQty: number): { intent: OrderIntent; exitRule?: ExitRule } {
  const reduces = heldQty !== 0 && (order.side === 'sell') === heldQty > 0;
  if (!reduces) return { intent: 'entry' };
  if (order.type === 'stop' || order.type === 'stop_limit') return { intent: 'protective-stop', exitRule: 'hardStop' };
  return { intent: 'exit' };
}
