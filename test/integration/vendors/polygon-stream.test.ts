import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/main/config/secret';
import { PolygonStreamFeed, type PolygonStreamOptions } from '../../../src/main/data/vendors/polygon-stream';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { FAKE_POLYGON_KEY, FakePolygon, polygonMinuteAgg, polygonRestAgg } from '../../fakes/fake-polygon';
import { MARKET_NOW, SteppedClock, at10, clockAt, fast, recordingSink, waitFor, type RecordingSink } from './helpers';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(
  over: Partial<PolygonStreamOptions> = {},
  fakeOptions: Parameters<typeof FakePolygon.start>[0] = {},
): Promise<{ fake: FakePolygon; feed: PolygonStreamFeed; sink: RecordingSink; log: ReturnType<typeof createMemoryLogger> }> {
  const fake = await FakePolygon.start(fakeOptions);
  const log = createMemoryLogger();
  const feed = new PolygonStreamFeed({
    apiKey: new Secret(FAKE_POLYGON_KEY),
    symbols: ['SPY'],
    clock: clockAt(MARKET_NOW),
    streamUrl: fake.streamUrl,
    restBaseUrl: fake.restUrl,
    log,
    ...fast(),
    ...over,
  });
  const sink = recordingSink();
  cleanups.push(async () => {
    await feed.stop();
    await fake.close();
  });
  return { fake, feed, sink, log };
}

const starts = (sink: RecordingSink, symbol = 'SPY'): number[] => sink.bars.filter((b) => b.symbol === symbol).map((b) => b.start);
const lives = (sink: RecordingSink): number => sink.states().filter((s) => s === 'live').length;

describe('Polygon stocks stream', () => {
  it('authenticates, subscribes, and passes minute aggregates with their window start, trades and quotes', async () => {
    const { fake, feed, sink } = await setup({ symbols: ['SPY', 'QQQ'], channels: { trades: true, quotes: true } });
    await feed.start(sink);
    await waitFor(() => lives(sink) === 1, 'live');

    expect(feed.simulated).toBe(false);
    expect(fake.authMessages).toEqual([FAKE_POLYGON_KEY]);
    expect(fake.subscribeMessages).toEqual(['AM.SPY,T.SPY,Q.SPY,AM.QQQ,T.QQQ,Q.QQQ']);

    fake.send(
      polygonMinuteAgg('SPY', at10(9), { o: 590, c: 590.4 }),
      { ev: 'A', sym: 'SPY', o: 590, c: 590, h: 590, l: 590, v: 10, s: at10(10), e: at10(10) + 1000 }, // second aggregates are not used
      { ev: 'T', sym: 'SPY', i: '52983525029461', x: 11, p: 590.41, s: 100, c: [14, 41], t: at10(10) + 1208, q: 1, z: 2 },
      { ev: 'Q', sym: 'SPY', bx: 11, bp: 590.4, bs: 3, ax: 12, ap: 590.42, as: 2, c: 1, t: at10(10) + 1500, z: 2 },
    );
    await waitFor(() => sink.quotes.length === 1, 'the quote');

    expect(sink.bars).toEqual([{ symbol: 'SPY', timeframe: '1m', start: at10(9), open: 590, high: 590.9, low: 589.5, close: 590.4, volume: 1000 }]);
    expect(sink.trades).toEqual([{ symbol: 'SPY', time: at10(10) + 1208, price: 590.41, size: 100 }]);
    // Sizes come in round lots of 100 shares.
    expect(sink.quotes).toEqual([{ symbol: 'SPY', time: at10(10) + 1500, bidPrice: 590.4, bidSize: 300, askPrice: 590.42, askSize: 200 }]);
    expect(sink.drops).toEqual([]);
  });

  it('when the key is rejected then health is failed with the reason and it does not retry', async () => {
    const clock = new SteppedClock(MARKET_NOW);
    const { fake, feed, sink, log } = await setup({ apiKey: new Secret('not-the-key'), clock });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'failed', 'failed');
    // Nothing is scheduled, and many backoff periods later nothing has connected again.
    expect(clock.nextTimerAt()).toBeNull();
    clock.advanceBy(10_000);

    expect(sink.lastHealth()?.detail).toMatch(/rejected the API key \(auth_failed: authentication failed\).*TRADING_POLYGON_API_KEY/);
    expect(feed.stats.connects).toBe(1);
    expect(fake.connectionCount).toBe(1);
    expect(JSON.stringify([sink.healthLog, log.lines])).not.toContain('not-the-key');
  });

  it('when the connection limit is reached then health is failed and it retries only after the long wait', async () => {
    const clock = new SteppedClock(MARKET_NOW);
    const { fake, feed, sink } = await setup({ connectionLimitRetryMs: 400, clock });
    fake.maxConnections = true;
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'failed', 'failed');
    expect(sink.lastHealth()?.detail).toMatch(/max_connections.*retrying in 400 ms/);
    clock.advanceBy(399); // the whole wait but its last millisecond: many backoff periods
    expect(feed.stats.connects).toBe(1);
    expect(fake.connectionCount).toBe(1);

    fake.maxConnections = false;
    clock.advanceBy(1); // the wait is over: it connects again
    expect(feed.stats.connects).toBe(2);
    await waitFor(() => lives(sink) === 1, 'live', 2_000);
    expect(fake.connectionCount).toBe(2);
  });

  it('when the socket drops mid-stream then it reconnects, resubscribes and backfills the gap once, in order, on the configured host only', async () => {
    const { fake, feed, sink } = await setup({}, { pageSize: 3 });
    await feed.start(sink);
    await waitFor(() => lives(sink) === 1, 'live');
    fake.send(polygonMinuteAgg('SPY', at10(0)));
    fake.send(polygonMinuteAgg('SPY', at10(1)));
    await waitFor(() => sink.bars.length === 2, 'first bars');

    fake.setRestAggs('SPY', Array.from({ length: 11 }, (_, i) => polygonRestAgg(at10(i), 101)));
    fake.restDelayMs = 100;
    fake.onSubscribe = [polygonMinuteAgg('SPY', at10(9), { c: 99 })];
    fake.dropAll();

    await waitFor(() => lives(sink) === 2, 'live after reconnect', 3_000);
    fake.send(polygonMinuteAgg('SPY', at10(10)));
    await waitFor(() => starts(sink).includes(at10(10)), 'the live 10:10 bar');

    expect(fake.subscribeMessages).toEqual(['AM.SPY', 'AM.SPY']);
    expect(starts(sink)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(at10));
    expect(sink.bars.find((b) => b.start === at10(9))?.close).toBe(101);
    expect(sink.drops.map((d) => d.reason)).toEqual(['duplicate_bar']);
    // Three pages: the first by path, the next two by next_url (which names api.polygon.io), all served here.
    const requests = fake.restRequests.filter((u) => u.pathname.startsWith('/v2/aggs/ticker/SPY/'));
    expect(requests.map((u) => u.pathname)).toEqual(Array(3).fill(`/v2/aggs/ticker/SPY/range/1/minute/${at10(2)}/${at10(9)}`));
    expect(requests.map((u) => u.searchParams.get('cursor'))).toEqual([null, '3', '6']);
    expect(requests.every((u) => u.searchParams.get('apiKey') === FAKE_POLYGON_KEY)).toBe(true);
    // Raw (unadjusted) bars on every page, like the live stream and Alpaca's backfill.
    expect(requests.map((u) => u.searchParams.get('adjusted'))).toEqual(requests.map(() => 'false'));
  });

  it('drops and counts malformed JSON and invalid events, and the stream carries on', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => lives(sink) === 1, 'live');
    fake.sendRaw('not json at all');
    fake.send({ ev: 'AM', sym: 'SPY', o: 1, h: 1, l: 1, c: 1, v: 1, s: 'soon', e: 2 }, polygonMinuteAgg('SPY', at10(5)));
    await waitFor(() => sink.bars.length === 1, 'the good bar');

    expect(sink.drops.map((d) => d.reason)).toEqual(['malformed_json', 'invalid_message']);
    expect(sink.lastHealth()?.state).toBe('live');
    expect(fake.connectionCount).toBe(1);
  });

  it('drops duplicate and out-of-order minute aggregates', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => lives(sink) === 1, 'live');
    fake.send(polygonMinuteAgg('SPY', at10(5)), polygonMinuteAgg('SPY', at10(5)), polygonMinuteAgg('SPY', at10(4)), polygonMinuteAgg('SPY', at10(6)));
    await waitFor(() => starts(sink).includes(at10(6)), '10:06');

    expect(starts(sink)).toEqual([at10(5), at10(6)]);
    expect(sink.drops.map((d) => d.reason)).toEqual(['duplicate_bar', 'out_of_order_bar']);
  });

  it('turns stale when silent past the threshold in market hours, then live again when events resume', async () => {
    const { fake, feed, sink } = await setup({ staleAfterMs: 150 });
    await feed.start(sink);
    await waitFor(() => lives(sink) === 1, 'live');
    await waitFor(() => sink.lastHealth()?.state === 'stale', 'stale', 2_000);
    fake.send(polygonMinuteAgg('SPY', at10(9)));
    await waitFor(() => lives(sink) === 2, 'live again');

    expect(sink.states()).toEqual(['connecting', 'live', 'stale', 'live']);
    expect(fake.connectionCount).toBe(1);
  });

  it('a delayed feed says it is not live market data and backfills only up to its horizon', async () => {
    const { fake, feed, sink } = await setup({ delayed: true });
    expect(feed.simulated).toBe(true);
    expect(feed.label).toMatch(/15-min delayed/);
    await feed.start(sink);
    await waitFor(() => lives(sink) === 1, 'live');
    fake.send(polygonMinuteAgg('SPY', Date.UTC(2025, 2, 3, 14, 40))); // 09:40 New York, 30 minutes ago
    await waitFor(() => sink.bars.length === 1, 'a delayed bar');
    fake.dropAll();
    await waitFor(() => lives(sink) === 2, 'live after reconnect', 3_000);

    // now is 10:10:30; 15 minutes behind, the last closed minute is 09:54.
    const request = fake.restRequests.find((u) => u.pathname.startsWith('/v2/aggs/ticker/SPY/'))!;
    expect(request.pathname).toBe(`/v2/aggs/ticker/SPY/range/1/minute/${Date.UTC(2025, 2, 3, 14, 41)}/${Date.UTC(2025, 2, 3, 14, 54)}`);
  });
});
