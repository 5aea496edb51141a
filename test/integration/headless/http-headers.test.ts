// Issue 12, finding 5: the security headers ride on every response of the headless host (errors
// too), HTML is never cached, and a 404 never repeats the path it was asked for.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadlessServer, type HeadlessServer } from '../../../src/main/headless/server';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { fakeHost } from './fake-host';

let server: HeadlessServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cockpit</title>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  server = await startHeadlessServer({ engine: fakeHost(), rendererDir: dir, port: 0, token: 'headers-token-0123456789', logger: createMemoryLogger() });
});

afterAll(async () => {
  await server.close();
});

function get(path: string, options: { method?: string; host?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { Host: options.host ?? `127.0.0.1:${server.port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The headers every response of the host carries, whatever its status. */
function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  expect(headers['content-security-policy'], what).toContain("default-src 'self'");
  expect(headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
}

describe('headless HTTP responses (issue 12: headless HTTP headers, 404 and the token in location.hash)', () => {
  it('every response, errors included, carries CSP, nosniff, no-referrer, frame denial and COOP', async () => {
    const cases = [
      { what: 'the page', res: await get('/'), status: 200 },
      { what: 'an asset', res: await get('/assets/app.js'), status: 200 },
      { what: 'a missing file', res: await get('/nope.js'), status: 404 },
      { what: 'a POST', res: await get('/', { method: 'POST' }), status: 405 },
      { what: 'a bad path', res: await get('/%E0%A4%A'), status: 400 },
      { what: 'a foreign Host', res: await get('/', { host: 'evil.example' }), status: 421 },
    ];
    for (const { what, res, status } of cases) {
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res.headers, what);
    }
    expect(cases[0]!.res.headers['cache-control']).toBe('no-store');
    expect(cases[2]!.res.headers['cache-control']).toBe('no-store');
  });

  it('a 404 does not repeat the path it was asked for', async () => {
    const res = await get('/%3Cscript%3Ealert(1)%3C%2Fscript%3E-probe-path');
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('probe-path');
    expect(res.body).not.toContain('<script>');
    expect(res.headers['content-type']).toContain('text/plain');
  });
});

describe('refused socket upgrades (issue 12)', () => {
  const upgrade = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };

  it('headless HTTP: security headers on every response, a refused socket upgrade included', async () => {
    const cases = [
      { what: 'an upgrade on another path', res: await get('/not-the-socket', { headers: upgrade }), status: 404 },
      { what: 'an upgrade with a foreign Host', res: await get('/ws', { host: 'evil.example', headers: upgrade }), status: 421 },
      { what: 'an upgrade from a foreign Origin', res: await get('/ws', { headers: { ...upgrade, Origin: 'http://evil.example' } }), status: 403 },
    ];
    for (const { what, res, status } of cases) {
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res.headers, what);
      expect(res.headers['cross-origin-resource-policy'], what).toBe('same-origin');
      expect(res.headers['cache-control'], what).toBe('no-store');
      expect(res.headers['content-type'], what).toContain('text/plain');
      expect(res.body, what).not.toContain('evil.example');
      expect(res.body, what).not.toContain('not-the-socket');
    }
  });
});
