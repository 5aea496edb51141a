// The broker-held protective stops against the sequences a review found: an exit that cannot go out
// leaves the stop working; a flatten never leaves a stop behind (one left after the position is gone
// would open a short when it triggers), with a partly filled entry canceled in the middle of it.
// No test sleeps: each waits for the event that shows the engine got past the step under test (a
// notice, an order at the broker, the book and the broker agreeing), then asserts.
import { afterEach, describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { defaultConfig } from '../../../src/main/config/config';
import { SyntheticMarket } from '../../../src/main/data/synthetic-market';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { createEngine, type Engine } from '../../../src/main/app/compose';
import { SimBroker } from '../../../src/main/execution/sim-broker';
import { FakeAlpacaTrading } from '../../fakes/fake-alpaca-trading';
import { manualEngine, type ManualEngine } from '../../helpers/engine';
import { startPaperEngine } from '../../helpers/paper-engine';
import { waitFor } from '../vendors/helpers';
import type { Bar } from '../../../src/shared/domain';

/** A simulated broker on thin bars (20 shares a minute, 10% participation): a resting order fills 2 shares a bar. */
class ThinSimBroker extends SimBroker {
  override onBar(bar: Bar): void {
    super.onBar({ ...bar, volume: 20 });
  }
}

let current: ManualEngine | null = null;
let engine: Engine | null = null;
let fake: FakeAlpacaTrading | null = null;

afterEach(async () => {
  await current?.engine.stop();
  current = null;
  await engine?.stop();
  engine = null;
  await fake?.close();
  fake = null;
});

const heldOf = (e: Engine, symbol: string): number => e.orders.positions().find((p) => p.symbol === symbol)?.qty ?? 0;
const workingStops = (e: Engine, symbol: string) => e.orders.openOrders().filter((o) => o.symbol === symbol && o.type === 'stop');
const TERMINAL = ['canceled', 'filled', 'expired', 'rejected', 'replaced'];
/** The symbol's working orders by client id, in the engine's book and at the fake broker. */
const workingIds = (e: Engine, f: FakeAlpacaTrading, symbol: string) => ({
  book: e.orders.openOrders().filter((o) => o.symbol === symbol).map((o) => o.clientOrderId).sort(),
  broker: [...f.orders.values()].filter((o) => o.symbol === symbol && !TERMINAL.includes(o.status)).map((o) => o.client_order_id).sort(),
});

/** Pulls the kill switch; resolves once the engine says it is done: HALTED, every working order canceled, every position sent to close. */
async function pullKillSwitch(e: Engine): Promise<void> {
  let done = false;
  const off = e.bus.subscribe('app.notice', (n) => {
    if (n.code === 'trading.killSwitch') done = true;
  });
  try {
    await e.dispatch('trading.killSwitch', { reason: 'review' });
    await waitFor(() => done, 'the kill switch notice');
  } finally {
    off();
  }
}

describe('review: an exit denied while its protective stop is at the broker', () => {
  it('when an exit fires while the symbol is halted then the broker-held stop is not canceled for an exit that never goes out', async () => {
    const m = manualEngine({ TRADING_WATCHLIST: 'SPY,QQQ,AAPL' });
    current = m;
    await m.engine.start();
    m.minutes(5);
    const e = m.engine;
    const last = e.cache.quote('AAPL')!.last;
    const r = await e.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: Math.round(last * 0.97 * 100) / 100, qty: 4, reason: 'review' });
    expect(r.ok).toBe(true);
    m.minutes(1);
    expect(heldOf(e, 'AAPL')).toBe(4);
    expect(workingStops(e, 'AAPL')).toHaveLength(1); // the hard stop is at the broker
    m.minutes(1);
    // A LULD pause / halt of AAPL (exits face symbolHalt; the same holds for an open circuit breaker,
    // the order throttle, a duplicate exit, or HALTED after a restart).
    const denials: string[] = [];
    e.bus.subscribe('app.notice', (n) => {
      if (n.code === 'execution.exit') denials.push(n.message);
    });
    e.bus.publish('data.status', { symbol: 'AAPL', time: m.clock.now(), code: 'H', halted: true, reason: 'LULD pause' });
    const held = e.cache.lastBar('AAPL')!;
    e.bus.publish('models.scores', { start: held.start, symbols: ['AAPL'], probUp: new Float32Array([0.05]), modelId: 'model-1' });
    // The engine answers the ML exit with a notice once it has decided: wait for that decision.
    await waitFor(() => denials.some((d) => d.includes('AAPL') && d.includes('symbolHalt')), 'the ML exit of AAPL denied (symbolHalt)');
    // The ML exit was denied (symbolHalt)...
    expect(e.orders.openOrders().filter((o) => o.symbol === 'AAPL' && o.type === 'market')).toEqual([]);
    expect(heldOf(e, 'AAPL')).toBe(4);
    // ...and, since the exit is checked before its stop is canceled, the denied exit leaves the stop at the broker.
    expect(workingStops(e, 'AAPL')).toHaveLength(1);
  });
});

describe('review: a partially filled entry canceled by a flatten leaves no protective stop behind the position', () => {
  it('remote broker: when the trader flattens while a limit entry is partly filled then no stop is left working after the flatten fills', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await startPaperEngine(fake, { onCreated: (x) => (engine = x) });
    const last = e.cache.quote('AAPL')!.last;
    const r = await e.risk.submitEntry({
      symbol: 'AAPL', side: 'buy', qty: 10, limitPrice: Math.round(last * 100) / 100, stopPrice: Math.round(last * 0.98 * 100) / 100, reason: 'review', clientOrderId: 'entry-AAPL-rv1',
    });
    expect(r.ok).toBe(true);
    fake.fill('entry-AAPL-rv1', 4, last);
    await waitFor(() => heldOf(e, 'AAPL') === 4, 'held 4');
    // The part that filled has its hard stop at the broker (acknowledged), beside the entry's working rest.
    await waitFor(() => workingStops(e, 'AAPL').some((o) => o.status === 'accepted'), 'the protective stop for 4 at the broker');
    expect(await e.dispatch('positions.flatten', { symbol: 'AAPL' })).toMatchObject({ ok: true, data: { closed: 1 } });
    const f = fake;
    // The fake records an order when its POST arrives.
    await waitFor(() => [...f.orders.values()].some((o) => o.client_order_id.startsWith('flatten-')), 'the flatten order at the broker');
    const flattenOrder = [...fake.orders.values()].find((o) => o.client_order_id.startsWith('flatten-'))!;
    expect(flattenOrder).toBeDefined();
    fake.fill(flattenOrder.client_order_id, 4, last);
    await waitFor(() => heldOf(e, 'AAPL') === 0, 'flat');
    // Wait until the book and the broker agree on what is still working for AAPL (a stop sent but not yet
    // at the broker, or a cancel the book has not applied yet, shows as a difference), then check that it is nothing.
    await waitFor(() => {
      const w = workingIds(e, f, 'AAPL');
      return w.book.join() === w.broker.join();
    }, 'the book and the broker to agree on the working AAPL orders');
    // Flat, and no sell stop is left at the broker: the entry's rest and its stop were canceled (and the
    // cancels confirmed) before the flatten went out, and none is placed while the symbol is being closed.
    const openSellStops = [...fake.orders.values()].filter((o) => o.side === 'sell' && o.type === 'stop' && !['canceled', 'filled', 'expired', 'rejected'].includes(o.status));
    expect(openSellStops.map((o) => `${o.client_order_id} ${o.qty}`)).toEqual([]);
    // Every id the engine sent (the stop and the flatten it made itself) fits Alpaca's 48-character client_order_id.
    const made = [...fake.orders.values()].map((o) => o.client_order_id).filter((id) => id !== 'entry-AAPL-rv1');
    expect(made.length).toBeGreaterThanOrEqual(2);
    for (const id of made) expect(id.length, id).toBeLessThanOrEqual(48);
    expect(workingStops(e, 'AAPL')).toEqual([]);
  });

  it('simulated broker: when the kill switch cancels a partly filled limit entry then no stop is left working after the flatten fills', async () => {
    const START = '2025-03-03';
    const config = defaultConfig({ TRADING_SIM_START: START, TRADING_RETRAIN_MINUTES: '1440', TRADING_WATCHLIST: 'SPY,QQQ,AAPL' });
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.sessionOnOrAfter(START).open);
    const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: 1, startDate: START, calendar, historySessions: 1, drive: 'manual' });
    let sim: SimBroker | null = null;
    const e = createEngine(config, {
      feed: { feed, clock, history: () => feed.history() },
      clockTickMs: 0,
      signalGenerators: false,
      // A thin participation cap: a resting limit entry fills in parts, as in the property test.
      broker: ({ clock: c, calendar: cal, bus }) => (sim = new ThinSimBroker(c, { calendar: cal, bus, fillModel: { maxParticipation: 0.1 } })),
    });
    engine = e;
    await e.start();
    clock.advanceBy(5 * 60_000);
    const last = e.cache.quote('SPY')!.last;
    const r = await e.risk.submitEntry({ symbol: 'SPY', side: 'buy', qty: 4, limitPrice: Math.round(last * 1.01 * 100) / 100, stopPrice: Math.round(last * 0.9 * 100) / 100, reason: 'review' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (let i = 0; i < 30 && !(heldOf(e, 'SPY') > 0); i++) clock.advanceBy(60_000);
    const filled = e.orders.get(r.order.clientOrderId)!;
    expect(filled.status, 'the entry must be partly filled for this sequence').toBe('partially_filled');
    const part = filled.filledQty;
    // The kill switch cancels the entry's rest and its stop, then sends one flatten for what is held.
    await pullKillSwitch(e);
    for (let i = 0; i < 30 && heldOf(e, 'SPY') !== 0; i++) clock.advanceBy(60_000);
    expect(heldOf(e, 'SPY')).toBe(0);
    // Flat, HALTED, and no protective sell stop for the `part` shares the entry bought is left at the broker.
    expect(workingStops(e, 'SPY').map((o) => `${o.side} ${o.qty}`), `stop for ${part}`).toEqual([]);
    expect(sim!.openOrdersNow().filter((o) => o.symbol === 'SPY')).toEqual([]);
  });

  it('simulated broker: after the kill switch no stop is left to sell short later while HALTED', async () => {
    const START = '2025-03-03';
    const config = defaultConfig({ TRADING_SIM_START: START, TRADING_RETRAIN_MINUTES: '1440', TRADING_WATCHLIST: 'SPY,QQQ,AAPL' });
    const calendar = new NyseCalendar();
    const clock = new SimulatedClock(calendar.sessionOnOrAfter(START).open);
    const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: 1, startDate: START, calendar, historySessions: 1, drive: 'manual' });
    const e = createEngine(config, {
      feed: { feed, clock, history: () => feed.history() },
      clockTickMs: 0,
      signalGenerators: false,
      broker: ({ clock: c, calendar: cal, bus }) => new ThinSimBroker(c, { calendar: cal, bus, fillModel: { maxParticipation: 0.1 } }),
    });
    engine = e;
    await e.start();
    clock.advanceBy(5 * 60_000);
    const last = e.cache.quote('SPY')!.last;
    // A tight stop (0.1% under the entry): the synthetic market reaches it within the session.
    const r = await e.risk.submitEntry({ symbol: 'SPY', side: 'buy', qty: 4, limitPrice: Math.round(last * 1.01 * 100) / 100, stopPrice: Math.round(last * 0.999 * 100) / 100, reason: 'review' });
    expect(r.ok).toBe(true);
    clock.advanceBy(60_000);
    expect(e.orders.get((r as { order: { clientOrderId: string } }).order.clientOrderId)!.status).toBe('partially_filled');
    await pullKillSwitch(e);
    let lowest = 0;
    for (let i = 0; i < 200; i++) {
      clock.advanceBy(60_000);
      lowest = Math.min(lowest, heldOf(e, 'SPY'));
    }
    expect(e.trading.state.state).toBe('HALTED');
    expect(lowest, 'SPY went short after the kill switch').toBe(0);
  });
});
