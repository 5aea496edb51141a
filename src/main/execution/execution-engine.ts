// The execution engine: turns an entry proposal into a sized, risk-checked, persisted order at the
// broker, applies the broker's events to the SQLite order book, runs the managed exits bar by bar
// (EOD flatten included) and serves the kill switch's `execution.flattenAll`. It never asks which
// broker runs behind the seam; the composition root plugs in the simulated one.
import { randomUUID } from 'node:crypto';
import type { Bar, TradingState, TradingStatus } from '../../shared/domain';
import type { NyseCalendar } from '../calendar/nyse';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { BarCache } from '../data/bar-cache';
import type { FeatureRow } from '../features/feature-engine';
import { FEATURE_INDEX } from '../features/spec';
import type { Logger } from '../logging/logger';
import { admit, CLOSED, DEFAULT_CIRCUIT_BREAKER, recordFailure, recordSuccess, type CircuitBreakerConfig, type CircuitState } from '../risk/circuit-breaker';
import { exitOrder, stepExits, trackPosition, type ExitReason, type ExitRules, type TrackedPosition } from '../risk/exits';
import {
  checkPreTrade,
  sectorExposure,
  sectorOfSymbol,
  symbolExposure,
  type PreTradeCheck,
  type PreTradeContext,
  type ProposedOrder,
  type RiskLimits,
  type SubmitRecord,
} from '../risk/pre-trade';
import type { RiskLedger } from '../risk/risk-ledger';
import { sizePosition, type SizingMethod, type SizingResult } from '../risk/sizing';
import type { TradingStateMachine } from '../risk/trading-state';
import type { OrderStore } from './order-store';
import type { SimBroker } from './sim-broker';
import { TERMINAL_STATUSES, type Fill, type Order, type OrderEvent, type OrderRequest, type Position, type Side } from './types';

/** A trade idea on its way to the broker: direction, protective stop and how to size it. */
export interface EntryProposal {
  symbol: string;
  side: Side;
  /** Protective stop (required: an entry without a stop has unknown risk). Managed by the engine's exits. */
  stopPrice: number;
  /** Profit target, managed by the engine's exits. */
  targetPrice?: number;
  /** Limit entry; a market order when omitted. */
  limitPrice?: number;
  /** Whole shares; when omitted the sizing method decides. */
  qty?: number;
  /** Default: risk 10% of the day's capital-at-risk budget between entry and stop. */
  sizing?: SizingMethod;
  /** Signal id or rule, for the audit trail. */
  reason: string;
  /** Idempotency key; generated when omitted. */
  clientOrderId?: string;
}

/** Where an entry was stopped: a pre-trade check, or a later gate. */
export type EntryDenialCheck = PreTradeCheck | 'sizing' | 'riskLedger' | 'circuitBreaker' | 'broker';

export type EntryResult =
  | { ok: true; order: Order; sizing: SizingResult | null }
  | { ok: false; check: EntryDenialCheck; reason: string };

export interface ExecutionOptions {
  limits: Readonly<RiskLimits>;
  /** Exit rules besides the stop and target each entry carries; the EOD flatten comes from the limits. */
  exits?: Omit<ExitRules, 'flattenMinutesBeforeClose'>;
  breaker?: Readonly<CircuitBreakerConfig>;
  sectorOf?: ReadonlyMap<string, string>;
  /** Recent fills served by `orders.list`. */
  recentFills?: number;
}

/** Broker the engine drives: the Broker seam plus the simulated broker's bar input. */
export type ExecutionBroker = Pick<SimBroker, 'submit' | 'cancel' | 'onEvent' | 'onBar' | 'label' | 'simulated'>;

export interface ExecutionParts {
  bus: EngineBus;
  clock: Clock;
  calendar: NyseCalendar;
  cache: BarCache;
  trading: TradingStateMachine;
  store: OrderStore;
  ledger: RiskLedger;
  broker: ExecutionBroker;
  log: Logger;
}

const WARM_FEATURES: readonly number[] = ['ret_15', 'rsi_14', 'atr_pct', 'ema_9_dist'].map((name) => {
  const i = FEATURE_INDEX[name];
  if (i === undefined) throw new Error(`feature ${name} is not in the spec`);
  return i;
});

const DEFAULT_SIZING: SizingMethod = { kind: 'riskOfDailyLimit', riskPct: 10 };

export class ExecutionEngine extends BaseComponent {
  private readonly tracked = new Map<string, TrackedPosition>();
  /** Stop and target an entry asked for, until its first fill starts tracking the position. */
  private readonly entryLevels = new Map<string, { stopPrice: number; targetPrice?: number }>();
  /** Capital at risk reserved per entry order (released on cancel/reject of the rest, and when the symbol is flat). */
  private readonly reserved = new Map<string, { symbol: string; amount: number; day: string }>();
  /** Symbols with an exit or flatten order working: no second one is sent. */
  private readonly exiting = new Map<string, string>();
  private readonly lastFedStart = new Map<string, number>();
  private readonly statusOf = new Map<string, TradingStatus>();
  private readonly warmSymbols = new Set<string>();
  private recentSubmits: SubmitRecord[] = [];
  /** Orders this engine sent or saw working, for `orders.list` (bounded). */
  private readonly recentOrderIds: string[] = [];
  private breaker: CircuitState = CLOSED;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly exitRules: ExitRules;
  private readonly breakerConfig: Readonly<CircuitBreakerConfig>;
  private readonly sectorOf: ReadonlyMap<string, string>;

  constructor(
    private readonly parts: ExecutionParts,
    private readonly options: ExecutionOptions,
    onStatus: StatusListener,
  ) {
    super('execution', onStatus);
    this.exitRules = { ...options.exits, flattenMinutesBeforeClose: options.limits.flattenMinutesBeforeClose };
    this.breakerConfig = options.breaker ?? DEFAULT_CIRCUIT_BREAKER;
    this.sectorOf = options.sectorOf ?? new Map();
  }

  /** Open positions as the order book's fills say. */
  positions(): Position[] {
    return this.parts.store.positions();
  }

  /** The position book the exits manage (stop, target, bars held). */
  trackedPositions(): TrackedPosition[] {
    return [...this.tracked.values()].map((p) => ({ ...p }));
  }

  get circuit(): CircuitState {
    return this.breaker;
  }

  /** Orders of today (New York day), working ones included, newest last. */
  snapshot(): { orders: Order[]; positions: Position[]; fills: Fill[] } {
    const { store } = this.parts;
    const fills = store.fills();
    const ids = new Set<string>([...store.openOrders().map((o) => o.clientOrderId), ...fills.slice(-200).map((f) => f.clientOrderId)]);
    for (const id of this.exiting.values()) ids.add(id);
    for (const id of this.reserved.keys()) ids.add(id);
    for (const id of this.recentOrderIds) ids.add(id);
    const orders = [...ids].map((id) => store.get(id)).filter((o): o is Order => o !== undefined);
    orders.sort((a, b) => a.submittedAt - b.submittedAt || (a.clientOrderId < b.clientOrderId ? -1 : 1));
    return { orders, positions: store.positions(), fills: fills.slice(-(this.options.recentFills ?? 100)) };
  }

  protected onStart(): void {
    const { bus, store, clock } = this.parts;
    // After a restart the book's positions are managed again (without the stops they were entered with: the EOD flatten still applies).
    for (const p of store.positions()) this.tracked.set(p.symbol, trackPosition(p, clock.now()));
    for (const o of store.openOrders()) this.remember(o.clientOrderId);
    this.unsubscribe.push(
      this.parts.broker.onEvent((e) => this.onBrokerEvent(e)),
      bus.subscribe('market.bar', (bar) => this.onBar(bar)),
      bus.subscribe('data.status', (s) => this.statusOf.set(s.symbol, s)),
      bus.subscribe('features.row', (row) => this.onFeatureRow(row)),
      bus.subscribe('trading.state', (t) => this.syncLedgerState(t.state)),
      bus.register('execution.flattenAll', ({ cause }) => this.flattenAll(cause)),
    );
  }

  protected onStop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  // ---- entries ----

  /** Sizes, checks and sends an entry. A denial is a value (and an 'app.notice'), never an exception. */
  async submitEntry(proposal: EntryProposal): Promise<EntryResult> {
    const { clock, cache, store, ledger, broker } = this.parts;
    const now = clock.now();
    const { limits } = this.options;
    const positions = store.positions();
    const lastTrade = this.lastTradePrice(proposal.symbol);
    const entryPrice = proposal.limitPrice ?? lastTrade;
    const deny = (check: EntryDenialCheck, reason: string): EntryResult => {
      this.parts.bus.publish('app.notice', { level: 'warn', code: `risk.${check}`, message: `${proposal.side} ${proposal.symbol} denied (${check}): ${reason}`, at: now });
      this.parts.log.info('entry denied', { symbol: proposal.symbol, check, reason });
      return { ok: false, check, reason };
    };
    if (!this.isActive) return deny('broker', 'the execution engine is not running');
    const day = ledger.day();
    const positionValueOpen = positions.reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0);

    let sizing: SizingResult | null = null;
    let qty = proposal.qty;
    if (qty === undefined) {
      if (entryPrice === null) return deny('staleData', `No price of ${proposal.symbol} yet to size the entry`);
      sizing = sizePosition(
        {
          method: proposal.sizing ?? DEFAULT_SIZING,
          side: proposal.side,
          entryPrice,
          stopPrice: proposal.stopPrice,
          positionValueOpen,
          capitalAtRiskUsed: day.capitalAtRiskUsed,
          symbolExposure: symbolExposure(positions, proposal.symbol),
          sectorExposure: sectorExposure(positions, this.sectorOf, sectorOfSymbol(this.sectorOf, proposal.symbol)),
        },
        limits,
      );
      if (sizing.qty === 0) return deny('sizing', sizing.note);
      qty = sizing.qty;
    }

    const order: OrderRequest = {
      clientOrderId: proposal.clientOrderId ?? `entry-${proposal.symbol}-${now}-${randomUUID().slice(0, 8)}`,
      symbol: proposal.symbol,
      side: proposal.side,
      qty,
      type: proposal.limitPrice !== undefined ? 'limit' : 'market',
      timeInForce: 'day',
      reason: `entry: ${proposal.reason}`,
    };
    if (proposal.limitPrice !== undefined) order.limitPrice = proposal.limitPrice;
    const proposed: ProposedOrder = { order, riskStop: proposal.stopPrice };
    const check = checkPreTrade(proposed, this.context(proposal.symbol, now, positions, positionValueOpen, day.capitalAtRiskUsed, cache.lastBar(proposal.symbol) ?? null, lastTrade), limits);
    if (!check.ok) return deny(check.check, check.reason);

    const admission = admit(this.breaker, now, this.breakerConfig);
    if (!admission.allowed) return deny('circuitBreaker', admission.reason);
    this.breaker = admission.state;

    const reservation = ledger.reserve(check.capitalAtRisk, day.tradingDay);
    if (!reservation.ok) return deny(reservation.code === 'not_active' ? 'tradingState' : 'capitalAtRisk', reservation.reason);
    this.reserved.set(order.clientOrderId, { symbol: order.symbol, amount: check.capitalAtRisk, day: day.tradingDay });
    const levels: { stopPrice: number; targetPrice?: number } = { stopPrice: proposal.stopPrice };
    if (proposal.targetPrice !== undefined) levels.targetPrice = proposal.targetPrice;
    this.entryLevels.set(order.clientOrderId, levels);

    const sent = await this.send(order, now);
    if (sent.status === 'rejected') return deny('broker', `${broker.label} rejected the order: ${sent.note}`);
    return { ok: true, order: sent, sizing };
  }

  // ---- flatten ----

  /** The kill switch's endpoint: cancel every working order, then close every position at market. */
  async flattenAll(cause: string): Promise<{ closed: number }> {
    return this.flatten(null, cause);
  }

  /** Closes one symbol's position (or all) at market after canceling its working orders. */
  async flatten(symbol: string | null, cause: string): Promise<{ closed: number }> {
    const { store, broker, clock } = this.parts;
    for (const o of store.openOrders()) {
      if (symbol !== null && o.symbol !== symbol) continue;
      await broker.cancel(o.clientOrderId);
    }
    let closed = 0;
    for (const p of store.positions()) {
      if (symbol !== null && p.symbol !== symbol) continue;
      const now = clock.now();
      const order = exitOrder(p, 'eodFlatten', cause, now);
      order.clientOrderId = `flatten-${p.symbol}-${now}-${randomUUID().slice(0, 8)}`;
      order.reason = `flatten: ${cause}`;
      if (await this.sendExit(order, true)) closed++;
    }
    this.parts.log.warn('flatten', { symbol: symbol ?? 'all', cause, closed });
    return { closed };
  }

  // ---- bars and exits ----

  private onBar(bar: Bar): void {
    const previous = this.lastFedStart.get(bar.symbol);
    // The data engine may pass a corrected bar with the same start; the broker only matches a new minute.
    if (previous !== undefined && bar.start <= previous) return;
    this.lastFedStart.set(bar.symbol, bar.start);
    try {
      this.parts.broker.onBar(bar);
    } catch (error) {
      this.parts.log.error('simulated broker refused a bar', { error, symbol: bar.symbol, start: bar.start });
      return;
    }
    const pos = this.tracked.get(bar.symbol);
    if (!pos) return;
    const step = stepExits(pos, bar, this.parts.clock.now(), this.exitRules, this.parts.calendar);
    this.tracked.set(bar.symbol, step.position);
    if (!step.exit || this.exiting.has(bar.symbol)) return;
    const { exit } = step;
    this.parts.log.info('exit', { symbol: bar.symbol, reason: exit.reason, detail: exit.detail });
    this.sendExit(exit.order, exit.flatten, exit.reason).catch((error: unknown) => this.parts.log.error('exit order failed', { error, symbol: bar.symbol }));
  }

  /** Sends an order that only reduces a position; pre-trade and the breaker still see it (a flatten passes both). */
  private async sendExit(order: OrderRequest, flatten: boolean, reason?: ExitReason): Promise<boolean> {
    const { clock, store, cache, bus } = this.parts;
    if (this.exiting.has(order.symbol)) return true; // one already working closes the same shares
    const now = clock.now();
    const positions = store.positions();
    const positionValueOpen = positions.reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0);
    const check = checkPreTrade(
      { order, flatten },
      this.context(order.symbol, now, positions, positionValueOpen, this.parts.ledger.day().capitalAtRiskUsed, cache.lastBar(order.symbol) ?? null, this.lastTradePrice(order.symbol)),
      this.options.limits,
    );
    const notice = (message: string): void => bus.publish('app.notice', { level: 'error', code: 'execution.exit', message, at: now });
    if (!check.ok) {
      notice(`${reason ?? 'exit'} of ${order.symbol} denied (${check.check}): ${check.reason}`);
      return false;
    }
    const admission = admit(this.breaker, now, this.breakerConfig, { flatten });
    if (!admission.allowed) {
      notice(`${reason ?? 'exit'} of ${order.symbol} held back: ${admission.reason}`);
      return false;
    }
    this.breaker = admission.state;
    this.exiting.set(order.symbol, order.clientOrderId);
    const sent = await this.send(order, now);
    return sent.status !== 'rejected';
  }

  /** Persists, then sends; the broker's events (applied in onBrokerEvent) move the stored order on. */
  private async send(request: OrderRequest, now: number): Promise<Order> {
    const { store, broker, bus } = this.parts;
    const recorded = store.recordSubmitted({ ...request, brokerOrderId: '', status: 'new', filledQty: 0, avgFillPrice: null, submittedAt: now, updatedAt: now, note: '' });
    this.remember(request.clientOrderId);
    bus.publish('orders.update', toPayload(recorded.order));
    this.recentSubmits = [...this.recentSubmits.filter((s) => now - s.time < 120_000), { time: now, symbol: request.symbol, side: request.side, qty: request.qty, type: request.type }];
    try {
      await broker.submit(request);
    } catch (error) {
      // A broker that throws (network, timeout) is an execution failure; the order stays 'new' for reconciliation.
      const detail = error instanceof Error ? error.message : String(error);
      this.breaker = recordFailure(this.breaker, { at: now, kind: 'server-error', detail }, this.breakerConfig);
      bus.publish('app.notice', { level: 'error', code: 'execution.broker', message: `${broker.label} did not take ${request.clientOrderId}: ${detail}`, at: now });
    }
    return store.get(request.clientOrderId) ?? recorded.order;
  }

  // ---- broker events ----

  private onBrokerEvent(event: OrderEvent): void {
    const { store, bus, clock, ledger, log } = this.parts;
    const before = event.type === 'fill' ? store.positions().find((p) => p.symbol === event.fill.symbol) : undefined;
    const applied = store.applyEvent(event);
    if (!applied.ok) {
      log.warn('broker event not applied', { code: applied.code, clientOrderId: applied.clientOrderId, reason: applied.reason });
      return;
    }
    const order = store.get(event.order.clientOrderId)!;
    bus.publish('orders.update', toPayload(order));
    const now = clock.now();

    if (event.type === 'accepted') this.breaker = recordSuccess(this.breaker);
    if (event.type === 'rejected') {
      this.breaker = recordFailure(this.breaker, { at: now, kind: 'reject', detail: order.note }, this.breakerConfig);
      bus.publish('app.notice', { level: 'error', code: 'execution.rejected', message: `${order.side} ${order.qty} ${order.symbol} rejected: ${order.note}`, at: now });
    }

    if (event.type === 'fill') {
      const fill = event.fill;
      const realized = realizedPnl(before, fill);
      if (realized !== null) {
        const r = ledger.recordRealized(realized);
        if (r.reducing) this.parts.trading.change('REDUCING', `daily loss limit reached: realised ${r.day.realizedPnl.toFixed(2)} (max loss ${r.day.maxDailyLoss.toFixed(2)})`);
      }
      this.track(fill);
      bus.publish('positions.update', { positions: store.positions() });
    }

    if (TERMINAL_STATUSES.has(order.status)) {
      if (this.exiting.get(order.symbol) === order.clientOrderId) this.exiting.delete(order.symbol);
      const r = this.reserved.get(order.clientOrderId);
      if (r && order.filledQty < order.qty) {
        // The part that never filled carries no risk: give it back now.
        const unfilled = (r.amount * (order.qty - order.filledQty)) / order.qty;
        ledger.release(unfilled, r.day);
        r.amount -= unfilled;
        if (order.filledQty === 0) this.reserved.delete(order.clientOrderId);
      }
    }
  }

  /** Keeps the exits' position book in step with a fill; a flat symbol gives back its capital at risk. */
  private track(fill: Fill): void {
    const position = this.parts.store.positions().find((p) => p.symbol === fill.symbol);
    if (!position) {
      this.tracked.delete(fill.symbol);
      for (const [id, r] of this.reserved) {
        if (r.symbol !== fill.symbol) continue;
        this.parts.ledger.release(r.amount, r.day);
        this.reserved.delete(id);
      }
      return;
    }
    const current = this.tracked.get(fill.symbol);
    const levels = this.entryLevels.get(fill.clientOrderId);
    if (!current || Math.sign(current.qty) !== Math.sign(position.qty)) {
      this.tracked.set(fill.symbol, trackPosition(position, fill.time, levels ?? {}));
    } else {
      this.tracked.set(fill.symbol, { ...current, qty: position.qty, avgEntryPrice: position.avgEntryPrice, ...(levels ?? {}) });
    }
  }

  // ---- context ----

  private context(symbol: string, now: number, positions: readonly Position[], positionValueOpen: number, capitalAtRiskUsed: number, lastBar: Bar | null, lastTradePrice: number | null): PreTradeContext {
    return {
      now,
      calendar: this.parts.calendar,
      tradingState: this.parts.trading.state.state,
      lastBar,
      lastTradePrice,
      symbolStatus: this.statusOf.get(symbol) ?? null,
      featuresWarm: this.warmSymbols.has(symbol),
      market: { spyGapPct: this.spyGapPct(), vix: null },
      recentSubmits: this.recentSubmits,
      positions,
      positionValueOpen,
      capitalAtRiskUsed,
      sectorOf: this.sectorOf,
    };
  }

  private lastTradePrice(symbol: string): number | null {
    return this.parts.cache.quote(symbol)?.last ?? this.parts.cache.lastBar(symbol)?.close ?? null;
  }

  /** SPY's opening gap in percent, when SPY is watched and a previous close is known. */
  private spyGapPct(): number | null {
    const q = this.parts.cache.quote('SPY');
    if (!q || q.prevClose === null || q.prevClose <= 0) return null;
    return (q.sessionOpen / q.prevClose - 1) * 100;
  }

  private onFeatureRow(row: FeatureRow): void {
    // Warm once a streamed row has the intraday features an entry leans on (daily context may be missing).
    if (this.warmSymbols.has(row.symbol)) return;
    if (WARM_FEATURES.every((i) => Number.isFinite(row.values[i]))) this.warmSymbols.add(row.symbol);
  }

  private syncLedgerState(state: TradingState): void {
    // The kill switch and the trader's resume are the ledger's state too (reserve() refuses unless ACTIVE).
    if (this.parts.ledger.day().state !== state) this.parts.ledger.setState(state);
  }

  private remember(clientOrderId: string): void {
    this.recentOrderIds.push(clientOrderId);
    if (this.recentOrderIds.length > 500) this.recentOrderIds.splice(0, this.recentOrderIds.length - 500);
  }
}

/** Realised P&L (net of the fill's fees) of the part of `fill` that reduces `before`; null when it only adds. */
export function realizedPnl(before: Position | undefined, fill: Fill): number | null {
  if (!before || before.qty === 0) return null;
  const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
  if (Math.sign(signed) === Math.sign(before.qty)) return null;
  const closing = Math.min(Math.abs(before.qty), fill.qty);
  return (fill.price - before.avgEntryPrice) * closing * Math.sign(before.qty) - fill.fees;
}

/** The stored order as the contract's push payload (optional fields left out when unset). */
export function toPayload(o: Order): Order {
  const out: Order = { ...o };
  for (const k of ['limitPrice', 'stopPrice', 'trailPrice', 'bracket'] as const) if (out[k] === undefined) delete out[k];
  return out;
}
