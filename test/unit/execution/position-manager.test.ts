// The position manager on hand-built bars: each filled entry gets its hard stop at the broker and its
// target resting beside it (one cancels the other), so a target fills at its price when the market
// trades through it; a gap through the stop is the broker's stop (no second sell); the managed exits
// cancel the pair first; the flatten time and the kill switch leave nothing held.
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
  it('when an entry fills then its hard stop and its target rest at the broker as one pair, for the shares filled', async () => {
    rig = await tradingRig();
    const entryId = await longAapl(rig);
    expect(rig.store.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10 })]);
    const working = rig.store.openOrders();
    expect(working).toEqual([
      expect.objectContaining({ intent: 'protective-stop', exitRule: 'hardStop', parentId: entryId, type: 'stop', side: 'sell', qty: 10, stopPrice: 98 }),
      expect.objectContaining({ intent: 'exit', exitRule: 'target', parentId: entryId, type: 'limit', side: 'sell', qty: 10, limitPrice: 104 }),
    ]);
    expect(working[0]!.ocoGroup).toBeDefined();
    expect(working[1]!.ocoGroup).toBe(working[0]!.ocoGroup);
    expect(rig.core.positions.trackedPositions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 10, stopPrice: 98, targetPrice: 104 })]);
  });

  it('when a bar gaps through the stop then the broker-held stop sells at the open, its target is canceled, and nothing else is sent', async () => {
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

  it('when the market trades through the target then the resting target fills at its price in that bar and its stop is canceled', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    // High 104.20 trades through the 104.00 target; the close, 103.50, is below it: a bar-managed
    // target would have waited for the next bar and sold at its open instead.
    rig.minute({ AAPL: { open: 101, high: 104.2, low: 100.8, close: 103.5 }, SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    const sell = rig.store.fills().filter((f) => f.side === 'sell');
    expect(sell).toEqual([expect.objectContaining({ qty: 10, price: 104 })]);
    expect(rig.store.get(sell[0]!.clientOrderId)).toMatchObject({ intent: 'exit', exitRule: 'target', status: 'filled' });
    const stop = rig.store.ordersOfDay('2025-03-03').find((o) => o.intent === 'protective-stop')!;
    expect(stop).toMatchObject({ status: 'canceled', filledQty: 0 });
    expect(rig.store.openOrders()).toEqual([]);
  });

  it('when a short\'s target is traded through then it is bought back at the target, not above it (the AMD case)', async () => {
    rig = await tradingRig();
    rig.minute({ AMD: flat(137), SPY });
    const e = await rig.core.risk.submitEntry({ symbol: 'AMD', side: 'sell', qty: 10, stopPrice: 139, targetPrice: 135.86, reason: 'test' });
    expect(e.ok).toBe(true);
    rig.minute({ AMD: flat(137), SPY }); // the short fills
    rig.minute({ AMD: { open: 136.5, high: 136.6, low: 135.7, close: 136.16 }, SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    expect(rig.store.fills().filter((f) => f.side === 'buy')).toEqual([expect.objectContaining({ qty: 10, price: 135.86 })]);
  });

  it('when stop and target are both inside one bar then the stop takes it (the worse case) and the target is canceled', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    rig.minute({ AAPL: { open: 100, high: 104.5, low: 97.5, close: 100 }, SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    const sells = rig.store.fills().filter((f) => f.side === 'sell');
    expect(sells).toHaveLength(1);
    expect(rig.store.get(sells[0]!.clientOrderId)).toMatchObject({ intent: 'protective-stop' });
  });

  it('when the target fills in part then its stop is canceled and the rest of the position gets a new stop paired with the target left working', async () => {
    rig = await tradingRig({ maxParticipation: 0.1 });
    rig.minute({ AAPL: flat(100), SPY });
    expect((await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', qty: 10, stopPrice: 98, targetPrice: 104, reason: 'test' })).ok).toBe(true);
    rig.minute({ AAPL: flat(100), SPY }); // ample volume: the entry fills whole
    rig.minute({ AAPL: { open: 101, high: 104.5, low: 100.8, close: 104.1 }, SPY }, { volume: 40 }); // 10% of 40: 4 shares
    await rig.settle();
    expect(rig.store.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 6 })]);
    const working = rig.store.openOrders();
    const target = working.find((o) => o.intent === 'exit')!;
    const stops = working.filter((o) => o.intent === 'protective-stop');
    expect(target).toMatchObject({ exitRule: 'target', filledQty: 4, qty: 10 });
    expect(stops).toEqual([expect.objectContaining({ qty: 6, stopPrice: 98, ocoGroup: target.ocoGroup })]);
    // The rest sells at the target on the next bar; the new stop goes with it.
    rig.minute({ AAPL: { open: 104, high: 104.6, low: 103.9, close: 104.2 }, SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    expect(rig.store.openOrders()).toEqual([]);
    expect(rig.store.fills().filter((f) => f.side === 'sell').reduce((q, f) => q + f.qty, 0)).toBe(10);
  });

  it('when a managed exit fires then the pair is canceled first and one market exit closes the position', async () => {
    rig = await tradingRig({ exits: { peakExitPct: 1 } });
    await longAapl(rig);
    rig.minute({ AAPL: { open: 100.5, high: 103, low: 100.5, close: 102.9 }, SPY });
    rig.minute({ AAPL: { open: 102.5, high: 102.5, low: 101.5, close: 101.6 }, SPY }); // 1.4% under the 103 peak
    await rig.settle();
    const exit = rig.store.openOrders();
    expect(exit).toEqual([expect.objectContaining({ intent: 'exit', exitRule: 'peakExit', type: 'market', qty: 10 })]);
    rig.minute({ AAPL: flat(101.5), SPY });
    await rig.settle();
    expect(rig.store.positions()).toEqual([]);
    const canceled = rig.store.ordersOfDay('2025-03-03').filter((o) => o.status === 'canceled').map((o) => o.intent).sort();
    expect(canceled).toEqual(['exit', 'protective-stop']);
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

  it('when the engine restarts HALTED after its broker lost the pair then the start flatten alone closes the position: nothing is sold twice', async () => {
    rig = await tradingRig();
    await longAapl(rig);
    await rig.settle();
    // The kill switch's HALTED was written, and the process died before its flatten ran.
    rig.trading.change('HALTED', 'kill switch, process died before the flatten');
    await rig.restart();
    expect(rig.store.openOrders().map((o) => o.intent)).toEqual(['flatten']);
    rig.minute({ AAPL: { open: 96, high: 96.5, low: 95.5, close: 96 }, SPY });
    await rig.settle();
    expect(rig.store.fills().filter((f) => f.side === 'sell').reduce((q, f) => q + f.qty, 0)).toBe(10);
    expect(rig.store.positions()).toEqual([]);
    expect(rig.store.openOrders()).toEqual([]);
  });

  it('when five entries fill in one minute then their resting targets do not use up the order rate: another symbol\'s managed exit still goes out', async () => {
    rig = await tradingRig({ exits: { peakExitPct: 1 } });
    const syms = ['AAPL', 'MSFT', 'NVDA', 'AMD', 'META'];
    rig.minute({ TSLA: flat(100), SPY });
    expect((await rig.core.risk.submitEntry({ symbol: 'TSLA', side: 'buy', qty: 5, stopPrice: 95, targetPrice: 110, reason: 'test' })).ok).toBe(true);
    rig.minute({ TSLA: flat(100), SPY });
    rig.minute(Object.fromEntries([...syms.map((s) => [s, flat(100)]), ['TSLA', flat(100)], ['SPY', SPY]]));
    for (const [i, s] of syms.entries()) expect((await rig.core.risk.submitEntry({ symbol: s, side: 'buy', qty: 3 + i, stopPrice: 95, targetPrice: 110, reason: 'test' })).ok).toBe(true);
    // The five fill (a stop and a resting target each); TSLA's bar fires its peak exit in the same minute.
    rig.minute(Object.fromEntries([...syms.map((s) => [s, flat(100)]), ['TSLA', { open: 100, high: 102, low: 99.9, close: 100 }], ['SPY', SPY]]));
    await rig.settle();
    expect(rig.notices.filter((n) => /orderRate/.test(n.message))).toEqual([]);
    expect(rig.store.ordersOfDay('2025-03-03').filter((o) => o.exitRule === 'peakExit').map((o) => o.symbol)).toEqual(['TSLA']);
  });

  it('when an entry keeps filling while a managed exit works then the shares left once the exit is done get their stop and target', async () => {
    rig = await tradingRig({ maxParticipation: 0.1, exits: { mlExitThreshold: 0.6 } });
    rig.minute({ AAPL: flat(100), SPY });
    expect((await rig.core.risk.submitEntry({ symbol: 'AAPL', side: 'buy', qty: 10, limitPrice: 100.5, stopPrice: 98, targetPrice: 110, reason: 'test' })).ok).toBe(true);
    const thin = { volume: 40 }; // 10% participation: 4 shares a bar for all of the symbol's orders
    rig.minute({ AAPL: flat(100), SPY }, thin); // 4 bought
    const second = rig.minute({ AAPL: flat(100), SPY }, thin); // 4 more
    rig.bus.publish('models.scores', { start: second, symbols: ['AAPL'], probUp: new Float32Array([0.2]), modelId: 'model-1' });
    await rig.settle();
    expect(rig.store.openOrders().filter((o) => o.intent === 'exit')).toEqual([expect.objectContaining({ exitRule: 'mlExit', qty: 8 })]);
    for (let i = 0; i < 3; i++) rig.minute({ AAPL: flat(100), SPY }, thin); // the entry's last 2, then the exit's 8
    await rig.settle();
    expect(rig.store.positions()).toEqual([expect.objectContaining({ symbol: 'AAPL', qty: 2 })]);
    const working = rig.store.openOrders();
    expect(working).toEqual([
      expect.objectContaining({ intent: 'protective-stop', qty: 2, stopPrice: 98 }),
      expect.objectContaining({ intent: 'exit', exitRule: 'target', qty: 2, limitPrice: 110 }),
    ]);
    expect(working[1]!.ocoGroup).toBe(working[0]!.ocoGroup);
  });
});
