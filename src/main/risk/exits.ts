// Exit rules for an open position, bar by bar: hard stop, target, trailing stop, peak exit, time stop
// and the end-of-day flatten from the calendar (13:00 closes included). An exit always closes the
// whole position with an order on the opposite side, so it can never add exposure. Pure: the bar and
// the decision time are arguments.
import type { Bar } from '../../shared/domain';
import { nyClock, type NyseCalendar } from '../calendar/nyse';
import type { ExitRule, OrderRequest, Position } from '../../shared/domain';
import { makeOrderId } from '../execution/order-ids';
import { flattenTimeOf } from './pre-trade';

export interface ExitRules {
  /** Exit when the close is this many dollars worse than the best price since entry. */
  trailAmount?: number;
  /** Exit when the close is this percent below the highest price since entry (above the lowest, for shorts). */
  peakExitPct?: number;
  /** Exit after this many bars held. */
  maxBarsHeld?: number;
  /** ML exit: leave when the active model puts at least this probability on the move against the position. */
  mlExitThreshold?: number;
  /** Flatten every position this many minutes before the session's close. */
  flattenMinutesBeforeClose: number;
}

/** A position with what its exits need to remember. */
export interface TrackedPosition extends Position {
  /** Epoch ms UTC of the entry fill; bars that end before it are not counted. */
  entryTime: number;
  barsHeld: number;
  /** Highest high since entry for a long, lowest low for a short (starts at the entry price). */
  peak: number;
  /** Hard stop price. */
  stopPrice?: number;
  /** Profit target price. */
  targetPrice?: number;
}

/** The managed exit rules (the contract's ExitRule). */
export type ExitReason = ExitRule;

/** When several fire on the same bar, the first here is the reason (a stop before a target: the worse case). */
export const EXIT_PRIORITY: readonly ExitReason[] = ['hardStop', 'trailingStop', 'peakExit', 'mlExit', 'target', 'timeStop', 'eodFlatten'];

export interface ExitDecision {
  reason: ExitReason;
  /** Trader-readable. */
  detail: string;
  /** A market order closing the whole position. */
  order: OrderRequest;
  /** True for the end-of-day flatten: the pre-trade checks always let it out. */
  flatten: boolean;
  /** The price the rule fired at (the stop or target level, the open when the bar gapped through it, else the close). */
  triggerPrice: number;
}

export interface ExitStep {
  position: TrackedPosition;
  exit: ExitDecision | null;
}

export function trackPosition(p: Position, entryTime: number, levels: { stopPrice?: number; targetPrice?: number } = {}): TrackedPosition {
  return { symbol: p.symbol, qty: p.qty, avgEntryPrice: p.avgEntryPrice, entryTime, barsHeld: 0, peak: p.avgEntryPrice, ...levels };
}

const BAR_MS: Record<Bar['timeframe'], number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1d': 86_400_000 };

/**
 * Folds one bar of the position's symbol into it (bars held, peak) and decides whether to exit at `now`
 * (normally the bar's end). The trailing and peak exits compare the close with a peak that includes
 * this bar's high: the close comes after the high, so that is causal. Stop and target are intrabar.
 */
export function stepExits(position: TrackedPosition, bar: Bar, now: number, rules: ExitRules, calendar: NyseCalendar): ExitStep {
  if (bar.symbol !== position.symbol) throw new RangeError(`exits: bar of ${bar.symbol} given for a ${position.symbol} position`);
  for (const x of [bar.open, bar.high, bar.low, bar.close, now]) if (!Number.isFinite(x)) throw new RangeError('exits: bar or time is not finite');
  if (position.qty === 0) return { position, exit: null };

  const long = position.qty > 0;
  let pos = position;
  if (bar.start + BAR_MS[bar.timeframe] > position.entryTime) {
    pos = { ...position, barsHeld: position.barsHeld + 1, peak: long ? Math.max(position.peak, bar.high) : Math.min(position.peak, bar.low) };
  }

  const fired = new Map<ExitReason, { detail: string; trigger: number }>();
  const { stopPrice, targetPrice } = pos;
  if (stopPrice !== undefined && (long ? bar.low <= stopPrice : bar.high >= stopPrice)) {
    fired.set('hardStop', { detail: `hard stop ${stopPrice} hit`, trigger: long ? Math.min(stopPrice, bar.open) : Math.max(stopPrice, bar.open) });
  }
  if (rules.trailAmount !== undefined && rules.trailAmount > 0) {
    const level = long ? pos.peak - rules.trailAmount : pos.peak + rules.trailAmount;
    if (long ? bar.close <= level : bar.close >= level) fired.set('trailingStop', { detail: `close ${bar.close} crossed the trailing stop ${round2(level)} (${rules.trailAmount} from the ${long ? 'high' : 'low'} ${pos.peak})`, trigger: bar.close });
  }
  if (rules.peakExitPct !== undefined && rules.peakExitPct > 0) {
    const level = long ? pos.peak * (1 - rules.peakExitPct / 100) : pos.peak * (1 + rules.peakExitPct / 100);
    if (long ? bar.close <= level : bar.close >= level) fired.set('peakExit', { detail: `close ${bar.close} is ${rules.peakExitPct}% or more ${long ? 'below the high' : 'above the low'} ${pos.peak} since entry`, trigger: bar.close });
  }
  if (targetPrice !== undefined && (long ? bar.high >= targetPrice : bar.low <= targetPrice)) {
    fired.set('target', { detail: `target ${targetPrice} reached`, trigger: long ? Math.max(targetPrice, bar.open) : Math.min(targetPrice, bar.open) });
  }
  if (rules.maxBarsHeld !== undefined && pos.barsHeld >= rules.maxBarsHeld) {
    fired.set('timeStop', { detail: `held ${pos.barsHeld} bars (max ${rules.maxBarsHeld})`, trigger: bar.close });
  }
  const flattenAt = flattenTimeOf(calendar, now, rules.flattenMinutesBeforeClose);
  if (flattenAt === null || now >= flattenAt) {
    const when = flattenAt === null ? 'no session today' : `flatten time ${nyClock(flattenAt).slice(11)}, ${rules.flattenMinutesBeforeClose} min before the close`;
    fired.set('eodFlatten', { detail: `end-of-day flatten (${when})`, trigger: bar.close });
  }

  const reason = EXIT_PRIORITY.find((r) => fired.has(r));
  if (reason === undefined) return { position: pos, exit: null };
  const { detail, trigger } = fired.get(reason)!;
  return { position: pos, exit: { reason, detail, order: exitOrder(pos, reason, detail, now), flatten: reason === 'eodFlatten', triggerPrice: trigger } };
}

/**
 * The ML exit: the active model's P(up) for the position's symbol, scored on a bar the position was held
 * through, against the rule's threshold. A long leaves when P(down) = 1 − P(up) reaches it, a short when
 * P(up) does. Null when the rule is off, the position is flat, or the score does not reach it.
 */
export function mlExitDecision(position: TrackedPosition, probUp: number, scoredBarStart: number, lastPrice: number, now: number, rules: ExitRules): ExitDecision | null {
  const threshold = rules.mlExitThreshold;
  if (threshold === undefined || !(threshold > 0) || position.qty === 0) return null;
  if (!Number.isFinite(probUp) || probUp < 0 || probUp > 1) throw new RangeError(`exits: P(up) ${probUp} is not a probability`);
  // A score of a bar that closed before the entry says nothing about the position.
  if (scoredBarStart + 60_000 <= position.entryTime) return null;
  const long = position.qty > 0;
  const against = long ? 1 - probUp : probUp;
  if (against < threshold) return null;
  const detail = `model puts ${(against * 100).toFixed(1)}% on a move ${long ? 'down' : 'up'} (exit at ${(threshold * 100).toFixed(0)}%)`;
  return { reason: 'mlExit', detail, order: exitOrder(position, 'mlExit', detail, now), flatten: false, triggerPrice: lastPrice };
}

/**
 * A market order for the whole position on the other side: it only ever reduces to zero. The end-of-day
 * flatten is a flatten (it closes whatever is left, past every other rule); the others are exits.
 */
export function exitOrder(position: Position, reason: ExitReason, detail: string, now: number): OrderRequest {
  return {
    clientOrderId: makeOrderId('exit', position.symbol, now),
    symbol: position.symbol,
    side: position.qty > 0 ? 'sell' : 'buy',
    qty: Math.abs(position.qty),
    type: 'market',
    timeInForce: 'day',
    intent: reason === 'eodFlatten' ? 'flatten' : 'exit',
    exitRule: reason,
    reason: `exit ${reason}: ${detail}`,
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;
