// The trader's executions on the candle chart, kept apart from lightweight-charts so it can be tested:
// which orders of the shown symbol have filled, at which bar and under which label (an entry's
// direction, an exit's rule), and how each looks as a series marker.
import type { Timeframe } from '../../../shared/domain';
import type { BlotterOrder } from '../../store/blotter/initialState';
import { isExitKind, ORDER_KIND_LABELS, orderKindOf, type OrderKind } from '../../store/blotter/orderKind';

/** One filled order of the shown symbol, at the start of the bar its (latest) fill belongs to. */
export interface ExecutionMarker {
  clientOrderId: string;
  kind: OrderKind;
  side: BlotterOrder['side'];
  qty: number;
  price: number;
  /** Epoch ms UTC of the fill. */
  fillTime: number;
  /** Epoch ms UTC start of the bar that holds the fill. */
  barStart: number;
  /** The marker's text and its token in the chart's `data-markers`. */
  label: string;
}

export const BAR_MS: Readonly<Record<Timeframe, number>> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1d': 86_400_000 };

/**
 * The start of the bar a fill belongs to: the bar whose interval (start, end] holds the fill time.
 * Half open on the left because the engine's clock stamps a simulated fill with the close of the bar
 * it matched against (the broker sees a bar when it closes), so a fill at exactly 10:31:00.000 is a
 * fill inside the 10:30 bar, which is on the chart, not inside the 10:31 bar, which is still forming.
 */
export function fillBarStart(fillTime: number, barMs: number): number {
  return Math.ceil(fillTime / barMs) * barMs - barMs;
}

/**
 * The markers of `symbol`'s filled orders (any fill at all, partial ones included), oldest fill first.
 * `fillAt` gives each order's latest fill time; an order without one is not drawn.
 */
export function executionMarkersOf(
  orders: Readonly<Record<string, BlotterOrder>>,
  fillAt: Readonly<Record<string, number>>,
  symbol: string | null,
  barMs: number = BAR_MS['1m'],
): ExecutionMarker[] {
  if (symbol === null) return [];
  const out: ExecutionMarker[] = [];
  for (const o of Object.values(orders)) {
    if (o.symbol !== symbol || o.filledQty <= 0 || o.avgFillPrice === null) continue;
    const fillTime = fillAt[o.clientOrderId];
    if (fillTime === undefined) continue;
    const kind = orderKindOf(o);
    out.push({
      clientOrderId: o.clientOrderId,
      kind,
      side: o.side,
      qty: o.filledQty,
      price: o.avgFillPrice,
      fillTime,
      barStart: fillBarStart(fillTime, barMs),
      label: ORDER_KIND_LABELS[kind].marker,
    });
  }
  out.sort((a, b) => a.fillTime - b.fillTime || (a.clientOrderId < b.clientOrderId ? -1 : 1));
  return out;
}

/** Marker colours: distinct from the candles (#26a69a, #ef5350) and the overlay lines. */
export const MARKER_COLORS: Readonly<Record<OrderKind, string>> = {
  entry: '#2962ff',
  hardStop: '#ff1744',
  target: '#00e676',
  trailingStop: '#ff9100',
  peakExit: '#ffd600',
  timeStop: '#18ffff',
  eodFlatten: '#e040fb',
  mlExit: '#82b1ff',
  flatten: '#ffffff',
  exit: '#bdbdbd',
  other: '#9e9e9e',
};

/** How one execution is drawn (lightweight-charts' SeriesMarker with the time left to the caller). */
export interface MarkerLook {
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown' | 'circle';
  color: string;
  text: string;
}

/**
 * A buy sits under the bar and a sell over it. An entry is an arrow in its direction with its size;
 * anything that closes a position is a circle labelled with its exit rule.
 */
export function markerLook(m: Pick<ExecutionMarker, 'kind' | 'side' | 'qty' | 'label'>): MarkerLook {
  const buy = m.side === 'buy';
  const position = buy ? 'belowBar' : 'aboveBar';
  const color = MARKER_COLORS[m.kind];
  if (m.kind === 'entry') return { position, shape: buy ? 'arrowUp' : 'arrowDown', color, text: `${buy ? 'BUY' : 'SELL'} ${m.qty}` };
  if (isExitKind(m.kind)) return { position, shape: 'circle', color, text: m.label };
  return { position, shape: buy ? 'arrowUp' : 'arrowDown', color, text: m.label };
}

/** The index range [from, to) of `markers` (sorted by bar) whose bars lie within [first, last]. */
export function markersWithin(markers: readonly ExecutionMarker[], first: number | null, last: number | null): { from: number; to: number } {
  if (first === null || last === null) return { from: 0, to: 0 };
  let from = 0;
  while (from < markers.length && markers[from]!.barStart < first) from++;
  let to = from;
  while (to < markers.length && markers[to]!.barStart <= last) to++;
  return { from, to };
}

/** True when two marker lists would draw the same (an update of another symbol's order changes nothing here). */
export function sameMarkers(a: readonly ExecutionMarker[], b: readonly ExecutionMarker[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((m, i) => {
    const n = b[i]!;
    return m.clientOrderId === n.clientOrderId && m.barStart === n.barStart && m.label === n.label && m.qty === n.qty && m.price === n.price && m.side === n.side;
  });
}
