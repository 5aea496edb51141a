// The reconciler: the one reconciliation of the local order book with the broker, at start and each
// time the broker's event stream is (re)established. Own orders' missed fills and end states are
// applied from the broker's copy, orders that never reached the broker are closed locally (never
// resent), own orders missing locally are adopted, and anything else (outside orders, position
// differences) is flagged to the trader and never overwritten; a position difference stops new
// entries (REDUCING) until the trader resumes.
import type { ReconciliationSummary } from '../../shared/messages';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { Logger } from '../logging/logger';
import type { TradingStateMachine } from '../risk/trading-state';
import type { ExecutionBroker, ExecutionEngine } from './execution-engine';
import { adoptedIntent, isOwnOrderId } from './order-ids';
import type { OrderStore } from './order-store';
import type { BrokerOrder, Position } from './types';

export type { ReconciliationSummary } from '../../shared/messages';

export interface ReconcilerParts {
  bus: EngineBus;
  clock: Clock;
  store: OrderStore;
  broker: ExecutionBroker;
  execution: ExecutionEngine;
  trading: TradingStateMachine;
  log: Logger;
}

export class Reconciler extends BaseComponent {
  /** The latest reconciliation, and the chain that keeps two from running at once. */
  private last: ReconciliationSummary | null = null;
  private running: Promise<ReconciliationSummary | null> = Promise.resolve(null);
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly parts: ReconcilerParts,
    onStatus: StatusListener,
  ) {
    super('reconciler', onStatus);
  }

  get latest(): ReconciliationSummary | null {
    return this.last;
  }

  /** The book was rebuilt from the store; the broker's copy now says what happened while we were away. */
  protected async onStart(): Promise<void> {
    const { broker } = this.parts;
    // A remote broker's stream reconciles again each time it is (re)established.
    if (broker.onStreamLive) this.unsubscribe.push(broker.onStreamLive(() => void this.reconcile('stream')));
    await this.reconcile('start');
    broker.start?.();
  }

  protected onStop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.parts.broker.stop?.();
  }

  reconcile(trigger: 'start' | 'stream'): Promise<ReconciliationSummary | null> {
    const run = this.running.then(() => this.reconcileNow(trigger));
    this.running = run.catch(() => null);
    return run;
  }

  private async reconcileNow(trigger: 'start' | 'stream'): Promise<ReconciliationSummary> {
    const { store, broker, bus, clock, log, execution } = this.parts;
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
      return this.finish(summary);
    }
    const openAtBroker = new Map(brokerOpen.map((o) => [o.clientOrderId, o]));
    try {
      for (const local of store.openOrders()) {
        if (execution.isInFlight(local.clientOrderId)) continue;
        let there: BrokerOrder | null = openAtBroker.get(local.clientOrderId) ?? null;
        if (!there && broker.orderByClientId) there = await broker.orderByClientId(local.clientOrderId);
        if (!there) {
          // The broker never got it: the engine stopped between the store and the send (or a simulated
          // broker was restarted with its working orders). It is closed here, never resent blindly.
          execution.closeNeverReached(local, 'the engine stopped before the order was sent or confirmed');
          summary.neverReached.push(local.clientOrderId);
          continue;
        }
        if (execution.catchUp(local, there)) summary.caughtUp.push(local.clientOrderId);
      }
      for (const b of brokerOpen) {
        if (store.get(b.clientOrderId)) continue;
        if (isOwnOrderId(b.clientOrderId)) {
          // Ours, but the store lost it (it cannot, short of a restored backup): follow it again from here.
          // What it is for follows from what it does to the book (an adopted entry is canceled at the
          // flatten time like any other, an adopted stop protects the shares it covers).
          const intent = adoptedIntent(b, execution.heldQty(b.symbol));
          store.recordSubmitted({ ...b, ...intent, reason: `adopted at reconciliation (${b.reason})`, status: 'accepted', filledQty: 0, avgFillPrice: null, note: 'adopted at reconciliation' });
          execution.catchUp(store.get(b.clientOrderId)!, b);
          summary.adopted.push(b.clientOrderId);
        } else {
          summary.outside.push({ symbol: b.symbol, side: b.side, qty: b.qty, brokerOrderId: b.brokerOrderId });
        }
      }
    } catch (error) {
      summary.error = error instanceof Error ? error.message : String(error);
      log.error('reconciliation stopped', { trigger, error: summary.error });
    }
    if (broker.holdsPositions === true && summary.error === null) {
      // A broker that keeps no positions across a restart (the simulated one): the store is the book there.
      const local = store.positions();
      for (const symbol of [...new Set([...local.map((p) => p.symbol), ...brokerPositions.map((p) => p.symbol)])].sort()) {
        const localQty = local.find((p) => p.symbol === symbol)?.qty ?? 0;
        const brokerQty = brokerPositions.filter((p) => p.symbol === symbol).reduce((s, p) => s + p.qty, 0);
        if (localQty !== brokerQty) summary.positionMismatches.push({ symbol, localQty, brokerQty });
      }
    }
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
    return this.finish(summary);
  }

  private finish(summary: ReconciliationSummary): ReconciliationSummary {
    this.last = summary;
    this.parts.bus.publish('execution.reconciled', summary);
    return summary;
  }
}
