// Issue 12: the wall-clock timers the execution engine schedules (the lookup that settles an order whose
// submit never confirmed, the polls that confirm a cancel) are cleared by stop(): nothing the engine
// scheduled reaches the broker or writes to the store after it stopped.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { defaultConfig } from '../../../src/main/config/config';
import { SyntheticMarket } from '../../../src/main/data/synthetic-market';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { createEngine, type Engine } from '../../../src/main/app/compose';
import type { ExecutionBroker } from '../../../src/main/execution/execution-engine';
import { AlpacaBroker, AlpacaBrokerError } from '../../../src/main/execution/alpaca-broker';
import { Secret } from '../../../src/main/config/secret';
import { SimBroker } from '../../../src/main/execution/sim-broker';
import { FAKE_TRADING_KEY, FAKE_TRADING_SECRET, FakeAlpacaTrading } from '../../fakes/fake-alpaca-trading';
import { loopbackFetch, seededRandom, waitFor } from '../vendors/helpers';
import type { BrokerOrder, Order, OrderEvent, OrderRequest, Position } from '../../../src/main/execution/types';

const START = '2025-03-03';

/** A "remote" broker (no synchronous cancel) over the simulated one: exits can fail unconfirmed, cancels can hang. */
class RemoteLikeBroker implements ExecutionBroker {
  readonly id = 'remote-like';
  readonly label = 'Remote-like broker';
  readonly simulated = false;
  readonly reportsCumulativeFills = true;
  readonly holdsPositions = true;
  failExits = false;
  /** Cancels answer "pending_cancel" (never terminal), so the engine polls for the outcome. */
  cancelsHang = false;
  lookups = 0;
  /** When set, lookups wait until the test answers them (the broker is slow to say whether it has the order). */
  holdLookups = false;
  readonly heldLookups: Array<{ id: string; answer: (o: Order | null) => void; fail: (e: Error) => void }> = [];
  constructor(readonly inner: SimBroker) {}
  submit(r: OrderRequest): Promise<BrokerOrder> {
    if (this.failExits && r.intent !== 'entry') return Promise.reject(new Error('request timed out; not confirmed'));
    return this.inner.submit(r);
  }
  async cancel(id: string): Promise<BrokerOrder> {
    if (this.cancelsHang) {
      const o = (await this.inner.openOrders()).find((x) => x.clientOrderId === id)!;
      return { ...o, status: 'accepted' };
    }
    return this.inner.cancel(id);
  }
  async orderByClientId(id: string): Promise<BrokerOrder | null> {
    this.lookups++;
    if (this.holdLookups) return new Promise((answer, fail) => this.heldLookups.push({ id, answer, fail }));
    if (this.cancelsHang) return (await this.inner.openOrders()).find((x) => x.clientOrderId === id) ?? null;
    return null; // "the broker never had it": the engine would close the local order
  }
  openOrders(): Promise<BrokerOrder[]> {
    return this.inner.openOrders();
  }
  positions(): Promise<Position[]> {
    return this.inner.positions();
  }
  onEvent(l: (e: OrderEvent) => void): () => void {
    return this.inner.onEvent(l);
  }
}

let engine: Engine | null = null;
let fake: FakeAlpacaTrading | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
  vi.useRealTimers();
  await fake?.close();
  fake = null;
});

async function startEngine(): Promise<{ e: Engine; clock: SimulatedClock; broker: RemoteLikeBroker }> {
  const dir = mkdtempSync(join(tmpdir(), 'stop-timers-'));
  const config = defaultConfig({ TRADING_SIM_START: START, TRADING_RETRAIN_MINUTES: '1440', TRADING_WATCHLIST: 'SPY,QQQ', TRADING_DB_PATH: join(dir, 'history.sqlite'), TRADING_DATA_DIR: dir });
  const calendar = new NyseCalendar();
  const clock = new SimulatedClock(calendar.sessionOnOrAfter(START).open);
  const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: 1, startDate: START, calendar, historySessions: 1, drive: 'manual' });
  let broker: RemoteLikeBroker | null = null;
  const e = createEngine(config, {
    feed: { feed, clock, history: () => feed.history() },
    clockTickMs: 0,
    signalGenerators: false,
    broker: ({ clock: c, calendar: cal }) => (broker = new RemoteLikeBroker(new SimBroker(c, { calendar: cal }))),
  });
  engine = e;
  // The inner simulated broker matches on the bus's bars (a remote broker may not take bars itself).
  e.bus.subscribe('market.bar', (bar) => broker!.inner.onBar(bar));
  await e.start();
  clock.advanceBy(5 * 60_000);
  const last = e.cache.quote('SPY')!.last;
  expect((await e.risk.submitEntry({ symbol: 'SPY', side: 'buy', qty: 2, stopPrice: Math.round(last * 0.9 * 100) / 100, reason: 'hold' })).ok).toBe(true);
  clock.advanceBy(60_000);
  expect(e.orders.positions().find((p) => p.symbol === 'SPY')?.qty).toBe(2);
  return { e, clock, broker: broker! };
}

/** A flatten whose submit never confirms, with its first lookup sent and held at the broker (fake timers on). */
async function flattenWithHeldLookup(): Promise<{ e: Engine; broker: RemoteLikeBroker; unconfirmed: Order }> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  const { e, broker } = await startEngine();
  broker.failExits = true;
  broker.holdLookups = true;
  await e.dispatch('positions.flatten', { symbol: 'SPY' });
  const unconfirmed = e.orders.openOrders().find((o) => o.symbol === 'SPY' && o.status === 'new' && o.intent !== 'entry');
  expect(unconfirmed).toBeDefined();
  await vi.advanceTimersByTimeAsync(500); // the first backoff step: the lookup is sent and waits on the broker
  expect(broker.heldLookups.map((l) => l.id)).toEqual([unconfirmed!.clientOrderId]);
  return { e, broker, unconfirmed: unconfirmed! };
}

describe('issue 12: execution timers end at stop()', () => {
  it('settleUnconfirmed lookup timers do not survive stop(): no late lookup and no late write to the store', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { e, broker } = await startEngine();
    broker.failExits = true;
    await e.dispatch('positions.flatten', { symbol: 'SPY' });
    const unconfirmed = e.orders.openOrders().find((o) => o.symbol === 'SPY' && o.status === 'new' && o.intent !== 'entry');
    expect(unconfirmed).toBeDefined(); // the flatten's submit never confirmed: a lookup is scheduled
    const writes = vi.spyOn(e.orders, 'applyEvent');
    await e.stop();
    engine = null;
    await vi.advanceTimersByTimeAsync(10 * 60_000); // every backoff step of the lookup would have run by now
    expect(broker.lookups).toBe(0);
    expect(writes).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settleUnconfirmed lookup timers survive stop(): a lookup still waiting on the broker at stop(), answered after it, writes nothing', async () => {
    const { e, broker } = await flattenWithHeldLookup();
    const writes = vi.spyOn(e.orders, 'applyEvent');
    const reads = vi.spyOn(e.orders, 'get'); // the answer's handler reads the order before it writes
    await e.stop();
    engine = null;
    // Answered after stop(): "never had it" would close the local order; a failure would schedule a retry.
    broker.heldLookups[0]!.answer(null);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(reads).not.toHaveBeenCalled();
    expect(writes).not.toHaveBeenCalled();
    expect(broker.lookups).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('settleUnconfirmed lookup timers survive stop(): a lookup begun before a stop and answered after the next start writes nothing', async () => {
    const { e, broker, unconfirmed } = await flattenWithHeldLookup();
    await e.execution.stop();
    await e.execution.start(); // running again: only this start's own lookups may write
    const writes = vi.spyOn(e.orders, 'applyEvent');
    broker.heldLookups[0]!.answer(null);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(writes).not.toHaveBeenCalled();
    expect(e.orders.get(unconfirmed.clientOrderId)!.status).toBe('new');
  });

  it('settleUnconfirmed lookup timers survive stop(): a lookup failing after stop() schedules no retry', async () => {
    const { e, broker } = await flattenWithHeldLookup();
    await e.stop();
    engine = null;
    broker.heldLookups[0]!.fail(new Error('socket hang up'));
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(broker.lookups).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a cancel-confirmation poll pending at stop() ends: the flatten is not confirmed and nothing is written after stop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const { e, broker } = await startEngine();
    broker.cancelsHang = true;
    const flatten = e.dispatch('positions.flatten', { symbol: 'SPY' }); // cancels the protective stop, then polls
    await vi.advanceTimersByTimeAsync(250); // a couple of polls
    const polled = broker.lookups;
    expect(polled).toBeGreaterThan(0);
    const writes = vi.spyOn(e.orders, 'applyEvent');
    await e.stop();
    engine = null;
    await vi.advanceTimersByTimeAsync(60_000);
    await flatten.catch(() => undefined); // the waiting flatten is released, not left hanging
    expect(broker.lookups).toBe(polled);
    expect(writes).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('issue 12: AlpacaBroker retry waits end at stop()', () => {
  it('a submit waiting to retry (429 Retry-After) when the broker stops ends at once as unconfirmed, and is never resent', async () => {
    fake = await FakeAlpacaTrading.start();
    const broker = new AlpacaBroker({
      keyId: new Secret(FAKE_TRADING_KEY),
      secretKey: new Secret(FAKE_TRADING_SECRET),
      restUrl: fake.restUrl,
      streamUrl: fake.streamUrl,
      fetch: loopbackFetch,
      backoff: { baseMs: 5, capMs: 20 },
      random: seededRandom(3),
    });
    // The first POST is rate limited for an hour: the submit waits on a timer before its retry.
    fake.submitScript.push({ kind: 'status', status: 429, message: 'rate limit', retryAfter: '3600' });
    const req: OrderRequest = { clientOrderId: 'entry-SPY-stop1', symbol: 'SPY', side: 'buy', qty: 1, type: 'market', timeInForce: 'day', intent: 'entry', reason: 'test' };
    const outcome = broker.submit(req).then(
      () => 'answered',
      (error: unknown) => error,
    );
    await waitFor(() => fake!.postCount === 1, 'the first POST');
    broker.stop();
    const error = await outcome; // old code: the hour-long timer survives stop() and this never settles in time
    expect(error).toBeInstanceOf(AlpacaBrokerError);
    expect((error as AlpacaBrokerError).code).toBe('unconfirmed');
    expect((error as AlpacaBrokerError).message).toContain('stopped while waiting to retry');
    expect(fake.postCount).toBe(1);
  });
});
