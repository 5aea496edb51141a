// The broker-held protective stops against the sequences a review found: an exit that cannot go out
// leaves the stop working; a flatten never leaves a stop behind (one left after the position is gone
// would open a short when it triggers), with a partly filled entry canceled in the middle of it.
import { afterEach, describe, expect, it } from 'vitest';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { defaultConfig } from '../../../src/main/config/config';
import { SyntheticMarket } from '../../../src/main/data/synthetic-market';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { createEngine, type Engine } from '../../../src/main/engine/compose';
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

const settle = (ms = 150): Promise<void> => new Promise((r) => setTimeout(r, ms));
const heldOf = (e: Engine, symbol: string): number => e.orders.positions().find((p) => p.symbol === symbol)?.qty ?? 0;
const workingStops = (e: Engine, symbol: string) => e.orders.openOrders().filter((o) => o.symbol === symbol && o.type === 'stop');

describe('review: a denied exit after its protective stop was canceled', () => {
  it('when an exit fires while the symbol is halted then the broker-held stop is not canceled for an exit that never goes out', async () => {
    const m = manualEngine({ TRADING_WATCHLIST: 'SPY,QQQ,AAPL' });
    current = m;
    await m.engine.start();
    m.minutes(5);
    const e = m.engine;
    const last = e.cache.quote('AAPL')!.last;
    const r = await e.execution.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: Math.round(last * 0.97 * 100) / 100, qty: 4, reason: 'review' });
    expect(r.ok).toBe(true);
    m.minutes(1);
    expect(heldOf(e, 'AAPL')).toBe(4);
    expect(workingStops(e, 'AAPL')).toHaveLength(1); // the hard stop is at the broker
    m.minutes(1);
    // A LULD pause / halt of AAPL (exits face symbolHalt; the same happens with an open circuit breaker,
    // the order throttle, a duplicate exit, or HALTED after a restart).
    e.bus.publish('data.status', { symbol: 'AAPL', time: m.clock.now(), code: 'H', halted: true, reason: 'LULD pause' });
    const held = e.cache.lastBar('AAPL')!;
    e.bus.publish('models.scores', { start: held.start, symbols: ['AAPL'], probUp: new Float32Array([0.05]), modelId: 'model-1' });
    await settle(20);
    // The ML exit was denied (symbolHalt)...
    expect(e.orders.openOrders().filter((o) => o.symbol === 'AAPL' && o.type === 'market')).toEqual([]);
    expect(heldOf(e, 'AAPL')).toBe(4);
    // ...but the protective stop had already been canceled, and nothing places it again: 4 shares naked at the broker.
    expect(workingStops(e, 'AAPL')).toHaveLength(1);
  });
});

describe('review: a partially filled entry canceled by a flatten gets a protective stop that outlives the position', () => {
  it('remote broker: when the trader flattens while a limit entry is partly filled then no stop is left working after the flatten fills', async () => {
    fake = await FakeAlpacaTrading.start();
    const { engine: e } = await startPaperEngine(fake, { onCreated: (x) => (engine = x) });
    const last = e.cache.quote('AAPL')!.last;
    const r = await e.execution.submitEntry({
      symbol: 'AAPL', side: 'buy', qty: 10, limitPrice: Math.round(last * 100) / 100, stopPrice: Math.round(last * 0.98 * 100) / 100, reason: 'review', clientOrderId: 'entry-AAPL-rv1',
    });
    expect(r.ok).toBe(true);
    fake.fill('entry-AAPL-rv1', 4, last);
    await waitFor(() => heldOf(e, 'AAPL') === 4, 'held 4');
    expect(await e.dispatch('positions.flatten', { symbol: 'AAPL' })).toMatchObject({ ok: true, data: { closed: 1 } });
    await settle(300);
    const flattenOrder = [...fake.orders.values()].find((o) => o.client_order_id.startsWith('flatten-'))!;
    expect(flattenOrder).toBeDefined();
    fake.fill(flattenOrder.client_order_id, 4, last);
    await waitFor(() => heldOf(e, 'AAPL') === 0, 'flat');
    await settle(200);
    // Flat, and the broker still holds a sell stop for 4: when it triggers it opens a 4-share short.
    const openSellStops = [...fake.orders.values()].filter((o) => o.side === 'sell' && o.type === 'stop' && !['canceled', 'filled', 'expired', 'rejected'].includes(o.status));
    expect(openSellStops.map((o) => `${o.client_order_id} ${o.qty}`)).toEqual([]);
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
      broker: ({ clock: c, calendar: cal }) => (sim = new ThinSimBroker(c, { calendar: cal, fillModel: { maxParticipation: 0.1 } })),
    });
    engine = e;
    await e.start();
    clock.advanceBy(5 * 60_000);
    const last = e.cache.quote('SPY')!.last;
    const r = await e.execution.submitEntry({ symbol: 'SPY', side: 'buy', qty: 4, limitPrice: Math.round(last * 1.01 * 100) / 100, stopPrice: Math.round(last * 0.9 * 100) / 100, reason: 'review' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (let i = 0; i < 30 && !(heldOf(e, 'SPY') > 0); i++) clock.advanceBy(60_000);
    const filled = e.orders.get(r.order.clientOrderId)!;
    expect(filled.status, 'the entry must be partly filled for this sequence').toBe('partially_filled');
    const part = filled.filledQty;
    await e.dispatch('trading.killSwitch', { reason: 'review' });
    await settle(20);
    for (let i = 0; i < 30 && heldOf(e, 'SPY') !== 0; i++) clock.advanceBy(60_000);
    expect(heldOf(e, 'SPY')).toBe(0);
    // Flat, HALTED, and a protective sell stop for `part` shares still works at the broker.
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
      broker: ({ clock: c, calendar: cal }) => new ThinSimBroker(c, { calendar: cal, fillModel: { maxParticipation: 0.1 } }),
    });
    engine = e;
    await e.start();
    clock.advanceBy(5 * 60_000);
    const last = e.cache.quote('SPY')!.last;
    // A tight stop (0.1% under the entry): the synthetic market reaches it within the session.
    const r = await e.execution.submitEntry({ symbol: 'SPY', side: 'buy', qty: 4, limitPrice: Math.round(last * 1.01 * 100) / 100, stopPrice: Math.round(last * 0.999 * 100) / 100, reason: 'review' });
    expect(r.ok).toBe(true);
    clock.advanceBy(60_000);
    expect(e.orders.get((r as { order: { clientOrderId: string } }).order.clientOrderId)!.status).toBe('partially_filled');
    await e.dispatch('trading.killSwitch', { reason: 'review' });
    await settle(20);
    let lowest = 0;
    for (let i = 0; i < 200; i++) {
      clock.advanceBy(60_000);
      lowest = Math.min(lowest, heldOf(e, 'SPY'));
    }
    expect(e.trading.state.state).toBe('HALTED');
    expect(lowest, 'SPY went short after the kill switch').toBe(0);
  });
});
