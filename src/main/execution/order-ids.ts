// The cockpit's order ids at a broker, and what an order of ours that the book lost is taken for.
// An id says whose an order is (ours or placed outside the cockpit); it never says what the order is
// for: that is the order's `intent`, kept in the order store.
import { createHash, randomBytes } from 'node:crypto';
import type { ExitRule, OrderIntent, Side } from '../../shared/domain';

/** Alpaca's order reference: a client_order_id is at most 48 characters. */
export const MAX_ORDER_ID_LENGTH = 48;

/** What an id starts with; it says whose the order is, never what it is for (that is the order's intent). */
export type OrderIdPrefix = 'entry' | 'exit' | 'flatten' | 'exit-stop' | 'exit-tgt';

let sequence = 0;

/**
 * The one maker of the engine's order ids: `<prefix>-<symbol>-<time>-<tail>`, never longer than 48
 * characters. The time is base-36 milliseconds; the tail is a per-process sequence and random
 * characters, unique across restarts and replays of the same minute. Given a `key`, the tail is a hash
 * of it and there is no time, so the same key (one fill) always makes the same id. A long symbol is
 * shortened to fit; characters an id may not carry become '.'.
 */
export function makeOrderId(prefix: OrderIdPrefix, symbol: string, now: number, key?: string): string {
  let tail: string;
  if (key !== undefined) {
    tail = BigInt(`0x${createHash('sha256').update(key).digest('hex').slice(0, 16)}`).toString(36);
  } else {
    sequence = (sequence + 1) % 1296;
    const rand = randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(0, 5);
    tail = `${Math.max(0, Math.floor(now)).toString(36)}-${sequence.toString(36).padStart(2, '0')}${rand}`;
  }
  const room = MAX_ORDER_ID_LENGTH - prefix.length - tail.length - 2;
  const sym = (symbol.replace(/[^A-Za-z0-9._]/g, '.') || 'X').slice(0, Math.max(1, room));
  return `${prefix}-${sym}-${tail}`;
}

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
