// Finding "Absurd prices are stored": a vendor stream (live messages and REST backfill) behind the
// real data engine. A bar, quote or print with a price or size no market shows is dropped, counted
// by reason and noticed; it is never cached or published, and the stream carries on.
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/main/config/secret';
import { BarCache } from '../../../src/main/data/bar-cache';
import { DataEngine } from '../../../src/main/data/data-engine';
import type { MarketFeed } from '../../../src/main/data/feed';
import { AlpacaStreamFeed } from '../../../src/main/data/vendors/alpaca-stream';
import { PolygonStreamFeed } from '../../../src/main/data/vendors/polygon-stream';
import type { VendorStreamOptions } from '../../../src/main/data/vendors/stream-feed';
import { MessageBus } from '../../../src/main/engine/bus';
import type { EngineBus, EngineTopics } from '../../../src/main/engine/topics';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import type { Bar, QuoteTick, Trade } from '../../../src/shared/domain';
import { FAKE_ALPACA_KEY, FAKE_ALPACA_SECRET, FakeAlpacaData, alpacaBar, alpacaRestBar } from '../../fakes/fake-alpaca-data';
import { FAKE_POLYGON_KEY, FakePolygon, polygonMinuteAgg, polygonRestAgg } from '../../fakes/fake-polygon';
import { MARKET_NOW, at10, clockAt, fast } from './helpers';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Resolves with the first message on `topic` that `match` accepts (subscribe before acting). */
function next<K extends keyof EngineTopics>(bus: EngineBus, topic: K, match: (m: EngineTopics[K]) => boolean): Promise<EngineTopics[K]> {
  return new Promise((resolve) => {
    const off = bus.subscribe(topic, (m) => {
      if (!match(m)) return;
      off();
      resolve(m);
    });
  });
}

const SOUND_QUOTE = { bidPrice: 590.4, bidSize: 300, askPrice: 590.42, askSize: 200 };

/** The feed behind a real data engine on a live clock set to Monday 10:10 New York. */
async function behindEngine<F extends MarketFeed>(make: (common: VendorStreamOptions) => F) {
  const clock = clockAt(MARKET_NOW);
  const feed = make({ symbols: ['SPY'], clock, ...fast() });
  const bus: EngineBus = new MessageBus();
  const cache = new BarCache();
  const data = new DataEngine(feed, cache, bus, clock, createMemoryLogger(), ['SPY'], () => {});
  const bars: Bar[] = [];
  const quotes: QuoteTick[] = [];
  const trades: Trade[] = [];
  const notices: string[] = [];
  bus.subscribe('market.bar', (b) => bars.push(b));
  bus.subscribe('data.quote', (q) => quotes.push(q));
  bus.subscribe('data.trade', (t) => trades.push(t));
  bus.subscribe('app.notice', (n) => notices.push(n.code));
  cleanups.push(() => data.stop());
  const live = next(bus, 'feed.health', (h) => h.state === 'live');
  await data.start();
  await live;
  return { feed, bus, cache, data, bars, quotes, trades, notices };
}

async function alpaca(over: Partial<ConstructorParameters<typeof AlpacaStreamFeed>[0]> = {}, setup: (fake: FakeAlpacaData) => void = () => {}) {
  const fake = await FakeAlpacaData.start();
  cleanups.push(() => fake.close());
  setup(fake);
  const engine = await behindEngine(
    (common) =>
      new AlpacaStreamFeed({
        ...common,
        keyId: new Secret(FAKE_ALPACA_KEY),
        secretKey: new Secret(FAKE_ALPACA_SECRET),
        feed: 'iex',
        streamUrl: fake.streamUrl,
        restBaseUrl: fake.restUrl,
        channels: { trades: true, quotes: true },
        ...over,
      }),
  );
  return { fake, ...engine };
}

async function polygon(over: Partial<ConstructorParameters<typeof PolygonStreamFeed>[0]> = {}, setup: (fake: FakePolygon) => void = () => {}) {
  const fake = await FakePolygon.start();
  cleanups.push(() => fake.close());
  setup(fake);
  const engine = await behindEngine(
    (common) =>
      new PolygonStreamFeed({
        ...common,
        apiKey: new Secret(FAKE_POLYGON_KEY),
        streamUrl: fake.streamUrl,
        restBaseUrl: fake.restUrl,
        channels: { trades: true, quotes: true },
        ...over,
      }),
  );
  return { fake, ...engine };
}

describe('absurd prices are stored: Alpaca stream behind the data engine', () => {
  it('a 1e308 close, a quote with a 1e308 ask and a ×1e300 print from the Alpaca stream are dropped and counted', async () => {
    const { fake, feed, bus, cache, data, bars, quotes, trades, notices } = await alpaca();
    const sound = next(bus, 'market.bar', (b) => b.start === at10(6));
    fake.send(
      alpacaBar('SPY', at10(5), { o: 590, h: 1e308, c: 1e308 }),
      { T: 'q', S: 'SPY', bx: 'V', bp: 590.4, bs: 3, ax: 'V', ap: 1e308, as: 2, c: ['R'], t: '2025-03-03T15:10:01.5Z', z: 'B' },
      { T: 't', S: 'SPY', i: 1, x: 'V', p: 590.41e300, s: 100, c: ['@'], t: '2025-03-03T15:10:01.6Z', z: 'B' },
      { T: 'q', S: 'SPY', bp: 590.4, bs: 300, ap: 590.42, as: 200, t: '2025-03-03T15:10:01.7Z' },
      alpacaBar('SPY', at10(6), { o: 590, c: 590.4 }),
    );
    await sound;

    expect(bars.map((b) => [b.start, b.close])).toEqual([[at10(6), 590.4]]);
    expect(cache.bars('SPY', 10).map((b) => b.close)).toEqual([590.4]);
    expect(cache.quote('SPY')?.last).toBe(590.4);
    expect(quotes).toEqual([{ symbol: 'SPY', time: Date.UTC(2025, 2, 3, 15, 10, 1, 700), ...SOUND_QUOTE }]);
    expect(trades).toEqual([]);
    expect(data.counts).toEqual({ accepted: 1, dropped: { implausible_price: 1, implausible_quote: 1, implausible_trade: 1 } });
    expect(notices).toEqual(['feed.implausible_price', 'feed.implausible_quote', 'feed.implausible_trade']);
    // The stream does not count what the engine refused as delivered.
    expect(feed.stats).toMatchObject({ bars: 1, quotes: 1, trades: 0 });
    expect(data.health.state).toBe('live');
  });

  it('a ×1e300 bar in the REST backfill is dropped and counted; the minutes around it are kept', async () => {
    const { feed, bars, data } = await alpaca({ resumeAfter: { SPY: at10(5) } }, (fake) =>
      fake.setRestBars('SPY', [6, 7, 8, 9].map((m) => (m === 7 ? { ...alpacaRestBar(at10(m)), o: 100e300, h: 101e300, l: 99e300, c: 100.5e300 } : alpacaRestBar(at10(m))))),
    );

    expect(bars.map((b) => b.start)).toEqual([6, 8, 9].map(at10));
    expect(data.counts.dropped).toEqual({ implausible_price: 1 });
    expect(feed.stats.backfilled).toBe(3);
  });
});

describe('absurd prices are stored: Polygon stream behind the data engine', () => {
  it('a ×1e300 minute aggregate, a negative-bid quote and a 1e308 print from the Polygon stream are dropped and counted', async () => {
    const { fake, feed, bus, cache, data, bars, quotes, trades, notices } = await polygon();
    const sound = next(bus, 'market.bar', (b) => b.start === at10(6));
    fake.send(
      polygonMinuteAgg('SPY', at10(5), { o: 590e300, h: 591e300, l: 589e300, c: 590.4e300 }),
      { ev: 'Q', sym: 'SPY', bx: 11, bp: -590.4, bs: 3, ax: 12, ap: 590.42, as: 2, c: 1, t: at10(10) + 1500, z: 2 },
      { ev: 'T', sym: 'SPY', i: '1', x: 11, p: 1e308, s: 100, c: [14], t: at10(10) + 1600, q: 1, z: 2 },
      { ev: 'Q', sym: 'SPY', bx: 11, bp: 590.4, bs: 3, ax: 12, ap: 590.42, as: 2, c: 1, t: at10(10) + 1700, z: 2 },
      polygonMinuteAgg('SPY', at10(6), { o: 590, c: 590.4 }),
    );
    await sound;

    expect(bars.map((b) => [b.start, b.close])).toEqual([[at10(6), 590.4]]);
    expect(cache.bars('SPY', 10)).toHaveLength(1);
    expect(quotes).toEqual([{ symbol: 'SPY', time: at10(10) + 1700, ...SOUND_QUOTE }]);
    expect(trades).toEqual([]);
    expect(data.counts.dropped).toEqual({ implausible_price: 1, implausible_quote: 1, implausible_trade: 1 });
    expect(notices).toEqual(['feed.implausible_price', 'feed.implausible_quote', 'feed.implausible_trade']);
    expect(feed.stats).toMatchObject({ bars: 1, quotes: 1, trades: 0 });
  });

  it('a 1e13-share aggregate in the REST backfill is dropped and counted', async () => {
    const { bars, data } = await polygon({ resumeAfter: { SPY: at10(5) } }, (fake) =>
      fake.setRestAggs('SPY', [6, 7, 8].map((m) => (m === 7 ? { ...polygonRestAgg(at10(m)), v: 1e13 } : polygonRestAgg(at10(m))))),
    );

    expect(bars.map((b) => b.start)).toEqual([6, 8].map(at10));
    expect(data.counts.dropped).toEqual({ implausible_volume: 1 });
  });
});
