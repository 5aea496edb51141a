import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/main/config/secret';
import { AlpacaStreamFeed, type AlpacaStreamOptions } from '../../../src/main/data/vendors/alpaca-stream';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { ALPACA_ERRORS, FAKE_ALPACA_KEY, FAKE_ALPACA_SECRET, FakeAlpacaData, alpacaBar, alpacaCancelError, alpacaCorrection, alpacaRestBar } from '../../fakes/fake-alpaca-data';
import { MARKET_NOW, SteppedClock, WEEKEND_NOW, at10, clockAt, fast, recordingSink, waitFor, type RecordingSink } from './helpers';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(
  over: Partial<AlpacaStreamOptions> = {},
  fakeOptions: Parameters<typeof FakeAlpacaData.start>[0] = {},
): Promise<{ fake: FakeAlpacaData; feed: AlpacaStreamFeed; sink: RecordingSink; log: ReturnType<typeof createMemoryLogger> }> {
  const fake = await FakeAlpacaData.start(fakeOptions);
  const log = createMemoryLogger();
  const feed = new AlpacaStreamFeed({
    keyId: new Secret(FAKE_ALPACA_KEY),
    secretKey: new Secret(FAKE_ALPACA_SECRET),
    feed: 'iex',
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

describe('Alpaca market data stream', () => {
  it('authenticates, subscribes, and passes bars with their start minute, trades, quotes and halts', async () => {
    const { fake, feed, sink } = await setup({ symbols: ['SPY', 'QQQ'], channels: { trades: true, quotes: true, statuses: true } });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');

    expect(sink.states()).toEqual(['connecting', 'live']);
    expect(fake.authMessages).toEqual([{ key: FAKE_ALPACA_KEY, secret: FAKE_ALPACA_SECRET }]);
    expect(fake.subscribeMessages).toEqual([
      { action: 'subscribe', bars: ['SPY', 'QQQ'], updatedBars: ['SPY', 'QQQ'], trades: ['SPY', 'QQQ'], quotes: ['SPY', 'QQQ'], statuses: ['SPY', 'QQQ'] },
    ]);

    fake.send(alpacaBar('SPY', at10(9), { o: 590, c: 590.4 }), alpacaBar('QQQ', at10(9), { o: 510, c: 509.8 }));
    fake.send(
      { T: 't', S: 'SPY', i: 96921, x: 'V', p: 590.41, s: 100, c: ['@'], t: '2025-03-03T15:10:01.208123456Z', z: 'B' },
      { T: 'q', S: 'SPY', bx: 'V', bp: 590.4, bs: 300, ax: 'V', ap: 590.42, as: 200, c: ['R'], t: '2025-03-03T15:10:01.5Z', z: 'B' },
      { T: 's', S: 'QQQ', sc: 'H', sm: 'Trading Halt', rc: 'T1', rm: 'News Pending', t: '2025-03-03T15:10:02Z', z: 'C' },
      { T: 's', S: 'QQQ', sc: 'T', sm: 'Trading Resumption', rc: '', rm: '', t: '2025-03-03T15:15:00Z', z: 'C' },
    );
    await waitFor(() => sink.statuses.length === 2, 'two statuses');

    expect(sink.bars).toEqual([
      { symbol: 'SPY', timeframe: '1m', start: at10(9), open: 590, high: 590.9, low: 589.5, close: 590.4, volume: 1000 },
      { symbol: 'QQQ', timeframe: '1m', start: at10(9), open: 510, high: 510.5, low: 509.3, close: 509.8, volume: 1000 },
    ]);
    expect(sink.trades).toEqual([{ symbol: 'SPY', time: Date.UTC(2025, 2, 3, 15, 10, 1, 208), price: 590.41, size: 100, id: 96921 }]);
    expect(sink.quotes).toEqual([{ symbol: 'SPY', time: Date.UTC(2025, 2, 3, 15, 10, 1, 500), bidPrice: 590.4, bidSize: 300, askPrice: 590.42, askSize: 200 }]);
    expect(sink.statuses.map((s) => [s.code, s.halted, s.reason])).toEqual([
      ['H', true, 'Trading Halt: News Pending'],
      ['T', false, 'Trading Resumption'],
    ]);
    expect(sink.drops).toEqual([]);
  });

  it('when the key is rejected (402) then health is failed with the reason and it does not retry', async () => {
    const clock = new SteppedClock(MARKET_NOW);
    const { fake, feed, sink, log } = await setup({ secretKey: new Secret('wrong-secret'), clock });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'failed', 'failed');
    // Many backoff periods (they cap at 100 ms here): a retry would connect inside this call.
    expect(clock.nextTimerAt()).toBeNull();
    clock.advanceBy(10_000);

    expect(sink.lastHealth()?.detail).toMatch(/rejected the API key \(402 auth failed\)/);
    expect(sink.lastHealth()?.detail).toContain('TRADING_ALPACA_KEY_ID');
    expect(feed.stats.connects).toBe(1);
    expect(fake.connectionCount).toBe(1);
    expect(sink.states()).toEqual(['connecting', 'failed']);
    // Neither the key nor the secret reaches a health detail or a log line.
    const said = JSON.stringify([sink.healthLog, log.lines]);
    expect(said).not.toContain('wrong-secret');
    expect(said).not.toContain(FAKE_ALPACA_KEY);
  });

  it('when the plan lacks the feed (409) then health is failed, naming the fix, without retrying', async () => {
    const clock = new SteppedClock(MARKET_NOW);
    const { fake, feed, sink } = await setup({ feed: 'sip', clock });
    fake.subscribeError = ALPACA_ERRORS.insufficientSubscription;
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'failed', 'failed');
    // Nothing is scheduled, and many backoff periods later nothing has connected again.
    expect(clock.nextTimerAt()).toBeNull();
    clock.advanceBy(10_000);

    expect(sink.lastHealth()?.detail).toMatch(/does not include the SIP feed \(409 insufficient subscription\).*TRADING_ALPACA_FEED=iex/);
    expect(feed.stats.connects).toBe(1);
    expect(fake.connectionCount).toBe(1);
  });

  it('when another program holds the connection (406) then health is failed and it retries only after the long wait', async () => {
    const clock = new SteppedClock(MARKET_NOW);
    const { fake, feed, sink } = await setup({ connectionLimitRetryMs: 400, clock });
    fake.connectError = ALPACA_ERRORS.connectionLimit;
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'failed', 'failed');
    expect(sink.lastHealth()?.detail).toMatch(/406 connection limit exceeded.*retrying in 400 ms/);

    clock.advanceBy(399); // the whole wait but its last millisecond: many backoff periods
    expect(feed.stats.connects).toBe(1);
    expect(fake.connectionCount).toBe(1); // no hammering inside the wait

    fake.connectError = null; // the other program let go
    clock.advanceBy(1); // the wait is over: it connects again
    expect(feed.stats.connects).toBe(2);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live again', 2_000);
    expect(fake.connectionCount).toBe(2);
    expect(sink.states()).toEqual(['connecting', 'failed', 'connecting', 'live']);
  });

  for (const [name, error, pattern] of [
    ['410', ALPACA_ERRORS.invalidSubscribeAction, /refused the subscription \(410 invalid subscribe action for this feed\)/],
    ['411', ALPACA_ERRORS.insufficientScope, /may not read this stream \(411 insufficient scope\)/],
  ] as const) {
    it(`when Alpaca answers ${name} at connect then health is failed with the reason and it does not retry`, async () => {
      const clock = new SteppedClock(MARKET_NOW);
      const { fake, feed, sink } = await setup({ clock });
      fake.subscribeError = error;
      await feed.start(sink);
      await waitFor(() => sink.lastHealth()?.state === 'failed', 'failed');
      expect(clock.nextTimerAt()).toBeNull();
      clock.advanceBy(10_000);
      expect(sink.lastHealth()?.detail).toMatch(pattern);
      expect(fake.connectionCount).toBe(1);
    });
  }

  it('when a subscription names a channel the stream does not have then the fake answers 410 as documented, and the client stops', async () => {
    const { fake } = await setup();
    const ws = await import('ws');
    const raw = new ws.default(fake.streamUrl);
    const replies: string[] = [];
    raw.on('message', (d) => {
      replies.push(d.toString());
      const m = JSON.parse(d.toString()) as Array<{ msg?: string }>;
      if (m[0]?.msg === 'connected') raw.send(JSON.stringify({ action: 'auth', key: FAKE_ALPACA_KEY, secret: FAKE_ALPACA_SECRET }));
      if (m[0]?.msg === 'authenticated') raw.send(JSON.stringify({ action: 'subscribe', news: ['SPY'] }));
    });
    await waitFor(() => replies.some((r) => r.includes('410')), '410');
    raw.terminate();
    expect(JSON.parse(replies.at(-1)!)).toEqual([{ T: 'error', code: 410, msg: 'invalid subscribe action for this feed' }]);
  });

  it('when a 406 comes after a reconnect then it retries shortly (Alpaca still counts the dropped connection), not after the long wait', async () => {
    const { fake, feed, sink } = await setup({ connectionLimitRetryMs: 60_000 });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.nextConnectErrors.push(ALPACA_ERRORS.connectionLimit, ALPACA_ERRORS.connectionLimit);
    fake.dropAll();
    await waitFor(() => sink.states().filter((s) => s === 'live').length === 2, 'live again soon', 3_000);
    expect(fake.connectionCount).toBe(4);
    expect(sink.healthLog.filter((h) => h.detail.includes('406')).every((h) => h.state === 'reconnecting' && !h.detail.includes('60 s'))).toBe(true);
  });

  it('when a trade correction (c) or a cancel-error (x) comes then it is parsed, checked and passed on for the tape, and counted', async () => {
    const { fake, feed, sink } = await setup({ channels: { trades: true } });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    const t = Date.UTC(2025, 2, 3, 15, 10, 5);
    fake.send(
      { T: 't', S: 'SPY', i: 7, x: 'V', p: 590.41, s: 100, c: ['@'], t: '2025-03-03T15:10:01Z', z: 'B' },
      alpacaCorrection('SPY', t, { i: 7, p: 590.41, s: 100 }, { i: 8, p: 590.14, s: 100 }),
      alpacaCancelError('SPY', t, { i: 9, p: 591, s: 50 }, 'C'),
      alpacaCancelError('SPY', t, { i: 10, p: 592, s: 10 }, 'E'),
      { T: 'c', S: 'SPY', oi: 11, op: 'x', os: 1, cp: 1, cs: 1, t: '2025-03-03T15:10:05Z' },
    );
    await waitFor(() => sink.corrections.length === 3 && sink.drops.length === 1, 'three amendments and one bad one');
    expect(sink.corrections).toEqual([
      { symbol: 'SPY', time: t, kind: 'correction', original: { id: 7, price: 590.41, size: 100 }, corrected: { id: 8, price: 590.14, size: 100 } },
      { symbol: 'SPY', time: t, kind: 'cancel', original: { id: 9, price: 591, size: 50 } },
      { symbol: 'SPY', time: t, kind: 'error', original: { id: 10, price: 592, size: 10 } },
    ]);
    expect(sink.drops[0]!.reason).toBe('invalid_message');
    expect(feed.stats).toMatchObject({ trades: 1, tradeCorrections: 1, tradeCancels: 2 });
  });

  it('when a one-byte heartbeat frame comes then it is not counted as malformed', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.heartbeat();
    fake.send(alpacaBar('SPY', at10(9)));
    await waitFor(() => sink.bars.length === 1, 'the bar after the heartbeat');
    expect(sink.drops).toEqual([]);
    expect(feed.stats.dropped).toEqual({});
  });

  it('when the socket drops mid-stream then it reconnects, resubscribes and backfills the gap once, in order, before live bars', async () => {
    const { fake, feed, sink } = await setup({ symbols: ['SPY', 'QQQ'] }, { pageSize: 3 });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.send(alpacaBar('SPY', at10(0)), alpacaBar('QQQ', at10(0)));
    fake.send(alpacaBar('SPY', at10(1)), alpacaBar('QQQ', at10(1)));
    await waitFor(() => sink.bars.length === 4, 'first bars');

    // REST holds 10:00–10:10; 10:10 is still forming (now is 10:10:30) and must not be asked for.
    const minutes = Array.from({ length: 11 }, (_, i) => at10(i));
    fake.setRestBars('SPY', minutes.map((m) => alpacaRestBar(m, 101)));
    fake.setRestBars('QQQ', minutes.map((m) => alpacaRestBar(m, 102)));
    fake.restDelayMs = 100;
    // On resubscribe the stream at once repeats 10:09, which the backfill also brings.
    fake.onSubscribe = [alpacaBar('SPY', at10(9), { c: 99 })];
    fake.dropAll();

    await waitFor(() => sink.states().filter((s) => s === 'live').length === 2, 'live after reconnect', 3_000);
    fake.send(alpacaBar('SPY', at10(10)));
    await waitFor(() => starts(sink).includes(at10(10)), 'the live 10:10 bar');

    expect(fake.subscribeMessages).toHaveLength(2);
    expect(fake.subscribeMessages[1]).toEqual(fake.subscribeMessages[0]);
    const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(at10);
    expect(starts(sink)).toEqual([...expected, at10(10)]);
    expect(starts(sink, 'QQQ')).toEqual(expected);
    // History reached the sink in time order across symbols, and the backfilled 10:09 won over the repeat.
    const backfilled = sink.bars.slice(4, 4 + 16);
    expect(backfilled.map((b) => `${b.symbol}@${(b.start - at10(0)) / 60_000}`).slice(0, 4)).toEqual(['SPY@2', 'QQQ@2', 'SPY@3', 'QQQ@3']);
    expect(sink.bars.find((b) => b.symbol === 'SPY' && b.start === at10(9))?.close).toBe(101);
    expect(sink.drops).toEqual([{ reason: 'duplicate_bar', detail: 'Alpaca SPY bar 2025-03-03T15:09Z' }]);

    const first = fake.restRequests.find((u) => u.pathname === '/v2/stocks/SPY/bars' && !u.searchParams.has('page_token'))!;
    expect(Object.fromEntries(first.searchParams)).toMatchObject({
      timeframe: '1Min',
      start: '2025-03-03T15:02:00.000Z',
      end: '2025-03-03T15:09:00.000Z',
      feed: 'iex',
    });
    expect(fake.restRequests.filter((u) => u.pathname === '/v2/stocks/SPY/bars')).toHaveLength(3); // 8 bars, 3 a page
    expect(fake.restHeaders[0]).toMatchObject({ 'apca-api-key-id': FAKE_ALPACA_KEY, 'apca-api-secret-key': FAKE_ALPACA_SECRET });
    expect(sink.states()).toEqual(['connecting', 'live', 'reconnecting', 'reconnecting', 'live']);
    expect(feed.stats).toMatchObject({ connects: 2, reconnects: 1, backfilled: 16 });
  });

  it('with resumeAfter, the first session fills the gap between the caller\'s history and now', async () => {
    const { fake, feed, sink } = await setup({ resumeAfter: { SPY: at10(5) } });
    fake.setRestBars('SPY', [4, 5, 6, 7, 8, 9, 10].map((m) => alpacaRestBar(at10(m))));
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');

    expect(starts(sink)).toEqual([6, 7, 8, 9].map(at10));
    expect(sink.states()).toEqual(['connecting', 'connecting', 'live']);
    expect(sink.lastHealth()?.detail).toMatch(/backfilled 4 bar/);
  });

  it('when the backfill request fails then the gap is reported as dropped and the stream still goes live', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.send(alpacaBar('SPY', at10(0)));
    await waitFor(() => sink.bars.length === 1, 'first bar');
    fake.restFailStatus = 429;
    fake.dropAll();
    await waitFor(() => sink.healthLog.filter((h) => h.state === 'live').length === 2, 'live again');

    expect(sink.drops).toHaveLength(1);
    expect(sink.drops[0]!.reason).toBe('backfill_failed');
    expect(sink.drops[0]!.detail).toMatch(/SPY 2025-03-03T15:01Z–2025-03-03T15:09Z: Alpaca bars for SPY: HTTP 429/);
    expect(sink.lastHealth()?.detail).toMatch(/backfill failed for 1 symbol/);
  });

  it('drops and counts malformed JSON and invalid messages, and the stream carries on', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.sendRaw('[{"T":"b","S":"SPY", oops');
    fake.send({ T: 'b', S: 'SPY', o: 'a lot', h: 1, l: 1, c: 1, v: 1, t: '2025-03-03T15:05:00Z' }, { T: 'b', S: 'SPY', o: 1, h: 1, l: 1, c: 1, v: 1, t: 'yesterday' });
    fake.send({ nothing: true }, alpacaBar('SPY', at10(5)));
    await waitFor(() => sink.bars.length === 1, 'the good bar');

    expect(sink.bars[0]!.start).toBe(at10(5));
    expect(sink.drops.map((d) => d.reason)).toEqual(['malformed_json', 'invalid_message', 'invalid_message', 'invalid_message']);
    expect(feed.stats.dropped).toEqual({ malformed_json: 1, invalid_message: 3 });
    expect(sink.lastHealth()?.state).toBe('live');
    expect(fake.connectionCount).toBe(1);
  });

  it('drops duplicate and out-of-order bars and passes an updated bar as a correction of the same minute', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.send(alpacaBar('SPY', at10(5), { c: 100.5 }));
    fake.send(alpacaBar('SPY', at10(5), { c: 100.5 })); // duplicate
    fake.send(alpacaBar('SPY', at10(3))); // out of order
    fake.send(alpacaBar('SPY', at10(5), { T: 'u', c: 100.9 })); // late trades corrected 10:05
    fake.send(alpacaBar('SPY', at10(4), { T: 'u', c: 100.7 })); // a correction the engine can no longer take
    fake.send(alpacaBar('SPY', at10(6)));
    await waitFor(() => starts(sink).includes(at10(6)), '10:06');

    expect(sink.bars.map((b) => [b.start, b.close])).toEqual([
      [at10(5), 100.5],
      [at10(5), 100.9],
      [at10(6), 100.5],
    ]);
    expect(sink.drops.map((d) => d.reason)).toEqual(['duplicate_bar', 'out_of_order_bar', 'stale_correction']);
    expect(feed.stats).toMatchObject({ bars: 2, corrections: 1 });
  });

  it('turns stale when silent past the threshold in market hours, then live again when messages resume', async () => {
    const { fake, feed, sink } = await setup({ staleAfterMs: 150 });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    await waitFor(() => sink.lastHealth()?.state === 'stale', 'stale', 2_000);
    expect(sink.lastHealth()?.detail).toMatch(/no message from Alpaca for .* during market hours/);

    fake.send(alpacaBar('SPY', at10(9)));
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live again');
    expect(sink.lastHealth()?.detail).toMatch(/resumed after/);
    expect(fake.connectionCount).toBe(1); // the vendor answered the ping: quiet, not dead
  });

  it('does not call a silent stream stale while the market is closed', async () => {
    const clock = new SteppedClock(WEEKEND_NOW);
    const { feed, sink } = await setup({ staleAfterMs: 80, clock });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    // Five thresholds of silence: the watchdog checks every 20 ms of it, inside this call.
    clock.advanceBy(400);
    expect(sink.states()).toEqual(['connecting', 'live']);
  });

  it('when a silent connection does not answer a ping then it is replaced', async () => {
    const { fake, feed, sink } = await setup({ staleAfterMs: 150, pongTimeoutMs: 150 }, { autoPong: false });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    await waitFor(() => fake.connectionCount === 2 && sink.lastHealth()?.state === 'live', 'a fresh connection', 3_000);

    expect(sink.states().slice(0, 4)).toEqual(['connecting', 'live', 'stale', 'reconnecting']);
    expect(sink.healthLog[3]!.detail).toMatch(/did not answer a ping/);
  });

  it('reconnects with backoff after transient vendor errors (slow client, internal error)', async () => {
    const { fake, feed, sink } = await setup();
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    fake.send({ T: 'error', ...ALPACA_ERRORS.slowClient });
    await waitFor(() => fake.connectionCount === 2 && sink.lastHealth()?.state === 'live', 'second session');
    fake.send({ T: 'error', ...ALPACA_ERRORS.internal });
    await waitFor(() => fake.connectionCount === 3 && sink.lastHealth()?.state === 'live', 'third session');

    const reconnecting = sink.healthLog.filter((h) => h.state === 'reconnecting').map((h) => h.detail);
    expect(reconnecting[0]).toMatch(/407 slow client.*reconnecting in .* \(attempt 1\)/);
    expect(reconnecting[1]).toMatch(/500 internal error.*\(attempt 2\)/);
    expect(fake.subscribeMessages).toHaveLength(3);
  });

  it('stops cleanly: health stopped, socket closed, no reconnect afterwards', async () => {
    const clock = new SteppedClock(MARKET_NOW);
    const { fake, feed, sink } = await setup({ clock });
    await feed.start(sink);
    await waitFor(() => sink.lastHealth()?.state === 'live', 'live');
    await feed.stop();
    // Nothing is left scheduled, and many backoff periods later nothing has connected again.
    expect(clock.nextTimerAt()).toBeNull();
    clock.advanceBy(10_000);

    expect(sink.lastHealth()).toEqual({ state: 'stopped', detail: 'Alpaca stream stopped' });
    expect(fake.subscribedClients).toBe(0);
    expect(feed.stats.connects).toBe(1);
    expect(fake.connectionCount).toBe(1);
  });
});
