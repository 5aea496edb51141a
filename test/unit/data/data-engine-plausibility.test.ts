// Finding "Absurd prices are stored": the data engine is the one gate every feed's bars, quotes and
// prints pass; an absurd one is dropped, counted by reason and shown as a notice, never cached or
// published.
import { describe, expect, it } from 'vitest';
import { BarCache } from '../../../src/main/data/bar-cache';
import { DataEngine } from '../../../src/main/data/data-engine';
import type { FeedSink, MarketFeed } from '../../../src/main/data/feed';
import { MessageBus } from '../../../src/main/engine/bus';
import { SimulatedClock } from '../../../src/main/engine/clock';
import type { EngineBus, EngineTopics } from '../../../src/main/engine/topics';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import type { Bar, QuoteTick, Trade, TradeCorrection } from '../../../src/shared/domain';

type AppNotice = EngineTopics['app.notice'];

/** A feed the test pushes data into by hand. */
class HandFeed implements MarketFeed {
  readonly id = 'hand';
  readonly label = 'Hand feed (SIMULATED)';
  readonly simulated = true;
  sink: FeedSink | null = null;
  async start(sink: FeedSink) {
    this.sink = sink;
    sink.health('live', 'ready');
  }
  async stop() {
    this.sink = null;
  }
}

const T0 = Date.UTC(2025, 2, 3, 14, 30);
const bar = (over: Partial<Bar> = {}): Bar => ({ symbol: 'SPY', timeframe: '1m', start: T0, open: 590, high: 590.9, low: 589.5, close: 590.4, volume: 1000, ...over });
const quote = (over: Partial<QuoteTick> = {}): QuoteTick => ({ symbol: 'SPY', time: T0 + 1_500, bidPrice: 590.4, bidSize: 300, askPrice: 590.42, askSize: 200, ...over });
const trade = (over: Partial<Trade> = {}): Trade => ({ symbol: 'SPY', time: T0 + 1_208, price: 590.41, size: 100, ...over });

async function setup() {
  const feed = new HandFeed();
  const cache = new BarCache();
  const bus: EngineBus = new MessageBus();
  const data = new DataEngine(feed, cache, bus, new SimulatedClock(T0), createMemoryLogger(), ['SPY'], () => {});
  const bars: Bar[] = [];
  const quotes: QuoteTick[] = [];
  const trades: Trade[] = [];
  const notices: AppNotice[] = [];
  bus.subscribe('market.bar', (b) => bars.push(b));
  bus.subscribe('data.quote', (q) => quotes.push(q));
  bus.subscribe('data.trade', (t) => trades.push(t));
  bus.subscribe('app.notice', (n) => notices.push(n));
  await data.start();
  return { sink: feed.sink!, data, cache, bars, quotes, trades, notices, bus };
}

describe('absurd prices are stored: the data engine', () => {
  it.each([
    ['implausible_price', 'a 1e308 close', bar({ high: 1e308, close: 1e308 })],
    ['implausible_price', 'a row ×1e300', bar({ open: 590e300, high: 590.9e300, low: 589.5e300, close: 590.4e300 })],
    ['implausible_range', 'a fat-finger high', bar({ high: 59_040 })],
    ['implausible_volume', '1e13 shares', bar({ volume: 1e13 })],
  ])('drops a bar with %s (%s): not cached, not published, counted and noticed', async (reason, _what, bad) => {
    const { sink, data, cache, bars, notices } = await setup();
    sink.bar(bad);
    expect(cache.lastBar('SPY')).toBeUndefined();
    expect(cache.quote('SPY')).toBeNull();
    expect(bars).toEqual([]);
    expect(data.counts.dropped[reason]).toBe(1);
    expect(notices.map((n) => n.code)).toEqual([`feed.${reason}`]);

    sink.bar(bar({ start: T0 + 60_000 })); // the next sound minute still goes through
    expect(bars.map((b) => b.close)).toEqual([590.4]);
    expect(cache.quote('SPY')?.last).toBe(590.4);
    await data.stop();
  });

  it('drops a quote with a 1e308 ask and one with a negative bid size, counts both, and passes sound ones (an empty bid side included)', async () => {
    const { sink, data, quotes, notices } = await setup();
    sink.quote!(quote({ askPrice: 1e308 }));
    sink.quote!(quote({ bidSize: -300 }));
    sink.quote!(quote());
    // Price 0 with size 0 is how vendors say "no bid" before the open: not bad data.
    sink.quote!(quote({ bidPrice: 0, bidSize: 0 }));
    expect(quotes).toEqual([quote(), quote({ bidPrice: 0, bidSize: 0 })]);
    expect(data.counts.dropped).toEqual({ implausible_quote: 2 });
    expect(notices.map((n) => n.code)).toEqual(['feed.implausible_quote']); // once a minute per reason
    expect(notices[0]!.message).toContain('a bad quote for SPY');
    await data.stop();
  });

  it('drops a print at ×1e300 and counts it', async () => {
    const { sink, data, trades, notices } = await setup();
    sink.trade!(trade({ price: 590.41e300 }));
    sink.trade!(trade());
    expect(trades).toEqual([trade()]);
    expect(data.counts.dropped.implausible_trade).toBe(1);
    expect(notices.map((n) => n.code)).toEqual(['feed.implausible_trade']);
    await data.stop();
  });

  it('a trade correction is published for the tape (data.tradeCorrection); an absurd one is dropped and counted like a print', async () => {
    const { sink, data, bus } = await setup();
    const seen: TradeCorrection[] = [];
    bus.subscribe('data.tradeCorrection', (c) => seen.push(c));
    const fix: TradeCorrection = { symbol: 'SPY', time: T0 + 5_000, kind: 'correction', original: { id: 7, price: 590.41, size: 100 }, corrected: { id: 8, price: 590.14, size: 100 } };
    const bust: TradeCorrection = { symbol: 'SPY', time: T0 + 5_000, kind: 'cancel', original: { id: 9, price: 591, size: 50 } };
    sink.tradeCorrection!(fix);
    sink.tradeCorrection!(bust);
    sink.tradeCorrection!({ ...fix, corrected: { id: 8, price: 590.14e300, size: 100 } });
    sink.tradeCorrection!({ ...bust, symbol: 'QQQ' }); // off the watchlist: not ours
    expect(seen).toEqual([fix, bust]);
    expect(data.counts.dropped.implausible_trade).toBe(1);
    await data.stop();
  });

  it('seeding history drops an absurd stored bar too', async () => {
    const { data, cache } = await setup();
    const kept = data.seed([bar(), bar({ start: T0 + 60_000, high: 1e308, close: 1e308 }), bar({ start: T0 + 120_000 })]);
    expect(kept.map((b) => b.start)).toEqual([T0, T0 + 120_000]);
    expect(cache.bars('SPY', 10).map((b) => b.close)).toEqual([590.4, 590.4]);
    expect(data.counts.dropped.implausible_price).toBe(1);
    await data.stop();
  });

  it('a bar for a symbol off the watchlist is noticed without repeating what the feed called it', async () => {
    const { sink, data, notices } = await setup();
    sink.bar(bar({ symbol: '<img src=x>' }));
    expect(notices.map((n) => n.code)).toEqual(['feed.unknown_symbol']);
    expect(notices[0]!.message).not.toContain('<img');
    await data.stop();
  });
});
