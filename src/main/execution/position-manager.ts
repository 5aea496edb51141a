// The position manager: every held position's exits. It tracks each position with the stop and target
// its entry was sent with, runs the managed exits bar by bar (stop, target, trailing, peak, time) and on
// the active model's scores (the ML exit), holds each entry's hard stop at the broker as a protective
// stop (and, where the broker holds one-cancels-other pairs, its profit target as a limit beside it, so
// it fills at its price), and closes everything at the end-of-day flatten and on the kill switch. Orders go out through
// risk's exit checks and execution's routing; it never asks which broker runs behind them.
import type { Bar } from '../../shared/domain';
import type { AppliedOrderEvent, ReconciliationSummary, Scores } from '../../shared/messages';
import { nyClock } from '../calendar/nyse';
import { nyDateKey } from '../calendar/ny-time';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import { SessionScheduler, type SessionJob } from '../engine/session-scheduler';
import { exitOrder, mlExitDecision, stepExits, trackPosition, type ExitReason, type ExitRules, type TrackedPosition } from '../risk/exits';
import { flattenTimeOf } from '../risk/pre-trade';
import type { RiskEngine, RiskParts } from '../risk/risk-engine';
import type { ClearScope, ExecutionEngine } from './execution-engine';
import { makeOrderId } from './order-ids';
import { toTick } from './ticks';
import { TERMINAL_STATUSES, type Fill, type Order, type OrderRequest, type Side } from './types';

/** What the position manager reads (risk's view of the session and the book) and the two components it sends through. */
export interface PositionManagerParts extends Omit<RiskParts, 'ledger' | 'vix'> {
  risk: RiskEngine;
  execution: ExecutionEngine;
  /** The engine's session schedule (the flatten time is one of its jobs); a private one when omitted. */
  scheduler?: SessionScheduler;
}

export interface PositionManagerOptions {
  /** End-of-day flatten, N minutes before the close (the risk limits' flattenMinutesBeforeClose). */
  flattenMinutesBeforeClose: number;
  /** Exit rules besides the stop and target each entry carries. */
  exits?: Omit<ExitRules, 'flattenMinutesBeforeClose'>;
  /** Hold each entry's hard stop at the broker as a stop order (default true). */
  protectiveStops?: boolean;
}

/** A symbol being closed: by an exit still clearing its protective stop (nothing sent yet), or by a working order. */
type ExitLock = { stage: 'clearing'; exitId: string } | { stage: 'working'; orderId: string };

export class PositionManager extends BaseComponent {
  private readonly tracked = new Map<string, TrackedPosition>();
  /** Stop and target an entry asked for, until its first fill starts tracking the position. */
  private readonly entryLevels = new Map<string, { stopPrice: number; targetPrice?: number }>();
  /** Symbols with an exit or flatten under way: no second one is sent. */
  private readonly exiting = new Map<string, ExitLock>();
  /** Entries done filling whose protective stop (and resting target) is still to be placed. */
  private readonly toProtect: Array<{ entryId: string; qty: number; key: string }> = [];
  /** Symbols whose bracket lost an order (one-cancels-other after a partial fill): covered again after the bar. */
  private readonly toCover = new Set<string>();
  /** Symbols a flatten could not finish (a cancel not confirmed, a submit that failed): retried on each bar. */
  private readonly pendingFlatten = new Map<string, string>();
  private readonly flattening = new Set<string>();
  /** Last bar start seen per symbol: the exits see each minute once. */
  private readonly lastBarStart = new Map<string, number>();
  /**
   * True from a bar's data phase to this manager's execution phase: fills a simulated venue makes while
   * matching that bar are known, but stops are placed once the whole bar is matched, on the book it
   * leaves (two fills of one bar can cross; a stop sized between them could add to the position).
   */
  private barInProgress = false;
  /** The end-of-day flatten as a session job too: a symbol whose bars stop coming is still flattened. */
  private readonly flattenJob: SessionJob;
  private awaitingStartReconciliation = false;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly exitRules: ExitRules;

  constructor(
    private readonly parts: PositionManagerParts,
    private readonly options: PositionManagerOptions,
    onStatus: StatusListener,
  ) {
    super('positions', onStatus);
    this.exitRules = { ...options.exits, flattenMinutesBeforeClose: options.flattenMinutesBeforeClose };
    const scheduler = parts.scheduler ?? new SessionScheduler(parts.clock, parts.calendar);
    this.flattenJob = scheduler.job({
      moment: { anchor: 'close', offsetMs: -options.flattenMinutesBeforeClose * 60_000 },
      run: () => this.flattenAtTime(),
    });
  }

  /** The position book the exits manage (stop, target, bars held). */
  trackedPositions(): TrackedPosition[] {
    return [...this.tracked.values()].map((p) => ({ ...p }));
  }

  protected onStart(): void {
    const { bus } = this.parts;
    this.restoreBook();
    this.awaitingStartReconciliation = true;
    this.unsubscribe.push(
      bus.subscribe('market.bar', () => void (this.barInProgress = true), 'data'),
      bus.subscribe('market.bar', (bar) => this.onBar(bar), 'execution'),
      bus.subscribe('models.scores', (scores) => this.onScores(scores), 'execution'),
      bus.subscribe('execution.applied', (e) => this.onApplied(e), 'execution'),
      bus.subscribe('execution.reconciled', (s) => this.onReconciled(s), 'execution'),
      bus.register('execution.flattenAll', ({ cause }) => this.flattenAll(cause)),
    );
  }

  protected onStop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.flattenJob.stop();
  }

  /** What the start's reconciliation left held is managed now: flattened if due, and given its stops. */
  private onReconciled(summary: ReconciliationSummary): void {
    if (summary.trigger !== 'start' || !this.awaitingStartReconciliation) return;
    this.awaitingStartReconciliation = false;
    this.flattenOnStartIfDue();
    if (this.options.protectiveStops !== false) this.coverPosition();
    this.flattenJob.start();
  }

  /**
   * After a restart: every held position is managed again with the stop and target its entry was sent
   * with (from the store's entry plans); working entries keep theirs for their first fill.
   */
  private restoreBook(): void {
    const { store, clock, bus } = this.parts;
    const positions = store.positions();
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
        bus.publish('app.notice', {
          level: 'warn',
          code: 'execution.restore',
          message: `${p.symbol}: held ${p.qty} with no stored entry plan; only the managed exits and the end-of-day flatten apply`,
          at: clock.now(),
        });
      }
      this.tracked.set(p.symbol, trackPosition(p, entryTime, levels));
    }
    for (const plan of store.plans({ tradingDay: nyDateKey(clock.now()) })) {
      if (!open.has(plan.clientOrderId)) continue;
      const levels: { stopPrice: number; targetPrice?: number } = { stopPrice: plan.stopPrice };
      if (plan.targetPrice !== null) levels.targetPrice = plan.targetPrice;
      this.entryLevels.set(plan.clientOrderId, levels);
    }
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
    const { clock, execution } = this.parts;
    this.pendingFlatten.set(symbol, cause);
    // With a simulated broker this stays synchronous (a backtest's bar loop sees the flatten at once).
    const left = execution.cancelsAtOnce ? execution.clearNow(symbol, 'all') : await execution.clear(symbol, 'all');
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
      clientOrderId: makeOrderId('flatten', symbol, now),
      intent: 'flatten',
      reason: cause,
    };
    delete order.exitRule; // the trader's flatten or the kill switch, not a rule
    // The flatten stays pending until the symbol is flat (a flatten the broker cancels is sent again).
    return this.sendExitOrder(order, true);
  }

  /** The flatten time on the session schedule: working entries canceled, every position closed. */
  private flattenAtTime(): void {
    const t = this.parts.clock.now();
    this.parts.risk.cancelEntriesPastFlatten(t);
    for (const p of this.parts.store.positions()) {
      if (this.exiting.has(p.symbol)) continue;
      const order = exitOrder(p, 'eodFlatten', 'end-of-day flatten (timer)', t);
      order.reason = `end-of-day flatten at ${nyClock(t).slice(11)} (timer)`;
      this.pendingFlatten.set(p.symbol, 'end-of-day flatten (timer)');
      this.sendExit(order, true, 'eodFlatten').catch((error: unknown) => this.parts.log.error('timed flatten failed', { error, symbol: p.symbol }));
    }
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
    const flattenAt = flattenTimeOf(calendar, now, this.options.flattenMinutesBeforeClose);
    const late = flattenAt === null || now >= flattenAt;
    const halted = trading.state.state === 'HALTED';
    if (!late && !halted) return;
    const cause = halted ? 'kill switch (still HALTED after a restart)' : 'end-of-day flatten (restart after the flatten time)';
    for (const p of positions) {
      this.pendingFlatten.set(p.symbol, cause);
      void this.flattenSymbol(p.symbol, cause);
    }
  }

  // ---- bars and exits ----

  /**
   * After a simulated venue has matched the bar (this runs in the execution phase, the venue's fills
   * are in the book): unfinished flattens again, then the position's exits.
   */
  private onBar(bar: Bar): void {
    const { clock, execution } = this.parts;
    this.barInProgress = false;
    this.placeProtection();
    // The data engine may pass a corrected bar with the same start: the exits see each minute once.
    const previous = this.lastBarStart.get(bar.symbol);
    if (previous !== undefined && bar.start <= previous) return;
    this.lastBarStart.set(bar.symbol, bar.start);
    // Flattens that did not finish are sent again on any bar (a halted symbol has no bars of its own).
    for (const [symbol, cause] of this.pendingFlatten) {
      if (this.exiting.has(symbol) || this.flattening.has(symbol)) continue;
      if (execution.heldQty(symbol) === 0 && execution.toClear(symbol, 'all').length === 0) this.pendingFlatten.delete(symbol);
      else void this.flattenSymbol(symbol, cause);
    }
    const pos = this.tracked.get(bar.symbol);
    if (!pos) return;
    // A stop or a target the broker already held through this bar is that exit: no second order is sent.
    const stopHeld = this.coveredQty(execution.protectiveStops(bar.symbol), bar.start) >= Math.abs(pos.qty);
    const targetHeld = this.coveredQty(execution.restingTargets(bar.symbol), bar.start) >= Math.abs(pos.qty);
    const { stopPrice, targetPrice, ...rest } = pos;
    const judged = { ...rest, ...(stopHeld || stopPrice === undefined ? {} : { stopPrice }), ...(targetHeld || targetPrice === undefined ? {} : { targetPrice }) };
    const step = stepExits(judged, bar, clock.now(), this.exitRules, this.parts.calendar);
    this.tracked.set(bar.symbol, { ...step.position, ...(stopPrice !== undefined ? { stopPrice } : {}), ...(targetPrice !== undefined ? { targetPrice } : {}) });
    if (!step.exit || this.exiting.has(bar.symbol)) return;
    const { exit } = step;
    this.parts.log.info('exit', { symbol: bar.symbol, reason: exit.reason, detail: exit.detail });
    this.sendExit(exit.order, exit.flatten, exit.reason).catch((error: unknown) => this.parts.log.error('exit order failed', { error, symbol: bar.symbol }));
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

  /**
   * Sends an exit that closes the whole position: the symbol's bracket (protective stops, resting targets)
   * is canceled first (with a simulated broker at once, so a backtest stays bar-synchronous; with a remote
   * one confirmed, so an order that filled meanwhile is counted and never sold twice), then one market
   * order closes what is left.
   */
  private sendExit(exit: OrderRequest, flatten: boolean, reason?: ExitReason): Promise<boolean> {
    const { execution, risk, trading } = this.parts;
    // Exit ids are unique: a replay that runs the same minute again never collides with a stored one.
    const order = { ...exit, clientOrderId: makeOrderId('exit', exit.symbol, this.parts.clock.now()) };
    const symbol = order.symbol;
    if (this.exiting.has(symbol)) return Promise.resolve(true); // one already under way closes the same shares
    // Checked before the protective stop is touched: an exit that cannot go out leaves the stop working.
    const asFlatten = (): boolean => flatten || this.pendingFlatten.has(symbol) || trading.state.state === 'HALTED';
    const early = risk.checkExit(order, asFlatten());
    if (early !== null) {
      this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${symbol} denied (${early.check}): ${early.reason}; its protective stop stays at the broker`);
      return Promise.resolve(false);
    }
    const lock: ExitLock = { stage: 'clearing', exitId: order.clientOrderId };
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
        if (!sent) this.coverPosition(symbol); // refused after all: the shares get their stop and target back
        return sent;
      });
    };
    if (execution.cancelsAtOnce) return proceed(execution.clearNow(symbol, 'bracket'));
    return execution.clear(symbol, 'bracket').then(proceed, (error: unknown) => {
      release();
      throw error;
    });
  }

  /** Checks and sends an order that only reduces a position; pre-trade and the breaker still see it (a flatten passes both). */
  private sendExitOrder(order: OrderRequest, flatten: boolean, reason?: ExitReason): Promise<boolean> {
    const { execution, risk } = this.parts;
    const held = this.exiting.get(order.symbol);
    // A real exit order working closes the same shares; one still clearing its stop has sent nothing yet.
    if (held !== undefined) return Promise.resolve(held.stage === 'working');
    const check = risk.checkExit(order, flatten);
    if (check !== null) {
      this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${order.symbol} denied (${check.check}): ${check.reason}`);
      return Promise.resolve(false);
    }
    const refusal = risk.admitExit(flatten);
    if (refusal !== null) {
      this.notice('error', 'execution.exit', `${reason ?? 'exit'} of ${order.symbol} held back: ${refusal}`);
      return Promise.resolve(false);
    }
    const lock: ExitLock = { stage: 'working', orderId: order.clientOrderId };
    this.exiting.set(order.symbol, lock);
    return execution.send(order).then((sent) => {
      if (sent.status === 'rejected' || (sent.status === 'new' && !execution.looksUpOrders)) {
        // Not at the broker: the symbol is free for the next exit.
        if (this.exiting.get(order.symbol) === lock) this.exiting.delete(order.symbol);
        return false;
      }
      if (sent.status === 'new') {
        // A remote broker that never confirmed: the order may exist, so the symbol stays locked (no second
        // exit can sell the same shares) until a lookup settles it.
        execution.settleUnconfirmed(order.clientOrderId);
        return false;
      }
      return true;
    });
  }

  // ---- protective stops ----

  /** Shares the given resting orders cover that were at the broker before `barStart` (so could have matched that bar). */
  private coveredQty(orders: readonly Order[], barStart: number): number {
    let q = 0;
    for (const o of orders) if (o.submittedAt <= barStart && o.status !== 'new') q += o.qty - o.filledQty;
    return q;
  }

  /**
   * Places the hard stop of each entry that finished filling at the broker: a stop order for the shares it
   * bought (or sold short), at the stop it was entered with, and, where the broker holds one-cancels-other
   * pairs, its profit target as a limit order in the same pair. Held there, they protect (and take profit
   * on) the position even when the engine is down. Deferred while a bar is being matched (see barInProgress).
   */
  private placeProtection(): void {
    const { store, execution } = this.parts;
    if (this.barInProgress) return;
    for (const item of this.toProtect.splice(0)) {
      const entry = store.get(item.entryId);
      const levels = this.entryLevels.get(item.entryId) ?? this.storedLevels(item.entryId);
      if (!entry || !levels || this.noNewProtection(entry.symbol)) continue;
      const id = makeOrderId('exit-stop', entry.symbol, 0, item.key);
      if (store.get(id)) continue; // already placed (the same fill again)
      const position = execution.heldQty(entry.symbol);
      const entrySign = entry.side === 'buy' ? 1 : -1;
      // Never more than is held on the entry's side, less what other stops already cover.
      const covered = execution.protectiveStops(entry.symbol).reduce((s, o) => s + o.qty - o.filledQty, 0);
      const qty = Math.min(item.qty, Math.max(0, position * entrySign - covered));
      if (qty <= 0) continue;
      const side: Side = entry.side === 'buy' ? 'sell' : 'buy';
      const pair = execution.restsTargets && levels.targetPrice !== undefined ? `oco-${id}` : undefined;
      this.placeBracketOrder({ clientOrderId: id, symbol: entry.symbol, side, qty, kind: 'stop', price: levels.stopPrice, parentId: item.entryId, ocoGroup: pair });
      if (pair !== undefined) {
        this.placeBracketOrder({ clientOrderId: makeOrderId('exit-tgt', entry.symbol, 0, item.key), symbol: entry.symbol, side, qty, kind: 'target', price: levels.targetPrice!, parentId: item.entryId, ocoGroup: pair });
      }
    }
    for (const symbol of [...this.toCover]) {
      this.toCover.delete(symbol);
      this.coverPosition(symbol);
    }
  }

  /**
   * Sends one order of a position's bracket: its protective stop or its resting target. It must only
   * reduce the position (checked as a flatten), else the engine keeps managing that exit on bars.
   */
  private placeBracketOrder(b: { clientOrderId: string; symbol: string; side: Side; qty: number; kind: 'stop' | 'target'; price: number; parentId: string | null; ocoGroup: string | undefined }): void {
    const { execution, risk } = this.parts;
    const price = toTick(b.price); // a level computed from ATR or a percentage lands on the tick grid
    const at = `at ${execution.brokerLabel}${b.parentId ? ` for ${b.parentId}` : ' (restored)'}`;
    const order: OrderRequest =
      b.kind === 'stop'
        ? { clientOrderId: b.clientOrderId, symbol: b.symbol, side: b.side, qty: b.qty, type: 'stop', timeInForce: 'day', stopPrice: price, intent: 'protective-stop', exitRule: 'hardStop', reason: `protective stop ${price} ${at}` }
        : { clientOrderId: b.clientOrderId, symbol: b.symbol, side: b.side, qty: b.qty, type: 'limit', timeInForce: 'day', limitPrice: price, intent: 'exit', exitRule: 'target', reason: `resting target ${price} ${at}` };
    if (b.parentId !== null) order.parentId = b.parentId;
    if (b.ocoGroup !== undefined) order.ocoGroup = b.ocoGroup;
    const refusal = risk.checkProtectiveStop(order);
    if (refusal !== null) {
      this.notice('error', 'execution.protect', `No resting ${b.kind} for ${b.symbol} (${refusal}); the engine manages it on bars`);
      return;
    }
    execution.send(order).catch((error: unknown) => this.parts.log.error(`resting ${b.kind} failed`, { error, clientOrderId: b.clientOrderId }));
  }

  /** No new protective stop while the symbol is being closed, or from the flatten time on. */
  private noNewProtection(symbol: string): boolean {
    if (this.flattening.has(symbol) || this.exiting.has(symbol) || this.pendingFlatten.has(symbol)) return true;
    const now = this.parts.clock.now();
    const flattenAt = flattenTimeOf(this.parts.calendar, now, this.options.flattenMinutesBeforeClose);
    return flattenAt === null || now >= flattenAt;
  }

  /** A flat symbol keeps no bracket: a stop or target left working would open a position when it fills. */
  private dropProtection(symbol: string): void {
    const { execution } = this.parts;
    if (execution.heldQty(symbol) !== 0) return;
    for (const o of execution.toClear(symbol, 'bracket')) execution.cancelInBackground(o, 'cancel of a bracket order left after the position closed');
  }

  /**
   * Held shares without a protective stop get one at the position's stop, and, where targets rest at the
   * broker, shares without a resting target get one; a new order joins an unpaired order of the other
   * kind (one cancels the other), else both start a pair. After a restart, after one order of a pair
   * filled in part (its partner was canceled), and after an exit that was refused.
   */
  private coverPosition(only?: string): void {
    if (this.options.protectiveStops === false) return;
    const { store, clock, execution } = this.parts;
    for (const p of store.positions()) {
      if (only !== undefined && p.symbol !== only) continue;
      if (this.noNewProtection(p.symbol)) continue;
      const tracked = this.tracked.get(p.symbol);
      if (tracked?.stopPrice === undefined) continue;
      const held = Math.abs(p.qty);
      const side: Side = p.qty > 0 ? 'sell' : 'buy';
      const open = (o: Order): number => o.qty - o.filledQty;
      const stops = execution.protectiveStops(p.symbol);
      const targets = execution.restingTargets(p.symbol);
      const wantTargets = execution.restsTargets && tracked.targetPrice !== undefined;
      const unpaired = (mine: readonly Order[], theirs: readonly Order[]): Order[] => theirs.filter((t) => t.ocoGroup !== undefined && !mine.some((m) => m.ocoGroup === t.ocoGroup));
      const now = clock.now();
      let stopGap = held - stops.reduce((s, o) => s + open(o), 0);
      let targetGap = wantTargets ? held - targets.reduce((s, o) => s + open(o), 0) : 0;
      for (const t of unpaired(stops, targets)) {
        if (stopGap <= 0) break;
        const qty = Math.min(open(t), stopGap);
        this.placeBracketOrder({ clientOrderId: makeOrderId('exit-stop', p.symbol, now), symbol: p.symbol, side, qty, kind: 'stop', price: tracked.stopPrice, parentId: null, ocoGroup: t.ocoGroup });
        stopGap -= qty;
      }
      for (const s of unpaired(targets, stops)) {
        if (targetGap <= 0) break;
        const qty = Math.min(open(s), targetGap);
        this.placeBracketOrder({ clientOrderId: makeOrderId('exit-tgt', p.symbol, now), symbol: p.symbol, side, qty, kind: 'target', price: tracked.targetPrice!, parentId: null, ocoGroup: s.ocoGroup });
        targetGap -= qty;
      }
      if (stopGap > 0) {
        const stopId = makeOrderId('exit-stop', p.symbol, now);
        const pair = targetGap > 0 ? `oco-${stopId}` : undefined;
        this.placeBracketOrder({ clientOrderId: stopId, symbol: p.symbol, side, qty: stopGap, kind: 'stop', price: tracked.stopPrice, parentId: null, ocoGroup: pair });
        if (pair !== undefined) {
          const qty = Math.min(stopGap, targetGap);
          this.placeBracketOrder({ clientOrderId: makeOrderId('exit-tgt', p.symbol, now), symbol: p.symbol, side, qty, kind: 'target', price: tracked.targetPrice!, parentId: null, ocoGroup: pair });
          targetGap -= qty;
        }
      }
      if (targetGap > 0 && stopGap <= 0 && unpaired(targets, stops).length === 0) {
        // Every stop already has its target: a lone target would sell shares a stop also covers.
        this.parts.log.info('no resting target for uncovered shares: every stop is paired', { symbol: p.symbol, targetGap });
      }
    }
  }

  // ---- what execution did ----

  private onApplied(e: AppliedOrderEvent): void {
    const { order } = e;
    if (e.type === 'submitted') return;
    if (e.type === 'fill' && e.fill) {
      const fill = e.fill;
      this.track(fill);
      // Each entry fill gets its hard stop at the broker (after the simulated broker's bar, if inside it).
      if (order.intent === 'entry' && this.options.protectiveStops !== false) {
        this.toProtect.push({ entryId: order.clientOrderId, qty: fill.qty, key: fill.executionId });
        this.placeProtection();
      }
      if (this.parts.execution.heldQty(fill.symbol) === 0) {
        this.pendingFlatten.delete(fill.symbol);
        this.dropProtection(fill.symbol);
      }
    }
    // One order of a pair filled in part and its partner was canceled: the rest of the position is
    // covered again after the bar (nothing is re-placed while an exit or a flatten is closing the symbol).
    // During the start's reconciliation nothing is re-covered: what is due then (a flatten, the stops)
    // is decided once it is done (onReconciled), and an order sent meanwhile could go out beside a flatten.
    if ((e.type === 'canceled' || e.type === 'expired') && e.heldAfter !== 0 && order.ocoGroup !== undefined && !this.awaitingStartReconciliation && !this.noNewProtection(order.symbol)) {
      this.toCover.add(order.symbol);
      this.placeProtection();
    }
    if (TERMINAL_STATUSES.has(order.status)) {
      const lock = this.exiting.get(order.symbol);
      if (lock?.stage === 'working' && lock.orderId === order.clientOrderId) {
        this.exiting.delete(order.symbol);
        // The exit ended with shares still held (an entry kept filling meanwhile, or the exit filled in
        // part): those shares get their stop (and target) now; none was placed while the exit worked.
        if (e.heldAfter !== 0 && !this.awaitingStartReconciliation) {
          this.toCover.add(order.symbol);
          this.placeProtection();
        }
      }
      if (!this.toProtect.some((t) => t.entryId === order.clientOrderId)) this.entryLevels.delete(order.clientOrderId);
    }
  }

  /** Keeps the exits' position book in step with a fill. */
  private track(fill: Fill): void {
    const position = this.parts.store.positions().find((p) => p.symbol === fill.symbol);
    if (!position) {
      this.tracked.delete(fill.symbol);
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

  private storedLevels(clientOrderId: string): { stopPrice: number; targetPrice?: number } | undefined {
    const plan = this.parts.store.plans({ clientOrderId })[0];
    if (!plan) return undefined;
    return plan.targetPrice !== null ? { stopPrice: plan.stopPrice, targetPrice: plan.targetPrice } : { stopPrice: plan.stopPrice };
  }

  private lastTradePrice(symbol: string): number | null {
    return this.parts.cache.quote(symbol)?.last ?? this.parts.cache.lastBar(symbol)?.close ?? null;
  }

  private notice(level: 'info' | 'warn' | 'error', code: string, message: string): void {
    this.parts.bus.publish('app.notice', { level, code, message, at: this.parts.clock.now() });
  }
}

