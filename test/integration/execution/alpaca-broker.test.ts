// The Alpaca broker against a loopback fake over real sockets: idempotent submits through 5xx, timeouts
// and 429, rejects as orders, fills over the stream, stale and duplicate events dropped, and a
// reconciliation report after a dropped stream reconnects.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/main/config/secret';
import { AlpacaBroker, AlpacaBrokerError, type AlpacaBrokerConfig } from '../../../src/main/execution/alpaca-broker';
import type { Order, OrderEvent, OrderRequest, Position } from '../../../src/main/execution/types';
import { FAKE_TRADING_KEY, FAKE_TRADING_SECRET, FakeAlpacaTrading } from '../../fakes/fake-alpaca-trading';
import { loopbackFetch, seededRandom, waitFor } from '../vendors/helpers';

let fake: FakeAlpacaTrading;
let broker: AlpacaBroker;
let logs: string[];
let events: OrderEvent[];

function makeBroker(over: Partial<AlpacaBrokerConfig> = {}): AlpacaBroker {
  const b = new AlpacaBroker({
    keyId: new Secret(FAKE_TRADING_KEY),
    secretKey: new Secret(FAKE_TRADING_SECRET),
    restUrl: fake.restUrl,
    streamUrl: fake.streamUrl,
    fetch: loopbackFetch,
    backoff: { baseMs: 5, capMs: 20 },
    random: seededRandom(7),
    requestTimeoutMs: 300,
    log: (level, message) => logs.push(`${level} ${message}`),
    ...over,
  });
  b.onEvent((e) => events.push(e));
  return b;
}

const market = (id: string, over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: id,
  symbol: 'AAPL',
  side: 'buy',
  qty: 10,
  type: 'market',
  timeInForce: 'day',
  intent: 'entry',
  reason: 'signal s-1',
  ...over,
});

const types = (): string[] => events.map((e) => e.type);

beforeEach(async () => {
  fake = await FakeAlpacaTrading.start();
  logs = [];
  events = [];
  broker = makeBroker();
});

afterEach(async () => {
  broker.stop();
  await fake.close();
  // Keys never leak into anything the broker wrote.
  for (const line of logs) {
    expect(line).not.toContain(FAKE_TRADING_KEY);
    expect(line).not.toContain(FAKE_TRADING_SECRET);
  }
});

async function startStream(b: AlpacaBroker = broker): Promise<void> {
  b.start();
  await waitFor(() => b.streamState === 'live', 'stream live');
}

describe('AlpacaBroker orders', () => {
  it('when a market order is submitted then it is accepted and fills arrive over the stream', async () => {
    await startStream();
    const order = await broker.submit(market('c-1'));
    expect(order).toMatchObject({ clientOrderId: 'c-1', status: 'accepted', symbol: 'AAPL', qty: 10, reason: 'signal s-1' });
    expect(order.brokerOrderId).not.toBe('');
    await waitFor(() => events.length === 1, 'accepted event');
    fake.fill('c-1', 10, 187.42);
    await waitFor(() => events.length === 2, 'fill event');
    expect(types()).toEqual(['accepted', 'fill']);
    const fill = events[1]!;
    expect(fill.type === 'fill' && fill.fill).toMatchObject({ qty: 10, price: 187.42, side: 'buy', clientOrderId: 'c-1' });
    expect(fill.order.status).toBe('filled');
    expect(await broker.positions()).toEqual([{ symbol: 'AAPL', qty: 10, avgEntryPrice: 187.42 }]);
  });

  it('when the order went through but the answer was a 500 then the retry finds it and there is one order', async () => {
    fake.submitScript.push({ kind: 'status', status: 500, message: 'internal error', createFirst: true });
    const order = await broker.submit(market('c-500'));
    expect(order.status).toBe('accepted');
    expect(fake.orders.size).toBe(1);
    expect(fake.postCount).toBe(1);
  });

  it('when a 500 came before the order existed then the resend creates exactly one', async () => {
    fake.submitScript.push({ kind: 'status', status: 503, message: 'unavailable' });
    const order = await broker.submit(market('c-503'));
    expect(order.status).toBe('accepted');
    expect(fake.orders.size).toBe(1);
    expect(fake.postCount).toBe(2);
  });

  it('when the request times out after the broker took it then the lookup returns it instead of resending', async () => {
    fake.submitScript.push({ kind: 'hang', createFirst: true });
    const order = await broker.submit(market('c-hang'));
    expect(order.clientOrderId).toBe('c-hang');
    expect(fake.orders.size).toBe(1);
    expect(fake.postCount).toBe(1);
    expect(logs.some((l) => l.includes('timed out'))).toBe(true);
  });

  it('when rate limited then it waits Retry-After and sends again', async () => {
    fake.submitScript.push({ kind: 'status', status: 429, message: 'too many requests', retryAfter: '0' });
    const order = await broker.submit(market('c-429'));
    expect(order.status).toBe('accepted');
    expect(fake.postCount).toBe(2);
    expect(fake.orders.size).toBe(1);
  });

  it('when a duplicate client order id is refused then the existing order is returned', async () => {
    const first = await broker.submit(market('c-dup'));
    const again = await broker.submit(market('c-dup'));
    expect(again.brokerOrderId).toBe(first.brokerOrderId);
    expect(fake.orders.size).toBe(1);
  });

  it('when the broker rejects then the order is rejected with its reason, not thrown', async () => {
    fake.rejectWith = 'insufficient buying power';
    const order = await broker.submit(market('c-rej'));
    expect(order).toMatchObject({ status: 'rejected', note: 'insufficient buying power', clientOrderId: 'c-rej' });
  });

  it('when a bracket is sent then the legs reach the broker and come back on the order', async () => {
    const order = await broker.submit(market('c-br', { type: 'limit', limitPrice: 100, bracket: { takeProfit: 105, stopLoss: 98 } }));
    expect(order.bracket).toEqual({ takeProfit: 105, stopLoss: 98 });
    expect(order.limitPrice).toBe(100);
  });

  it('when an order is canceled then Alpaca answers 204 on acceptance and the order ends canceled on the stream, through pending_cancel when reported', async () => {
    await startStream();
    fake.pendingCancel = true;
    await broker.submit(market('c-can', { type: 'limit', limitPrice: 50 }));
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['c-can']);
    fake.cancelDelayMs = 300;
    const answered = await makeBroker({ cancelSettleMs: 50 }).cancel('c-can');
    expect(answered.status).toBe('accepted'); // pending_cancel: still open after the 204 and a short settle
    await waitFor(() => types().includes('canceled'), 'canceled on the stream');
    expect(fake.sentEvents.map((e) => e.event)).toEqual(['new', 'pending_cancel', 'canceled']);
    expect(await broker.openOrders()).toEqual([]);
    expect((await broker.orderByClientId('c-can'))!.status).toBe('canceled');
    // With the default settle the cancel reads the order again until it ended.
    fake.cancelDelayMs = 20;
    await broker.submit(market('c-can2', { type: 'limit', limitPrice: 50 }));
    expect((await broker.cancel('c-can2')).status).toBe('canceled');
  });

  it('when more than 500 orders are open (501) then every one is read, paged by submission time', async () => {
    for (let i = 0; i < 501; i++) fake.addLostOwnOrder(`entry-P${i}`, 'AAPL', 1, 'buy', 'limit', 1);
    const open = await broker.openOrders();
    expect(open).toHaveLength(501);
    expect(new Set(open.map((o) => o.clientOrderId)).size).toBe(501);
    const lists = fake.requests.filter((r) => r.path.startsWith('/v2/orders?'));
    expect(lists.length).toBeGreaterThanOrEqual(2);
    expect(lists[0]!.path).toContain('limit=500');
    expect(lists[1]!.path).toContain('after=');
  });

  it('when an mleg order is on the account during reconciliation then the open-order list still reads, ours kept and the mleg one skipped and named', async () => {
    await broker.submit(market('entry-AAPL-own', { type: 'limit', limitPrice: 50 }));
    const mleg = fake.addOutsideMlegOrder();
    const notional = fake.addOutsideNotionalOrder('SPY', 250);
    const crypto = fake.addOutsideCryptoOrder();
    const open = await broker.openOrders();
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(['entry-AAPL-own', notional.client_order_id, crypto.client_order_id].sort());
    expect(broker.skippedOrders).toEqual([expect.objectContaining({ brokerOrderId: mleg.id, what: 'mleg order of AAPL250321P00200000, AAPL250321C00380000' })]);
    expect(logs.some((l) => l.startsWith('warn') && l.includes(mleg.id) && l.includes('skipped'))).toBe(true);
    // Its trade updates on the stream are skipped too, not counted as malformed.
    await startStream();
    fake.event('canceled', { ...mleg, status: 'canceled' });
    await waitFor(() => broker.stats.skipped === 1, 'the mleg update skipped');
    expect(broker.stats.malformed).toBe(0);
  });

  it('when account and clock are asked then they are typed numbers and epoch ms', async () => {
    expect(await broker.account()).toMatchObject({ cash: 100000, buyingPower: 200000, tradingBlocked: false });
    const clock = await broker.clock();
    expect(clock.isOpen).toBe(true);
    expect(clock.nextClose).toBe(Date.UTC(2025, 2, 3, 21, 0));
  });

  it('when a response is malformed then the error names the call, not a crash', async () => {
    fake.malformed.add('GET /v2/account');
    await expect(broker.account()).rejects.toThrow(/GET \/v2\/account: malformed response/);
    await expect(broker.account()).rejects.toBeInstanceOf(AlpacaBrokerError);
  });

  it('when a short position is listed then its quantity is negative', async () => {
    fake.setPosition('TSLA', -5, 250);
    expect(await broker.positions()).toEqual([{ symbol: 'TSLA', qty: -5, avgEntryPrice: 250 }]);
  });

  it('when the live host is configured without live then construction fails', () => {
    expect(() => makeBroker({ restUrl: 'https://api.alpaca.markets' })).toThrow(/live/);
    expect(makeBroker({ restUrl: undefined, streamUrl: undefined }).restUrl).toBe('https://paper-api.alpaca.markets');
  });

  it('when keys are wrong then errors and logs never contain them', async () => {
    const wrong = makeBroker({ keyId: new Secret('SECRET-KEY-ID-XYZ'), secretKey: new Secret('SECRET-VALUE-XYZ') });
    const err = (await wrong.account().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/401/);
    wrong.start();
    await waitFor(() => wrong.streamState === 'unauthorized', 'unauthorized');
    wrong.stop();
    const everything = [err.message, String(err.stack), JSON.stringify(wrong), ...logs].join('\n');
    expect(everything).not.toContain('SECRET-KEY-ID-XYZ');
    expect(everything).not.toContain('SECRET-VALUE-XYZ');
  });
});

describe('AlpacaBroker trade_updates stream', () => {
  it('when a partial fill comes then a fill then both are reported in order', async () => {
    await startStream();
    await broker.submit(market('c-pf'));
    fake.fill('c-pf', 4, 100);
    fake.fill('c-pf', 6, 101);
    await waitFor(() => events.length === 3, 'two fills');
    expect(types()).toEqual(['accepted', 'fill', 'fill']);
    expect(events.map((e) => e.order.status)).toEqual(['accepted', 'partially_filled', 'filled']);
    expect(events.map((e) => (e.type === 'fill' ? e.fill.qty : 0))).toEqual([0, 4, 6]);
  });

  it('when events are duplicated or stale then they are ignored and counted', async () => {
    await startStream();
    await broker.submit(market('c-ooo'));
    const partial = fake.fill('c-ooo', 4, 100);
    const full = fake.fill('c-ooo', 6, 101);
    fake.sendRaw(full); // duplicate execution
    fake.sendRaw(partial); // partial after fill: stale, and already seen
    const o = fake.orderByClientId('c-ooo')!;
    const lateNew = { event: 'new', timestamp: new Date().toISOString(), order: { ...o, status: 'new', filled_qty: '0' } };
    fake.sendRaw(lateNew); // accepted after filled
    fake.sendRaw({ event: 'partial_fill', execution_id: 'exec-late', price: '99', qty: '1', order: { ...o, status: 'partially_filled', filled_qty: '5' } });
    fake.sendRaw({ event: 'canceled', order: { ...o, status: 'canceled' } }); // cancel after fill
    await waitFor(() => broker.stats.duplicates + broker.stats.outOfOrder >= 5, 'stale events counted');
    expect(types()).toEqual(['accepted', 'fill', 'fill']);
    expect(broker.stats.duplicates).toBe(3);
    expect(broker.stats.outOfOrder).toBe(2);
  });

  it('when the stream drops then it reconnects and tells its listeners, reading no orders of its own (the engine reconciles once)', async () => {
    let live = 0;
    broker.onStreamLive(() => live++);
    await startStream();
    await waitFor(() => live === 1, 'first connect');
    const reads = (): number => fake.requests.filter((r) => r.method === 'GET' && (r.path.startsWith('/v2/orders') || r.path.startsWith('/v2/positions'))).length;
    const before = reads();
    fake.dropStream();
    await waitFor(() => live === 2, 'reconnected');
    expect(broker.stats.reconnects).toBe(1);
    expect(fake.connectionCount).toBe(2);
    expect(reads()).toBe(before);
  });

  it('when the stream logs in then it sends the documented authenticate form, and the market-data form is refused', async () => {
    await startStream();
    expect(fake.authMessages[0]).toEqual({ action: 'authenticate', data: { key_id: FAKE_TRADING_KEY, secret_key: FAKE_TRADING_SECRET } });
    expect(fake.authMessages[1]).toEqual({ action: 'listen', data: { streams: ['trade_updates'] } });
    // The old form, as a raw client would send it: answered unauthorized and closed, like Alpaca.
    const { default: WebSocket } = await import('ws');
    const raw = new WebSocket(fake.streamUrl);
    const answer = await new Promise<string>((resolve) => {
      raw.on('open', () => raw.send(JSON.stringify({ action: 'auth', key: FAKE_TRADING_KEY, secret: FAKE_TRADING_SECRET })));
      raw.on('message', (d) => resolve(d.toString()));
    });
    expect(JSON.parse(answer)).toEqual({ stream: 'authorization', data: { status: 'unauthorized', action: 'auth' } });
    raw.terminate();
  });

  it('when the trade stream goes silent without closing (half-open) then the watchdog drops it, reconnects and the stream goes live again', async () => {
    const b = makeBroker({ streamPingIntervalMs: 20, streamStaleAfterMs: 150 });
    let live = 0;
    b.onStreamLive(() => live++);
    await startStream(b);
    expect(live).toBe(1);
    fake.silence();
    await waitFor(() => live === 2, 'live again after the silent socket was dropped', 3_000);
    expect(b.stats.stale).toBe(1);
    expect(fake.connectionCount).toBe(2);
    expect(logs.some((l) => l.includes('silent for'))).toBe(true);
    await b.submit(market('c-after-silence'));
    fake.fill('c-after-silence', 10, 100);
    await waitFor(() => types().includes('fill'), 'a fill on the new socket');
    b.stop();
  });

  it('when the stream never answers the login then the handshake times out and it tries again', async () => {
    const b = makeBroker({ streamHandshakeTimeoutMs: 100 });
    fake.silenceNewConnections = 1;
    await startStream(b);
    expect(b.stats.stale).toBe(1);
    expect(fake.connectionCount).toBe(2);
    b.stop();
  });

  it('when a one-byte heartbeat frame comes then it is counted as a heartbeat, not malformed', async () => {
    await startStream();
    fake.heartbeat();
    await waitFor(() => broker.stats.heartbeats === 1, 'heartbeat counted');
    expect(broker.stats.malformed).toBe(0);
  });

  it('when an order is replaced outside the cockpit then the old order ends canceled with a note naming its successor, which is another (outside) order', async () => {
    await startStream();
    await broker.submit(market('c-repl', { type: 'limit', limitPrice: 50 }));
    const next = fake.replaceOrder('c-repl', { limitPrice: 51 });
    await waitFor(() => events.some((e) => e.type === 'canceled' && e.order.clientOrderId === 'c-repl'), 'old order canceled');
    const ended = events.find((e) => e.type === 'canceled' && e.order.clientOrderId === 'c-repl')!;
    expect(ended.order.note).toBe(`replaced by ${next.id}`);
    expect((await broker.orderByClientId('c-repl'))).toMatchObject({ status: 'canceled', note: `replaced by ${next.id}` });
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual([next.client_order_id]);
  });

  it('when Alpaca reports pending_new, accepted, done_for_day, expired and rejected then they map to one accepted and the documented ends', async () => {
    await startStream();
    fake.staged = true;
    await broker.submit(market('c-exp', { type: 'limit', limitPrice: 50 }));
    await broker.submit(market('c-late-rej', { type: 'limit', limitPrice: 50 }));
    fake.doneForDay('c-exp');
    fake.expire('c-exp');
    fake.rejectLater('c-late-rej');
    await waitFor(() => types().includes('expired') && types().includes('rejected'), 'expired and rejected');
    const of = (id: string): string[] => events.filter((e) => e.order.clientOrderId === id).map((e) => e.type);
    expect(of('c-exp')).toEqual(['accepted', 'expired']);
    expect(of('c-late-rej')).toEqual(['accepted', 'rejected']);
    expect(fake.sentEvents.filter((e) => (e.order as { client_order_id: string }).client_order_id === 'c-exp').map((e) => e.event)).toEqual(['pending_new', 'accepted', 'new', 'done_for_day', 'expired']);
    expect(broker.stats.malformed).toBe(0);
  });

  it('when the broker gives up confirming a submit then it throws unconfirmed without the keys', async () => {
    const b = makeBroker({ maxSubmitAttempts: 2 });
    fake.submitScript.push({ kind: 'status', status: 500, message: 'down' }, { kind: 'status', status: 500, message: 'down' });
    const err = (await b.submit(market('c-down')).catch((e: unknown) => e)) as AlpacaBrokerError;
    expect(err.code).toBe('unconfirmed');
    expect(err.message).not.toContain(FAKE_TRADING_SECRET);
    expect(fake.orders.size).toBe(0);
  });
});
