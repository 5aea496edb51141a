// The risk engine: every order passes it before execution. It keeps what the checks read (symbol
// halts, warm features, the recent submits, the circuit breaker), sizes entries, runs the fixed-order
// pre-trade checks and reserves each entry's capital at risk in the ledger. A denial is a value and an
// 'app.notice', never an exception; an approved entry goes to execution over the bus
// ('execution.submit'). It learns what execution did from 'execution.applied' and 'execution.failure'.
import { isRestingTarget, type Bar, type OrderRequest, type Position, type Side, type TradingState, type TradingStatus } from '../../shared/domain';
import type { AppliedOrderEvent, BarFeatures, EntryPlanInput } from '../../shared/messages';
import type { NyseCalendar } from '../calendar/nyse';
import type { BarCache } from '../data/bar-cache';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import { TERMINAL_STATUSES, type Order } from '../execution/types';
import { makeOrderId } from '../execution/order-ids';
import type { OrderStore } from '../execution/order-store';
import { toTick } from '../execution/ticks';
import { FEATURE_INDEX } from '../features/spec';
import type { Logger } from '../logging/logger';
import { admit, CLOSED, DEFAULT_CIRCUIT_BREAKER, recordFailure, recordSuccess, type CircuitBreakerConfig, type CircuitState } from './circuit-breaker';
import {
  checkPreTrade,
  flattenTimeOf,
  sectorExposureOfSymbol,
  symbolExposure,
  type PreTradeCheck,
  type PreTradeContext,
  type ProposedOrder,
  type RiskLimits,
  type SubmitRecord,
} from './pre-trade';
import type { RiskLedger } from './risk-ledger';
import { sizePosition, type SizingMethod, type SizingResult } from './sizing';
import type { TradingStateMachine } from './trading-state';

/** A trade idea on its way to the broker: direction, protective stop and how to size it. */
export interface EntryProposal {
  symbol: string;
  side: Side;
  /** Protective stop (required: an entry without a stop has unknown risk). Held at the broker once filled. */
  stopPrice: number;
  /** Profit target, managed by the position manager. */
  targetPrice?: number;
  /** Limit entry; a marketable limit when omitted. */
  limitPrice?: number;
  /** Whole shares; when omitted the sizing method decides. */
  qty?: number;
  /** Default: risk 10% of the day's capital-at-risk budget between entry and stop. */
  sizing?: SizingMethod;
  /** Signal id or rule, for the audit trail. */
  reason: string;
  /** Idempotency key; generated when omitted. */
  clientOrderId?: string;
  /** The desk's signal this entry carries out. */
  signalId?: string;
}

/** Where an entry was stopped: a pre-trade check, or a later gate. */
export type EntryDenialCheck = PreTradeCheck | 'sizing' | 'riskLedger' | 'circuitBreaker' | 'broker';

export type EntryResult =
  | { ok: true; order: Order; sizing: SizingResult | null }
  | { ok: false; check: EntryDenialCheck; reason: string };

/** Why an exit may not go out now. */
export interface ExitDenial {
  check: string;
  reason: string;
}

export interface RiskOptions {
  limits: Readonly<RiskLimits>;
  breaker?: Readonly<CircuitBreakerConfig>;
  sectorOf?: ReadonlyMap<string, string>;
  /** Percent through the last trade of the marketable limit that replaces a market entry (default 0.5). */
  marketableLimitPct?: number;
}

export interface RiskParts {
  bus: EngineBus;
  clock: Clock;
  calendar: NyseCalendar;
  cache: BarCache;
  trading: TradingStateMachine;
  /** Read only: positions, working orders and entry plans. Execution is the store's only writer of orders. */
  store: OrderStore;
  ledger: RiskLedger;
  log: Logger;
  /** Today's VIX level when known (the day filter); null when not. */
  vix?: () => number | null;
}

/** What risk needs of execution: canceling a working entry that may no longer fill. */
export interface EntryCanceller {
  cancelInBackground(order: Order, what: string): void;
  isCancelling(clientOrderId: string): boolean;
  isInFlight(clientOrderId: string): boolean;
}

/** How far through the last trade a "market" entry's marketable limit goes, in percent. */
export const DEFAULT_MARKETABLE_LIMIT_PCT = 0.5;
const DEFAULT_SIZING: SizingMethod = { kind: 'riskOfDailyLimit', riskPct: 10 };
/** How long a submit counts for the throttle and the duplicate check. */
const SUBMIT_MEMORY_MS = 120_000;

const WARM_FEATURES: readonly number[] = ['ret_15', 'rsi_14', 'atr_pct', 'ema_9_dist'].map((name) => {
  const i = FEATURE_INDEX[name];
  if (i === undefined) throw new Error(`feature ${name} is not in the spec`);
  return i;
});

export class RiskEngine extends BaseComponent {
  private breaker: CircuitState = CLOSED;
  private recentSubmits: SubmitRecord[] = [];
  private readonly statusOf = new Map<string, TradingStatus>();
  private readonly warmSymbols = new Set<string>();
  /** Capital at risk reserved per entry order (released on cancel/reject of the rest, and when the symbol is flat). */
  private readonly reserved = new Map<string, { symbol: string; amount: number; day: string }>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly breakerConfig: Readonly<CircuitBreakerConfig>;
  private readonly sectorOf: ReadonlyMap<string, string>;

  /** Last bar start seen per symbol: the flatten-time cancel runs once per new minute. */
  private readonly lastBarStart = new Map<string, number>();

  constructor(
    private readonly parts: RiskParts & { execution: EntryCanceller },
    private readonly options: RiskOptions,
    onStatus: StatusListener,
  ) {
    super('risk', onStatus);
    this.breakerConfig = options.breaker ?? DEFAULT_CIRCUIT_BREAKER;
    this.sectorOf = options.sectorOf ?? new Map();
  }

  get circuit(): CircuitState {
    return this.breaker;
  }

  protected onStart(): void {
    const { bus, ledger, trading } = this.parts;
    // A restart keeps the day's trading state: the kill switch or a loss limit still holds.
    const day = ledger.day();
    const severity = { ACTIVE: 0, REDUCING: 1, HALTED: 2 } as const;
    if (severity[day.state] > severity[trading.state.state]) trading.change(day.state, `${day.state} since earlier today (restored from the risk ledger)`);
    this.restoreReservations();
    this.unsubscribe.push(
      // What the checks read (halts, warm features, the trading state) is recorded in the data phase,
      // like a cache, before any signal or order on the same message.
      bus.subscribe('data.status', (s) => this.statusOf.set(s.symbol, s), 'data'),
      bus.subscribe('features.row', (row) => this.onFeatureRow(row), 'data'),
      bus.subscribe('trading.state', (t) => this.syncLedgerState(t.state), 'data'),
      // Before a simulated venue matches the bar (venue phase): past the flatten time no entry may fill.
      bus.subscribe('market.bar', (bar) => this.onBar(bar), 'risk'),
      bus.subscribe('execution.applied', (e) => this.onApplied(e), 'risk'),
      bus.subscribe('execution.failure', (f) => this.onFailure(f), 'risk'),
    );
  }

  protected onStop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  // ---- entries ----

  /**
   * Sizes, checks and reserves an entry, then has execution send it. A denial is a value (and an
   * 'app.notice'), never an exception.
   */
  async submitEntry(proposal: EntryProposal): Promise<EntryResult> {
    const approved = this.approveEntry(proposal);
    if (!approved.ok) return approved;
    const { request, plan, sizing } = approved;
    const sent = await this.parts.bus.request('execution.submit', { request, plan });
    if (sent.status === 'rejected') return this.deny(proposal, 'broker', `the broker rejected the order: ${sent.note}`);
    return { ok: true, order: sent, sizing };
  }

  /** The entry as execution will send it, with its plan, or the first check that denies it. */
  private approveEntry(
    proposal: EntryProposal,
  ): { ok: true; request: OrderRequest; plan: EntryPlanInput; sizing: SizingResult | null } | { ok: false; check: EntryDenialCheck; reason: string } {
    const { clock, cache, store, ledger, bus } = this.parts;
    const now = clock.now();
    const positions = store.positions();
    const lastTrade = this.lastTradePrice(proposal.symbol);
    // No market entries: a "market" entry is a marketable limit, immediate-or-cancel, a little through the
    // last trade. The limit is what it is valued, sized and capped at, so a gap at the next open can never
    // fill it above the caps (a gap beyond the limit leaves it unfilled instead).
    const through = (this.options.marketableLimitPct ?? DEFAULT_MARKETABLE_LIMIT_PCT) / 100;
    const marketable =
      proposal.limitPrice === undefined && lastTrade !== null
        ? proposal.side === 'buy'
          ? Math.ceil(lastTrade * (1 + through) * 100 - 1e-6) / 100
          : Math.floor(lastTrade * (1 - through) * 100 + 1e-6) / 100
        : undefined;
    // A limit of the trader's or a rule's own lands on the tick grid on the side that never pays more
    // (or sells for less) than the checks below were run on.
    const limitPrice = proposal.limitPrice !== undefined ? toTick(proposal.limitPrice, proposal.side === 'buy' ? 'down' : 'up') : marketable;
    const entryPrice = limitPrice ?? lastTrade;
    if (!this.isActive || !bus.hasEndpoint('execution.submit')) return this.deny(proposal, 'broker', 'the execution engine is not running');
    if (proposal.clientOrderId !== undefined && store.get(proposal.clientOrderId)) {
      return this.deny(proposal, 'duplicateOrder', `order id ${proposal.clientOrderId} was already used (${store.get(proposal.clientOrderId)!.status}); an order is never sent twice`);
    }
    const day = ledger.day();
    const working = this.workingEntries();
    const positionValueOpen = [...positions, ...working].reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0);

    let sizing: SizingResult | null = null;
    let qty = proposal.qty;
    if (qty === undefined) {
      if (entryPrice === null) return this.deny(proposal, 'staleData', `No price of ${proposal.symbol} yet to size the entry`);
      sizing = this.sizeFor({ symbol: proposal.symbol, side: proposal.side, entryPrice, stopPrice: proposal.stopPrice, ...(proposal.sizing ? { method: proposal.sizing } : {}) });
      if (sizing.qty === 0) return this.deny(proposal, 'sizing', sizing.note);
      qty = sizing.qty;
    }

    const request: OrderRequest = {
      clientOrderId: proposal.clientOrderId ?? makeOrderId('entry', proposal.symbol, now),
      symbol: proposal.symbol,
      side: proposal.side,
      qty,
      type: limitPrice !== undefined ? 'limit' : 'market',
      timeInForce: marketable !== undefined ? 'ioc' : 'day',
      intent: 'entry',
      reason: proposal.reason,
    };
    if (limitPrice !== undefined) request.limitPrice = limitPrice;
    if (proposal.signalId !== undefined) request.signalId = proposal.signalId;
    const proposed: ProposedOrder = { order: request, riskStop: proposal.stopPrice, entry: true };
    const context = this.context(proposal.symbol, now, positions, positionValueOpen, day.capitalAtRiskUsed, lastTrade);
    context.working = working;
    const check = checkPreTrade(proposed, context, this.options.limits);
    if (!check.ok) return this.deny(proposal, check.check, check.reason);

    const admission = admit(this.breaker, now, this.breakerConfig);
    if (!admission.allowed) return this.deny(proposal, 'circuitBreaker', admission.reason);
    this.breaker = admission.state;

    const reservation = ledger.reserve(check.capitalAtRisk, day.tradingDay);
    if (!reservation.ok) return this.deny(proposal, reservation.code === 'not_active' ? 'tradingState' : 'capitalAtRisk', reservation.reason);
    this.reserved.set(request.clientOrderId, { symbol: request.symbol, amount: check.capitalAtRisk, day: day.tradingDay });
    const plan: EntryPlanInput = { stopPrice: proposal.stopPrice, targetPrice: proposal.targetPrice ?? null, capitalAtRisk: check.capitalAtRisk, tradingDay: day.tradingDay };
    return { ok: true, request, plan, sizing };
  }

  /**
   * The one sizing of an entry, for signals on the desk and for entries alike: every limit, with open
   * positions and the unfilled rest of working entries counted as exposure.
   */
  sizeFor(request: { symbol: string; side: Side; entryPrice: number; stopPrice: number; method?: SizingMethod }): SizingResult {
    const book = [...this.parts.store.positions(), ...this.workingEntries()];
    return sizePosition(
      {
        method: request.method ?? DEFAULT_SIZING,
        side: request.side,
        entryPrice: request.entryPrice,
        stopPrice: request.stopPrice,
        positionValueOpen: book.reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0),
        capitalAtRiskUsed: this.parts.ledger.day().capitalAtRiskUsed,
        symbolExposure: symbolExposure(book, request.symbol),
        sectorExposure: sectorExposureOfSymbol(book, this.sectorOf, request.symbol),
      },
      this.options.limits,
    );
  }

  // ---- exits and protective stops ----

  /** The pre-trade checks of an order that only reduces a position (a flatten passes them all), or null when it may go out. */
  checkExit(order: OrderRequest, flatten: boolean): ExitDenial | null {
    const { clock, store } = this.parts;
    const positions = store.positions();
    const positionValueOpen = positions.reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0);
    const check = checkPreTrade(
      { order, flatten },
      this.context(order.symbol, clock.now(), positions, positionValueOpen, this.parts.ledger.day().capitalAtRiskUsed, this.lastTradePrice(order.symbol)),
      this.options.limits,
    );
    return check.ok ? null : { check: check.check, reason: check.reason };
  }

  /** The circuit breaker's word on an exit about to be sent (a flatten always passes); null when it may go. */
  admitExit(flatten: boolean): string | null {
    const admission = admit(this.breaker, this.parts.clock.now(), this.breakerConfig, { flatten });
    if (!admission.allowed) return admission.reason;
    this.breaker = admission.state;
    return null;
  }

  /** A protective stop may only reduce the position it protects: null when it may go, else why not. */
  checkProtectiveStop(order: OrderRequest): string | null {
    const { clock, store } = this.parts;
    const check = checkPreTrade({ order, flatten: true }, this.context(order.symbol, clock.now(), store.positions(), 0, 0, this.lastTradePrice(order.symbol)), this.options.limits);
    if (!check.ok) return check.reason;
    return check.intent === 'flatten' ? null : 'it would add exposure';
  }

  // ---- the entry window ----

  private onBar(bar: Bar): void {
    const previous = this.lastBarStart.get(bar.symbol);
    if (previous !== undefined && bar.start <= previous) return;
    this.lastBarStart.set(bar.symbol, bar.start);
    this.cancelEntriesPastFlatten(this.parts.clock.now());
  }

  /** From the flatten time on, no entry may still be working: it could fill after the flatten. */
  cancelEntriesPastFlatten(now: number): void {
    const { store, calendar, log, execution } = this.parts;
    const flattenAt = flattenTimeOf(calendar, now, this.options.limits.flattenMinutesBeforeClose);
    if (flattenAt !== null && now < flattenAt) return;
    for (const o of store.openOrders()) {
      if (o.intent !== 'entry' || execution.isCancelling(o.clientOrderId) || execution.isInFlight(o.clientOrderId)) continue;
      log.info('entry canceled at the flatten time', { clientOrderId: o.clientOrderId });
      execution.cancelInBackground(o, 'cancel at the flatten time');
    }
  }

  // ---- what execution did ----

  private onApplied(e: AppliedOrderEvent): void {
    const { clock, ledger, trading } = this.parts;
    const { order } = e;
    const now = clock.now();
    if (e.type === 'submitted') {
      // A resting target goes out with its stop as one pair: the pair counts once for the throttle.
      if (isRestingTarget(order)) return;
      this.recentSubmits = [...this.recentSubmits.filter((s) => now - s.time < SUBMIT_MEMORY_MS), { time: now, symbol: order.symbol, side: order.side, qty: order.qty, type: order.type }];
      return;
    }
    if (e.type === 'accepted') this.breaker = recordSuccess(this.breaker);
    if (e.type === 'rejected') this.breaker = recordFailure(this.breaker, { at: now, kind: 'reject', detail: order.note }, this.breakerConfig);
    if (e.type === 'fill' && e.realizedPnl !== null) {
      const r = ledger.recordRealized(e.realizedPnl);
      if (r.reducing) trading.change('REDUCING', `daily loss limit reached: realised ${r.day.realizedPnl.toFixed(2)} (max loss ${r.day.maxDailyLoss.toFixed(2)})`);
    }
    if (TERMINAL_STATUSES.has(order.status)) {
      const r = this.reserved.get(order.clientOrderId);
      if (r && order.filledQty < order.qty) {
        // The part that never filled carries no risk: give it back now.
        const unfilled = (r.amount * (order.qty - order.filledQty)) / order.qty;
        ledger.release(unfilled, r.day);
        r.amount -= unfilled;
        if (order.filledQty === 0) this.reserved.delete(order.clientOrderId);
      }
    }
    if (e.heldAfter === 0 && (e.type === 'fill' || TERMINAL_STATUSES.has(order.status))) this.releaseFlat(order.symbol);
  }

  private onFailure(f: { at: number; detail: string }): void {
    this.breaker = recordFailure(this.breaker, { at: f.at, kind: 'server-error', detail: f.detail }, this.breakerConfig);
  }

  /** A flat symbol gives back the capital at risk of its finished entries (working ones keep theirs). */
  private releaseFlat(symbol: string): void {
    if (this.parts.store.heldQty(symbol) !== 0) return;
    for (const [id, r] of this.reserved) {
      if (r.symbol !== symbol) continue;
      const o = this.parts.store.get(id);
      if (o && !TERMINAL_STATUSES.has(o.status)) continue;
      this.parts.ledger.release(r.amount, r.day);
      this.reserved.delete(id);
    }
  }

  /**
   * After a restart: the capital at risk reserved for today's entries that are still working or held is
   * remembered, so it is given back when they go flat or are canceled.
   */
  private restoreReservations(): void {
    const { store, ledger } = this.parts;
    const held = new Map(store.positions().map((p) => [p.symbol, p]));
    const open = new Set(store.openOrders().map((o) => o.clientOrderId));
    for (const plan of store.plans({ tradingDay: ledger.day().tradingDay })) {
      const pos = held.get(plan.symbol);
      const stillHeld = pos !== undefined && plan.order.filledQty > 0 && (pos.qty > 0) === (plan.side === 'buy');
      if (!open.has(plan.clientOrderId) && !stillHeld) continue;
      const unfilledGone = TERMINAL_STATUSES.has(plan.order.status) ? plan.order.filledQty / plan.order.qty : 1;
      this.reserved.set(plan.clientOrderId, { symbol: plan.symbol, amount: plan.capitalAtRisk * unfilledGone, day: plan.tradingDay });
    }
  }

  // ---- context ----

  private deny(proposal: Pick<EntryProposal, 'symbol' | 'side'>, check: EntryDenialCheck, reason: string): { ok: false; check: EntryDenialCheck; reason: string } {
    const { bus, clock, log } = this.parts;
    bus.publish('app.notice', { level: 'warn', code: `risk.${check}`, message: `${proposal.side} ${proposal.symbol} denied (${check}): ${reason}`, at: clock.now() });
    log.info('entry denied', { symbol: proposal.symbol, check, reason });
    return { ok: false, check, reason };
  }

  /** The unfilled rest of every working entry order, signed, at its limit (or the last trade): exposure to come. */
  private workingEntries(): Position[] {
    const out: Position[] = [];
    for (const o of this.parts.store.openOrders()) {
      if (o.intent !== 'entry') continue;
      const rest = o.qty - o.filledQty;
      const price = o.limitPrice ?? o.stopPrice ?? this.lastTradePrice(o.symbol);
      if (rest <= 0 || price === null) continue;
      out.push({ symbol: o.symbol, qty: o.side === 'buy' ? rest : -rest, avgEntryPrice: price });
    }
    return out;
  }

  private context(symbol: string, now: number, positions: readonly Position[], positionValueOpen: number, capitalAtRiskUsed: number, lastTradePrice: number | null): PreTradeContext {
    const lastBar: Bar | null = this.parts.cache.lastBar(symbol) ?? null;
    return {
      now,
      calendar: this.parts.calendar,
      tradingState: this.parts.trading.state.state,
      lastBar,
      lastTradePrice,
      symbolStatus: this.statusOf.get(symbol) ?? null,
      featuresWarm: this.warmSymbols.has(symbol),
      market: { spyGapPct: this.spyGapPct(), vix: this.parts.vix?.() ?? null },
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

  private onFeatureRow(row: BarFeatures): void {
    // Warm once a streamed row has the intraday features an entry leans on (daily context may be missing).
    if (this.warmSymbols.has(row.symbol)) return;
    if (WARM_FEATURES.every((i) => Number.isFinite(row.values[i]))) this.warmSymbols.add(row.symbol);
  }

  private syncLedgerState(state: TradingState): void {
    // The kill switch and the trader's resume are the ledger's state too (reserve() refuses unless ACTIVE).
    if (this.parts.ledger.day().state !== state) this.parts.ledger.setState(state);
  }
}
