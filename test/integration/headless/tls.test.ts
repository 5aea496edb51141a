// Issue 12, finding 3: a bind other than loopback needs TLS, and there the Host and Origin must be
// configured ones: an Origin is never derived from the request's own (attacker-chosen) Host header.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tlsFromFlags } from '../../../src/main/headless';
import { createAccessPolicy, HeadlessStartError, startHeadlessServer, type HeadlessServer } from '../../../src/main/headless/server';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { fakeHost } from './fake-host';

const TOKEN = 'tls-token-0123456789';
/** The IPv4-mapped form of 127.0.0.1: loopback traffic only, yet not a loopback *name* to the host. */
const MAPPED_LOOPBACK = '::ffff:127.0.0.1';
/**
 * 127.0.0.1 in the short form the resolver accepts: not a loopback name to the host, so it takes the
 * non-loopback path, while any server it did start would still listen on loopback only.
 */
const SHORT_LOOPBACK = '127.1';
let server: HeadlessServer | null = null;
let cert = '';
let key = '';
let certDir = '';
let opensslAvailable = false;
let mappedBindWorks = false;

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  opensslAvailable = hasOpenssl();
  certDir = mkdtempSync(join(tmpdir(), 'cockpit-tls-'));
  if (opensslAvailable) {
    // A throwaway self-signed certificate for this run, valid for 127.0.0.1 and cockpit.test.
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:cockpit.test',
    ], { stdio: 'ignore' });
    cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    key = readFileSync(join(certDir, 'key.pem'), 'utf8');
  }
  mappedBindWorks = await new Promise<boolean>((r) => {
    const probe = createNetServer();
    probe.once('error', () => r(false));
    probe.listen(0, MAPPED_LOOPBACK, () => probe.close(() => r(true)));
  });
});

afterEach(async () => {
  await server?.close();
  server = null;
});

function rendererDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cockpit</title>');
  return dir;
}

/** The certificate is checked against the address dialled, whatever Host header a test sends. */
const verifyAs127 = (_host: string, peer: PeerCertificate): Error | undefined => checkServerIdentity('127.0.0.1', peer);

function httpsGet(port: number, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/', ca: cert, checkServerIdentity: verifyAs127, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens wss://127.0.0.1:port/ws with the given Host and Origin; resolves 'open' or the refusal's HTTP status. */
function tryWss(port: number, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolvePromise, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { headers, ca: cert });
    ws.once('open', () => {
      ws.close();
      resolvePromise('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolvePromise(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('a bind other than loopback (issue 12: a non-loopback bind requires TLS)', () => {
  it('is refused without TLS, with a message that says what to do', async () => {
    const start = startHeadlessServer({ engine: fakeHost(), rendererDir: rendererDir(), host: SHORT_LOOPBACK, port: 0, token: TOKEN, logger: createMemoryLogger() });
    await expect(start).rejects.toBeInstanceOf(HeadlessStartError);
    await expect(start).rejects.toThrow(/--tls-cert/);
    expect(tlsFromFlags('0.0.0.0', {})).toEqual({ error: expect.stringContaining('without TLS') });
    expect(tlsFromFlags('127.0.0.1', {})).toEqual({ tls: undefined });
    expect(tlsFromFlags('0.0.0.0', { 'tls-cert': '/x/cert.pem' })).toEqual({ error: expect.stringContaining('--tls-key is missing') });
    const unreadable = tlsFromFlags('0.0.0.0', { 'tls-cert': join(certDir, 'missing.pem'), 'tls-key': join(certDir, 'missing.pem') });
    expect(unreadable).toEqual({ error: '--tls-cert: the file could not be read (ENOENT).' });
  });

  it('the headless command exits with code 2 and says why when a non-loopback --host comes without TLS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cockpit-cli-'));
    const tsx = resolve('node_modules/.bin/tsx');
    const result = await new Promise<{ code: number | null; output: string }>((resolvePromise) => {
      const child = spawn(tsx, [resolve('src/main/headless.ts'), '--host', SHORT_LOOPBACK, '--port', '0'], {
        cwd: dataDir,
        env: { PATH: process.env.PATH ?? '', HOME: dataDir, TRADING_DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const guard = setTimeout(() => child.kill('SIGKILL'), 25_000);
      child.on('exit', (code) => {
        clearTimeout(guard);
        resolvePromise({ code, output });
      });
    });
    expect(result.code).toBe(2);
    expect(result.output).toContain('without TLS');
    expect(result.output).toContain('--tls-cert');
    expect(result.output).not.toContain('listening');
  });

  it('never takes the allowed Origin from the Host header: an attacker-chosen Host and matching Origin are refused', () => {
    const policy = createAccessPolicy({ bindHost: '0.0.0.0', port: 8787, scheme: 'https', allowedOrigins: ['https://workstation.lan:8787'] });
    expect(policy.hostAllowed('evil.example:8787')).toBe(false);
    expect(policy.originAllowed('https://evil.example:8787', 'evil.example:8787')).toBe(false);
    expect(policy.originAllowed('https://evil.example:8787', 'workstation.lan:8787')).toBe(false);
    expect(policy.hostAllowed('workstation.lan:8787')).toBe(true);
    expect(policy.originAllowed('https://workstation.lan:8787', 'workstation.lan:8787')).toBe(true);
    // Over plain http the configured https origin is not the page's.
    expect(policy.originAllowed('http://workstation.lan:8787', 'workstation.lan:8787')).toBe(false);
    // An SSH tunnel to the exposed host still works from a loopback name.
    expect(policy.hostAllowed('127.0.0.1:9000')).toBe(true);
    expect(policy.originAllowed('https://127.0.0.1:9000', '127.0.0.1:9000')).toBe(true);
    // A bind to a specific address accepts that address as its own origin.
    const bound = createAccessPolicy({ bindHost: '192.168.1.20', port: 8787, scheme: 'https', allowedOrigins: [] });
    expect(bound.hostAllowed('192.168.1.20:8787')).toBe(true);
    expect(bound.originAllowed('https://192.168.1.20:8787', '192.168.1.20:8787')).toBe(true);
    expect(bound.originAllowed('https://evil.example', '192.168.1.20:8787')).toBe(false);
  });

  it('with a certificate it serves https and wss, and refuses an Origin equal to an attacker-chosen Host', async ({ skip }) => {
    if (!opensslAvailable || !mappedBindWorks) skip();
    server = await startHeadlessServer({
      engine: fakeHost(),
      rendererDir: rendererDir(),
      host: MAPPED_LOOPBACK,
      port: 0,
      token: TOKEN,
      tls: { cert, key },
      allowedOrigins: ['https://cockpit.test'],
      logger: createMemoryLogger(),
    });
    expect(server.url).toMatch(/^https:\/\//);
    const page = await httpsGet(server.port, { Host: 'cockpit.test' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>cockpit</title>');
    expect(page.headers['x-frame-options']).toBe('DENY');

    const port = server.port;
    // DNS rebinding / Host spoofing: the attacker's own name as Host and as Origin.
    expect(await tryWss(port, { Host: `evil.example:${port}`, Origin: `https://evil.example:${port}` })).toBe(421);
    expect((await httpsGet(port, { Host: 'evil.example' })).status).toBe(421);
    // A configured Host with a foreign Origin.
    expect(await tryWss(port, { Host: 'cockpit.test', Origin: 'https://evil.example' })).toBe(403);
    expect(await tryWss(port, { Host: 'cockpit.test', Origin: `http://cockpit.test` })).toBe(403);
    // The configured origin, and the page's own origin through a loopback name, are accepted.
    expect(await tryWss(port, { Host: 'cockpit.test', Origin: 'https://cockpit.test' })).toBe('open');
    expect(await tryWss(port, { Host: `127.0.0.1:${port}`, Origin: `https://127.0.0.1:${port}` })).toBe('open');
  });
});
