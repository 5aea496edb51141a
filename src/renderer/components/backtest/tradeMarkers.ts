// A backtest trade on its day's candles, kept apart from lightweight-charts so it can be tested:
// which bars hold its entry and exit fills, how each is drawn, and the range of bars to bring into
// view around it. The simulated broker stamps a fill with the close of the bar it matched against,
// so a fill belongs to the bar whose interval (start, end] holds its time (as on the main chart).
import type { BacktestTrade } from '../../../shared/backtest';
import type { Bar } from '../../../shared/domain';
import { EXIT_KINDS, ORDER_KIND_LABELS, type OrderKind } from '../../store/blotter/orderKind';
import { BAR_MS, fillBarStart, MARKER_COLORS, type MarkerLook } from '../chart/executionMarkers';

export interface TradeMarker extends MarkerLook {
  which: 'entry' | 'exit';
  /** Start (epoch ms UTC) of the day's bar the fill belongs to. */
  barStart: number;
  /** That bar's index among the day's bars. */
  index: number;
}

/** Bars shown either side of the trade when the chart is brought to it. */
export const TRADE_VIEW_MARGIN_BARS = 20;

/**
 * The index of the bar (of `bars`, ordered by start) a fill at `time` belongs to, or null when the
 * fill lies outside those bars (an exit on another day). A fill at the first bar's own start, the
 * opening print, belongs to the first bar.
 */
export function barIndexOfFill(bars: readonly Bar[], time: number, barMs: number = BAR_MS['1m']): number | null {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (!first || !last || time < first.start || time > last.start + barMs) return null;
  const start = Math.max(first.start, fillBarStart(time, barMs));
  let index: number | null = null;
  for (let i = 0; i < bars.length && bars[i]!.start <= start; i++) index = i;
  return index;
}

const EXIT_KIND_SET: ReadonlySet<string> = new Set(EXIT_KINDS);

function exitKindOf(rule: string): OrderKind {
  return EXIT_KIND_SET.has(rule) ? (rule as OrderKind) : 'exit';
}

/**
 * The entry and exit markers that fall on `bars`. A long is bought below the bar and sold above it;
 * a short the other way round. The entry is an arrow with its size, the exit a circle named for the
 * rule that closed the trade.
 */
export function tradeMarkers(trade: BacktestTrade, bars: readonly Bar[]): TradeMarker[] {
  const long = trade.side === 'long';
  const out: TradeMarker[] = [];
  const entry = barIndexOfFill(bars, trade.entryTime);
  if (entry !== null) {
    out.push({
      which: 'entry',
      barStart: bars[entry]!.start,
      index: entry,
      position: long ? 'belowBar' : 'aboveBar',
      shape: long ? 'arrowUp' : 'arrowDown',
      color: MARKER_COLORS.entry,
      text: `${long ? 'BUY' : 'SELL'} ${trade.qty}`,
    });
  }
  const exit = barIndexOfFill(bars, trade.exitTime);
  if (exit !== null) {
    const kind = exitKindOf(trade.exitRule);
    out.push({
      which: 'exit',
      barStart: bars[exit]!.start,
      index: exit,
      position: long ? 'aboveBar' : 'belowBar',
      shape: 'circle',
      color: MARKER_COLORS[kind],
      text: ORDER_KIND_LABELS[kind].marker,
    });
  }
  return out;
}

/** The logical range (bar indexes) that shows the trade with some bars either side, or null without markers. */
export function tradeViewRange(markers: readonly TradeMarker[], barCount: number): { from: number; to: number } | null {
  if (markers.length === 0 || barCount === 0) return null;
  const first = Math.min(...markers.map((m) => m.index));
  const last = Math.max(...markers.map((m) => m.index));
  return { from: Math.max(0, first - TRADE_VIEW_MARGIN_BARS), to: Math.min(barCount - 1, last + TRADE_VIEW_MARGIN_BARS) };
}
