// The execution engine: turns an entry proposal into a sized, risk-checked, persisted order at the
// broker, applies the broker's events to the SQLite order book, runs the managed exits bar by bar
// (EOD flatten included) and serves the kill switch's `execution.flattenAll`. It never asks which
// broker runs behind the seam; the composition root plugs in the simulated one.
import { randomUUID } from 'node:crypto';
import type { Bar, TradingState, TradingStatus } from '../../shared/domain';
import { nyClock, type NyseCalendar } from '../calendar/nyse';
import type { CancelTimer, Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import { SessionScheduler, type SessionJob } from '../engine/session-scheduler';
import type { EngineBus } from '../engine/topics';
import type { BarCache } from '../data/bar-cache';
import type { FeatureRow } from '../features/feature-engine';
import { FEATURE_INDEX } from '../features/spec';
import type { Logger } from '../logging/logger';
import { admit, CLOSED, DEFAULT_CIRCUIT_BREAKER, recordFailure, recordSuccess, type CircuitBreakerConfig, type CircuitState } from '../risk/circuit-breaker';
import { exitOrder, mlExitDecision, stepExits, trackPosition, type ExitReason, type ExitRules, type TrackedPosition } from '../risk/exits';
import type { Scores } from '../ml/learning-service';
import { nyDateKey } from '../calendar/ny-time';
import {
  checkPreTrade,
  flattenTimeOf,
  heldQty,
  sectorExposureOfSymbol,
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
import { adoptedIntent, isOwnOrderId } from './order-ids';
import { TERMINAL_STATUSES, type Broker, type BrokerOrder, type Fill, type Order, type OrderEvent, type OrderRequest, type Position, type Side } from './types';

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
  /** Most of today's fills served by `orders.list` (newest kept; default 2 000). */
  recentFills?: number;
  /** Percent through the last trade of the marketable limit that replaces a market entry (default 0.5). */
  marketableLimitPct?: number;
  /** Hold each entry's hard stop at the broker as a stop order (default true). */
  protectiveStops?: boolean;
}

const CANCEL_CONFIRM_TRIES = 50;
const CANCEL_CONFIRM_MS = 100;

/** How far through the last trade a "market" entry's marketable limit goes, in percent. */
export const DEFAULT_MARKETABLE_LIMIT_PCT = 0.5;

/** Broker the engine drives: the Broker seam, plus the bar input of a simulated broker (it matches orders on bars). */
export type ExecutionBroker = Broker & {
  onBar?(bar: Bar): void;
  /** A simulated broker cancels synchronously (its events land in the store before this returns). */
  cancelNow?(clientOrderId: string): BrokerOrder;
};

/** What a reconciliation with the broker found and did. */
export interface ReconciliationSummary {
  trigger: 'start' | 'stream';
  at: number;
  /** Local working orders the broker never received: closed locally as canceled. */
  neverReached: string[];
  /** Own orders whose missed fills or end state were applied from the broker's copy. */
  caughtUp: string[];
  /** Open at the broker with our id but missing locally: recorded and followed again. */
  adopted: string[];
  /** Open at the broker, placed outside the cockpit: flagged, left alone. */
  outside: Array<{ symbol: string; side: Side; qty: number; brokerOrderId: string }>;
  /** Book and broker disagree after the catch-up: flagged, never overwritten; entries stop (REDUCING). */
  positionMismatches: Array<{ symbol: string; localQty: number; brokerQty: number }>;
  error: string | null;
}

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
  /** Today's VIX level when known (the day filter); null when not. */
  vix?: () => number | null;
  /** The engine's session schedule (the flatten time is one of its jobs); a private one when omitted. */
  scheduler?: SessionScheduler;
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
  /** The latest reconciliation, and the chain that keeps two from running at once. */
  private lastReconciliation: ReconciliationSummary | null = null;
  /**
   * Orders whose submit call has not returned yet, by id: a reconciliation leaves them alone, and a
   * clear waits for a symbol's before it cancels (see clearAsync).
   */
  private readonly inFlight = new Map<string, { symbol: string; done: Promise<void> }>();
  /** Entries being canceled at the flatten time. */
  private readonly cancelling = new Set<string>();
  /** Entries done filling whose protective stop is still to be placed. */
  private readonly toProtect: Array<{ entryId: string; qty: number; key: string }> = [];
  /** True while the simulated broker matches a bar: orders are placed after it returns. */
  private inBrokerBar = false;
  /** Symbols a flatten could not finish (a cancel not confirmed, a submit that failed): retried on each bar. */
  private readonly pendingFlatten = new Map<string, string>();
  private readonly flattening = new Set<string>();
  /** The end-of-day flatten as a session job too: a symbol whose bars stop coming is still flattened. */
  private readonly flattenJob: SessionJob;
  /**
   * Wall-clock waits (unconfirmed-order lookups, cancel-confirmation polls): every one is cleared on stop,
   * and its waiter told, so nothing the engine scheduled writes to the store after `stop()`.
   */
  private readonly waits = new Map<ReturnType<typeof setTimeout>, (fired: boolean) => void>();
  /** True from `stop()` until the next `start()`: late answers to lookups are dropped, not applied. */
  private stopped = false;
  private reconciling: Promise<ReconciliationSummary | null> = Promise.resolve(null);
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
    if (!this.parts.broker.simulated && this.parts.broker.onBar) throw new Error('execution: only a simulated broker matches orders on bars');
    this.breakerConfig = options.breaker ?? DEFAULT_CIRCUIT_BREAKER;
    this.sectorOf = options.sectorOf ?? new Map();
    const scheduler = parts.scheduler ?? new SessionScheduler(parts.clock, parts.calendar);
    this.flattenJob = scheduler.job({
      moment: { anchor: 'close', offsetMs: -options.limits.flattenMinutesBeforeClose * 60_000 },
      run: () => this.flattenAtTime(),
    });
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

  get reconciliation(): ReconciliationSummary | null {
    return this.lastReconciliation;
  }

  /** Every order of today (New York day), plus any still working from an earlier day, oldest first. */
  snapshot(): { orders: Order[]; positions: Position[]; fills: Fill[] } {
    const { store, clock } = this.parts;
    const today = nyDateKey(clock.now());
    const fills = store.fillsOfDay(today);
    const byId = new Map<string, Order>();
    for (const o of store.ordersOfDay(today)) byId.set(o.clientOrderId, o);
    for (const o of store.openOrders()) byId.set(o.clientOrderId, o);
    const orders = [...byId.values()].sort((a, b) => a.submittedAt - b.submittedAt || (a.clientOrderId < b.clientOrderId ? -1 : 1));
    return { orders, positions: store.positions(), fills: fills.slice(-(this.options.recentFills ?? 2_000)) };
  }

  protected async onStart(): Promise<void> {
    const { bus, store, broker, ledger, trading } = this.parts;
    this.stopped = false;
    // A restart keeps the day's trading state: the kill switch or a loss limit still holds.
    const day = ledger.day();
    const severity = { ACTIVE: 0, REDUCING: 1, HALTED: 2 } as const;
    if (severity[day.state] > severity[trading.state.state]) trading.change(day.state, `${day.state} since earlier today (restored from the risk ledger)`);
    this.restoreBook();
    this.unsubscribe.push(
      broker.onEvent((e) => this.onBrokerEvent(e)),
      bus.subscribe('market.bar', (bar) => this.onBar(bar), 'execution'),
      // What later phases read (halts, warm features, the trading state) is recorded in the data phase,
      // like a cache, before any signal or order on the same message.
      bus.subscribe('data.status', (s) => this.statusOf.set(s.symbol, s), 'data'),
      bus.subscribe('features.row', (row) => this.onFeatureRow(row), 'data'),
      bus.subscribe('trading.state', (t) => this.syncLedgerState(t.state), 'data'),
      bus.subscribe('models.scores', (scores) => this.onScores(scores), 'execution'),
      bus.register('execution.flattenAll', ({ cause }) => this.flattenAll(cause)),
    );
    // The book is rebuilt from the store; the broker's copy then says what happened while we were away.
    // A remote broker's stream reconciles again each time it is (re)established.
    if (broker.onStreamLive) this.unsubscribe.push(broker.onStreamLive(() => void this.reconcile('stream')));
    await this.reconcile('start');
    broker.start?.();
    this.flattenOnStartIfDue();
    if (this.options.protectiveStops !== false) this.protectUncovered();
    this.flattenJob.start();
  }

  protected onStop(): void {
    this.stopped = true;
    for (const [handle, settle] of [...this.waits]) {
      clearTimeout(handle);
      this.waits.delete(handle);
      settle(false);
    }
    for (const u of this.unsubscribe.splice(0)) u();
    this.flattenJob.stop();
    this.parts.broker.stop?.();
  }

  /**
   * After a restart: every held position is managed again with the stop and target its entry was sent
   * with (from the store's entry plans), and the capital at risk reserved for today's entries that are
   * still working or held is remembered, so it is given back when they go flat or are canceled.
   */
  private restoreBook(): void {
    const { store, clock, ledger } = this.parts;
    const today = ledger.day().tradingDay;
    const positions = store.positions();
    const held = new Map(positions.map((p) => [p.symbol, p]));
    const open = new Set(store.openOrders().map((o) => o.clientOrderId));
    for (const p of positions) {
      const side: Side = p.qty > 0 ? 'buy' : 'sell';
      const plan = store.plans({ symbol: p.symbol }).find((x) => x.side === side && x.order.filledQty > 0);
      const levels: { stopPrice?: number; targetPrice?: number } = {};
      let entryTime = clock.now();
      if (plan) {
        levels.stopPrice = plan.stopPrice;
        if (plan.targetPrice !== null) levels.targetPrice = plan.targetPrice;
        entryTime = store.fills(plan.clientOrderId)[0]?.time ?? entryTime;
      } else {
        this.parts.bus.publish('app.notice', {
          level: 'warn',
          code: 'execution.restore',
          message: `${p.symbol}: held ${p.qty} with no stored entry plan; only the managed exits and the end-of-day flatten apply`,
          at: clock.now(),
        });
      }
      this.tracked.set(p.symbol, trackPosition(p, entryTime, levels));
    }
    for (const plan of store.plans({ tradingDay: today })) {
      const pos = held.get(plan.symbol);
      const stillHeld = pos !== undefined && plan.order.filledQty > 0 && (pos.qty > 0) === (plan.side === 'buy');
      if (!open.has(plan.clientOrderId) && !stillHeld) continue;
      const unfilledGone = TERMINAL_STATUSES.has(plan.order.status) ? plan.order.filledQty / plan.order.qty : 1;
      this.reserved.set(plan.clientOrderId, { symbol: plan.symbol, amount: plan.capitalAtRisk * unfilledGone, day: plan.tradingDay });
      if (open.has(plan.clientOrderId)) {
        const levels: { stopPrice: number; targetPrice?: number } = { stopPrice: plan.stopPrice };
        if (plan.targetPrice !== null) levels.targetPrice = plan.targetPrice;
        this.entryLevels.set(plan.clientOrderId, levels);
      }
    }
  }

  /**
   * Brings the local book in line with what the broker did while the engine was not listening (a
   * crash, a dropped stream): own orders' missed fills and end states are applied from the broker's copy,
   * orders that never reached the broker are closed locally, own orders missing locally are adopted,
   * and anything else (outside orders, position differences) is flagged to the trader and never
   * overwritten; a position difference stops new entries (REDUCING) until the trader resumes.
   */
  reconcile(trigger: 'start' | 'stream'): Promise<ReconciliationSummary | null> {
    const run = this.reconciling.then(() => this.reconcileNow(trigger));
    this.reconciling = run.catch(() => null);
    return run;
  }

  private async reconcileNow(trigger: 'start' | 'stream'): Promise<ReconciliationSummary> {
    const { store, broker, bus, clock, log } = this.parts;
    const summary: ReconciliationSummary = { trigger, at: clock.now(), neverReached: [], caughtUp: [], adopted: [], outside: [], positionMismatches: [], error: null };
    const notice = (level: 'info' | 'warn' | 'error', message: string): void => bus.publish('app.notice', { level, code: 'execution.reconcile', message, at: clock.now() });
    let brokerOpen: BrokerOrder[];
    let brokerPositions: Position[];
    try {
      [brokerOpen, brokerPositions] = await Promise.all([broker.openOrders(), broker.positions()]);
    } catch (error) {
      summary.error = error instanceof Error ? error.message : String(error);
      log.error('reconciliation failed', { trigger, error: summary.error });
      notice('error', `Could not reconcile with ${broker.label} (${trigger}): ${summary.error}. The book is the store's until the next try.`);
      this.lastReconciliation = summary;
      return summary;
    }
    const openAtBroker = new Map(brokerOpen.map((o) => [o.clientOrderId, o]));
    try {
      for (const local of store.openOrders()) {
        if (this.inFlight.has(local.clientOrderId)) continue;
        let there: BrokerOrder | null = openAtBroker.get(local.clientOrderId) ?? null;
        if (!there && broker.orderByClientId) there = await broker.orderByClientId(local.clientOrderId);
        if (!there) {
          // The broker never got it: the engine stopped between the store and the send (or a simulated
          // broker was restarted with its working orders). It is closed here, never resent blindly.
          this.closeNeverReached(local, 'the engine stopped before the order was sent or confirmed');
          summary.neverReached.push(local.clientOrderId);
          continue;
        }
        if (this.catchUp(local, there)) summary.caughtUp.push(local.clientOrderId);
      }
      for (const b of brokerOpen) {
        if (store.get(b.clientOrderId)) continue;
        if (isOwnOrderId(b.clientOrderId)) {
          // Ours, but the store lost it (it cannot, short of a restored backup): follow it again from here.
          // What it is for follows from what it does to the book (an adopted entry is canceled at the
          // flatten time like any other, an adopted stop protects the shares it covers).
          const intent = adoptedIntent(b, this.heldQtyOf(b.symbol));
          store.recordSubmitted({ ...b, ...intent, reason: `adopted at reconciliation (${b.reason})`, status: 'accepted', filledQty: 0, avgFillPrice: null, note: 'adopted at reconciliation' });
          this.catchUp(store.get(b.clientOrderId)!, b);
          summary.adopted.push(b.clientOrderId);
        } else {
          summary.outside.push({ symbol: b.symbol, side: b.side, qty: b.qty, brokerOrderId: b.brokerOrderId });
        }
      }
    } catch (error) {
      summary.error = error instanceof Error ? error.message : String(error);
      log.error('reconciliation stopped', { trigger, error: summary.error });
    }
    if (!broker.simulated && summary.error === null) {
      // The simulated broker keeps no book across a restart: the store is the book there.
      const local = store.positions();
      for (const symbol of [...new Set([...local.map((p) => p.symbol), ...brokerPositions.map((p) => p.symbol)])].sort()) {
        const localQty = local.find((p) => p.symbol === symbol)?.qty ?? 0;
        const brokerQty = brokerPositions.filter((p) => p.symbol === symbol).reduce((s, p) => s + p.qty, 0);
        if (localQty !== brokerQty) summary.positionMismatches.push({ symbol, localQty, brokerQty });
      }
    }
    this.lastReconciliation = summary;
    log.info('reconciliation', { trigger, neverReached: summary.neverReached.length, caughtUp: summary.caughtUp.length, adopted: summary.adopted.length, outside: summary.outside.length, mismatches: summary.positionMismatches.length });
    if (summary.neverReached.length > 0) notice('warn', `Reconciled with ${broker.label}: ${summary.neverReached.length} order(s) never reached it and were closed here (${summary.neverReached.join(', ')}); nothing was resent`);
    if (summary.caughtUp.length > 0) notice('info', `Reconciled with ${broker.label}: applied what it did while the engine was away to ${summary.caughtUp.join(', ')}`);
    if (summary.adopted.length > 0) notice('warn', `Reconciled with ${broker.label}: adopted own open order(s) missing from the book: ${summary.adopted.join(', ')}`);
    if (summary.outside.length > 0) {
      notice('warn', `${broker.label} has ${summary.outside.length} open order(s) placed outside the cockpit, left alone: ${summary.outside.map((o) => `${o.side} ${o.qty} ${o.symbol} (${o.brokerOrderId})`).join(', ')}`);
    }
    if (summary.positionMismatches.length > 0) {
      const what = summary.positionMismatches.map((m) => `${m.symbol} book ${m.localQty} vs broker ${m.brokerQty}`).join(', ');
      notice('error', `Position mismatch with ${broker.label}: ${what}. Nothing was overwritten; new entries are stopped until you check and resume.`);
      if (this.parts.trading.state.state === 'ACTIVE') this.parts.trading.change('REDUCING', `position mismatch with ${broker.label}: ${what}`);
    }
    if (summary.error !== null) notice('error', `Reconciliation with ${broker.label} stopped part way (${trigger}): ${summary.error}`);
    return summary;
  }

  /** Applies the broker's copy of an own order that moved on while we were not listening. True when anything changed. */
  private catchUp(local: Order, there: BrokerOrder): boolean {
    let changed = false;
    let current = local;
    const brokerView: BrokerOrder = { ...there, clientOrderId: local.clientOrderId };
    if (current.status === 'new' && there.status !== 'new' && !(there.status === 'rejected' && there.filledQty === 0)) {
      changed = this.applyLocal({ type: 'accepted', order: { ...brokerView, status: 'accepted' } }) || changed;
      current = this.parts.store.get(local.clientOrderId)!;
    }
    if (there.filledQty > current.filledQty && there.avgFillPrice !== null) {
      const qty = there.filledQty - current.filledQty;
      const paid = there.avgFillPrice * there.filledQty - (current.avgFillPrice ?? 0) * current.filledQty;
      const price = Math.round((paid / qty) * 10_000) / 10_000;
      const fill: Fill = {
        clientOrderId: local.clientOrderId,
        brokerOrderId: there.brokerOrderId,
        symbol: local.symbol,
        side: local.side,
        qty,
        price,
        fees: 0,
        time: there.updatedAt,
        executionId: `reconcile:${there.brokerOrderId}:${there.filledQty}`,
      };
      changed = this.applyLocal({ type: 'fill', order: brokerView, fill }) || changed;
      current = this.parts.store.get(local.clientOrderId)!;
    }
    if (TERMINAL_STATUSES.has(there.status) && !TERMINAL_STATUSES.has(current.status) && there.status !== 'filled') {
      changed = this.applyLocal({ type: there.status as 'canceled' | 'rejected' | 'expired', order: brokerView }) || changed;
    }
    return changed;
  }

  /** Runs an event the engine derived (not streamed) through the same path as the broker's. */
  private applyLocal(event: OrderEvent): boolean {
    return this.onBrokerEvent(event, true);
  }

  // ---- entries ----

  /** Sizes, checks and sends an entry. A denial is a value (and an 'app.notice'), never an exception. */
  async submitEntry(proposal: EntryProposal): Promise<EntryResult> {
    const { clock, cache, store, ledger, broker } = this.parts;
    const now = clock.now();
    const { limits } = this.options;
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
    const limitPrice = proposal.limitPrice ?? marketable;
    const entryPrice = limitPrice ?? lastTrade;
    const deny = (check: EntryDenialCheck, reason: string): EntryResult => {
      this.parts.bus.publish('app.notice', { level: 'warn', code: `risk.${check}`, message: `${proposal.side} ${proposal.symbol} denied (${check}): ${reason}`, at: now });
      this.parts.log.info('entry denied', { symbol: proposal.symbol, check, reason });
      return { ok: false, check, reason };
    };
    if (!this.isActive) return deny('broker', 'the execution engine is not running');
    if (proposal.clientOrderId !== undefined && store.get(proposal.clientOrderId)) {
      return deny('duplicateOrder', `order id ${proposal.clientOrderId} was already used (${store.get(proposal.clientOrderId)!.status}); an order is never sent twice`);
    }
    const day = ledger.day();
    const working = this.workingEntries();
    const positionValueOpen = [...positions, ...working].reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0);

    let sizing: SizingResult | null = null;
    let qty = proposal.qty;
    if (qty === undefined) {
      if (entryPrice === null) return deny('staleData', `No price of ${proposal.symbol} yet to size the entry`);
      sizing = this.sizeFor({ symbol: proposal.symbol, side: proposal.side, entryPrice, stopPrice: proposal.stopPrice, ...(proposal.sizing ? { method: proposal.sizing } : {}) });
      if (sizing.qty === 0) return deny('sizing', sizing.note);
      qty = sizing.qty;
    }

    const order: OrderRequest = {
      clientOrderId: proposal.clientOrderId ?? `entry-${proposal.symbol}-${now}-${randomUUID().slice(0, 8)}`,
      symbol: proposal.symbol,
      side: proposal.side,
      qty,
      type: limitPrice !== undefined ? 'limit' : 'market',
      timeInForce: marketable !== undefined ? 'ioc' : 'day',
      intent: 'entry',
      reason: proposal.reason,
    };
    if (limitPrice !== undefined) order.limitPrice = limitPrice;
    const proposed: ProposedOrder = { order, riskStop: proposal.stopPrice, entry: true };
    const context = this.context(proposal.symbol, now, positions, positionValueOpen, day.capitalAtRiskUsed, cache.lastBar(proposal.symbol) ?? null, lastTrade);
    context.working = working;
    const check = checkPreTrade(proposed, context, limits);
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

    const sent = await this.send(order, now, { stopPrice: proposal.stopPrice, targetPrice: proposal.targetPrice ?? null, capitalAtRisk: check.capitalAtRisk, tradingDay: day.tradingDay });
    if (sent.status === 'rejected') return deny('broker', `${broker.label} rejected the order: ${sent.note}`);
    return { ok: true, order: sent, sizing };
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

  // ---- flatten ----

  /** The kill switch's endpoint: cancel every working order, then close every position at market. */
  async flattenAll(cause: string): Promise<{ closed: number }> {
    return this.flatten(null, cause);
  }

  /**
   * Closes one symbol's position (or all) at market: first every working order of the symbol is canceled
   * (entries, protective stops, a working exit) and the cancels are confirmed, so what the broker did
   * meanwhile is in the book; then one flatten order closes what is left. A symbol whose cancels cannot
   * be confirmed is retried on its next bar. `closed` counts the flatten orders sent.
   */
  async flatten(symbol: string | null, cause: string): Promise<{ closed: number }> {
    const { store } = this.parts;
    const symbols = new Set<string>();
    for (const p of store.positions()) symbols.add(p.symbol);
    for (const o of store.openOrders()) symbols.add(o.symbol);
    let closed = 0;
    for (const s of [...symbols].sort()) {
      if (symbol !== null && s !== symbol) continue;
      if (await this.flattenSymbol(s, cause)) closed++;
    }
    this.parts.log.warn('flatten', { symbol: symbol ?? 'all', cause, closed });
    return { closed };
  }

  private async flattenSymbol(symbol: string, cause: string): Promise<boolean> {
    if (this.flattening.has(symbol)) return false;
    this.flattening.add(symbol);
    try {
      return await this.flattenSymbolNow(symbol, cause);
    } finally {
      this.flattening.delete(symbol);
    }
  }

  private async flattenSymbolNow(symbol: string, cause: string): Promise<boolean> {
    const { clock } = this.parts;
    this.pendingFlatten.set(symbol, cause);
    // With a simulated broker this stays synchronous (a backtest's bar loop sees the flatten at once).
    const left = this.parts.broker.cancelNow ? this.clearSync(symbol, 'all') : await this.clearAsync(symbol, 'all');
    if (left === null) {
      this.notice('error', 'execution.flatten', `Flatten of ${symbol} waits: a working order could not be confirmed canceled; retrying on the next bar`);
      return false;
    }
    if (left === 0) {
      this.pendingFlatten.delete(symbol);
      this.dropProtection(symbol);
      return false;
    }
    const now = clock.now();
    const order: OrderRequest = {
      ...exitOrder({ symbol, qty: left, avgEntryPrice: 0 }, 'eodFlatten', cause, now),
      clientOrderId: `flatten-${symbol}-${now}-${randomUUID().slice(0, 8)}`,
      intent: 'flatten',
      reason: cause,
    };
    delete order.exitRule; // the trader's flatten or the kill switch, not a rule
    // The flatten stays pending until the symbol is flat (a flatten the broker cancels is sent again).
    return this.sendExitOrder(order, true);
  }

  // ---- bars and exits ----

  private onBar(bar: Bar): void {
    const previous = this.lastFedStart.get(bar.symbol);
    // The data engine may pass a corrected bar with the same start; the broker only matches a new minute.
    if (previous !== undefined && bar.start <= previous) return;
    this.lastFedStart.set(bar.symbol, bar.start);
    const now = this.parts.clock.now();
    // Before the bar can match anything: past the flatten time no working entry may fill.
    this.cancelWorkingEntries(now);
    this.inBrokerBar = true;
    try {
      this.parts.broker.onBar?.(bar);
    } catch (error) {
      this.parts.log.error('simulated broker refused a bar', { error, symbol: bar.symbol, start: bar.start });
      return;
    } finally {
      this.inBrokerBar = false;
    }
    this.placeProtection();
    // Flattens that did not finish are sent again on any bar (a halted symbol has no bars of its own).
    for (const [symbol, cause] of this.pendingFlatten) {
      if (this.exiting.has(symbol) || this.flattening.has(symbol)) continue;
      if (this.heldQtyOf(symbol) === 0 && this.toClear(symbol, 'all').length === 0) this.pendingFlatten.delete(symbol);
      else void this.flattenSymbol(symbol, cause);
    }
    const pos = this.tracked.get(bar.symbol);
    if (!pos) return;
    // A protective stop the broker already held through this bar is the hard stop: the engine does not send a second.
    const held = this.protectedQty(bar.symbol, bar.start) >= Math.abs(pos.qty);
    const { stopPrice: _stop, ...withoutStop } = pos;
    const step = stepExits(held ? withoutStop : pos, bar, now, this.exitRules, this.parts.calendar);
    this.tracked.set(bar.symbol, held && pos.stopPrice !== undefined ? { ...step.position, stopPrice: pos.stopPrice } : step.position);
    if (!step.exit || this.exiting.has(bar.symbol)) return;
    const { exit } = step;
    this.parts.log.info('exit', { symbol: bar.symbol, reason: exit.reason, detail: exit.detail });
    this.sendExit(exit.order, exit.flatten, exit.reason).catch((error: unknown) => this.parts.log.error('exit order failed', { error, symbol: bar.symbol }));
  }

  /**
   * Sends an exit that closes the whole position: the symbol's protective stops are canceled first (with
   * a simulated broker at once, so a backtest stays bar-synchronous; with a remote one confirmed, so a
   * stop that filled meanwhile is counted and never sold twice), then one market order closes what is left.
   */
  private sendExit(exit: OrderRequest, flatten: boolean, reason?: ExitReason): Promise<boolean> {
    // Exit ids are unique: a replay that runs the same minute again never collides with a stored one.
    const order = { ...exit, clientOrderId: `${exit.clientOrderId}-${randomUUID().slice(0, 6)}` };
    const symbol = order.symbol;
    if (this.exiting.has(symbol)) return Promise.resolve(true); // one already working closes the same shares
    // Checked before the protective stop is touched: an exit that cannot go out leaves the stop working.
    const asFlatten = (): boolean => flatten || this.pendingFlatten.has(symbol) || this.parts.trading.state.state === 'HALTED';
    const early = this.exitCheck(order, asFlatten());
    if (early !== null) {
      this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${symbol} denied (${early.check}): ${early.reason}; its protective stop stays at the broker`);
      return Promise.resolve(false);
    }
    const lock = `pending-${order.clientOrderId}`;
    this.exiting.set(symbol, lock);
    const release = (): void => {
      if (this.exiting.get(symbol) === lock) this.exiting.delete(symbol);
    };
    const proceed = (left: number | null): Promise<boolean> => {
      release();
      if (left === null) {
        this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${symbol} waits: its protective stop could not be confirmed canceled`);
        return Promise.resolve(false);
      }
      if (left === 0) return Promise.resolve(true); // the stop closed it
      // A kill switch that came while the stop was being canceled makes this the flatten.
      return this.sendExitOrder({ ...order, qty: Math.abs(left), side: left > 0 ? 'sell' : 'buy' }, asFlatten(), reason).then((sent) => {
        if (!sent) this.protectUncovered(symbol); // refused after all: the shares get their stop back
        return sent;
      });
    };
    if (this.parts.broker.cancelNow) return proceed(this.clearSync(symbol, 'protective'));
    return this.clearAsync(symbol, 'protective').then(proceed, (error: unknown) => {
      release();
      throw error;
    });
  }

  /** Checks and sends an order that only reduces a position; pre-trade and the breaker still see it (a flatten passes both). */
  private sendExitOrder(order: OrderRequest, flatten: boolean, reason?: ExitReason): Promise<boolean> {
    const { clock } = this.parts;
    const held = this.exiting.get(order.symbol);
    // A real exit order working closes the same shares; one still clearing its stop has sent nothing yet.
    if (held !== undefined) return Promise.resolve(!held.startsWith('pending-'));
    const now = clock.now();
    const check = this.exitCheck(order, flatten);
    if (check !== null) {
      this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${order.symbol} denied (${check.check}): ${check.reason}`);
      return Promise.resolve(false);
    }
    const admission = admit(this.breaker, now, this.breakerConfig, { flatten });
    if (!admission.allowed) {
      this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${order.symbol} held back: ${admission.reason}`);
      return Promise.resolve(false);
    }
    this.breaker = admission.state;
    this.exiting.set(order.symbol, order.clientOrderId);
    return this.send(order, now).then((sent) => {
      if (sent.status === 'rejected' || (sent.status === 'new' && this.parts.broker.simulated)) {
        // Not at the broker: the symbol is free for the next exit.
        if (this.exiting.get(order.symbol) === order.clientOrderId) this.exiting.delete(order.symbol);
        return false;
      }
      if (sent.status === 'new') {
        // A remote broker that never confirmed: the order may exist, so the symbol stays locked (no second
        // exit can sell the same shares) until a lookup settles it.
        this.settleUnconfirmed(order.clientOrderId, 0);
        return false;
      }
      return true;
    });
  }

  /** The pre-trade checks of an exit, or null when it may go out. */
  private exitCheck(order: OrderRequest, flatten: boolean): { check: string; reason: string } | null {
    const { clock, store, cache } = this.parts;
    const positions = store.positions();
    const positionValueOpen = positions.reduce((v, p) => v + Math.abs(p.qty) * p.avgEntryPrice, 0);
    const check = checkPreTrade(
      { order, flatten },
      this.context(order.symbol, clock.now(), positions, positionValueOpen, this.parts.ledger.day().capitalAtRiskUsed, cache.lastBar(order.symbol) ?? null, this.lastTradePrice(order.symbol)),
      this.options.limits,
    );
    return check.ok ? null : { check: check.check, reason: check.reason };
  }

  /**
   * Resolves true after `ms` of wall time, or false at once when the engine stops first (the timer is
   * cleared then). Unref'd: a pending wait never holds the process open.
   */
  private pause(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const handle = setTimeout(() => {
        this.waits.delete(handle);
        resolve(!this.stopped);
      }, ms);
      handle.unref?.();
      this.waits.set(handle, resolve);
    });
  }

  /** Looks up an order whose submit never confirmed, until the broker says whether it has it (not after stop). */
  private settleUnconfirmed(clientOrderId: string, attempt: number): void {
    const { broker, store, log } = this.parts;
    if (!broker.orderByClientId || attempt >= 10) return;
    void this.pause(500 * 2 ** Math.min(attempt, 4)).then((fired) => {
      if (!fired) return;
      broker.orderByClientId!(clientOrderId).then(
        (found) => {
          if (this.stopped) return; // answered after stop: the next start's reconciliation settles it
          const stored = store.get(clientOrderId);
          if (!stored || TERMINAL_STATUSES.has(stored.status)) return;
          if (found === null) this.closeNeverReached(stored);
          else this.catchUp(stored, found);
        },
        (error: unknown) => {
          if (this.stopped) return;
          log.warn('unconfirmed order lookup failed; trying again', { clientOrderId, error });
          this.settleUnconfirmed(clientOrderId, attempt + 1);
        },
      );
    });
  }

  // ---- protective stops ----

  /** Working protective stops of a symbol (the hard stops held at the broker). */
  private protectiveStops(symbol: string): Order[] {
    return this.parts.store.openOrders().filter((o) => o.symbol === symbol && o.intent === 'protective-stop');
  }

  /** Shares covered by protective stops that were at the broker before `barStart` (so could have matched that bar). */
  private protectedQty(symbol: string, barStart: number): number {
    let q = 0;
    for (const o of this.protectiveStops(symbol)) if (o.submittedAt <= barStart && o.status !== 'new') q += o.qty - o.filledQty;
    return q;
  }

  /**
   * Places the hard stop of each entry that finished filling at the broker: a stop order for the shares it
   * bought (or sold short), at the stop it was entered with. Held there, it protects the position even
   * when the engine is down. Deferred while the simulated broker is matching a bar.
   */
  private placeProtection(): void {
    if (this.inBrokerBar || this.toProtect.length === 0) return;
    const { store } = this.parts;
    for (const item of this.toProtect.splice(0)) {
      const entry = store.get(item.entryId);
      const levels = this.entryLevels.get(item.entryId) ?? this.storedLevels(item.entryId);
      if (!entry || !levels || this.noNewProtection(entry.symbol)) continue;
      const id = `exit-stop-${item.key}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 120);
      if (store.get(id)) continue; // already placed (the same fill again)
      const position = this.heldQtyOf(entry.symbol);
      const entrySign = entry.side === 'buy' ? 1 : -1;
      // Never more than is held on the entry's side, less what other stops already cover.
      const covered = this.protectiveStops(entry.symbol).reduce((s, o) => s + o.qty - o.filledQty, 0);
      const qty = Math.min(item.qty, Math.max(0, position * entrySign - covered));
      if (qty <= 0) continue;
      this.placeStop(id, entry.symbol, entry.side === 'buy' ? 'sell' : 'buy', qty, levels.stopPrice, item.entryId);
    }
  }

  /** Sends one protective stop; it must only reduce the position (checked as a flatten), else the engine keeps the stop. */
  private placeStop(clientOrderId: string, symbol: string, side: Side, qty: number, stopPrice: number, parentId: string | null): void {
    const { store, clock } = this.parts;
    const now = clock.now();
    const order: OrderRequest = {
      clientOrderId,
      symbol,
      side,
      qty,
      type: 'stop',
      timeInForce: 'day',
      stopPrice,
      intent: 'protective-stop',
      exitRule: 'hardStop',
      reason: `protective stop ${stopPrice} at ${this.parts.broker.label}${parentId ? ` for ${parentId}` : ' (restored)'}`,
    };
    if (parentId !== null) order.parentId = parentId;
    const check = checkPreTrade({ order, flatten: true }, this.context(symbol, now, store.positions(), 0, 0, null, this.lastTradePrice(symbol)), this.options.limits);
    if (!check.ok || check.intent !== 'flatten') {
      this.notice('error', 'execution.protect', `No protective stop for ${symbol} (${check.ok ? 'it would add exposure' : check.reason}); the engine manages the stop`);
      return;
    }
    this.send(order, now).catch((error: unknown) => this.parts.log.error('protective stop failed', { error, clientOrderId }));
  }

  /** No new protective stop while the symbol is being closed, or from the flatten time on. */
  private noNewProtection(symbol: string): boolean {
    if (this.flattening.has(symbol) || this.exiting.has(symbol) || this.pendingFlatten.has(symbol)) return true;
    const now = this.parts.clock.now();
    const flattenAt = flattenTimeOf(this.parts.calendar, now, this.options.limits.flattenMinutesBeforeClose);
    return flattenAt === null || now >= flattenAt;
  }

  /** A flat symbol keeps no protective stop: one left working would open a position when it triggers. */
  private dropProtection(symbol: string): void {
    if (this.heldQtyOf(symbol) !== 0) return;
    for (const o of this.protectiveStops(symbol)) this.cancelInBackground(o, 'cancel of a stop left after the position closed');
  }

  /**
   * A restart after the flatten time, or in HALTED (the kill switch was pulled earlier today), with
   * positions still held: they are flattened now, not left to a bar that may never come.
   */
  private flattenOnStartIfDue(): void {
    const { clock, calendar, trading, store } = this.parts;
    const positions = store.positions();
    if (positions.length === 0) return;
    const now = clock.now();
    const flattenAt = flattenTimeOf(calendar, now, this.options.limits.flattenMinutesBeforeClose);
    const late = flattenAt === null || now >= flattenAt;
    const halted = trading.state.state === 'HALTED';
    if (!late && !halted) return;
    const cause = halted ? 'kill switch (still HALTED after a restart)' : 'end-of-day flatten (restart after the flatten time)';
    for (const p of positions) {
      this.pendingFlatten.set(p.symbol, cause);
      void this.flattenSymbol(p.symbol, cause);
    }
  }

  /** After a restart: any held shares without a protective stop get one at their entry's stop. */
  private protectUncovered(only?: string): void {
    if (this.options.protectiveStops === false) return;
    const { store, clock } = this.parts;
    for (const p of store.positions()) {
      if (only !== undefined && p.symbol !== only) continue;
      if (this.noNewProtection(p.symbol)) continue;
      const tracked = this.tracked.get(p.symbol);
      const covered = this.protectiveStops(p.symbol).reduce((s, o) => s + o.qty - o.filledQty, 0);
      const missing = Math.abs(p.qty) - covered;
      if (missing <= 0 || tracked?.stopPrice === undefined) continue;
      const id = `exit-stop-${p.symbol}-again-${clock.now()}-${randomUUID().slice(0, 8)}`;
      this.placeStop(id, p.symbol, p.qty > 0 ? 'sell' : 'buy', missing, tracked.stopPrice, null);
    }
  }

  /** The working orders of a symbol a clear cancels: its protective stops, or everything working. */
  private toClear(symbol: string, scope: 'protective' | 'all'): Order[] {
    return scope === 'protective' ? this.protectiveStops(symbol) : this.parts.store.openOrders().filter((o) => o.symbol === symbol && !this.inFlight.has(o.clientOrderId));
  }

  /** Simulated broker: cancels at once (its events land in the store synchronously). Returns the signed position left. */
  private clearSync(symbol: string, scope: 'protective' | 'all'): number | null {
    const { broker, store } = this.parts;
    // Re-read until nothing is left: a cancel can make an entry final, and that may place a stop meanwhile.
    for (let round = 0; round < 5; round++) {
      const list = this.toClear(symbol, scope);
      if (list.length === 0) break;
      for (const o of list) this.cancelOneSync(o);
    }
    return heldQty(store.positions(), symbol);
  }

  private cancelOneSync(o: Order): void {
    const { broker, store } = this.parts;
    const back = broker.cancelNow!(o.clientOrderId);
    const stored = store.get(o.clientOrderId);
    if (stored && !TERMINAL_STATUSES.has(stored.status) && back.status === 'rejected' && back.symbol === '') {
      // The broker never had it (a restart lost it): closed here.
      this.closeNeverReached(stored);
    }
  }

  /**
   * Remote broker: cancels each order, waits until the broker says it is done (canceled or filled), and
   * applies the broker's copy (fills the stream has not brought yet included). Returns the signed position
   * left, or null when a cancel could not be confirmed (the shares it may still sell are unknown).
   */
  private async clearAsync(symbol: string, scope: 'protective' | 'all'): Promise<number | null> {
    const { broker, store } = this.parts;
    if (broker.cancelNow) return this.clearSync(symbol, scope);
    let unknown = false;
    const tried = new Set<string>();
    // Re-read until nothing new is left: a cancel can make an entry final, and that may place a stop meanwhile.
    for (let round = 0; round < 5; round++) {
      // An order of the symbol still being submitted (a protective stop placed a moment ago) is waited
      // for, then canceled like the rest: skipped, it would stay working beside the flatten and could
      // open a position when it triggers. Not answered in time: the clear is unconfirmed (retried later).
      if (!(await this.submitsSettled(symbol))) return null;
      const list = this.toClear(symbol, scope).filter((o) => !tried.has(o.clientOrderId));
      if (list.length === 0) break;
      for (const o of list) {
        tried.add(o.clientOrderId);
        if (!(await this.cancelOneConfirmed(o))) unknown = true;
      }
    }
    return unknown ? null : heldQty(store.positions(), symbol);
  }

  /** True once no submit of `symbol` is still out (waiting up to the cancel-confirmation time); false when one still is. */
  private async submitsSettled(symbol: string): Promise<boolean> {
    const pending = [...this.inFlight.values()].filter((s) => s.symbol === symbol).map((s) => s.done);
    if (pending.length === 0) return true;
    const settled = await Promise.race([Promise.all(pending).then(() => true), this.pause(CANCEL_CONFIRM_TRIES * CANCEL_CONFIRM_MS).then(() => false)]);
    // Let the answers' own bookkeeping (accepted, rejected) land before the book is read again.
    await Promise.resolve();
    return settled && ![...this.inFlight.values()].some((s) => s.symbol === symbol);
  }

  /** Cancels one order at a remote broker and applies the broker's final copy; false when that could not be confirmed. */
  private async cancelOneConfirmed(o: Order): Promise<boolean> {
    const { broker, store, log } = this.parts;
    let back: BrokerOrder;
    try {
      back = await broker.cancel(o.clientOrderId);
      if (this.stopped) return false; // answered after stop: the next start reconciles it
      for (let i = 0; i < CANCEL_CONFIRM_TRIES && !TERMINAL_STATUSES.has(back.status) && broker.orderByClientId; i++) {
        // Stopped while polling: not confirmed, and nothing is written (the next start reconciles).
        if (!(await this.pause(CANCEL_CONFIRM_MS))) return false;
        back = (await broker.orderByClientId(o.clientOrderId)) ?? back;
      }
    } catch (error) {
      const found = broker.orderByClientId ? await broker.orderByClientId(o.clientOrderId).catch(() => undefined) : undefined;
      if (this.stopped) return false;
      const stored = store.get(o.clientOrderId);
      if (found === null) {
        // The broker never had it: closed here, nothing to wait for.
        if (stored && !TERMINAL_STATUSES.has(stored.status)) this.closeNeverReached(stored);
        return true;
      }
      log.warn('cancel not confirmed', { clientOrderId: o.clientOrderId, error });
      if (found && stored) this.catchUp(stored, found);
      return false;
    }
    const stored = store.get(o.clientOrderId);
    if (stored) this.catchUp(stored, back);
    return TERMINAL_STATUSES.has(back.status);
  }

  /** A local order the broker does not have: closed here (rejected if never acknowledged), never resent. */
  private closeNeverReached(stored: Order, why?: string): void {
    const note = `never reached ${this.parts.broker.label}${why ? `: ${why}` : ''}`;
    this.applyLocal({ type: stored.status === 'new' ? 'rejected' : 'canceled', order: { ...stored, note } });
  }

  /** Cancels one order without waiting: at once with a simulated broker, else in the background, applying the broker's copy. */
  private cancelInBackground(o: Order, what: string): void {
    const { broker, store, log } = this.parts;
    if (broker.cancelNow) {
      this.cancelOneSync(o);
      return;
    }
    if (this.cancelling.has(o.clientOrderId)) return;
    this.cancelling.add(o.clientOrderId);
    broker
      .cancel(o.clientOrderId)
      .then((back) => {
        const stored = store.get(o.clientOrderId);
        if (stored) this.catchUp(stored, back);
      })
      .catch((error: unknown) => log.error(`${what} failed`, { error, clientOrderId: o.clientOrderId }))
      .finally(() => this.cancelling.delete(o.clientOrderId));
  }

  /** Persists, then sends; the broker's events (applied in onBrokerEvent) move the stored order on. */
  private async send(request: OrderRequest, now: number, plan?: Parameters<OrderStore['recordSubmitted']>[1]): Promise<Order> {
    const { store, broker, bus } = this.parts;
    const recorded = store.recordSubmitted({ ...request, brokerOrderId: '', status: 'new', filledQty: 0, avgFillPrice: null, submittedAt: now, updatedAt: now, note: '' }, plan);
    if (!recorded.created) {
      // The id is taken: this is not a new order, and it is never sent a second time.
      this.parts.log.warn('order id already used; not sent again', { clientOrderId: request.clientOrderId });
      return { ...recorded.order, status: 'rejected', note: `order id ${request.clientOrderId} was already used` };
    }
    bus.publish('orders.update', toPayload(recorded.order));
    this.recentSubmits = [...this.recentSubmits.filter((s) => now - s.time < 120_000), { time: now, symbol: request.symbol, side: request.side, qty: request.qty, type: request.type }];
    let answered: () => void = () => {};
    this.inFlight.set(request.clientOrderId, { symbol: request.symbol, done: new Promise<void>((r) => (answered = r)) });
    try {
      const back = await broker.submit(request);
      // The submit's answer is the broker's word too: a remote broker's refusal (4xx) comes only here, and
      // its acknowledgement may come here before the stream says so. Fills come from the stream only.
      const stored = store.get(request.clientOrderId);
      if (stored?.status === 'new' && back.clientOrderId === request.clientOrderId) {
        if (back.status === 'rejected') this.applyLocal({ type: 'rejected', order: back });
        else if (back.status !== 'new' && back.brokerOrderId) this.applyLocal({ type: 'accepted', order: { ...back, status: 'accepted' } });
      }
    } catch (error) {
      // A broker that throws (network, timeout) is an execution failure; the order stays 'new' for reconciliation.
      const detail = error instanceof Error ? error.message : String(error);
      this.breaker = recordFailure(this.breaker, { at: now, kind: 'server-error', detail }, this.breakerConfig);
      bus.publish('app.notice', { level: 'error', code: 'execution.broker', message: `${broker.label} did not take ${request.clientOrderId}: ${detail}`, at: now });
    } finally {
      this.inFlight.delete(request.clientOrderId);
      answered();
    }
    return store.get(request.clientOrderId) ?? recorded.order;
  }

  // ---- broker events ----

  private onBrokerEvent(event: OrderEvent, derived = false): boolean {
    const { store, bus, clock, ledger, log } = this.parts;
    if (!this.parts.broker.simulated && !derived) {
      // A remote broker's event carries the order's cumulative filled quantity. One the book already
      // counts (applied from the broker's copy by a reconciliation or a cancel) is not counted again; one
      // that shows fills the book never got (a lost event) is caught up from that copy first.
      const stored = store.get(event.order.clientOrderId);
      if (stored && event.type === 'fill' && event.order.filledQty > 0 && event.order.filledQty <= stored.filledQty) {
        log.info('fill already applied', { clientOrderId: stored.clientOrderId, executionId: event.fill.executionId, filledQty: event.order.filledQty });
        return false;
      }
      const expected = stored ? stored.filledQty + (event.type === 'fill' ? event.fill.qty : 0) : 0;
      if (stored && !TERMINAL_STATUSES.has(stored.status) && event.order.filledQty > expected && event.order.avgFillPrice !== null) {
        log.warn('broker shows fills the book missed; catching up', { clientOrderId: stored.clientOrderId, book: stored.filledQty, broker: event.order.filledQty });
        return this.catchUp(stored, { ...event.order, status: event.type === 'fill' ? event.order.status : event.type });
      }
    }
    const before = event.type === 'fill' ? store.positions().find((p) => p.symbol === event.fill.symbol) : undefined;
    const applied = store.applyEvent(event);
    if (!applied.ok) {
      log.warn('broker event not applied', { code: applied.code, clientOrderId: applied.clientOrderId, reason: applied.reason });
      return false;
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
      // Each entry fill gets its hard stop at the broker (after the simulated broker's bar, if inside it).
      if (order.intent === 'entry' && this.options.protectiveStops !== false) {
        this.toProtect.push({ entryId: order.clientOrderId, qty: fill.qty, key: fill.executionId });
        this.placeProtection();
      }
      if (this.heldQtyOf(fill.symbol) === 0) {
        this.pendingFlatten.delete(fill.symbol);
        this.dropProtection(fill.symbol);
      }
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
      if (!this.toProtect.some((t) => t.entryId === order.clientOrderId)) this.entryLevels.delete(order.clientOrderId);
      if (this.heldQtyOf(order.symbol) === 0) this.releaseFlat(order.symbol);
    }
    return true;
  }

  /** The ML exit, on each minute's scores of the active model. */
  private onScores(scores: Scores): void {
    if (!(this.exitRules.mlExitThreshold! > 0) || !scores.modelId) return;
    scores.symbols.forEach((symbol, i) => {
      const pos = this.tracked.get(symbol);
      const p = scores.probUp[i];
      if (!pos || p === undefined || this.exiting.has(symbol)) return;
      const last = this.lastTradePrice(symbol);
      if (last === null) return;
      let exit;
      try {
        exit = mlExitDecision(pos, p, scores.start, last, this.parts.clock.now(), this.exitRules);
      } catch (error) {
        this.parts.log.warn('ML exit skipped a bad score', { symbol, error });
        return;
      }
      if (!exit) return;
      this.parts.log.info('exit', { symbol, reason: exit.reason, detail: exit.detail });
      this.sendExit(exit.order, false, exit.reason).catch((error: unknown) => this.parts.log.error('exit order failed', { error, symbol }));
    });
  }

  /** Keeps the exits' position book in step with a fill. */
  private track(fill: Fill): void {
    const position = this.parts.store.positions().find((p) => p.symbol === fill.symbol);
    if (!position) {
      this.tracked.delete(fill.symbol);
      this.releaseFlat(fill.symbol);
      return;
    }
    const current = this.tracked.get(fill.symbol);
    const levels = this.entryLevels.get(fill.clientOrderId) ?? this.storedLevels(fill.clientOrderId);
    if (!current || Math.sign(current.qty) !== Math.sign(position.qty)) {
      this.tracked.set(fill.symbol, trackPosition(position, fill.time, levels ?? {}));
    } else {
      this.tracked.set(fill.symbol, { ...current, qty: position.qty, avgEntryPrice: position.avgEntryPrice, ...(levels ?? {}) });
    }
  }

  /** A flat symbol gives back the capital at risk of its finished entries (working ones keep theirs). */
  private releaseFlat(symbol: string): void {
    if (this.heldQtyOf(symbol) !== 0) return;
    for (const [id, r] of this.reserved) {
      if (r.symbol !== symbol) continue;
      const o = this.parts.store.get(id);
      if (o && !TERMINAL_STATUSES.has(o.status)) continue;
      this.parts.ledger.release(r.amount, r.day);
      this.reserved.delete(id);
    }
  }

  private heldQtyOf(symbol: string): number {
    return heldQty(this.parts.store.positions(), symbol);
  }

  private notice(level: 'info' | 'warn' | 'error', code: string, message: string): void {
    this.parts.bus.publish('app.notice', { level, code, message, at: this.parts.clock.now() });
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

  /** From the flatten time on, no entry may still be working: it could fill after the flatten. */
  private cancelWorkingEntries(now: number): void {
    const flattenAt = flattenTimeOf(this.parts.calendar, now, this.options.limits.flattenMinutesBeforeClose);
    if (flattenAt !== null && now < flattenAt) return;
    for (const o of this.parts.store.openOrders()) {
      if (o.intent !== 'entry' || this.cancelling.has(o.clientOrderId) || this.inFlight.has(o.clientOrderId)) continue;
      this.parts.log.info('entry canceled at the flatten time', { clientOrderId: o.clientOrderId });
      this.cancelInBackground(o, 'cancel at the flatten time');
    }
  }

  /** The calendar learned a closure or an early close: the flatten job moves with it. */
  calendarChanged(): void {
    this.flattenJob.rearm();
  }

  /** The flatten time on the session schedule: working entries canceled, every position closed. */
  private flattenAtTime(): void {
    const t = this.parts.clock.now();
    this.cancelWorkingEntries(t);
    for (const p of this.parts.store.positions()) {
      if (this.exiting.has(p.symbol)) continue;
      const order = exitOrder(p, 'eodFlatten', 'end-of-day flatten (timer)', t);
      order.clientOrderId = `${order.clientOrderId}-${randomUUID().slice(0, 6)}`;
      order.reason = `exit eodFlatten: end-of-day flatten at ${nyClock(t).slice(11)} (timer)`;
      this.pendingFlatten.set(p.symbol, 'end-of-day flatten (timer)');
      this.sendExit(order, true, 'eodFlatten').catch((error: unknown) => this.parts.log.error('timed flatten failed', { error, symbol: p.symbol }));
    }
  }

  private storedLevels(clientOrderId: string): { stopPrice: number; targetPrice?: number } | undefined {
    const plan = this.parts.store.plans({ clientOrderId })[0];
    if (!plan) return undefined;
    return plan.targetPrice !== null ? { stopPrice: plan.stopPrice, targetPrice: plan.targetPrice } : { stopPrice: plan.stopPrice };
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

  private onFeatureRow(row: FeatureRow): void {
    // Warm once a streamed row has the intraday features an entry leans on (daily context may be missing).
    if (this.warmSymbols.has(row.symbol)) return;
    if (WARM_FEATURES.every((i) => Number.isFinite(row.values[i]))) this.warmSymbols.add(row.symbol);
  }

  private syncLedgerState(state: TradingState): void {
    // The kill switch and the trader's resume are the ledger's state too (reserve() refuses unless ACTIVE).
    if (this.parts.ledger.day().state !== state) this.parts.ledger.setState(state);
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
