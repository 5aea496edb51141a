// Pre-trade risk checks: a proposed order runs through a fixed list of checks and the first one that
// fails denies it, as a value with the check's name and a reason a trader can read (never an exception).
// Pure: time, trading state, ledger totals and market facts are all arguments.
//
// Money policy (as in execution/types.ts): float dollars; limits are compared with a half-cent
// tolerance so that a size computed to the cent is never refused for float noise.
// Exposure is counted at cost basis (|qty| × avgEntryPrice, or the order's price for a new order), so a
// winner's rise never blocks an entry and a loser's fall never frees room for one.
import type { Bar, Timeframe, TradingState, TradingStatus } from '../../shared/domain';
import { nyClock, type NyseCalendar } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import type { OrderRequest, OrderType, Position, Side } from '../../shared/domain';

/** Risk limits shared by the checks, the sizing and the end-of-day flatten. Percentages are in percent (10 = 10%). */
export interface RiskLimits {
  /** Account equity the percentage caps are taken of, in dollars. */
  bankroll: number;
  /** No new entries in the last N minutes of the regular session (13:00 closes included). Default 15. */
  entryCutoffMinutes: number;
  /** End-of-day flatten, N minutes before the close; entries are refused from then on as well. Default 5. */
  flattenMinutesBeforeClose: number;
  /** An entry needs a completed bar of its symbol no older than this (from the bar's end). Default 120 000 ms. */
  maxBarAgeMs: number;
  /** Skip the day when SPY opened below this gap, in percent. Default −1. */
  spyGapFloorPct: number;
  /** Skip the day when VIX is above this. Default 30. */
  vixCeiling: number;
  /** A limit or stop price must lie within this percentage of the last trade. Default 5. */
  priceCollarPct: number;
  /** Largest single order value, in dollars. Default 2 500. */
  maxOrderValue: number;
  /** Largest single order, in shares. Default 1 000. */
  maxOrderQty: number;
  /** Orders per sliding minute (entries and exits; flattens are never throttled). Default 10. */
  maxOrdersPerMinute: number;
  /** Same symbol, side, quantity and type within this window is a duplicate. Default 10 000 ms. */
  duplicateWindowMs: number;
  /** Open position value (cost basis) across all symbols, in dollars. Default 5 000. */
  dailyPositionLimit: number;
  /** Capital at risk per day ((entry − stop) × qty summed), percent of bankroll. Default 10. */
  dailyRiskPct: number;
  /** Exposure in one symbol, percent of bankroll. Default 25. */
  symbolCapPct: number;
  /** Exposure in one sector, percent of bankroll. Default 50. */
  sectorCapPct: number;
}

export const DEFAULT_RISK_LIMITS: Readonly<RiskLimits> = Object.freeze({
  bankroll: 20_000,
  entryCutoffMinutes: 15,
  flattenMinutesBeforeClose: 5,
  maxBarAgeMs: 120_000,
  spyGapFloorPct: -1,
  vixCeiling: 30,
  priceCollarPct: 5,
  maxOrderValue: 2_500,
  maxOrderQty: 1_000,
  maxOrdersPerMinute: 10,
  duplicateWindowMs: 10_000,
  dailyPositionLimit: 5_000,
  dailyRiskPct: 10,
  symbolCapPct: 25,
  sectorCapPct: 50,
});

/** Frozen limits from defaults and overrides; a limit that cannot make sense raises here, at start. */
export function riskLimits(overrides: Partial<RiskLimits> = {}): Readonly<RiskLimits> {
  const l: RiskLimits = { ...DEFAULT_RISK_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(l)) {
    if (!Number.isFinite(value)) throw new RangeError(`risk limit ${name} must be a finite number, got ${value}`);
    if (name !== 'spyGapFloorPct' && value < 0) throw new RangeError(`risk limit ${name} must not be negative, got ${value}`);
  }
  if (l.bankroll <= 0) throw new RangeError('risk limit bankroll must be positive');
  if (!Number.isInteger(l.maxOrderQty)) throw new RangeError('risk limit maxOrderQty must be whole shares');
  for (const name of ['dailyRiskPct', 'symbolCapPct', 'sectorCapPct'] as const) {
    if (l[name] > 100) throw new RangeError(`risk limit ${name} is a percentage of bankroll and must be at most 100`);
  }
  if (l.symbolCapPct > l.sectorCapPct) throw new RangeError('risk limit symbolCapPct must not exceed sectorCapPct');
  return Object.freeze(l);
}

/** The checks, in the order they run; the first failure is the one reported. */
export const PRE_TRADE_CHECKS = [
  'tradingState',
  'regularHours',
  'entryWindow',
  'staleData',
  'symbolHalt',
  'featuresWarm',
  'oppositePosition',
  'dayFilter',
  'priceCollar',
  'orderSize',
  'orderRate',
  'duplicateOrder',
  'dailyPositionValue',
  'capitalAtRisk',
  'symbolCap',
  'sectorCap',
] as const;
export type PreTradeCheck = (typeof PRE_TRADE_CHECKS)[number];

/**
 * What the checks take an order for, from what it does to the book: entry: opens or adds to a position
 * (or flips it); exit: reduces a position without flipping it; flatten: an exit the kill switch or the
 * end-of-day flatten sent. (The order's own `intent` says what it was sent for; this says how it is checked.)
 */
export type CheckedAs = 'entry' | 'exit' | 'flatten';

/**
 * Which orders face which check. Exits skip the entry-only checks (hours, window, data, warm-up, day
 * filter, size and exposure caps: an exit can only lower them) but still face the trading state, a
 * symbol halt, the collar, the throttle and the duplicate check (a resent exit would flip the
 * position). Flattens face nothing: the kill switch flattens in HALTED, and the end-of-day flatten
 * must not be throttled away. An order marked flatten that would add exposure is an entry.
 */
export const CHECK_APPLIES_TO: Readonly<Record<PreTradeCheck, 'entries' | 'entries and exits'>> = Object.freeze({
  tradingState: 'entries and exits',
  regularHours: 'entries',
  entryWindow: 'entries',
  staleData: 'entries',
  symbolHalt: 'entries and exits',
  featuresWarm: 'entries',
  oppositePosition: 'entries',
  dayFilter: 'entries',
  priceCollar: 'entries and exits',
  orderSize: 'entries',
  orderRate: 'entries and exits',
  duplicateOrder: 'entries and exits',
  dailyPositionValue: 'entries',
  capitalAtRisk: 'entries',
  symbolCap: 'entries',
  sectorCap: 'entries',
});

/** An order the engine sent recently (for the throttle and the duplicate check). */
export interface SubmitRecord {
  time: number;
  symbol: string;
  side: Side;
  qty: number;
  type: OrderType;
}

export interface PreTradeContext {
  /** Epoch ms UTC of the decision. */
  now: number;
  calendar: NyseCalendar;
  tradingState: TradingState;
  /** Latest completed bar of the order's symbol; null when none has arrived. */
  lastBar: Bar | null;
  /** Last trade price of the order's symbol; null when none is known. */
  lastTradePrice: number | null;
  /** Latest vendor status of the symbol (halt, LULD pause, resume); null when none was seen. */
  symbolStatus: TradingStatus | null;
  featuresWarm: boolean;
  /** Day filters. null means the figure is not available; the filter then does not skip the day. */
  market: { spyGapPct: number | null; vix: number | null };
  recentSubmits: readonly SubmitRecord[];
  /** Open positions, one per symbol (signed quantity). */
  positions: readonly Position[];
  /**
   * Entry orders still working (the unfilled rest, signed, valued at their limit or the last trade): they
   * count in the symbol and sector caps as if filled, so two entries in one minute cannot pass one cap twice.
   */
  working?: readonly Position[];
  /** Open position value at cost basis, in dollars, working entries included. */
  positionValueOpen: number;
  /** From the risk ledger: capital at risk already used today, in dollars. */
  capitalAtRiskUsed: number;
  /** Symbol → sector; a symbol not in the map counts in the sector 'Unclassified'. */
  sectorOf: ReadonlyMap<string, string>;
}

export interface ProposedOrder {
  order: OrderRequest;
  /** Set by the kill switch and the end-of-day flatten. */
  flatten?: boolean;
  /** The protective stop of an entry when it is not a bracket leg (order.bracket.stopLoss wins). */
  riskStop?: number;
  /**
   * Sent as an entry (a signal, the trader): it is checked as one whatever it does to the book, and one
   * against a held position is refused (oppositePosition): closing is the exits' and the flatten's job.
   */
  entry?: boolean;
}

export type PreTradeResult =
  | { ok: true; intent: CheckedAs; /** Dollars this order adds to capital at risk (0 for exits). */ capitalAtRisk: number; /** Dollars at the reference price. */ orderValue: number }
  | { ok: false; intent: CheckedAs; check: PreTradeCheck; reason: string };

/** Half a cent: limits are met to the cent. */
export const MONEY_TOLERANCE = 0.005;
export const UNCLASSIFIED_SECTOR = 'Unclassified';

const MINUTE = 60_000;
const TIMEFRAME_MS: Record<Timeframe, number> = { '1m': MINUTE, '5m': 5 * MINUTE, '15m': 15 * MINUTE, '1d': 24 * 60 * MINUTE };

export function usd(x: number): string {
  const sign = x < 0 ? '-' : '';
  return `${sign}$${Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
const hhmm = (utc: number): string => nyClock(utc).slice(11);
const pct = (x: number): string => `${Number(x.toFixed(2))}%`;

/** Signed quantity held in a symbol. */
export function heldQty(positions: readonly Position[], symbol: string): number {
  let q = 0;
  for (const p of positions) if (p.symbol === symbol) q += p.qty;
  return q;
}

/** Cost-basis exposure in one symbol, in dollars. */
export function symbolExposure(positions: readonly Position[], symbol: string): number {
  let v = 0;
  for (const p of positions) if (p.symbol === symbol) v += Math.abs(p.qty) * p.avgEntryPrice;
  return v;
}

/**
 * The sector a symbol's exposure is capped in. A symbol with no known sector is its own group
 * ("Unclassified (XYZ)"): lumping every unknown symbol together would let one unknown name block all
 * others, and calling none of them a sector would let the cap never bind.
 */
export function sectorOfSymbol(sectorOf: ReadonlyMap<string, string>, symbol: string): string {
  return sectorOf.get(symbol) ?? `${UNCLASSIFIED_SECTOR} (${symbol})`;
}

/** The sector shown to the trader: the known one, else "Unclassified". */
export function sectorLabel(sectorOf: ReadonlyMap<string, string>, symbol: string): string {
  return sectorOf.get(symbol) ?? UNCLASSIFIED_SECTOR;
}

/**
 * Cost-basis exposure in the sector `symbol` is capped in, in dollars: the hot-path form of
 * sectorExposure(positions, sectorOf, sectorOfSymbol(sectorOf, symbol)), with no group name built.
 */
export function sectorExposureOfSymbol(positions: readonly Position[], sectorOf: ReadonlyMap<string, string>, symbol: string): number {
  const sector = sectorOf.get(symbol);
  let v = 0;
  for (const p of positions) {
    const other = sectorOf.get(p.symbol);
    if (sector === undefined ? other === undefined && p.symbol === symbol : other === sector) v += Math.abs(p.qty) * p.avgEntryPrice;
  }
  return v;
}

/** Cost-basis exposure in one sector, in dollars. */
export function sectorExposure(positions: readonly Position[], sectorOf: ReadonlyMap<string, string>, sector: string): number {
  let v = 0;
  for (const p of positions) if (sectorOfSymbol(sectorOf, p.symbol) === sector) v += Math.abs(p.qty) * p.avgEntryPrice;
  return v;
}

/** Whether an order opens/adds (entry) or only reduces a position (exit, or flatten when so marked). */
export function classifyIntent(order: OrderRequest, positions: readonly Position[], flatten = false): CheckedAs {
  const held = heldQty(positions, order.symbol);
  const signed = order.side === 'buy' ? order.qty : -order.qty;
  const reduces = held !== 0 && order.qty > 0 && Math.sign(signed) === -Math.sign(held) && Math.abs(signed) <= Math.abs(held);
  if (!reduces) return 'entry';
  return flatten ? 'flatten' : 'exit';
}

/** The end-of-day flatten instant of the session `now` falls in, or null on a day without a session. */
export function flattenTimeOf(calendar: NyseCalendar, now: number, flattenMinutesBeforeClose: number): number | null {
  const s = calendar.session(nyDateKey(now));
  return s ? s.close - flattenMinutesBeforeClose * MINUTE : null;
}

/** The price an entry is valued at: its limit, else its stop, else the last trade. */
export function referencePrice(order: OrderRequest, lastTradePrice: number | null): number | null {
  return order.limitPrice ?? order.stopPrice ?? lastTradePrice;
}

function assertFinite(name: string, x: number | null | undefined): void {
  // A NaN price is a bug upstream, not an expected denial.
  if (x !== null && x !== undefined && !Number.isFinite(x)) throw new RangeError(`pre-trade: ${name} is not a finite number (${x})`);
}

/** Runs the checks in PRE_TRADE_CHECKS order; the first that fails is reported. */
export function checkPreTrade(proposal: ProposedOrder, ctx: PreTradeContext, limits: Readonly<RiskLimits>): PreTradeResult {
  const { order } = proposal;
  for (const [n, x] of [
    ['qty', order.qty],
    ['limitPrice', order.limitPrice],
    ['stopPrice', order.stopPrice],
    ['riskStop', proposal.riskStop],
    ['bracket.stopLoss', order.bracket?.stopLoss],
    ['lastTradePrice', ctx.lastTradePrice],
    ['positionValueOpen', ctx.positionValueOpen],
    ['capitalAtRiskUsed', ctx.capitalAtRiskUsed],
    ['now', ctx.now],
  ] as const) assertFinite(n, x);

  const intent = proposal.entry === true ? 'entry' : classifyIntent(order, ctx.positions, proposal.flatten ?? false);
  if (intent === 'flatten') return { ok: true, intent, capitalAtRisk: 0, orderValue: order.qty * (referencePrice(order, ctx.lastTradePrice) ?? 0) };

  const price = referencePrice(order, ctx.lastTradePrice);
  // orderSize denies an entry without a price before any check reads orderValue.
  const orderValue = price === null ? 0 : order.qty * price;
  let addedRisk = 0;
  const deny = (check: PreTradeCheck, reason: string): PreTradeResult => ({ ok: false, intent, check, reason });

  for (const check of PRE_TRADE_CHECKS) {
    if (intent === 'exit' && CHECK_APPLIES_TO[check] === 'entries') continue;
    switch (check) {
      case 'tradingState':
        if (ctx.tradingState === 'HALTED') return deny(check, 'Trading is HALTED (kill switch): no orders until the trader resumes; only flatten orders go out');
        if (ctx.tradingState === 'REDUCING' && intent === 'entry') return deny(check, 'Trading is REDUCING: exits only, no new entries');
        break;
      case 'regularHours': {
        const part = ctx.calendar.partOf(ctx.now);
        if (part !== 'regular') {
          const date = nyDateKey(ctx.now);
          const closed = ctx.calendar.closureReason(date);
          const why = closed !== null ? `market closed on ${date} (${closed})` : part === 'pre' ? 'pre-market' : part === 'post' ? 'after the close' : 'market closed';
          return deny(check, `Entries only in regular hours; it is ${hhmm(ctx.now)} New York, ${why}`);
        }
        break;
      }
      case 'entryWindow': {
        const s = ctx.calendar.session(nyDateKey(ctx.now));
        if (!s) return deny(check, 'No session today');
        const flattenAt = s.close - limits.flattenMinutesBeforeClose * MINUTE;
        const cutoffAt = s.close - limits.entryCutoffMinutes * MINUTE;
        if (ctx.now >= flattenAt) return deny(check, `Past the end-of-day flatten time ${hhmm(flattenAt)} (close ${hhmm(s.close)}): no new entries`);
        if (ctx.now >= cutoffAt) return deny(check, `Within the last ${limits.entryCutoffMinutes} minutes before the ${hhmm(s.close)} close: no new entries`);
        break;
      }
      case 'staleData': {
        if (!ctx.lastBar) return deny(check, `No bar of ${order.symbol} yet: data too stale to enter`);
        const age = ctx.now - (ctx.lastBar.start + TIMEFRAME_MS[ctx.lastBar.timeframe]);
        if (age > limits.maxBarAgeMs) return deny(check, `Last ${order.symbol} bar ended ${Math.round(age / 1000)}s ago (max ${Math.round(limits.maxBarAgeMs / 1000)}s): data is stale`);
        break;
      }
      case 'symbolHalt':
        if (ctx.symbolStatus?.halted) {
          const s = ctx.symbolStatus;
          return deny(check, `${order.symbol} is halted since ${hhmm(s.time)} (${s.code}${s.reason ? `: ${s.reason}` : ''})`);
        }
        break;
      case 'featuresWarm':
        if (!ctx.featuresWarm) return deny(check, `Features of ${order.symbol} are still warming up`);
        break;
      case 'oppositePosition': {
        const held = heldQty(ctx.positions, order.symbol);
        if (held !== 0 && Math.sign(held) !== (order.side === 'buy' ? 1 : -1)) {
          return deny(check, `${order.symbol} is held ${held > 0 ? 'long' : 'short'} ${Math.abs(held)}: an entry on the other side is refused (exit or flatten the position instead)`);
        }
        // A working entry the other way would, once both fill, close one with the other and leave its
        // exits working against no position.
        const pending = heldQty(ctx.working ?? [], order.symbol);
        if (pending !== 0 && Math.sign(pending) !== (order.side === 'buy' ? 1 : -1)) {
          return deny(check, `A ${pending > 0 ? 'buy' : 'sell'} entry of ${Math.abs(pending)} ${order.symbol} is still working: an entry on the other side is refused (cancel it first)`);
        }
        break;
      }
      case 'dayFilter': {
        const { spyGapPct, vix } = ctx.market;
        if (spyGapPct !== null && spyGapPct < limits.spyGapFloorPct) return deny(check, `SPY gapped ${pct(spyGapPct)} (floor ${pct(limits.spyGapFloorPct)}): skipping the day`);
        if (vix !== null && vix > limits.vixCeiling) return deny(check, `VIX is ${vix} (ceiling ${limits.vixCeiling}): skipping the day`);
        break;
      }
      case 'priceCollar': {
        for (const [label, p] of [['limit', order.limitPrice], ['stop', order.stopPrice]] as const) {
          if (p === undefined) continue;
          const last = ctx.lastTradePrice;
          if (last === null || last <= 0) return deny(check, `No last trade of ${order.symbol} to check the ${label} price ${usd(p)} against`);
          const off = (Math.abs(p - last) / last) * 100;
          if (off > limits.priceCollarPct + 1e-9) return deny(check, `The ${label} price ${usd(p)} is ${pct(off)} from the last trade ${usd(last)} (collar ${pct(limits.priceCollarPct)})`);
        }
        break;
      }
      case 'orderSize':
        if (!Number.isInteger(order.qty) || order.qty <= 0) return deny(check, `Quantity ${order.qty} is not a positive whole number of shares`);
        if (order.qty > limits.maxOrderQty) return deny(check, `${order.qty} shares is above the ${limits.maxOrderQty}-share order limit`);
        if (price === null || price <= 0) return deny(check, `No price to value the ${order.symbol} order (no limit price, no last trade)`);
        if (orderValue > limits.maxOrderValue + MONEY_TOLERANCE) return deny(check, `Order value ${usd(orderValue)} is above the ${usd(limits.maxOrderValue)} order limit`);
        break;
      case 'orderRate': {
        let n = 0;
        for (const s of ctx.recentSubmits) if (s.time <= ctx.now && s.time > ctx.now - MINUTE) n++;
        if (n >= limits.maxOrdersPerMinute) return deny(check, `${n} orders in the last minute (max ${limits.maxOrdersPerMinute}): throttled`);
        break;
      }
      case 'duplicateOrder': {
        const dup = ctx.recentSubmits.find(
          (s) => s.symbol === order.symbol && s.side === order.side && s.qty === order.qty && s.type === order.type && s.time <= ctx.now && ctx.now - s.time < limits.duplicateWindowMs,
        );
        if (dup) return deny(check, `Same ${order.side} ${order.qty} ${order.symbol} ${order.type} order sent ${Math.round((ctx.now - dup.time) / 1000)}s ago: looks like a duplicate`);
        break;
      }
      case 'dailyPositionValue': {
        const after = ctx.positionValueOpen + orderValue;
        if (after > limits.dailyPositionLimit + MONEY_TOLERANCE) return deny(check, `Open positions would reach ${usd(after)} (limit ${usd(limits.dailyPositionLimit)}, open ${usd(ctx.positionValueOpen)})`);
        break;
      }
      case 'capitalAtRisk': {
        const stop = order.bracket?.stopLoss ?? proposal.riskStop;
        if (stop === undefined) return deny(check, `Entry in ${order.symbol} has no stop: its risk is unknown`);
        const entry = price as number; // orderSize ran before and guaranteed a price
        if (order.side === 'buy' ? stop >= entry : stop <= entry) {
          return deny(check, `Stop ${usd(stop)} is on the wrong side of the ${usd(entry)} entry for a ${order.side === 'buy' ? 'long' : 'short'}`);
        }
        addedRisk = Math.abs(entry - stop) * order.qty;
        const cap = (limits.dailyRiskPct / 100) * limits.bankroll;
        if (ctx.capitalAtRiskUsed + addedRisk > cap + MONEY_TOLERANCE) {
          return deny(check, `Capital at risk would reach ${usd(ctx.capitalAtRiskUsed + addedRisk)} (cap ${usd(cap)} = ${pct(limits.dailyRiskPct)} of bankroll, used ${usd(ctx.capitalAtRiskUsed)})`);
        }
        break;
      }
      case 'symbolCap': {
        const cap = (limits.symbolCapPct / 100) * limits.bankroll;
        const after = symbolExposure(ctx.positions, order.symbol) + symbolExposure(ctx.working ?? [], order.symbol) + orderValue;
        if (after > cap + MONEY_TOLERANCE) return deny(check, `${order.symbol} exposure would reach ${usd(after)} (cap ${usd(cap)} = ${pct(limits.symbolCapPct)} of bankroll)`);
        break;
      }
      case 'sectorCap': {
        const cap = (limits.sectorCapPct / 100) * limits.bankroll;
        const after = sectorExposureOfSymbol(ctx.positions, ctx.sectorOf, order.symbol) + sectorExposureOfSymbol(ctx.working ?? [], ctx.sectorOf, order.symbol) + orderValue;
        if (after > cap + MONEY_TOLERANCE) return deny(check, `${sectorOfSymbol(ctx.sectorOf, order.symbol)} sector exposure would reach ${usd(after)} (cap ${usd(cap)} = ${pct(limits.sectorCapPct)} of bankroll)`);
        break;
      }
    }
  }
  return { ok: true, intent, capitalAtRisk: intent === 'entry' ? addedRisk : 0, orderValue };
}
