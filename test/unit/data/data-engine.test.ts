import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine } from '../../../src/main/app/compose';
import { SimulatedClock } from '../../../src/main/engine/clock';
import type { FeedSink, MarketFeed } from '../../../src/main/data/feed';
import type { Bar } from '../../../src/shared/domain';

/** A feed the test pushes bars into by hand. */
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
const bar = (over: Partial<Bar> = {}): Bar => ({ symbol: 'SPY', timeframe: '1m', start: T0, open: 100, high: 101, low: 99, close: 100.5, volume: 1000, ...over });

async function setup() {
  const feed = new HandFeed();
  const clock = new SimulatedClock(T0);
  const engine = createEngine(defaultConfig(), { feed: { feed, clock }, clockTickMs: 0 });
  const published: Bar[] = [];
  const notices: string[] = [];
  engine.bus.subscribe('market.bar', (b) => published.push(b));
  engine.bus.subscribe('app.notice', (n) => notices.push(n.code));
  await engine.start();
  return { feed, engine, published, notices };
}

describe('DataEngine', () => {
  it.each([
    ['non_numeric', bar({ close: Number.NaN })],
    ['non_positive_price', bar({ low: 0 })],
    ['high_below_open_close', bar({ high: 100.2 })],
    ['low_above_open_close', bar({ low: 100.2 })],
    ['negative_volume', bar({ volume: -1 })],
    ['unknown_symbol', bar({ symbol: 'ZZZZ' })],
  ])('drops a bad bar (%s), counts it, tells the cockpit, and keeps going', async (reason, bad) => {
    const { feed, engine, published, notices } = await setup();
    feed.sink!.bar(bad);
    feed.sink!.bar(bar({ start: T0 + 60_000 }));
    expect(published).toHaveLength(1);
    expect(engine.data.counts.dropped[reason]).toBe(1);
    expect(notices).toContain(`feed.${reason}`);
    await engine.stop();
  });

  it('drops an out-of-order bar but takes a corrected bar with the same start', async () => {
    const { feed, engine, published } = await setup();
    feed.sink!.bar(bar({ start: T0 + 60_000 }));
    feed.sink!.bar(bar({ start: T0 }));
    feed.sink!.bar(bar({ start: T0 + 60_000, close: 100.9, high: 101 }));
    expect(published.map((b) => b.close)).toEqual([100.5, 100.9]);
    expect(engine.data.counts.dropped.out_of_order).toBe(1);
    expect(engine.cache.bars('SPY', 10)).toHaveLength(1);
    await engine.stop();
  });

  it('updates the cache before anyone hears of the bar', async () => {
    const { feed, engine } = await setup();
    let cachedWhenPublished: number | undefined;
    engine.bus.subscribe('market.bar', (b) => {
      cachedWhenPublished = engine.cache.lastBar(b.symbol)?.close;
    });
    feed.sink!.bar(bar({ close: 100.7 }));
    expect(cachedWhenPublished).toBe(100.7);
    await engine.stop();
  });

  it('a stale feed degrades the data component and is shown as feed health', async () => {
    const { feed, engine } = await setup();
    const health: string[] = [];
    engine.bus.subscribe('feed.health', (h) => health.push(h.state));
    feed.sink!.health('stale', 'silent for 30 s');
    expect(engine.components().find((c) => c.name === 'data')?.state).toBe('degraded');
    feed.sink!.health('live', 'back');
    expect(engine.components().find((c) => c.name === 'data')?.state).toBe('running');
    expect(health).toEqual(['stale', 'live']);
    await engine.stop();
  });
});
