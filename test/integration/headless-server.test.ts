// The headless host over a real loopback socket: token, origin, host, and every kind of bad input.
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHeadlessServer, type HeadlessServer } from '../../src/main/headless/server';
import { createMemoryLogger } from '../../src/main/logging/logger';
import { manualEngine, type ManualEngine } from '../helpers/engine';
import { openSocket } from '../helpers/socket';

const TOKEN = 'test-token-0123456789';
let m: ManualEngine;
let server: HeadlessServer;
let wsUrl: string;

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cockpit</title>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'outside-secret.txt'), 'do not serve');
  m = manualEngine();
  await m.engine.start();
  server = await startHeadlessServer({ engine: m.engine, rendererDir: dir, port: 0, token: TOKEN, logger: createMemoryLogger() });
  wsUrl = `ws://127.0.0.1:${server.port}/ws`;
});

afterEach(async () => {
  await server.close();
  await m.engine.stop();
});

async function authed() {
  const s = await openSocket(wsUrl);
  s.send({ type: 'auth', token: TOKEN });
  await s.next((x) => x.type === 'auth.ok');
  return s;
}

async function call(s: Awaited<ReturnType<typeof openSocket>>, id: number, channel: string, payload: unknown) {
  s.send({ type: 'request', id, channel, payload });
  const r = await s.next((x) => x.type === 'response' && x.id === id);
  return r.type === 'response' ? r.result : null;
}

describe('headless host socket', () => {
  it('binds to loopback by default and serves the renderer with a strict CSP', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(await res.text()).toContain('<title>cockpit</title>');
    expect((await fetch(`${server.url}assets/app.js`)).headers.get('content-type')).toContain('javascript');
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await fetch(`${server.url}..%2f..%2f..%2foutside-secret.txt`);
    expect([403, 404]).toContain(res.status);
    expect(await res.text()).not.toContain('do not serve');
  });

  it('a wrong token gets a clear UNAUTHORIZED error and the socket is closed', async () => {
    const s = await openSocket(wsUrl);
    s.send({ type: 'auth', token: 'guess' });
    const reply = await s.next((x) => x.type === 'auth.error');
    expect(reply).toEqual({ type: 'auth.error', error: { code: 'UNAUTHORIZED', message: 'wrong access token' } });
    expect((await s.closed).code).toBe(4401);
  });

  it('a request before authenticating is refused', async () => {
    const s = await openSocket(wsUrl);
    const r = await call(s, 1, 'app.info', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    s.close();
  });

  it('a page from another origin cannot open the socket', async () => {
    await expect(openSocket(wsUrl, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const same = await openSocket(wsUrl, { Origin: `http://127.0.0.1:${server.port}` });
    same.close();
  });

  it('a DNS-rebinding Host header is refused on a loopback bind', async () => {
    await expect(openSocket(wsUrl, { Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}` })).rejects.toThrow(/421/);
    // fetch() may not set Host; a raw request can, as a rebinding browser effectively does.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/', headers: { Host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('unknown channel, malformed payload and malformed JSON each get a clear error; the engine keeps running', async () => {
    const s = await authed();
    expect(await call(s, 1, 'orders.sendMany', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
    const bad = await call(s, 2, 'market.bars', { symbol: 42 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('symbol') } });
    s.sendRaw('{not json');
    expect(await s.next((x) => x.type === 'error')).toMatchObject({ error: { code: 'BAD_MESSAGE', message: expect.stringContaining('JSON') } });
    s.send({ type: 'request', id: 'x', channel: 'app.info' });
    expect(await s.next((x) => x.type === 'error' && x.error.message.includes('id'))).toMatchObject({ error: { code: 'BAD_MESSAGE' } });

    // Still alive: answers requests and streams bars.
    expect(await call(s, 3, 'app.info', {})).toMatchObject({ ok: true, data: { mode: 'SIMULATED', simulated: true } });
    m.minutes(2);
    const bar = await s.next((x) => x.type === 'event' && x.event === 'market.bar');
    expect(bar).toMatchObject({ type: 'event', event: 'market.bar', payload: { timeframe: '1m' } });
    s.close();
  });

  it('pushes contract events to every authenticated client', async () => {
    const a = await authed();
    const b = await authed();
    m.minutes(1);
    for (const s of [a, b]) {
      const q = await s.next((x) => x.type === 'event' && x.event === 'market.quote');
      expect(q).toMatchObject({ payload: { symbol: expect.any(String), last: expect.any(Number) } });
    }
    a.close();
    b.close();
  });

  it('never sends secrets over the socket', async () => {
    const s = await authed();
    const info = await call(s, 1, 'app.info', {});
    expect(JSON.stringify(info)).not.toMatch(/secret|token/i);
    s.close();
  });
});
