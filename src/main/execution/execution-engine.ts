// The execution engine routes orders: it persists and sends the orders risk approved, cancels them,
// applies the broker's events to the SQLite order book and publishes orders and positions. What an
// order is for is the order's own `intent`; the exits and stops are the position manager's, the
// checks and the breaker risk's, the start and reconnect reconciliation the reconciler's.
import { isRestingTarget } from '../../shared/domain';
import type { EntryPlanInput } from '../../shared/messages';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { Logger } from '../logging/logger';
import { nyDateKey } from '../calendar/ny-time';
import type { OrderStore } from './order-store';
import { TERMINAL_STATUSES, type Broker, type BrokerOrder, type Fill, type Order, type OrderEvent, type OrderRequest, type Position } from './types';

const CANCEL_CONFIRM_TRIES = 50;
const CANCEL_CONFIRM_MS = 100;

/**
 * Broker the engine drives: the Broker seam, plus the synchronous cancel of a simulated broker (its
 * events land in the store before the call returns, so a backtest's bar stays exact). A simulated broker
 * takes its bars from the bus itself (SimBroker's `bus`), in the venue phase.
 */
export type ExecutionBroker = Broker & {
  cancelNow?(clientOrderId: string): BrokerOrder;
};

export interface ExecutionParts {
  bus: EngineBus;
  clock: Clock;
  store: OrderStore;
  broker: ExecutionBroker;
  log: Logger;
}

export interface ExecutionOptions {
  /** Most of today's fills served by `orders.list` (newest kept; default 2 000). */
  recentFills?: number;
}

/**
 * Which working orders of a symbol a clear cancels: its bracket (the orders resting at the broker to
 * close the position: protective stops and resting targets), or everything.
 */
export type ClearScope = 'bracket' | 'all';

export class ExecutionEngine extends BaseComponent {
  /**
   * Orders whose submit call has not returned yet, by id: a reconciliation leaves them alone, and a
   * clear waits for a symbol's before it cancels (see clear).
   */
  private readonly inFlight = new Map<string, { symbol: string; done: Promise<void> }>();
  /** Orders being canceled in the background. */
  private readonly cancelling = new Set<string>();
  /**
   * Wall-clock waits (unconfirmed-order lookups, cancel-confirmation polls): every one is cleared on stop,
   * and its waiter told, so nothing the engine scheduled writes to the store after `stop()`.
   */
  private readonly waits = new Map<ReturnType<typeof setTimeout>, (fired: boolean) => void>();
  /** True from `stop()` until the next `start()`: late answers to lookups are dropped, not applied. */
  private stopped = false;
  /** Counts starts: an answer to a lookup begun before a stop is dropped even after the next start. */
  private run = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly parts: ExecutionParts,
    private readonly options: ExecutionOptions,
    onStatus: StatusListener,
  ) {
    super('execution', onStatus);
  }

  get brokerLabel(): string {
    return this.parts.broker.label;
  }

  /** True when cancels take effect at once (a simulated broker): a backtest's bar loop stays synchronous. */
  get cancelsAtOnce(): boolean {
    return this.parts.broker.cancelNow !== undefined;
  }

  heldQty(symbol: string): number {
    return this.parts.store.heldQty(symbol);
  }

  isInFlight(clientOrderId: string): boolean {
    return this.inFlight.has(clientOrderId);
  }

  /** True when the broker holds one-cancels-other pairs, so a profit target can rest there beside its stop. */
  get restsTargets(): boolean {
    return this.parts.broker.supportsOco === true;
  }

  /** Working protective stops of a symbol (the hard stops held at the broker). */
  protectiveStops(symbol: string): Order[] {
    return this.parts.store.openOrders().filter((o) => o.symbol === symbol && o.intent === 'protective-stop');
  }

  /** Working profit targets of a symbol resting at the broker (each one-cancels-other with a stop). */
  restingTargets(symbol: string): Order[] {
    return this.parts.store.openOrders().filter((o) => o.symbol === symbol && isRestingTarget(o));
  }

  /**
   * The working orders of a symbol a clear cancels: its bracket (stops and resting targets), or everything
   * working. A remote broker's order whose submit has not returned is waited for first (see clear); a
   * simulated broker has taken it already, so it is canceled with the rest.
   */
  toClear(symbol: string, scope: ClearScope): Order[] {
    const open = this.parts.store.openOrders().filter((o) => o.symbol === symbol);
    if (scope === 'bracket') return open.filter((o) => o.intent === 'protective-stop' || isRestingTarget(o));
    return this.cancelsAtOnce ? open : open.filter((o) => !this.inFlight.has(o.clientOrderId));
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

  protected onStart(): void {
    const { bus, broker } = this.parts;
    this.stopped = false;
    this.run++;
    this.unsubscribe.push(
      broker.onEvent((e) => this.onBrokerEvent(e)),
      bus.register('execution.submit', ({ request, plan }) => this.send(request, plan)),
    );
  }

  protected onStop(): void {
    this.stopped = true;
    for (const [handle, settle] of [...this.waits]) {
      clearTimeout(handle);
      this.waits.delete(handle);
      settle(false);
    }
    for (const u of this.unsubscribe.splice(0)) u();
  }

  // ---- sending ----

  /** Persists, then sends; the broker's events (applied in onBrokerEvent) move the stored order on. */
  async send(request: OrderRequest, plan?: EntryPlanInput): Promise<Order> {
    const { store, broker, bus, clock } = this.parts;
    const now = clock.now();
    const recorded = store.recordSubmitted({ ...request, brokerOrderId: '', status: 'new', filledQty: 0, avgFillPrice: null, submittedAt: now, updatedAt: now, note: '' }, plan);
    if (!recorded.created) {
      // The id is taken: this is not a new order, and it is never sent a second time.
      this.parts.log.warn('order id already used; not sent again', { clientOrderId: request.clientOrderId });
      return { ...recorded.order, status: 'rejected', note: `order id ${request.clientOrderId} was already used` };
    }
    bus.publish('orders.update', toPayload(recorded.order));
    bus.publish('execution.applied', { type: 'submitted', order: recorded.order, realizedPnl: null, heldAfter: this.heldQty(request.symbol) });
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
      bus.publish('execution.failure', { at: now, clientOrderId: request.clientOrderId, detail });
      bus.publish('app.notice', { level: 'error', code: 'execution.broker', message: `${broker.label} did not take ${request.clientOrderId}: ${detail}`, at: now });
    } finally {
      this.inFlight.delete(request.clientOrderId);
      answered();
    }
    return store.get(request.clientOrderId) ?? recorded.order;
  }

  /**
   * An order whose submit was never confirmed either way: true when the broker can be asked about it
   * (a lookup then settles it, see settleUnconfirmed), false when it cannot (it is not at the broker).
   */
  get looksUpOrders(): boolean {
    return this.parts.broker.orderByClientId !== undefined;
  }

  // ---- canceling ----

  /**
   * Cancels the working orders of a symbol (its protective stops, or everything) and returns the signed
   * position left, or null when a cancel could not be confirmed (the shares it may still sell are
   * unknown). With a remote broker each cancel is confirmed and the broker's copy applied (fills the
   * stream has not brought yet included).
   */
  async clear(symbol: string, scope: ClearScope): Promise<number | null> {
    if (this.cancelsAtOnce) return this.clearNow(symbol, scope);
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
    return unknown ? null : this.heldQty(symbol);
  }

  /** Simulated broker: cancels at once (its events land in the store synchronously). Returns the signed position left. */
  clearNow(symbol: string, scope: ClearScope): number | null {
    // Re-read until nothing is left: a cancel can make an entry final, and that may place a stop meanwhile.
    for (let round = 0; round < 5; round++) {
      const list = this.toClear(symbol, scope);
      if (list.length === 0) break;
      for (const o of list) this.cancelOneNow(o);
    }
    return this.heldQty(symbol);
  }

  /** Cancels one order without waiting: at once with a simulated broker, else in the background, applying the broker's copy. */
  cancelInBackground(o: Order, what: string): void {
    const { broker, store, log } = this.parts;
    if (this.cancelsAtOnce) {
      this.cancelOneNow(o);
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

  isCancelling(clientOrderId: string): boolean {
    return this.cancelling.has(clientOrderId);
  }

  private cancelOneNow(o: Order): void {
    const { broker, store } = this.parts;
    const back = broker.cancelNow!(o.clientOrderId);
    const stored = store.get(o.clientOrderId);
    if (stored && !TERMINAL_STATUSES.has(stored.status) && back.status === 'rejected' && back.symbol === '') {
      // The broker never had it (a restart lost it): closed here.
      this.closeNeverReached(stored);
    }
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

  // ---- unconfirmed orders and catching up ----

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
  settleUnconfirmed(clientOrderId: string, attempt = 0): void {
    const { broker, store, log } = this.parts;
    if (!broker.orderByClientId || attempt >= 10) return;
    const run = this.run;
    const late = (): boolean => this.stopped || run !== this.run;
    void this.pause(500 * 2 ** Math.min(attempt, 4)).then((fired) => {
      if (!fired || late()) return;
      broker.orderByClientId!(clientOrderId).then(
        (found) => {
          if (late()) return; // answered after a stop: the next start's reconciliation settles it
          const stored = store.get(clientOrderId);
          if (!stored || TERMINAL_STATUSES.has(stored.status)) return;
          if (found === null) this.closeNeverReached(stored);
          else this.catchUp(stored, found);
        },
        (error: unknown) => {
          if (late()) return;
          log.warn('unconfirmed order lookup failed; trying again', { clientOrderId, error });
          this.settleUnconfirmed(clientOrderId, attempt + 1);
        },
      );
    });
  }

  /** Applies the broker's copy of an own order that moved on while we were not listening. True when anything changed. */
  catchUp(local: Order, there: BrokerOrder): boolean {
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

  /** A local order the broker does not have: closed here (rejected if never acknowledged), never resent. */
  closeNeverReached(stored: Order, why?: string): void {
    const note = `never reached ${this.parts.broker.label}${why ? `: ${why}` : ''}`;
    this.applyLocal({ type: stored.status === 'new' ? 'rejected' : 'canceled', order: { ...stored, note } });
  }

  /** Runs an event the engine derived (not streamed) through the same path as the broker's. */
  private applyLocal(event: OrderEvent): boolean {
    return this.onBrokerEvent(event, true);
  }

  // ---- broker events ----

  private onBrokerEvent(event: OrderEvent, derived = false): boolean {
    const { store, bus, clock, log } = this.parts;
    if (this.parts.broker.reportsCumulativeFills === true && !derived) {
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
    if (event.type === 'rejected') {
      bus.publish('app.notice', { level: 'error', code: 'execution.rejected', message: `${order.side} ${order.qty} ${order.symbol} rejected: ${order.note}`, at: now });
    }
    const heldAfter = this.heldQty(order.symbol);
    if (event.type === 'fill') {
      bus.publish('execution.applied', { type: 'fill', order, fill: event.fill, realizedPnl: realizedPnl(before, event.fill), heldAfter });
      bus.publish('positions.update', { positions: store.positions() });
    } else {
      bus.publish('execution.applied', { type: event.type, order, realizedPnl: null, heldAfter });
    }
    return true;
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
  for (const k of ['limitPrice', 'stopPrice', 'trailPrice', 'bracket', 'exitRule', 'parentId', 'ocoGroup'] as const) if (out[k] === undefined) delete out[k];
  return out;
}
