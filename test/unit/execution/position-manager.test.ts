// The position manager on hand-built bars: each filled entry gets its hard stop at the broker, a
// target or a trailing rule closes the position after canceling that stop, a gap through the stop is
// the broker's stop (no second sell), and the flatten time and the kill switch leave nothing held.
import { afterEach, describe, expect, it } from 'vitest';
import { flat, tradingRig, type TradingRig } from '../../helpers/trading-rig';

let rig: TradingRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

const SPY = flat(500);

async function longAapl(r: TradingRig, over: { stopPrice?: number; targetPrice?: number } = {}): Promise<string> {
  r.minute({ AAPL: flat(100), SPY });
  const e = await r.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', qty: 10, stopPrice: 98, targetPrice: 104, reason: 'test', ...over });
  if (!e.ok) throw new Error(`entry denied: ${e.reason}`);
  r.minute({ AAPL: flat(100), SPY }); // fills at this bar's open
  return e.order.clientOrderId;
}

describe('PositionManager', () => {
  it('when an entry fills then its hard stop rests at the broker for the shares filled, as a protective stop of that entry', async () => {
    rig = await tradingRig();
    const entryId = await longAapl(rig);
    expect(rig.store.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10 })]);
    expect(rig.store.openOrders()).toEqual([expect.objectContaining({ intent: 'protective-stop', exitRule: 'hardStop', parentId: entryId, type: 'stop', side: 'sell', qty: 10, stopPrice: 98 })]);
    expect(rig.core.positions.trackedPositions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10, stopPrice: 98, targetPrice: 104 })]);
  });

  it('when a bar gaps through the stop then the broker-held stop sells at the open and nothing else is sent', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    rig.minute({ AAPL: flat(100), SPY });
    rig.minute({ AAPL: { open: 96, high: 96.5, low: 95.5, close: 96 }, SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    const sells = rig.store.fills().filter((f) => f.side === 'sell');
    expect(sells).toHaveLength(1);
    expect(rig.store.get(sells[0]!.clientOrderId)).toMatchObject({ intent: 'protective-stop' });
    expect(sells[0]!.price).toBeLessThanOrEqual(96);
    expect(rig.store.openOrders()).toEqual([]);
  });

  it('when the close reaches the target then the stop is canceled first and one target exit closes the position', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    rig.minute({ AAPL: { open: 101, high: 104.2, low: 100.8, close: 104.1 }, SPY });
    await rig.settle();
    const working = rig.store.openOrders();
    expect(working).toEqual([expect.objectContaining({ intent: 'exit', exitRule: 'target', side: 'sell', qty: 10 })]);
    rig.minute({ AAPL: flat(104), SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    expect(rig.store.openOrders()).toEqual([]);
    // The stop never sold: canceled before the target went out.
    const stop = rig.updates.filter((u) => u.intent === 'protective-stop').at(-1)!;
    expect(stop.status).toBe('canceled');
    expect(stop.filledQty).toBe(0);
  });

  it('when the flatten time comes then the position is closed by the end-of-day flatten and no stop is left working', async () => {
    // 15:40 New York on 2025-03-03 (entries until the 15:45 cutoff); the flatten is at 15:55, 5 minutes before the close.
    rig = await tradingRig({}, Date.UTC(2025, 2, 3, 20, 40));
    await longAapl(rig, { targetPrice: 120 });
    for (let i = 0; i < 16; i++) rig.minute({ AAPL: flat(100), SPY }); // to 15:58
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    expect(rig.store.openOrders()).toEqual([]);
    const eod = rig.store.ordersOfDay('2025-03-03').filter((o) => o.exitRule === 'eodFlatten');
    expect(eod).toEqual([expect.objectContaining({ intent: 'flatten', status: 'filled', qty: 10 })]);
    expect(eod[0]!.submittedAt).toBeGreaterThanOrEqual(Date.UTC(2025, 2, 3, 20, 55));
  });

  it('when the kill switch is pulled then every working order is canceled and one flatten closes each position', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    await rig.trading.killSwitch('test');
    rig.minute({ AAPL: flat(99.5), SPY });
    await rig.settle();
    expect(rig.trading.state.state).toBe('HALTED');
    expect(rig.store.positions()).toEqual([]);
    expect(rig.store.openOrders()).toEqual([]);
    const flattens = rig.store.ordersOfDay('2025-03-03').filter((o) => o.intent === 'flatten');
    expect(flattens).toEqual([expect.objectContaining({ status: 'filled', qty: 10, side: 'sell' })]);
    expect(flattens[0]!.exitRule).toBeUndefined();
  });

  it('when restarted with a position held then it is tracked again with its entry plan and keeps one protective stop', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    // The order path restarts on the same store (the simulated broker keeps its working stop).
    for (const c of [...rig.core.components].reverse()) await c.stop();
    for (const c of rig.core.components) await c.start();
    await rig.settle();
    expect(rig.core.positions.trackedPositions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10, stopPrice: 98, targetPrice: 104 })]);
    expect(rig.store.openOrders().filter((o) => o.intent === 'protective-stop')).toHaveLength(1);
  });
});
