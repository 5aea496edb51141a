import { describe, expect, it } from 'vitest';
import type { Bar } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/engine/clock';
import { NyseCalendar } from '../../../src/main/calendar/nyse';
import { SimBroker, type SimBrokerConfig } from '../../../src/main/execution/sim-broker';
import { ALPACA_REGULATORY_FEES_2024_05, feesForFill } from '../../../src/main/execution/fees';
import type { OrderEvent, OrderRequest } from '../../../src/main/execution/types';

const MIN = 60_000;
// Monday 2024-06-03, 10:00 New York (EDT = UTC-4).
const T0 = Date.UTC(2024, 5, 3, 14, 0);

function bar(i: number, open: number, high: number, low: number, close: number, volume = 100_000): Bar {
  return { symbol: 'AAPL', timeframe: '1m', start: T0 + i * MIN, open, high, low, close, volume };
}

function setup(config: SimBrokerConfig = {}) {
  const clock = new SimulatedClock(T0);
  const broker = new SimBroker(clock, config);
  const events: OrderEvent[] = [];
  broker.onEvent((e) => events.push(e));
  /** A bar closes: the clock moves to its end, then the broker sees it. */
  const feed = (b: Bar): void => {
    clock.advanceTo(b.start + MIN);
    broker.onBar(b);
  };
  const fills = () => events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
  return { clock, broker, events, feed, fills };
}

const req = (over: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId'>): OrderRequest => ({
  symbol: 'AAPL', side: 'buy', qty: 100, type: 'market', timeInForce: 'day', intent: 'entry', reason: 'test', ...over,
});

describe('SimBroker market orders', () => {
  it('when a market buy is sent after a bar then it fills at the next bar open plus slippage, not on the known bar', () => {
    const { broker, feed, fills } = setup({ fillModel: { slippage: { kind: 'bps', bps: 10 } } });
    feed(bar(0, 100, 101, 99, 100.5));
    broker.submitNow(req({ clientOrderId: 'm1' }));
    expect(fills()).toHaveLength(0);
    feed(bar(1, 102, 103, 101, 102.5));
    expect(fills()).toEqual([expect.objectContaining({ qty: 100, price: 102.1 })]); // 102 + 10 bps
    expect(broker.position('AAPL')).toEqual({ symbol: 'AAPL', qty: 100, avgEntryPrice: 102.1 });
  });

  it('when a market sell fills then it receives less than the open', () => {
    const { broker, feed, fills } = setup({ fillModel: { slippage: { kind: 'bps', bps: 10 } } });
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 's1', side: 'sell' }));
    feed(bar(1, 100, 101, 99, 100));
    expect(fills()[0]!.price).toBe(99.9);
    expect(broker.position('AAPL').qty).toBe(-100);
  });

  it('when ATR slippage is set then a fraction of ATR is paid, capped at the bar high', () => {
    const { broker, feed, fills } = setup({ fillModel: { slippage: { kind: 'atr', fraction: 0.5, fallbackBps: 0 } } });
    broker.setAtr('AAPL', 0.4);
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'a1' }));
    feed(bar(1, 100, 100.1, 99.5, 100));
    expect(fills()[0]!.price).toBe(100.1); // 100 + 0.2 capped at the high 100.1
  });

  it('events come in order: accepted, then fill', () => {
    const { broker, feed, events } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'e1' }));
    feed(bar(1, 100, 101, 99, 100));
    expect(events.map((e) => e.type)).toEqual(['accepted', 'fill']);
    expect(events[1]!.order.status).toBe('filled');
  });
});

describe('SimBroker limit and stop orders', () => {
  it('a buy limit fills at the limit when the bar trades through it, at the open when the open is already better', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'l1', type: 'limit', limitPrice: 99.5 }));
    feed(bar(1, 100, 100.5, 99.6, 100)); // low 99.6 never reaches 99.5
    expect(fills()).toHaveLength(0);
    feed(bar(2, 100, 100.5, 99.4, 100));
    expect(fills()[0]!.price).toBe(99.5);
    broker.submitNow(req({ clientOrderId: 'l2', type: 'limit', limitPrice: 99.5 }));
    feed(bar(3, 99, 99.8, 98.9, 99.2)); // opens below the limit
    expect(fills()[1]!.price).toBe(99);
  });

  it('a limit exactly touched does not fill by default (through) but does with touch', () => {
    for (const [mode, expected] of [['through', 0], ['touch', 1]] as const) {
      const { broker, feed, fills } = setup({ fillModel: { limitFill: mode } });
      feed(bar(0, 100, 101, 99, 100));
      broker.submitNow(req({ clientOrderId: 'l', type: 'limit', limitPrice: 99.5 }));
      feed(bar(1, 100, 100.5, 99.5, 100));
      expect(fills()).toHaveLength(expected);
    }
  });

  it('a sell stop touched inside the bar fills at the stop minus slippage', () => {
    const { broker, feed, fills } = setup({ fillModel: { slippage: { kind: 'bps', bps: 10 } } });
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'st', side: 'sell', type: 'stop', stopPrice: 99 }));
    feed(bar(1, 100, 100.5, 99.2, 100));
    expect(fills()).toHaveLength(0);
    feed(bar(2, 99.8, 100, 98, 98.5));
    expect(fills()[0]!.price).toBe(98.9); // 99 - 0.099, rounded to the cent
  });

  it('a gap through a sell stop fills at the open, worse than the stop', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'gap', side: 'sell', type: 'stop', stopPrice: 99 }));
    feed(bar(1, 97, 97.5, 96.5, 97));
    expect(fills()[0]!.price).toBe(97);
  });

  it('a buy stop-limit triggers at the stop and fills within its limit; above the limit after a gap it rests', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'sl1', type: 'stop_limit', stopPrice: 101, limitPrice: 101.5 }));
    feed(bar(1, 100.5, 101.2, 100.4, 101));
    expect(fills()[0]!.price).toBe(101);
    broker.submitNow(req({ clientOrderId: 'sl2', type: 'stop_limit', stopPrice: 102, limitPrice: 102.5 }));
    feed(bar(2, 104, 105, 103, 104.5)); // gaps over the limit and never comes back
    expect(fills()).toHaveLength(1);
    expect(broker.order('sl2')!.status).toBe('accepted');
    feed(bar(3, 103, 103.5, 102.2, 102.8)); // now a resting limit at 102.5
    expect(fills()[1]!.price).toBe(102.5);
  });

  it('a trailing sell stop trails the highest high since submission and triggers at best minus trail', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 100.5, 99.5, 100));
    broker.submitNow(req({ clientOrderId: 'tr', side: 'sell', type: 'trailing_stop', trailPrice: 1 }));
    feed(bar(1, 100, 102, 99.5, 101.8)); // stop was 99 (last close 100 - 1); low 99.5 safe; best -> 102
    expect(fills()).toHaveLength(0);
    feed(bar(2, 101.8, 104, 101.2, 103.9)); // stop 101, low 101.2 safe; best -> 104
    expect(fills()).toHaveLength(0);
    feed(bar(3, 103.5, 103.6, 102.5, 102.7)); // stop 103 touched
    expect(fills()[0]!.price).toBe(103);
  });
});

describe('SimBroker brackets', () => {
  const entry = () => req({ clientOrderId: 'b', bracket: { takeProfit: 105, stopLoss: 98 } });

  it('legs are placed when the entry fills and only match later bars; the target fill cancels the stop', () => {
    const { broker, feed, events } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(entry());
    feed(bar(1, 100, 106, 97, 100)); // this bar would hit both legs, but the legs did not exist before it
    expect(broker.order('b-tp')!.status).toBe('accepted');
    expect(broker.order('b-sl')!.status).toBe('accepted');
    feed(bar(2, 101, 105.5, 100.5, 105));
    expect(broker.order('b-tp')!.status).toBe('filled');
    expect(broker.order('b-sl')!.status).toBe('canceled');
    expect(broker.position('AAPL').qty).toBe(0);
    expect(broker.pnlOf('AAPL').realized).toBeCloseTo(500, 6);
    expect(events.map((e) => `${e.type}:${e.order.clientOrderId}`)).toEqual([
      'accepted:b', 'fill:b', 'accepted:b-tp', 'accepted:b-sl', 'fill:b-tp', 'canceled:b-sl',
    ]);
  });

  it('when stop and target are both touched in one bar then the worse (the stop) fills', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(entry());
    feed(bar(1, 100, 100.5, 99.5, 100));
    feed(bar(2, 100, 106, 97, 100));
    expect(fills()[1]).toEqual(expect.objectContaining({ clientOrderId: 'b-sl', price: 98 }));
    expect(broker.order('b-tp')!.status).toBe('canceled');
    expect(broker.pnlOf('AAPL').realized).toBeCloseTo(-200, 6);
  });
});

describe('SimBroker partial fills, IOC and latency', () => {
  it('the participation cap spreads a fill over bars and an IOC cancels the remainder', () => {
    const { broker, feed, fills, events } = setup({ fillModel: { maxParticipation: 0.1 } });
    feed(bar(0, 100, 101, 99, 100, 1000));
    broker.submitNow(req({ clientOrderId: 'p', qty: 250 }));
    feed(bar(1, 100, 101, 99, 100, 1000));
    expect(broker.order('p')).toEqual(expect.objectContaining({ status: 'partially_filled', filledQty: 100 }));
    feed(bar(2, 101, 102, 100, 101, 1000));
    feed(bar(3, 102, 103, 101, 102, 1000));
    expect(fills().map((f) => f.qty)).toEqual([100, 100, 50]);
    expect(broker.order('p')!.avgFillPrice).toBeCloseTo((100 * 100 + 100 * 101 + 50 * 102) / 250, 9);

    broker.submitNow(req({ clientOrderId: 'ioc', qty: 250, timeInForce: 'ioc' }));
    feed(bar(4, 100, 101, 99, 100, 1000));
    expect(broker.order('ioc')).toEqual(expect.objectContaining({ status: 'canceled', filledQty: 100 }));
    expect(events.at(-1)!.type).toBe('canceled');
    feed(bar(5, 100, 101, 99, 100, 1000));
    expect(broker.order('ioc')!.filledQty).toBe(100);
  });

  it('an IOC limit that does not fill on its first eligible bar is canceled', () => {
    const { broker, feed } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'i', type: 'limit', limitPrice: 90, timeInForce: 'ioc' }));
    feed(bar(1, 100, 101, 99, 100));
    expect(broker.order('i')!.status).toBe('canceled');
  });

  it('with latency an order skips bars that start before submit time + latency', () => {
    const { broker, feed, fills, clock } = setup({ latencyMs: 90_000 });
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'lat' })); // submitted at T0 + 1 min, eligible from T0 + 2.5 min
    expect(clock.now()).toBe(T0 + MIN);
    feed(bar(1, 101, 101, 101, 101));
    feed(bar(2, 102, 102, 102, 102));
    expect(fills()).toHaveLength(0);
    feed(bar(3, 103, 103, 103, 103));
    expect(fills()[0]!.price).toBe(103);
  });
});

describe('SimBroker fees', () => {
  it('the Alpaca regulatory preset charges SEC and FINRA TAF on sells only, rounded up to the cent', () => {
    const { broker, feed, fills } = setup({ fees: ALPACA_REGULATORY_FEES_2024_05 });
    feed(bar(0, 50, 50, 50, 50));
    broker.submitNow(req({ clientOrderId: 'buy' }));
    feed(bar(1, 50, 50, 50, 50));
    broker.submitNow(req({ clientOrderId: 'sell', side: 'sell' }));
    feed(bar(2, 50, 50, 50, 50));
    // Sell 100 @ 50: SEC 5000 * 27.80e-6 = 0.139 -> 0.14; TAF 100 * 0.000166 = 0.0166 -> 0.02.
    expect(fills().map((f) => f.fees)).toEqual([0, 0.16]);
    expect(broker.pnlOf('AAPL')).toEqual({ realized: 0, fees: 0.16 });
  });

  it('the FINRA TAF stops at its per-trade cap and commissions add per share and per order', () => {
    expect(feesForFill(ALPACA_REGULATORY_FEES_2024_05, { side: 'sell', qty: 60_000, price: 10, firstFillOfOrder: true })).toEqual({
      commission: 0, secFee: 16.68, finraTaf: 8.3, total: 24.98,
    });
    const ibkrLike = { ...ALPACA_REGULATORY_FEES_2024_05, name: 'x', perShare: 0.005, perOrder: 1 };
    expect(feesForFill(ibkrLike, { side: 'buy', qty: 200, price: 10, firstFillOfOrder: true }).total).toBe(2);
    expect(feesForFill(ibkrLike, { side: 'buy', qty: 200, price: 10, firstFillOfOrder: false }).total).toBe(1);
  });
});

describe('SimBroker requests', () => {
  it('resending a clientOrderId returns the existing order and never makes a second one', async () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 101, 99, 100));
    const a = await broker.submit(req({ clientOrderId: 'dup' }));
    const b = await broker.submit(req({ clientOrderId: 'dup', qty: 500 }));
    expect(b.brokerOrderId).toBe(a.brokerOrderId);
    expect(b.qty).toBe(100);
    feed(bar(1, 100, 101, 99, 100));
    expect(fills()).toHaveLength(1);
    expect((await broker.submit(req({ clientOrderId: 'dup' }))).status).toBe('filled');
    expect(await broker.openOrders()).toEqual([]);
  });

  it('bad requests are rejected with a reason, never thrown', async () => {
    const { broker, events } = setup();
    const bad: Array<[Partial<OrderRequest>, RegExp]> = [
      [{ qty: 1.5 }, /whole number/],
      [{ qty: -1 }, /whole number/],
      [{ type: 'limit' }, /limitPrice/],
      [{ type: 'stop' }, /stopPrice/],
      [{ type: 'limit', limitPrice: Number.NaN }, /finite/],
      [{ type: 'trailing_stop' }, /trailPrice/],
      [{ bracket: { takeProfit: 95, stopLoss: 98 } }, /takeProfit above/],
    ];
    for (const [i, [over, why]] of bad.entries()) {
      const o = await broker.submit(req({ clientOrderId: `bad${i}`, ...over }));
      expect(o.status).toBe('rejected');
      expect(o.note).toMatch(why);
    }
    expect(events.every((e) => e.type === 'rejected')).toBe(true);
  });

  it('cancel by clientOrderId stops a working order; an unknown id is answered as rejected', async () => {
    const { broker, feed, events } = setup();
    feed(bar(0, 100, 101, 99, 100));
    await broker.submit(req({ clientOrderId: 'c', type: 'limit', limitPrice: 90 }));
    expect((await broker.cancel('c')).status).toBe('canceled');
    expect(events.map((e) => e.type)).toEqual(['accepted', 'canceled']);
    expect((await broker.cancel('nope')).status).toBe('rejected');
  });

  it('a day order expires at the session close (NYSE calendar)', () => {
    const close = Date.UTC(2024, 5, 3, 20, 0); // 16:00 New York
    const clock = new SimulatedClock(close - 3 * MIN);
    const broker = new SimBroker(clock, { calendar: new NyseCalendar() });
    const types: string[] = [];
    broker.onEvent((e) => types.push(e.type));
    const b = (start: number): Bar => ({ symbol: 'AAPL', timeframe: '1m', start, open: 100, high: 100, low: 100, close: 100, volume: 1 });
    broker.onBar(b(close - 4 * MIN));
    broker.submitNow(req({ clientOrderId: 'd', type: 'limit', limitPrice: 90 }));
    for (const start of [close - 3 * MIN, close - 2 * MIN, close - MIN]) {
      clock.advanceTo(start + MIN - 1);
      broker.onBar(b(start));
    }
    expect(broker.order('d')!.status).toBe('accepted');
    clock.advanceTo(close);
    expect(broker.order('d')!.status).toBe('expired');
    expect(types).toEqual(['accepted', 'expired']);
  });

  it('short positions: sell first, buy back lower, realised P&L positive', () => {
    const { broker, feed } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 's', side: 'sell', qty: 50 }));
    feed(bar(1, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'b', side: 'buy', qty: 80 }));
    feed(bar(2, 95, 96, 94, 95));
    expect(broker.pnlOf('AAPL').realized).toBeCloseTo(250, 9);
    expect(broker.position('AAPL')).toEqual({ symbol: 'AAPL', qty: 30, avgEntryPrice: 95 });
  });
});

describe('SimBroker one-cancels-other groups', () => {
  const pair = (broker: SimBroker, qty = 100) => {
    broker.submitNow(req({ clientOrderId: 'stop', side: 'sell', qty, type: 'stop', stopPrice: 98, intent: 'protective-stop', ocoGroup: 'g1' }));
    broker.submitNow(req({ clientOrderId: 'tgt', side: 'sell', qty, type: 'limit', limitPrice: 104, intent: 'exit', exitRule: 'target', ocoGroup: 'g1' }));
  };

  it('when the target of a pair trades through then it fills at its limit and the stop is canceled', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 100, 100, 100));
    pair(broker);
    feed(bar(1, 101, 104.5, 100.5, 103));
    expect(fills()).toEqual([expect.objectContaining({ clientOrderId: 'tgt', qty: 100, price: 104 })]);
    expect(broker.order('stop')).toMatchObject({ status: 'canceled', note: 'oco: other order filled' });
  });

  it('when both of a pair trigger in one bar then the stop fills (the worse price) and the target is canceled', () => {
    const { broker, feed, fills } = setup();
    feed(bar(0, 100, 100, 100, 100));
    pair(broker);
    feed(bar(1, 100, 105, 97, 100));
    expect(fills().map((f) => f.clientOrderId)).toEqual(['stop']);
    expect(broker.order('tgt')!.status).toBe('canceled');
  });

  it('when a group already holds two working orders, or another symbol or side, then the order is rejected', () => {
    const { broker, feed } = setup();
    feed(bar(0, 100, 100, 100, 100));
    pair(broker);
    expect(broker.submitNow(req({ clientOrderId: 'third', side: 'sell', qty: 100, type: 'limit', limitPrice: 110, intent: 'exit', ocoGroup: 'g1' }))).toMatchObject({ status: 'rejected', note: expect.stringMatching(/already holds two/) });
    broker.submitNow(req({ clientOrderId: 'a', side: 'sell', qty: 10, type: 'stop', stopPrice: 90, intent: 'protective-stop', ocoGroup: 'g2' }));
    expect(broker.submitNow(req({ clientOrderId: 'b', side: 'buy', qty: 10, type: 'limit', limitPrice: 80, intent: 'exit', ocoGroup: 'g2' }))).toMatchObject({ status: 'rejected', note: expect.stringMatching(/is for sell AAPL/) });
  });
});

describe('SimBroker on the engine bus', () => {
  it('when started with a bus then it matches each new minute in the venue phase (after risk, before execution); a corrected bar of the same minute is not matched again; stop ends it', async () => {
    const { MessageBus } = await import('../../../src/main/engine/bus');
    const bus = new MessageBus<{ 'market.bar': Bar }>();
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker(clock, { bus: bus as never });
    const seen: string[] = [];
    bus.subscribe('market.bar', () => seen.push(`execution:${broker.position('AAPL').qty}`), 'execution');
    bus.subscribe('market.bar', () => seen.push(`risk:${broker.position('AAPL').qty}`), 'risk');
    broker.start();
    const publish = (b: Bar): void => {
      clock.advanceTo(b.start + MIN);
      bus.publish('market.bar', b);
    };
    publish(bar(0, 100, 100, 100, 100));
    broker.submitNow(req({ clientOrderId: 'm1', qty: 10 }));
    publish(bar(1, 101, 101, 101, 101));
    expect(seen.slice(-2)).toEqual(['risk:0', 'execution:10']); // filled between the two phases
    broker.submitNow(req({ clientOrderId: 'm2', qty: 5 }));
    publish({ ...bar(1, 102, 102, 102, 102) }); // a correction of the same minute: nothing matched on it
    expect(broker.position('AAPL').qty).toBe(10);
    broker.stop();
    publish(bar(2, 103, 103, 103, 103));
    expect(broker.position('AAPL').qty).toBe(10); // stopped: no longer matching
  });
});

describe('SimBroker memory over a long session', () => {
  it('lets go of orders a day after they finished, keeps the working ones, and still refuses a reused id', () => {
    const { broker, feed } = setup();
    feed(bar(0, 100, 101, 99, 100));
    broker.submitNow(req({ clientOrderId: 'done-1' }));
    feed(bar(1, 100, 101, 99, 100)); // fills
    expect(broker.submitNow(req({ clientOrderId: 'resting', type: 'limit', limitPrice: 50 })).status).not.toBe('rejected'); // no calendar: a day order never expires here
    expect(broker.order('done-1')!.status).toBe('filled');
    feed(bar(60 * 23, 100, 101, 99, 100)); // 23 hours later: still held
    expect(broker.order('done-1')).toBeDefined();
    feed(bar(60 * 26, 100, 101, 99, 100)); // more than a day after it filled
    expect(broker.order('done-1')).toBeUndefined();
    expect(broker.order('resting')!.status).toBe('accepted');
    expect(broker.openOrdersNow().map((o) => o.clientOrderId)).toEqual(['resting']);
    const again = broker.submitNow(req({ clientOrderId: 'done-1' }));
    expect(again.status).toBe('rejected');
    expect(again.note).toMatch(/belongs to an order that finished earlier/);
  });
});
