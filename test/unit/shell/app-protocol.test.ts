// The app:// handler on its own: which URL names which file, and what it never serves.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appUrl, createAppProtocolHandler, resolveAppRequest, type AppSites } from '../../../src/main/shell/app-protocol';

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function outFolder() {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-app-protocol-'));
  tempDirs.push(dir);
  const renderer = join(dir, 'out', 'renderer');
  const preload = join(dir, 'out', 'preload');
  mkdirSync(renderer, { recursive: true });
  mkdirSync(preload, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html>');
  writeFileSync(join(preload, 'key-window.html'), '<!doctype html><title>Broker keys</title>');
  writeFileSync(join(preload, 'key-window.css'), 'body{}');
  writeFileSync(join(preload, 'index.cjs'), 'module.exports = {}');
  writeFileSync(join(dir, 'credentials.bin'), 'SECRET');
  const sites: AppSites = {
    cockpit: { root: renderer },
    keys: { root: preload, files: ['key-window.html', 'key-window.css', 'key-window-page.js'], index: 'key-window.html' },
  };
  return { dir, renderer, preload, sites };
}

const CSP = "default-src 'self'";
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe('app:// URLs', () => {
  it('when a URL is built then it is app://<host>/<file>', () => {
    expect(appUrl('cockpit', 'index.html')).toBe('app://cockpit/index.html');
    expect(appUrl('keys', '/key-window.html')).toBe('app://keys/key-window.html');
  });

  it('when a path is encoded to climb out of the site then it is refused before the disk is touched', () => {
    const sites: AppSites = { cockpit: { root: '/opt/cockpit/out/renderer' } };
    for (const url of ['app://cockpit/..%2F..%2Fetc%2Fpasswd', 'app://cockpit/..%5C..%5Cwin.ini', 'app://cockpit/a%00b', 'app://cockpit/%zz']) {
      expect(resolveAppRequest(sites, url), url).toMatchObject({ ok: false });
    }
    expect(resolveAppRequest(sites, 'app://cockpit/assets/x.js')).toEqual({
      ok: true,
      site: sites.cockpit,
      path: join('/opt/cockpit/out/renderer', 'assets', 'x.js'),
    });
    expect(resolveAppRequest(sites, 'app://toString/')).toMatchObject({ ok: false, status: 404 });
    expect(resolveAppRequest(sites, 'https://cockpit/index.html')).toMatchObject({ ok: false, status: 400 });
  });
});

describe('the app:// handler', () => {
  it('when the key window asks for its page then it gets it, but no other file of out/preload', async () => {
    const { sites } = outFolder();
    const handle = createAppProtocolHandler({ sites, csp: CSP, logger });
    const page = await handle(new Request('app://keys/key-window.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Broker keys');
    expect((await handle(new Request('app://keys/'))).status).toBe(200);
    expect((await handle(new Request('app://keys/key-window.css'))).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const preload = await handle(new Request('app://keys/index.cjs'));
    expect(preload.status).toBe(404);
    expect(preload.headers.get('content-security-policy')).toBe(CSP);
  });

  it('when a symbolic link in the renderer folder leads outside it then it is not followed', async () => {
    const { dir, renderer, sites } = outFolder();
    symlinkSync(join(dir, 'credentials.bin'), join(renderer, 'creds.txt'));
    const handle = createAppProtocolHandler({ sites, csp: CSP, logger });
    const response = await handle(new Request('app://cockpit/creds.txt'));
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('SECRET');
  });

  it('when HEAD is asked then the headers come without a body', async () => {
    const { sites } = outFolder();
    const handle = createAppProtocolHandler({ sites, csp: CSP, logger });
    const response = await handle(new Request('app://cockpit/index.html', { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    expect(await response.text()).toBe('');
  });
});
