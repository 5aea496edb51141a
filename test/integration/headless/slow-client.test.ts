// Issue 12, finding 1: a client that stops reading may not make the host buffer without bound. Its
// queue is capped; past the cap it is closed with 4008, which the renderer explains to the trader.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeadlessServer, type HeadlessServer, type SlowClientInfo } from '../../../src/main/headless/server';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { ok } from '../../../src/shared/contract';
import { SocketCloseCodes } from '../../../src/shared/socket-close';
import { openSocket } from '../../helpers/socket';
import { fakeHost } from './fake-host';

const TOKEN = 'slow-client-token-0123456789';
const LIMIT = 1024 * 1024;
const ANSWER_BYTES = 256 * 1024;
let server: HeadlessServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

function rendererDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cockpit</title>');
  return dir;
}

describe('a socket client that stops reading (issue 12: unbounded send queue per client)', () => {
  it('is closed with 4008 once its queue passes the cap, and the queue never grows past the cap', async () => {
    const host = fakeHost();
    // Every answer is big, like market.overlays {limit: 20000}.
    host.answer = () => ok({ points: 'x'.repeat(ANSWER_BYTES) });
    let slow!: (info: SlowClientInfo) => void;
    const dropped = new Promise<SlowClientInfo>((r) => (slow = r));
    server = await startHeadlessServer({
      engine: host,
      rendererDir: rendererDir(),
      port: 0,
      token: TOKEN,
      logger: createMemoryLogger(),
      limits: { maxQueuedBytes: LIMIT, dropEventsAboveBytes: 64 * 1024, closeGraceMs: 20_000 },
      onSlowClient: (info) => slow(info),
    });
    const s = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
    s.send({ type: 'auth', token: TOKEN });
    await s.next((m) => m.type === 'auth.ok');

    // Stop reading: the kernel buffers fill, then the host's own queue for this client.
    const raw = (s.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    // 400 × 256 KiB = 100 MiB asked for, far more than the loopback buffers can hold.
    for (let id = 1; id <= 400; id++) s.send({ type: 'request', id, channel: 'market.overlays', payload: { limit: 20000 } });

    const info = await dropped;
    expect(info.limitBytes).toBe(LIMIT);
    expect(info.queuedBytes).toBeLessThanOrEqual(LIMIT);
    expect(info.queuedBytes + info.nextMessageBytes).toBeGreaterThan(LIMIT);
    // Reading again, the client finds the close frame behind what was queued: 4008, not a reset.
    raw.resume();
    const closed = await s.closed;
    expect(closed.code).toBe(SocketCloseCodes.TOO_SLOW);
    // What it received before the close is bounded by the cap plus the socket buffers, not 100 MiB.
    const answered = s.messages.filter((m) => m.type === 'response').length;
    expect(answered).toBeLessThan(400);
  });
});

describe('unbounded send queue per client (issue 12): events are dropped before responses', () => {
  it('unbounded send queue per client: past the drop threshold a slow client misses market events but still gets its responses', async () => {
    const host = fakeHost();
    const REQUESTS = 80;
    let answered = 0;
    let allAnswered!: () => void;
    const everyAnswer = new Promise<void>((r) => (allAnswered = r));
    host.answer = () => {
      if (++answered === REQUESTS) allAnswered();
      return ok({ points: 'x'.repeat(ANSWER_BYTES) });
    };
    let closedSlow = false;
    server = await startHeadlessServer({
      engine: host,
      rendererDir: rendererDir(),
      port: 0,
      token: TOKEN,
      logger: createMemoryLogger(),
      // Far below the close cap: the client is behind (events dropped) but never closed.
      limits: { maxQueuedBytes: 256 * 1024 * 1024, dropEventsAboveBytes: 64 * 1024, closeGraceMs: 20_000, maxInFlightRequests: 1_000 },
      onSlowClient: () => (closedSlow = true),
    });
    const s = await openSocket(`ws://127.0.0.1:${server.port}/ws`);
    s.send({ type: 'auth', token: TOKEN });
    await s.next((m) => m.type === 'auth.ok');
    const bar = (n: number) => ({ symbol: 'SPY', t: n, o: 1, h: 1, l: 1, c: 1, v: n }) as never;
    const barsReceived = () => s.messages.filter((m) => m.type === 'event' && m.event === 'market.bar').length;

    // A client that reads gets its market events.
    host.publish('market.bar', bar(0));
    await s.next((m) => m.type === 'event' && m.event === 'market.bar');

    // It stops reading and asks for 80 × 256 KiB = 20 MiB: more than the loopback buffers hold, so the
    // host's own queue for it passes the 64 KiB drop threshold.
    const raw = (s.ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    for (let id = 1; id <= REQUESTS; id++) s.send({ type: 'request', id, channel: 'market.overlays', payload: { limit: 20000 } });
    await everyAnswer; // the host handled all of them (it answers each as it reads it)
    expect(answered).toBe(REQUESTS);
    await new Promise((r) => setImmediate(r));

    // 100 market events while it is behind: every one is dropped for it.
    for (let n = 1; n <= 100; n++) host.publish('market.bar', bar(n));

    // Reading again, it gets every response, then the answer to one more request (everything queued before
    // that answer has arrived by then), and none of the bars sent while it was behind.
    raw.resume();
    s.send({ type: 'request', id: 999, channel: 'market.overlays', payload: { limit: 1 } });
    await s.next((m) => m.type === 'response' && m.id === 999, 30_000);
    const responses = new Set(s.messages.filter((m) => m.type === 'response').map((m) => (m as { id: number }).id));
    for (let id = 1; id <= REQUESTS; id++) expect(responses.has(id), `response ${id}`).toBe(true);
    expect(barsReceived()).toBe(1); // only the one sent before it fell behind
    expect(closedSlow).toBe(false);
    expect(s.ws.readyState).toBe(s.ws.OPEN);

    // Caught up, it gets market events again.
    host.publish('market.bar', bar(101));
    await s.next((m) => m.type === 'event' && m.event === 'market.bar' && (m.payload as { t: number }).t === 101);
    s.close();
  }, 60_000);
});
