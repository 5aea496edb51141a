// What an order was for, from the intent and exit rule the engine puts on every order: an entry, one
// of the managed exits (a protective stop is the hard stop), a flatten by the trader or the kill switch,
// or the end-of-day flatten. The blotter's badge and the chart's execution markers both label orders with this.
import { EXIT_RULES, type ExitRule, type Order } from '../../../shared/domain';

/** The exits the engine's exit rules name (src/main/risk/exits.ts ExitReason), plus the ML exit the config offers. */
export const EXIT_KINDS = EXIT_RULES;
export type ExitKind = ExitRule;

/**
 * `flatten`: closed by the trader's Flatten or the kill switch; `exit`: an exit whose rule this
 * renderer does not know yet (a newer engine); `other`: an intent this renderer does not know.
 */
export type OrderKind = 'entry' | ExitKind | 'flatten' | 'exit' | 'other';

export interface OrderKindLabel {
  /** The blotter badge. */
  badge: string;
  /** The chart marker's text and the token in the chart's `data-markers`. */
  marker: string;
}

export const ORDER_KIND_LABELS: Readonly<Record<OrderKind, OrderKindLabel>> = {
  entry: { badge: 'Entry', marker: 'ENTRY' },
  hardStop: { badge: 'Stop', marker: 'STOP' },
  target: { badge: 'Target', marker: 'TARGET' },
  trailingStop: { badge: 'Trailing', marker: 'TRAIL' },
  peakExit: { badge: 'Peak exit', marker: 'PEAK' },
  timeStop: { badge: 'Time stop', marker: 'TIME' },
  eodFlatten: { badge: 'EOD flatten', marker: 'EOD' },
  mlExit: { badge: 'ML exit', marker: 'ML' },
  flatten: { badge: 'Flatten', marker: 'FLAT' },
  exit: { badge: 'Exit', marker: 'EXIT' },
  other: { badge: '', marker: 'FILL' },
};

const EXIT_KIND_SET: ReadonlySet<string> = new Set(EXIT_KINDS);

/** The kind of an order from its typed intent and exit rule (never from its reason text or id). */
export function orderKindOf(order: Pick<Order, 'intent' | 'exitRule'>): OrderKind {
  switch (order.intent) {
    case 'entry':
      return 'entry';
    case 'protective-stop':
      return 'hardStop';
    case 'flatten':
      return order.exitRule === 'eodFlatten' ? 'eodFlatten' : 'flatten';
    case 'exit':
      return order.exitRule !== undefined && EXIT_KIND_SET.has(order.exitRule) ? order.exitRule : 'exit';
    default:
      return 'other';
  }
}

/** True for every kind that closes a position (managed exits and flattens). */
export function isExitKind(kind: OrderKind): boolean {
  return kind !== 'entry' && kind !== 'other';
}
