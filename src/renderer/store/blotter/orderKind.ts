// What an order was for, read from the reason the execution engine writes on it: an entry, one of
// the managed exits (`exit <reason>: …`), a flatten by the trader or the kill switch (`flatten: …`).
// The blotter's badge and the chart's execution markers both label orders with this.

/** The exits the engine's exit rules name (src/main/risk/exits.ts ExitReason), plus the ML exit the config offers. */
export const EXIT_KINDS = ['hardStop', 'target', 'trailingStop', 'peakExit', 'timeStop', 'eodFlatten', 'mlExit'] as const;
export type ExitKind = (typeof EXIT_KINDS)[number];

/**
 * `flatten`: closed by the trader's Flatten or the kill switch; `exit`: an exit whose rule this
 * renderer does not know yet (a newer engine); `other`: a reason in no known form.
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
const EXIT_REASON = /^exit\s+([A-Za-z]+)\s*:/;

/** The kind of an order from its `reason`. */
export function orderKindOf(reason: string): OrderKind {
  const text = reason.trimStart();
  if (text.startsWith('entry:')) return 'entry';
  if (text.startsWith('flatten:')) return 'flatten';
  const exit = EXIT_REASON.exec(text);
  if (exit) return EXIT_KIND_SET.has(exit[1]!) ? (exit[1] as ExitKind) : 'exit';
  return 'other';
}

/** True for every kind that closes a position (managed exits and flattens). */
export function isExitKind(kind: OrderKind): boolean {
  return kind !== 'entry' && kind !== 'other';
}
