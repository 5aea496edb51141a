// The risk engine as its own component: an entry is sized, checked and reserved, then handed to
// execution over the bus; every denial is a value with the check's name and a notice, and nothing of a
// denied entry reaches execution or the ledger. It keeps the breaker and the reservations from what
// execution reports back.
import { afterEach, describe, expect, it } from 'vitest';
import { flat, tradingRig, type TradingRig } from '../../helpers/trading-rig';

let rig: TradingRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

const warmAt = (r: TradingRig, price: number): void => {
  r.minute({ AAPL: flat(price), SPY: flat(500) });
};

describe('RiskEngine', () => {
  it('when an entry passes every check then execution sends it with its plan and its capital at risk is reserved', async () => {
    rig = await tradingRig();
    warmAt(rig, 100);
    const sent: string[] = [];
    rig.bus.subscribe('execution.applied', (e) => e.type === 'submitted' && sent.push(e.order.clientOrderId));
    const r = await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, targetPrice: 104, qty: 10, reason: 'test' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.order).toMatchObject({ intent: 'entry', symbol: 'AAPL', qty: 10, type: 'limit', timeInForce: 'ioc', limitPrice: 100.5 });
    expect(sent).toEqual([r.order.clientOrderId]);
    // (limit 100.50 − stop 98) × 10 shares
    expect(rig.ledger.day().capitalAtRiskUsed).toBeCloseTo(25, 6);
    expect(rig.store.plans({ clientOrderId: r.order.clientOrderId })[0]).toMatchObject({ stopPrice: 98, targetPrice: 104 });
  });

  it.each([
    ['tradingState', (r: TradingRig) => r.trading.change('HALTED', 'kill switch'), { qty: 10 }],
    ['staleData', (r: TradingRig) => r.clock.advanceBy(5 * 60_000), { qty: 10 }],
    ['orderSize', () => {}, { qty: 26 }],
    ['capitalAtRisk', () => {}, { qty: 10, stopPrice: 102 }],
    ['sizing', () => {}, { stopPrice: 101 }],
  ] as const)('when %s is broken then the entry is denied as a value, with a notice, and nothing is sent or reserved', async (check, breakIt, over) => {
    rig = await tradingRig();
    warmAt(rig, 100);
    breakIt(rig);
    let submitted = 0;
    rig.bus.subscribe('execution.applied', (e) => void (e.type === 'submitted' && submitted++));
    const r = await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, reason: 'test', ...over });
    expect(r).toMatchObject({ ok: false, check });
    expect(rig.notices.some((n) => n.code === `risk.${check}`)).toBe(true);
    expect(submitted).toBe(0);
    expect(rig.ledger.day().capitalAtRiskUsed).toBe(0);
    expect(rig.store.openOrders()).toEqual([]);
  });

  it('when a symbol has no warm feature row yet then the entry is denied featuresWarm', async () => {
    rig = await tradingRig();
    rig.minute({ AAPL: flat(100) }, { warm: false });
    expect(await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, qty: 5, reason: 'test' })).toMatchObject({ ok: false, check: 'featuresWarm' });
  });

  it('when an order id was already used then the entry is a duplicate and is never sent twice', async () => {
    rig = await tradingRig();
    warmAt(rig, 100);
    const first = await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, qty: 5, reason: 'test', clientOrderId: 'entry-AAPL-x1' });
    expect(first.ok).toBe(true);
    const again = await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, qty: 5, reason: 'test', clientOrderId: 'entry-AAPL-x1' });
    expect(again).toMatchObject({ ok: false, check: 'duplicateOrder' });
  });

  it('when three submits fail then the breaker opens: the next entry is denied circuitBreaker, a flatten still passes', async () => {
    rig = await tradingRig();
    warmAt(rig, 100);
    for (let i = 0; i < 3; i++) rig.bus.publish('execution.failure', { at: rig.clock.now(), clientOrderId: `x${i}`, detail: 'timeout' });
    expect(rig.core.risk.circuit.phase).toBe('open');
    expect(await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, qty: 5, reason: 'test' })).toMatchObject({ ok: false, check: 'circuitBreaker' });
    expect(rig.core.risk.admitExit(false)).toMatch(/circuit/i);
    expect(rig.core.risk.admitExit(true)).toBeNull();
  });

  it('when an entry fills and the position later goes flat then its capital at risk is given back; an IOC that misses gives it back at once', async () => {
    rig = await tradingRig();
    warmAt(rig, 100);
    const r = await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, qty: 10, reason: 'test' });
    expect(r.ok).toBe(true);
    rig.minute({ AAPL: flat(100.2), SPY: flat(500) }); // fills at the open, under the 100.50 limit
    expect(rig.store.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10 })]);
    expect(rig.ledger.day().capitalAtRiskUsed).toBeGreaterThan(0);
    await rig.core.positions.flatten('AAPL', 'test flatten');
    rig.minute({ AAPL: flat(100.1), SPY: flat(500) });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    expect(rig.ledger.day().capitalAtRiskUsed).toBe(0);

    const miss = await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 98, qty: 10, reason: 'test' });
    expect(miss.ok).toBe(true);
    rig.minute({ AAPL: flat(103), SPY: flat(500) }); // gaps over the limit: the IOC ends unfilled
    expect(rig.store.positions()).toEqual([]);
    expect(rig.ledger.day().capitalAtRiskUsed).toBe(0);
  });

  it('when a closing fill realises a loss past the day limit then trading turns REDUCING', async () => {
    rig = await tradingRig({ limits: { bankroll: 20_000, maxOrderValue: 2_500 } });
    warmAt(rig, 100);
    expect((await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', stopPrice: 50, qty: 24, reason: 'test' })).ok).toBe(true);
    rig.minute({ AAPL: flat(100), SPY: flat(500) });
    await rig.core.positions.flatten('AAPL', 'test flatten');
    rig.minute({ AAPL: flat(80), SPY: flat(500) }); // 24 × −20 = −480 > 2% of 20 000
    await rig.settle();
    expect(rig.trading.state.state).toBe('REDUCING');
    expect(rig.trading.state.cause).toMatch(/daily loss limit/);
  });
});
