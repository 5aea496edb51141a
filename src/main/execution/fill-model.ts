// How a working order meets one bar: pure price rules (market, limit, stop, stop-limit, trailing stop,
// bracket pair) and the volume-participation cap. Every returned price lies inside the bar's [low, high]:
// slippage that would push a price past the bar's extreme is capped there, since nothing traded beyond it.
import type { Bar } from '../../shared/domain';
import type { Side } from './types';

export type SlippageModel =
  | { kind: 'none' }
  /** A fixed number of basis points of the reference price. */
  | { kind: 'bps'; bps: number }
  /** A fraction of the symbol's ATR (dollars); `fallbackBps` applies while no ATR is known. */
  | { kind: 'atr'; fraction: number; fallbackBps: number };

export interface FillModelConfig {
  readonly slippage: SlippageModel;
  /**
   * 'through' (default, conservative): a buy limit fills only when the bar trades below the limit
   * (low < limit), a sell limit when it trades above it; 'touch': low <= limit is enough.
   */
  readonly limitFill: 'through' | 'touch';
  /** Largest fraction of a bar's volume one symbol's orders may take in that bar (e.g. 0.1); null = no cap. */
  readonly maxParticipation: number | null;
}

export const DEFAULT_FILL_MODEL: FillModelConfig = Object.freeze({
  slippage: { kind: 'none' } as SlippageModel,
  limitFill: 'through',
  maxParticipation: null,
});

export function validateFillModel(config: FillModelConfig): void {
  const s = config.slippage;
  if (s.kind === 'bps' && !(Number.isFinite(s.bps) && s.bps >= 0)) throw new RangeError(`slippage bps must be >= 0, got ${s.bps}`);
  if (s.kind === 'atr' && !(Number.isFinite(s.fraction) && s.fraction >= 0 && Number.isFinite(s.fallbackBps) && s.fallbackBps >= 0)) {
    throw new RangeError('atr slippage needs fraction >= 0 and fallbackBps >= 0');
  }
  const p = config.maxParticipation;
  if (p !== null && !(Number.isFinite(p) && p > 0 && p <= 1)) throw new RangeError(`maxParticipation must be in (0, 1], got ${p}`);
}

export const roundCent = (x: number): number => Math.round(x * 100) / 100;

/** Slippage in dollars per share at `price`. */
export function slippageAmount(model: SlippageModel, price: number, atr: number | undefined): number {
  switch (model.kind) {
    case 'none':
      return 0;
    case 'bps':
      return (price * model.bps) / 10_000;
    case 'atr':
      return atr !== undefined && Number.isFinite(atr) && atr > 0 ? atr * model.fraction : (price * model.fallbackBps) / 10_000;
  }
}

const clampToBar = (price: number, bar: Bar): number => Math.min(bar.high, Math.max(bar.low, price));

/** A buy pays up, a sell receives less; rounded to the cent and kept inside the bar. */
export function withSlippage(side: Side, price: number, slip: number, bar: Bar): number {
  const raw = side === 'buy' ? price + slip : price - slip;
  return clampToBar(roundCent(raw), bar);
}

export function marketFillPrice(side: Side, bar: Bar, slip: number): number {
  return withSlippage(side, bar.open, slip, bar);
}

/** Limit: the open when it is already at or better than the limit, otherwise the limit when the bar reaches it. */
export function limitFillPrice(side: Side, limit: number, bar: Bar, mode: 'through' | 'touch'): number | null {
  if (side === 'buy') {
    if (bar.open <= limit) return bar.open;
    const reached = mode === 'touch' ? bar.low <= limit : bar.low < limit;
    return reached ? limit : null;
  }
  if (bar.open >= limit) return bar.open;
  const reached = mode === 'touch' ? bar.high >= limit : bar.high > limit;
  return reached ? limit : null;
}

/** Where a stop triggers in this bar (the open on a gap through it, else the stop), or null when not touched. */
export function stopTriggerPrice(side: Side, stop: number, bar: Bar): number | null {
  if (side === 'buy') {
    if (bar.open >= stop) return bar.open;
    return bar.high >= stop ? stop : null;
  }
  if (bar.open <= stop) return bar.open;
  return bar.low <= stop ? stop : null;
}

/** A stop becomes a market order when touched: trigger price plus slippage (a gap fills at the open, worse). */
export function stopFillPrice(side: Side, stop: number, bar: Bar, slip: number): number | null {
  const trigger = stopTriggerPrice(side, stop, bar);
  return trigger === null ? null : withSlippage(side, trigger, slip, bar);
}

export type StopLimitOutcome = { triggered: false } | { triggered: true; price: number | null };

/**
 * Stop-limit in the bar that may trigger it: fills at the trigger price (plus slippage, never past the limit)
 * when that is within the limit; after a gap beyond the limit the order rests as a limit and may still fill
 * later in the same bar, since the rest of the bar comes after the open. A non-gap trigger beyond the limit
 * waits for the next bar (the path inside the bar is unknown).
 */
export function stopLimitOnTriggerBar(side: Side, stop: number, limit: number, bar: Bar, slip: number, mode: 'through' | 'touch'): StopLimitOutcome {
  const trigger = stopTriggerPrice(side, stop, bar);
  if (trigger === null) return { triggered: false };
  const withinLimit = side === 'buy' ? trigger <= limit : trigger >= limit;
  if (withinLimit) {
    const slipped = withSlippage(side, trigger, slip, bar);
    const capped = side === 'buy' ? Math.min(slipped, limit) : Math.max(slipped, limit);
    return { triggered: true, price: clampToBar(capped, bar) };
  }
  const gapped = trigger === bar.open;
  return { triggered: true, price: gapped ? limitFillPrice(side, limit, bar, mode) : null };
}

/** Stop level of a trailing stop from the best price seen: a sell trails below the high, a buy above the low. */
export function trailingStopLevel(side: Side, best: number, trail: number): number {
  return side === 'sell' ? best - trail : best + trail;
}

/** The best price after this bar, for the next bar's stop level. */
export function updatedTrailBest(side: Side, best: number, bar: Bar): number {
  return side === 'sell' ? Math.max(best, bar.high) : Math.min(best, bar.low);
}

/** The worse of two fill prices for the order's side: a seller gets the lower, a buyer pays the higher. */
export function worseFill(side: Side, a: number, b: number): number {
  return side === 'sell' ? Math.min(a, b) : Math.max(a, b);
}

/** Shares the bar can give to this symbol's orders; Infinity when uncapped. */
export function participationCap(bar: Bar, maxParticipation: number | null): number {
  if (maxParticipation === null) return Number.POSITIVE_INFINITY;
  return Math.floor(bar.volume * maxParticipation + 1e-9);
}
