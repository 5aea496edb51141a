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

  it('when an order is canceled then the broker state comes back and open orders no longer list it', async () => {
    await broker.submit(market('c-can', { type: 'limit', limitPrice: 50 }));
    expect((await broker.openOrders()).map((o) => o.clientOrderId)).toEqual(['c-can']);
    const canceled = await broker.cancel('c-can');
    expect(canceled.status).toBe('canceled');
    expect(await broker.openOrders()).toEqual([]);
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

  it('when the broker gives up confirming a submit then it throws unconfirmed without the keys', async () => {
    const b = makeBroker({ maxSubmitAttempts: 2 });
    fake.submitScript.push({ kind: 'status', status: 500, message: 'down' }, { kind: 'status', status: 500, message: 'down' });
    const err = (await b.submit(market('c-down')).catch((e: unknown) => e)) as AlpacaBrokerError;
    expect(err.code).toBe('unconfirmed');
    expect(err.message).not.toContain(FAKE_TRADING_SECRET);
    expect(fake.orders.size).toBe(0);
  });
});
