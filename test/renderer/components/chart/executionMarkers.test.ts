// The execution markers on the candle chart: which fills are drawn, at which bar, with what look.
import { describe, expect, it } from 'vitest';
import {
  BAR_MS,
  executionMarkersOf,
  fillBarStart,
  markerLook,
  markersWithin,
  MARKER_COLORS,
  sameMarkers,
} from '../../../../src/renderer/components/chart/executionMarkers';
import type { BlotterOrder } from '../../../../src/renderer/store/blotter/initialState';
import { T0 } from '../../fakes';

const MIN = 60_000;

function order(id: string, extra: Partial<BlotterOrder> = {}): BlotterOrder {
  return {
    clientOrderId: id, brokerOrderId: `b-${id}`, symbol: 'AMD', side: 'buy', qty: 10, type: 'market', timeInForce: 'day',
    intent: 'entry', reason: 'signal s1 (orb, auto)', status: 'filled', filledQty: 10, avgFillPrice: 180.25, submittedAt: T0, updatedAt: T0 + MIN, note: '', ...extra,
  };
}

const byId = (...orders: BlotterOrder[]): Record<string, BlotterOrder> => Object.fromEntries(orders.map((o) => [o.clientOrderId, o]));

describe('fill → bar bucketing', () => {
  it('when a fill is stamped with the close of the bar it matched then it belongs to that bar', () => {
    // The simulated broker fills on the 09:30 bar and the clock reads 09:31:00.000 then.
    expect(fillBarStart(T0 + MIN, BAR_MS['1m'])).toBe(T0);
  });

  it('when a fill happens inside a bar then it belongs to that bar', () => {
    expect(fillBarStart(T0 + 1, BAR_MS['1m'])).toBe(T0);
    expect(fillBarStart(T0 + 30_000, BAR_MS['1m'])).toBe(T0);
    expect(fillBarStart(T0 + MIN + 1, BAR_MS['1m'])).toBe(T0 + MIN);
  });

  it('when the bars are 5 minutes then fills bucket into 5-minute bars', () => {
    expect(fillBarStart(T0 + 4 * MIN, BAR_MS['5m'])).toBe(T0);
    expect(fillBarStart(T0 + 5 * MIN, BAR_MS['5m'])).toBe(T0);
    expect(fillBarStart(T0 + 6 * MIN, BAR_MS['5m'])).toBe(T0 + 5 * MIN);
  });
});

describe('execution markers of a symbol', () => {
  it('when orders of several symbols have filled then only the shown symbol is marked, oldest fill first', () => {
    const orders = byId(
      order('exit', { side: 'sell', intent: 'exit', exitRule: 'target', reason: 'target 181 reached', avgFillPrice: 181 }),
      order('entry'),
      order('other-symbol', { symbol: 'NVDA' }),
    );
    const fillAt = { entry: T0 + MIN, exit: T0 + 5 * MIN, 'other-symbol': T0 + 2 * MIN };
    const markers = executionMarkersOf(orders, fillAt, 'AMD');
    expect(markers.map((m) => [m.clientOrderId, m.kind, m.side, m.barStart, m.label, m.price])).toEqual([
      ['entry', 'entry', 'buy', T0, 'ENTRY', 180.25],
      ['exit', 'target', 'sell', T0 + 4 * MIN, 'TARGET', 181],
    ]);
  });

  it('when an order has not filled, or its fill time is unknown, then it has no marker', () => {
    const orders = byId(
      order('working', { status: 'accepted', filledQty: 0, avgFillPrice: null }),
      order('canceled', { status: 'canceled', filledQty: 0, avgFillPrice: null }),
      order('no-time'),
    );
    expect(executionMarkersOf(orders, { working: T0, canceled: T0 }, 'AMD')).toEqual([]);
  });

  it('when an order filled in part then it is marked with the filled quantity', () => {
    const orders = byId(order('part', { status: 'partially_filled', filledQty: 4 }));
    expect(executionMarkersOf(orders, { part: T0 + MIN }, 'AMD')[0]).toMatchObject({ qty: 4, barStart: T0 });
  });

  it('when no symbol is shown then there are no markers', () => {
    expect(executionMarkersOf(byId(order('a')), { a: T0 + MIN }, null)).toEqual([]);
  });

  it('when each exit rule closes a position then each marker carries its label', () => {
    const intents: Record<string, Partial<BlotterOrder>> = {
      stop: { intent: 'protective-stop', exitRule: 'hardStop' },
      peak: { intent: 'exit', exitRule: 'peakExit' },
      trail: { intent: 'exit', exitRule: 'trailingStop' },
      time: { intent: 'exit', exitRule: 'timeStop' },
      eod: { intent: 'flatten', exitRule: 'eodFlatten' },
      flat: { intent: 'flatten' },
    };
    // The reason text plays no part: every order says the same thing.
    const orders = byId(...Object.entries(intents).map(([id, typed]) => order(id, { side: 'sell', ...typed, reason: 'entry: misleading text' })));
    const fillAt = Object.fromEntries(Object.keys(intents).map((id, i) => [id, T0 + (i + 1) * MIN]));
    expect(executionMarkersOf(orders, fillAt, 'AMD').map((m) => m.label)).toEqual(['STOP', 'PEAK', 'TRAIL', 'TIME', 'EOD', 'FLAT']);
  });
});

describe('marker look', () => {
  it('when an entry buys then it is an up arrow under the bar with its size; a sell entry is a down arrow over it', () => {
    expect(markerLook({ kind: 'entry', side: 'buy', qty: 12, label: 'ENTRY' })).toEqual({ position: 'belowBar', shape: 'arrowUp', color: MARKER_COLORS.entry, text: 'BUY 12' });
    expect(markerLook({ kind: 'entry', side: 'sell', qty: 3, label: 'ENTRY' })).toEqual({ position: 'aboveBar', shape: 'arrowDown', color: MARKER_COLORS.entry, text: 'SELL 3' });
  });

  it('when an exit closes a long then it is a circle over the bar labelled with its rule; closing a short it sits under the bar', () => {
    expect(markerLook({ kind: 'eodFlatten', side: 'sell', qty: 18, label: 'EOD' })).toEqual({ position: 'aboveBar', shape: 'circle', color: MARKER_COLORS.eodFlatten, text: 'EOD' });
    expect(markerLook({ kind: 'hardStop', side: 'buy', qty: 6, label: 'STOP' })).toEqual({ position: 'belowBar', shape: 'circle', color: MARKER_COLORS.hardStop, text: 'STOP' });
  });

  it('when exits differ then their colours differ from each other and from the candles', () => {
    const colours = Object.values(MARKER_COLORS).map((c) => c.toLowerCase());
    expect(new Set(colours).size).toBe(colours.length);
    expect(colours).not.toContain('#26a69a');
    expect(colours).not.toContain('#ef5350');
  });
});

describe('markers within the candles', () => {
  const orders = byId(order('a'), order('b', { intent: 'protective-stop', exitRule: 'hardStop', reason: 'x', side: 'sell' }), order('c', { intent: 'flatten', exitRule: 'eodFlatten', reason: 'y', side: 'sell' }));
  const markers = executionMarkersOf(orders, { a: T0 + MIN, b: T0 + 3 * MIN, c: T0 + 6 * MIN }, 'AMD');

  it('when the candles end before a fill\'s bar then that marker waits', () => {
    expect(markersWithin(markers, T0, T0 + 3 * MIN)).toEqual({ from: 0, to: 2 });
    expect(markersWithin(markers, T0, T0 + 5 * MIN)).toEqual({ from: 0, to: 3 });
  });

  it('when the candles start after a fill\'s bar then that marker is not drawn', () => {
    expect(markersWithin(markers, T0 + MIN, T0 + 10 * MIN)).toEqual({ from: 1, to: 3 });
  });

  it('when there are no candles then nothing is drawn', () => {
    expect(markersWithin(markers, null, null)).toEqual({ from: 0, to: 0 });
  });

  it('when an update leaves the markers as they were then they compare the same', () => {
    const again = executionMarkersOf({ ...orders }, { a: T0 + MIN, b: T0 + 3 * MIN, c: T0 + 6 * MIN }, 'AMD');
    expect(sameMarkers(markers, again)).toBe(true);
    expect(sameMarkers(markers, again.slice(1))).toBe(false);
  });
});
