// Issue 12, finding 4: idle, slow-header and unauthenticated sockets are closed within their
// timeouts, and connections and socket clients beyond the limits are refused.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeadlessServer, type HeadlessLimits, type HeadlessServer } from '../../../src/main/headless/server';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { SocketCloseCodes } from '../../../src/shared/socket-close';
import { openSocket } from '../../helpers/socket';
import { fakeHost } from './fake-host';

const TOKEN = 'limits-token-0123456789';
let server: HeadlessServer | null = null;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server?.close();
  server = null;
});

async function start(limits: Partial<HeadlessLimits>): Promise<HeadlessServer> {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cockpit</title>');
  server = await startHeadlessServer({ engine: fakeHost(), rendererDir: dir, port: 0, token: TOKEN, logger: createMemoryLogger(), limits });
  return server;
}

/** A raw TCP connection that records what it receives and when it closes. */
function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolvePromise, reject) => {
    const openedAt = Date.now();
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - openedAt)));
    socket.once('error', reject);
    socket.once('connect', () => resolvePromise({ socket, received: () => received, closed }));
  });
}

/** The promise, or a failure after `ms`: a bound on waiting, not a sleep. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

describe('connection limits and idle timeouts (issue 12: no connection limits or idle timeouts)', () => {
  it('a socket that sends its headers slowly is closed within the header timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const c = await rawConnection(port);
    c.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const after = await within(c.closed, 5_000, 'closing the slow-header socket');
    expect(after).toBeLessThan(5_000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a socket that connects and never sends a byte is closed within the header timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const c = await rawConnection(port);
    await within(c.closed, 5_000, 'closing the idle socket');
  });

  it('connections beyond the limit are refused while the ones within it keep working', async () => {
    const { port } = await start({ maxConnections: 2 });
    const first = await rawConnection(port);
    const second = await rawConnection(port);
    const third = await rawConnection(port);
    await within(third.closed, 5_000, 'refusing the third connection');
    expect(third.received()).toBe('');
    // The first two were accepted and are served.
    first.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    await within(first.closed, 5_000, 'answering the first connection');
    expect(first.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(second.socket.destroyed).toBe(false);
  });

  it('WebSocket clients beyond the limit are refused with 503', async () => {
    const { port } = await start({ maxClients: 1 });
    const one = await openSocket(`ws://127.0.0.1:${port}/ws`);
    await expect(openSocket(`ws://127.0.0.1:${port}/ws`)).rejects.toThrow(/503/);
    one.close();
  });

  it('a socket that never authenticates is told so and closed (4401) within the auth timeout', async () => {
    const { port } = await start({ authTimeoutMs: 200 });
    const s = await openSocket(`ws://127.0.0.1:${port}/ws`);
    const closed = await within(s.closed, 5_000, 'closing the unauthenticated socket');
    expect(closed.code).toBe(SocketCloseCodes.UNAUTHORIZED);
    expect(s.messages).toEqual([{ type: 'auth.error', error: { code: 'UNAUTHORIZED', message: 'no auth message within 200 ms' } }]);
  });
});
