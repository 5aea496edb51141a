// The simulated broker for paper trading and backtests: orders are matched against closed 1-minute bars
// fed through `onBar`, only bars that start after the order was known (no look-ahead), with the fill model's
// price rules, a volume cap, latency, fees, time in force, brackets (OCO) and positions. Time comes only
// from the injected Clock; ids are sequential, so the same inputs give the same events.
import { randomUUID } from 'node:crypto';
import type { Bar } from '../../shared/domain';
import type { Clock, CancelTimer } from '../engine/clock';
import type { Broker, BrokerOrder, Fill, Order, OrderEvent, OrderRequest, Position, Side } from './types';
import { TERMINAL_STATUSES } from './types';
import { feesForFill, NO_FEES, validateFeeSchedule, type FeeSchedule } from './fees';
import {
  DEFAULT_FILL_MODEL,
  limitFillPrice,
  marketFillPrice,
  participationCap,
  slippageAmount,
  stopFillPrice,
  stopLimitOnTriggerBar,
  trailingStopLevel,
  updatedTrailBest,
  validateFillModel,
  worseFill,
  type FillModelConfig,
} from './fill-model';

/** A finished order is let go this long after it ended, checked at most this often (simulated time). */
const RETIRE_AFTER_MS = 24 * 3_600_000;
const RETIRE_EVERY_MS = 3_600_000;

export interface SimBrokerConfig {
  readonly id?: string;
  readonly label?: string;
  readonly fillModel?: Partial<FillModelConfig>;
  readonly fees?: FeeSchedule;
  /** An order may only match bars starting at or after submit time + latency (default 0). */
  readonly latencyMs?: number;
  /** Close of the session a day order belongs to; or pass `calendar`. Without either, day orders never expire. */
  readonly sessionClose?: (time: number) => number;
  /** Anything with NyseCalendar's `nextClose` (the session's close while open, else the next one). */
  readonly calendar?: { nextClose(utc: number): number };
  /**
   * The engine's bus: from `start()` the broker matches every new minute's bar itself, in the bus's
   * venue phase (after risk, before the position manager). Without it, bars are handed to `onBar`.
   */
  readonly bus?: { subscribe(topic: 'market.bar', handler: (bar: Bar) => void, phase: 'venue'): () => void };
  /** ATR per symbol for ATR slippage, when not set through `setAtr`. */
  readonly atrOf?: (symbol: string) => number | undefined;
  /**
   * Prefix of the broker order and execution ids. Default: unique per instance, because the order book
   * outlives a broker (a restarted engine's new simulated broker must not reuse an execution id the
   * store already holds: the store refuses a repeated one as a duplicate).
   */
  readonly idPrefix?: string;
}

interface Working {
  order: Order;
  /** Bars starting before this time are not eligible (submit time + latency). */
  eligibleFrom: number;
  /** Start of the last bar of the symbol known when the order was placed: that bar and earlier never match. */
  knownBarStart: number;
  expireAt: number | null;
  expiryTimer: CancelTimer | null;
  stopLimitTriggered: boolean;
  trailBest: number | null;
  parent: Working | null;
  legs: { takeProfit: Working; stopLoss: Working } | null;
  sibling: Working | null;
}

export interface SymbolPnl {
  realized: number;
  fees: number;
}

const isPositiveFinite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
const SIDES: ReadonlySet<string> = new Set(['buy', 'sell']);
const TYPES: ReadonlySet<string> = new Set(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']);
const TIFS: ReadonlySet<string> = new Set(['day', 'ioc']);

export class SimBroker implements Broker {
  readonly id: string;
  readonly label: string;
  readonly simulated = true as const;
  readonly supportsOco = true as const;

  private readonly fillModel: FillModelConfig;
  private readonly fees: FeeSchedule;
  private readonly latencyMs: number;
  private readonly sessionCloseOf: ((time: number) => number) | null;
  private readonly atrOf: ((symbol: string) => number | undefined) | null;
  private readonly atr = new Map<string, number>();
  /** Every order by clientOrderId, in submission order. */
  private readonly orders = new Map<string, Working>();
  private readonly lastBar = new Map<string, Bar>();
  private readonly positionBook = new Map<string, Position>();
  private readonly pnl = new Map<string, SymbolPnl>();
  private readonly listeners: Array<(event: OrderEvent) => void> = [];
  /** While onBar runs, lastBar still holds the previous bar; the bar being matched is marked here. */
  private readonly matchingBarStart = new Map<string, number>();
  /** Orders not yet final, in submission order (final ones drop out as they are met): what a bar can touch. */
  private readonly unfinished = new Set<Working>();
  /** Ids of finished orders dropped from `orders` a day after they ended (a resend is still refused). */
  private readonly retiredIds = new Set<string>();
  private retiredThrough = Number.NEGATIVE_INFINITY;
  private orderSeq = 0;
  private execSeq = 0;
  private readonly idPrefix: string;
  private readonly bus: NonNullable<SimBrokerConfig['bus']> | null;
  private unsubscribeBars: (() => void) | null = null;

  constructor(
    private readonly clock: Clock,
    config: SimBrokerConfig = {},
  ) {
    this.id = config.id ?? 'sim';
    this.label = config.label ?? 'Simulated broker';
    this.fillModel = Object.freeze({ ...DEFAULT_FILL_MODEL, ...config.fillModel });
    validateFillModel(this.fillModel);
    this.fees = config.fees ?? NO_FEES;
    validateFeeSchedule(this.fees);
    this.latencyMs = config.latencyMs ?? 0;
    if (!(Number.isFinite(this.latencyMs) && this.latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0, got ${this.latencyMs}`);
    const calendar = config.calendar;
    this.sessionCloseOf = config.sessionClose ?? (calendar ? (t: number) => calendar.nextClose(t) : null);
    this.atrOf = config.atrOf ?? null;
    this.bus = config.bus ?? null;
    this.idPrefix = config.idPrefix ?? `sim-${randomUUID().slice(0, 8)}`;
  }

  // ---- Broker interface ----

  async submit(request: OrderRequest): Promise<BrokerOrder> {
    return this.submitNow(request);
  }

  async cancel(clientOrderId: string): Promise<BrokerOrder> {
    return this.cancelNow(clientOrderId);
  }

  async openOrders(): Promise<Order[]> {
    return this.openOrdersNow();
  }

  async positions(): Promise<Position[]> {
    return this.positionsNow();
  }

  /** Matches bars from the bus (when one was given); a corrected bar of a minute already matched is skipped. */
  start(): void {
    if (!this.bus || this.unsubscribeBars) return;
    this.unsubscribeBars = this.bus.subscribe(
      'market.bar',
      (bar) => {
        const previous = this.lastBar.get(bar.symbol);
        if (previous && bar.start <= previous.start) return;
        this.onBar(bar);
      },
      'venue',
    );
  }

  stop(): void {
    this.unsubscribeBars?.();
    this.unsubscribeBars = null;
  }

  onEvent(listener: (event: OrderEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // ---- synchronous views (backtests) ----

  submitNow(request: OrderRequest): Order {
    const existing = this.orders.get(request.clientOrderId);
    if (existing) return { ...existing.order };
    const now = this.clock.now();
    if (this.retiredIds.has(request.clientOrderId)) {
      // As a real broker answers a reused client_order_id: refused, the earlier order unchanged.
      return {
        ...request, brokerOrderId: '', status: 'rejected', filledQty: 0, avgFillPrice: null, submittedAt: now, updatedAt: now,
        note: `rejected: client order id ${request.clientOrderId} belongs to an order that finished earlier`,
      };
    }
    const order: Order = {
      ...request,
      bracket: request.bracket ? { ...request.bracket } : undefined,
      brokerOrderId: `${this.idPrefix}-${++this.orderSeq}`,
      status: 'new',
      filledQty: 0,
      avgFillPrice: null,
      submittedAt: now,
      updatedAt: now,
      note: '',
    };
    if (order.bracket === undefined) delete order.bracket;
    const w = this.track(order, null);
    const problem = validateRequest(request) ?? this.ocoProblem(request);
    if (problem !== null) {
      order.status = 'rejected';
      order.note = problem;
      this.emit({ type: 'rejected', order: { ...order } });
      return { ...order };
    }
    if (request.ocoGroup !== undefined) this.linkOco(w);
    this.accept(w);
    return { ...order };
  }

  /** A grouped order joins the working order of its group as its sibling (a group holds one pair). */
  private linkOco(w: Working): void {
    for (const other of this.working()) {
      if (other === w || other.order.ocoGroup !== w.order.ocoGroup || TERMINAL_STATUSES.has(other.order.status)) continue;
      w.sibling = other;
      other.sibling = w;
      return;
    }
  }

  /** Why a grouped order cannot join its group: another symbol or side, or a group that already holds a pair. */
  private ocoProblem(r: OrderRequest): string | null {
    if (r.ocoGroup === undefined) return null;
    if (r.bracket) return 'an oco order cannot carry a bracket';
    const working = [...this.working()].filter((o) => o.order.ocoGroup === r.ocoGroup && o.order.clientOrderId !== r.clientOrderId && !TERMINAL_STATUSES.has(o.order.status));
    if (working.length > 1) return `oco group ${r.ocoGroup} already holds two working orders`;
    const other = working[0];
    if (other && (other.order.symbol !== r.symbol || other.order.side !== r.side)) return `oco group ${r.ocoGroup} is for ${other.order.side} ${other.order.symbol}`;
    return null;
  }

  cancelNow(clientOrderId: string): BrokerOrder {
    const w = this.orders.get(clientOrderId);
    if (!w) {
      const now = this.clock.now();
      // Not an order of ours: answered as a rejected value, never thrown, and not stored.
      return {
        clientOrderId, symbol: '', side: 'buy', qty: 0, type: 'market', timeInForce: 'day', reason: 'cancel',
        brokerOrderId: '', status: 'rejected', filledQty: 0, avgFillPrice: null, submittedAt: now, updatedAt: now,
        note: 'cancel rejected: unknown clientOrderId',
      };
    }
    if (!TERMINAL_STATUSES.has(w.order.status)) {
      this.finish(w, 'canceled', 'canceled by client');
      // Unfilled legs of a canceled entry go with it; legs protecting filled shares stay.
      if (w.legs && w.order.filledQty === 0) {
        this.finish(w.legs.takeProfit, 'canceled', 'parent canceled');
        this.finish(w.legs.stopLoss, 'canceled', 'parent canceled');
      }
    }
    return { ...w.order };
  }

  /**
   * Orders that finished more than a day ago are let go (their ids are kept, so a resend is refused):
   * a session that runs for months, or a year's backtest, holds one day of orders, not all of them.
   */
  private retireFinished(now: number): void {
    const cutoff = now - RETIRE_AFTER_MS;
    if (cutoff < this.retiredThrough + RETIRE_EVERY_MS) return;
    this.retiredThrough = cutoff;
    for (const [id, w] of this.orders) {
      if (!TERMINAL_STATUSES.has(w.order.status) || w.order.updatedAt >= cutoff) continue;
      // A bracket leg still working keeps its parent (and a parent its legs).
      if (w.legs && (!TERMINAL_STATUSES.has(w.legs.takeProfit.order.status) || !TERMINAL_STATUSES.has(w.legs.stopLoss.order.status))) continue;
      if (w.sibling && !TERMINAL_STATUSES.has(w.sibling.order.status)) continue;
      this.orders.delete(id);
      this.retiredIds.add(id);
    }
  }

  /** The orders still working, oldest first; final ones are dropped from the set on the way. */
  private working(): Working[] {
    const out: Working[] = [];
    for (const w of this.unfinished) {
      if (TERMINAL_STATUSES.has(w.order.status)) this.unfinished.delete(w);
      else out.push(w);
    }
    return out;
  }

  openOrdersNow(): Order[] {
    const out: Order[] = [];
    for (const w of this.working()) out.push({ ...w.order });
    return out;
  }

  positionsNow(): Position[] {
    return [...this.positionBook.values()].filter((p) => p.qty !== 0).map((p) => ({ ...p }));
  }

  position(symbol: string): Position {
    const p = this.positionBook.get(symbol);
    return p ? { ...p } : { symbol, qty: 0, avgEntryPrice: 0 };
  }

  /** Realised P&L (gross of fees) and fees paid, per symbol, in dollars. */
  pnlOf(symbol: string): SymbolPnl {
    const p = this.pnl.get(symbol);
    return p ? { ...p } : { realized: 0, fees: 0 };
  }

  order(clientOrderId: string): Order | undefined {
    const w = this.orders.get(clientOrderId);
    return w ? { ...w.order } : undefined;
  }

  /** ATR (dollars) for ATR slippage; overrides `atrOf` for this symbol. */
  setAtr(symbol: string, atr: number): void {
    if (!(Number.isFinite(atr) && atr >= 0)) throw new RangeError(`ATR must be finite and >= 0, got ${atr}`);
    this.atr.set(symbol, atr);
  }

  /** Expires day orders whose session has closed (also runs from clock timers and on every bar). */
  expireDue(now: number = this.clock.now()): void {
    for (const w of [...this.working()]) {
      if (w.expireAt !== null && now >= w.expireAt && !TERMINAL_STATUSES.has(w.order.status)) {
        this.finish(w, 'expired', 'day order expired at session close');
      }
    }
  }

  /** A closed bar of one symbol: expiry first, then matching of that symbol's eligible orders, in submission order. */
  onBar(bar: Bar): void {
    if (![bar.open, bar.high, bar.low, bar.close, bar.volume, bar.start].every(Number.isFinite) || bar.low > bar.high) {
      throw new RangeError(`invalid bar for ${bar.symbol} at ${bar.start}`);
    }
    const previous = this.lastBar.get(bar.symbol);
    if (previous && bar.start <= previous.start) throw new RangeError(`bar for ${bar.symbol} at ${bar.start} is not after ${previous.start}`);
    this.expireDue(Math.max(this.clock.now(), bar.start));
    this.retireFinished(bar.start);
    this.matchingBarStart.set(bar.symbol, bar.start);

    const eligible: Working[] = [];
    for (const w of this.working()) {
      if (w.order.symbol !== bar.symbol) continue;
      if (bar.start > w.knownBarStart && bar.start >= w.eligibleFrom) eligible.push(w);
    }
    let budget = participationCap(bar, this.fillModel.maxParticipation);
    const done = new Set<Working>();
    for (const w of eligible) {
      if (done.has(w) || TERMINAL_STATUSES.has(w.order.status)) continue;
      const sib = w.sibling;
      if (sib && eligible.includes(sib) && !TERMINAL_STATUSES.has(sib.order.status)) {
        done.add(sib);
        budget = this.matchBracketPair(w, sib, bar, budget);
      } else {
        budget = this.matchOne(w, bar, budget);
      }
    }
    for (const w of eligible) {
      if (w.order.timeInForce === 'ioc' && !TERMINAL_STATUSES.has(w.order.status)) {
        this.finish(w, 'canceled', w.order.filledQty > 0 ? 'ioc remainder canceled' : 'ioc not filled on first eligible bar');
      }
      if (w.order.type === 'trailing_stop' && w.trailBest !== null) w.trailBest = updatedTrailBest(w.order.side, w.trailBest, bar);
    }
    this.lastBar.set(bar.symbol, bar);
    this.matchingBarStart.delete(bar.symbol);
  }

  // ---- matching ----

  private slip(w: Working, price: number): number {
    const symbol = w.order.symbol;
    const atr = this.atr.get(symbol) ?? this.atrOf?.(symbol);
    return slippageAmount(this.fillModel.slippage, price, atr);
  }

  /** The price this order would fill at in this bar, or null; updates trigger state. */
  private priceFor(w: Working, bar: Bar): number | null {
    const o = w.order;
    const mode = this.fillModel.limitFill;
    switch (o.type) {
      case 'market':
        return marketFillPrice(o.side, bar, this.slip(w, bar.open));
      case 'limit':
        return limitFillPrice(o.side, o.limitPrice!, bar, mode);
      case 'stop':
        return stopFillPrice(o.side, o.stopPrice!, bar, this.slip(w, o.stopPrice!));
      case 'stop_limit': {
        if (w.stopLimitTriggered) return limitFillPrice(o.side, o.limitPrice!, bar, mode);
        const r = stopLimitOnTriggerBar(o.side, o.stopPrice!, o.limitPrice!, bar, this.slip(w, o.stopPrice!), mode);
        if (!r.triggered) return null;
        w.stopLimitTriggered = true;
        return r.price;
      }
      case 'trailing_stop': {
        // The first eligible bar starts from the last price known at submission (or its own open).
        if (w.trailBest === null) w.trailBest = this.lastBar.get(o.symbol)?.close ?? bar.open;
        const level = trailingStopLevel(o.side, w.trailBest, o.trailPrice!);
        if (!(level > 0)) return null;
        return stopFillPrice(o.side, level, bar, this.slip(w, level));
      }
    }
  }

  private matchOne(w: Working, bar: Bar, budget: number): number {
    const price = this.priceFor(w, bar);
    if (price === null) return budget;
    return this.fillUpTo(w, price, bar, budget);
  }

  /** Take-profit and stop-loss of one bracket: when both would fill inside this bar, the worse price wins. */
  private matchBracketPair(a: Working, b: Working, bar: Bar, budget: number): number {
    const pa = this.priceFor(a, bar);
    const pb = this.priceFor(b, bar);
    if (pa === null && pb === null) return budget;
    if (pa !== null && pb !== null) {
      const worse = worseFill(a.order.side, pa, pb);
      // On a tie the stop-loss takes it, so the exit is booked as the loss it was.
      const winner = pa !== pb ? (worse === pa ? a : b) : a.order.type === 'stop' ? a : b;
      return this.fillUpTo(winner, worse, bar, budget);
    }
    return pa !== null ? this.fillUpTo(a, pa, bar, budget) : this.fillUpTo(b, pb!, bar, budget);
  }

  private fillUpTo(w: Working, price: number, bar: Bar, budget: number): number {
    const remaining = w.order.qty - w.order.filledQty;
    const qty = Math.min(remaining, budget);
    if (qty <= 0) return budget;
    this.applyFill(w, qty, price);
    return budget - qty;
  }

  private applyFill(w: Working, qty: number, price: number): void {
    const o = w.order;
    const now = this.clock.now();
    const fees = feesForFill(this.fees, { side: o.side, qty, price, firstFillOfOrder: o.filledQty === 0 });
    const prevNotional = (o.avgFillPrice ?? 0) * o.filledQty;
    o.filledQty += qty;
    o.avgFillPrice = (prevNotional + price * qty) / o.filledQty;
    o.status = o.filledQty >= o.qty ? 'filled' : 'partially_filled';
    o.updatedAt = now;
    if (o.status === 'filled') this.clearTimer(w);
    const fill: Fill = {
      clientOrderId: o.clientOrderId,
      brokerOrderId: o.brokerOrderId,
      symbol: o.symbol,
      side: o.side,
      qty,
      price,
      fees: fees.total,
      time: now,
      executionId: `${this.idPrefix}-exec-${++this.execSeq}`,
    };
    this.book(o.symbol, o.side, qty, price, fees.total);
    this.emit({ type: 'fill', order: { ...o }, fill });

    if (o.bracket) this.placeOrGrowLegs(w, qty);
    if (o.ocoGroup !== undefined && w.sibling && !TERMINAL_STATUSES.has(w.sibling.order.status)) {
      // One cancels the other: the shares this order closes are not the other's to close any more.
      this.finish(w.sibling, 'canceled', 'oco: other order filled');
    }
    if (w.parent) {
      // OCO: the first fill of one leg cancels the other, and the entry's unfilled rest with it.
      if (w.sibling && !TERMINAL_STATUSES.has(w.sibling.order.status)) this.finish(w.sibling, 'canceled', 'oco: other leg filled');
      if (!TERMINAL_STATUSES.has(w.parent.order.status)) this.finish(w.parent, 'canceled', 'bracket exit filled; entry remainder canceled');
    }
  }

  private placeOrGrowLegs(entry: Working, qty: number): void {
    const o = entry.order;
    if (entry.legs) {
      for (const leg of [entry.legs.takeProfit, entry.legs.stopLoss]) {
        if (!TERMINAL_STATUSES.has(leg.order.status)) leg.order.qty += qty;
      }
      return;
    }
    const exitSide: Side = o.side === 'buy' ? 'sell' : 'buy';
    const base = { symbol: o.symbol, side: exitSide, qty, timeInForce: 'day' as const };
    const now = this.clock.now();
    const make = (req: OrderRequest): Working => {
      const order: Order = {
        ...req,
        brokerOrderId: `${this.idPrefix}-${++this.orderSeq}`,
        status: 'new',
        filledQty: 0,
        avgFillPrice: null,
        submittedAt: now,
        updatedAt: now,
        note: '',
      };
      return this.track(order, entry);
    };
    const tp = make({ ...base, clientOrderId: `${o.clientOrderId}-tp`, type: 'limit', limitPrice: o.bracket!.takeProfit, intent: 'exit', exitRule: 'target', parentId: o.clientOrderId, reason: `take-profit of ${o.clientOrderId}` });
    const sl = make({ ...base, clientOrderId: `${o.clientOrderId}-sl`, type: 'stop', stopPrice: o.bracket!.stopLoss, intent: 'protective-stop', exitRule: 'hardStop', parentId: o.clientOrderId, reason: `stop-loss of ${o.clientOrderId}` });
    tp.sibling = sl;
    sl.sibling = tp;
    entry.legs = { takeProfit: tp, stopLoss: sl };
    this.accept(tp);
    this.accept(sl);
  }

  /** The latest bar start of the symbol, counting the bar being matched: an order made now (a bracket leg,
   * an order sent from an event listener) only matches bars after it. */
  private currentBarStart(symbol: string): number {
    return this.matchingBarStart.get(symbol) ?? this.lastBar.get(symbol)?.start ?? Number.NEGATIVE_INFINITY;
  }

  // ---- bookkeeping ----

  private track(order: Order, parent: Working | null): Working {
    const w: Working = {
      order,
      eligibleFrom: order.submittedAt + this.latencyMs,
      knownBarStart: this.currentBarStart(order.symbol),
      expireAt: null,
      expiryTimer: null,
      stopLimitTriggered: false,
      trailBest: null,
      parent,
      legs: null,
      sibling: null,
    };
    this.orders.set(order.clientOrderId, w);
    this.unfinished.add(w);
    return w;
  }

  private accept(w: Working): void {
    w.order.status = 'accepted';
    if (w.order.timeInForce === 'day' && this.sessionCloseOf) {
      const at = this.sessionCloseOf(w.order.submittedAt);
      w.expireAt = at;
      w.expiryTimer = this.clock.at(at, () => this.expireDue(this.clock.now()));
    }
    this.emit({ type: 'accepted', order: { ...w.order } });
  }

  private finish(w: Working, status: 'canceled' | 'expired' | 'rejected', note: string): void {
    w.order.status = status;
    w.order.note = note;
    w.order.updatedAt = this.clock.now();
    this.clearTimer(w);
    this.emit({ type: status, order: { ...w.order } });
  }

  private clearTimer(w: Working): void {
    w.expiryTimer?.();
    w.expiryTimer = null;
  }

  private book(symbol: string, side: Side, qty: number, price: number, fees: number): void {
    const pos = this.positionBook.get(symbol) ?? { symbol, qty: 0, avgEntryPrice: 0 };
    const pnl = this.pnl.get(symbol) ?? { realized: 0, fees: 0 };
    const signed = side === 'buy' ? qty : -qty;
    if (pos.qty === 0 || Math.sign(pos.qty) === Math.sign(signed)) {
      const held = Math.abs(pos.qty);
      pos.avgEntryPrice = (held * pos.avgEntryPrice + qty * price) / (held + qty);
      pos.qty += signed;
    } else {
      const closing = Math.min(qty, Math.abs(pos.qty));
      pnl.realized += closing * (price - pos.avgEntryPrice) * Math.sign(pos.qty);
      pos.qty += signed;
      if (pos.qty === 0) pos.avgEntryPrice = 0;
      else if (Math.sign(pos.qty) === Math.sign(signed)) pos.avgEntryPrice = price; // crossed through flat
    }
    pnl.fees += fees;
    this.positionBook.set(symbol, pos);
    this.pnl.set(symbol, pnl);
  }

  private emit(event: OrderEvent): void {
    for (const l of [...this.listeners]) l(event);
  }
}

/** Why a request cannot be accepted, or null. */
export function validateRequest(r: OrderRequest): string | null {
  if (typeof r.clientOrderId !== 'string' || r.clientOrderId.length === 0) return 'clientOrderId is required';
  if (typeof r.symbol !== 'string' || r.symbol.length === 0) return 'symbol is required';
  if (!SIDES.has(r.side)) return `unknown side ${String(r.side)}`;
  if (!TYPES.has(r.type)) return `unknown order type ${String(r.type)}`;
  if (!TIFS.has(r.timeInForce)) return `unknown time in force ${String(r.timeInForce)}`;
  if (!(Number.isInteger(r.qty) && r.qty > 0)) return `qty must be a positive whole number, got ${r.qty}`;
  for (const k of ['limitPrice', 'stopPrice', 'trailPrice'] as const) {
    const v = r[k];
    if (v !== undefined && !isPositiveFinite(v)) return `${k} must be positive and finite, got ${v}`;
  }
  if ((r.type === 'limit' || r.type === 'stop_limit') && r.limitPrice === undefined) return `${r.type} order needs limitPrice`;
  if ((r.type === 'stop' || r.type === 'stop_limit') && r.stopPrice === undefined) return `${r.type} order needs stopPrice`;
  if (r.type === 'trailing_stop' && r.trailPrice === undefined) return 'trailing_stop order needs trailPrice';
  if (r.bracket) {
    const { takeProfit, stopLoss } = r.bracket;
    if (!isPositiveFinite(takeProfit) || !isPositiveFinite(stopLoss)) return 'bracket prices must be positive and finite';
    if (r.side === 'buy' && !(takeProfit > stopLoss)) return 'bracket of a buy needs takeProfit above stopLoss';
    if (r.side === 'sell' && !(takeProfit < stopLoss)) return 'bracket of a sell needs takeProfit below stopLoss';
    if (r.timeInForce === 'ioc') return 'bracket entries must be day orders';
  }
  return null;
}
