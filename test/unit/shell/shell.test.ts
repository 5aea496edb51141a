// The shell as a whole, driven through a recording fake of Electron: the window it opens, what the
// page may do, the IPC bridge, the menu and the quit sequence.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { createMemoryLogger } from '../../../src/main/logging/logger';
import { startElectronShell, type ElectronShellOptions } from '../../../src/main/shell';
import { fail, requestChannels } from '../../../src/shared/contract';
import {
  clickMenuItem,
  createFakeElectron,
  fakeEvent,
  FakeEngine,
  FakeWebContents,
  findMenuItem,
  type FakeBrowserWindowInstance,
} from './fake-electron';

// The shell receives Electron as a parameter; a runtime import of the real module would mean a
// module under src/main/shell reached for it directly, which this makes fail loudly.
vi.mock('electron', () => {
  throw new Error('src/main/shell must not import electron at runtime; it is passed in');
});

const PRELOAD = '/opt/cockpit/out/preload/index.cjs';
const tempDirs: string[] = [];

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startShell(
  overrides: Partial<ElectronShellOptions> = {},
  fakeOptions: Parameters<typeof createFakeElectron>[0] = {},
) {
  const fake = createFakeElectron(fakeOptions);
  const engine = new FakeEngine();
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-shell-'));
  tempDirs.push(dir);
  const rendererIndexPath = join(dir, 'out', 'renderer', 'index.html');
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const shell = await startElectronShell({
    electron: fake.electron,
    engine,
    appVersion: '0.1.0',
    userDataDir: dir,
    preloadPath: PRELOAD,
    rendererIndexPath,
    logger,
    platform: 'linux',
    windowStateDebounceMs: 5,
    ...overrides,
  });
  const window = fake.windows[0] as FakeBrowserWindowInstance;
  const appUrl = 'app://cockpit/index.html';
  return { fake, engine, shell, dir, rendererIndexPath, appUrl, logger, window };
}

function trustedEvent(window: FakeBrowserWindowInstance) {
  return { sender: window.webContents, senderFrame: window.webContents.mainFrame };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function menuTemplate(fake: ReturnType<typeof createFakeElectron>): MenuItemConstructorOptions[] {
  if (fake.applicationMenu === null) throw new Error('no application menu was set');
  return fake.applicationMenu.template;
}

describe('the cockpit window', () => {
  it('when the shell starts then it opens exactly one sandboxed, isolated window with the preload', async () => {
    const { fake, engine, shell, window, rendererIndexPath } = await startShell();

    expect(shell.primary).toBe(true);
    expect(fake.windows).toHaveLength(1);
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      preload: PRELOAD,
    });
    expect(window.options).toMatchObject({ title: 'Trading Cockpit', backgroundColor: '#131722', show: false });
    expect(window.loadedUrl).toBe('app://cockpit/index.html');
    expect(window.loadedFile).toBeNull();
    expect(rendererIndexPath).toMatch(/index\.html$/);
    expect(engine.started).toBe(1);
    expect(fake.app.sandboxEnabled).toBe(true);
  });

  it('when the page is ready to paint then the window is shown', async () => {
    const { window } = await startShell();
    expect(window.shown).toBe(false);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
  });

  it('when a dev server is given then the window loads it', async () => {
    const { window } = await startShell({ devServerUrl: 'http://localhost:5173/' });
    expect(window.loadedUrl).toBe('http://localhost:5173/');
    expect(window.loadedFile).toBeNull();
  });

  it('when another cockpit already runs then this one starts nothing and quits', async () => {
    const { fake, engine, shell } = await startShell({}, { singleInstance: false });
    expect(shell.primary).toBe(false);
    expect(fake.windows).toHaveLength(0);
    expect(engine.started).toBe(0);
    expect(fake.app.quitCalls).toBe(1);
  });
});

describe('what the page may load, open and ask for', () => {
  function csp(fake: ReturnType<typeof createFakeElectron>, headers: Record<string, string[]> = {}) {
    expect(fake.headerListeners).toHaveLength(1);
    let out: { responseHeaders?: Record<string, string[]> } | undefined;
    fake.headerListeners[0]?.({ responseHeaders: headers }, (r) => {
      out = r as typeof out;
    });
    return out?.responseHeaders ?? {};
  }

  it('when any response arrives then it carries the strict Content-Security-Policy', async () => {
    const { fake } = await startShell();
    const headers = csp(fake, { 'content-security-policy': ["default-src *"], 'content-type': ['text/html'] });

    expect(headers['content-type']).toEqual(['text/html']);
    expect(headers['content-security-policy']).toBeUndefined();
    const policy = headers['Content-Security-Policy']?.join(' ') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toMatch(/script-src 'self'(;|$)/);
  });

  it('when running against the dev server then its origin and HMR socket are allowed, eval still is not', async () => {
    const { fake } = await startShell({ devServerUrl: 'http://localhost:5173' });
    const policy = csp(fake)['Content-Security-Policy']?.join(' ') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain('ws://localhost:5173');
    expect(policy).toContain('http://localhost:5173');
    expect(policy).not.toContain('unsafe-eval');
  });

  it('when the page navigates to a foreign site then the navigation is prevented', async () => {
    const { window, appUrl, fake } = await startShell();
    expect(window.webContents.navigate('https://evil.example/login')).toBe(false);
    expect(window.webContents.navigate('file:///etc/passwd')).toBe(false);
    expect(window.webContents.navigate(`${appUrl}#/backtest`)).toBe(true);
    // A plain web link still reaches the trader, in the system browser.
    expect(fake.openedExternally).toEqual(['https://evil.example/login']);
  });

  it('when the page calls window.open then it is denied and only web links go to the system browser', async () => {
    const { window, fake } = await startShell();
    const open = window.webContents.windowOpenHandler;
    expect(open).not.toBeNull();

    expect(open?.({ url: 'https://www.sec.gov/edgar' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'http://example.com/' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'smb://fileserver/share' })).toEqual({ action: 'deny' });
    await Promise.resolve();

    expect(fake.openedExternally).toEqual(['https://www.sec.gov/edgar', 'http://example.com/']);
  });

  it('when any other webContents appears then it gets the same guard and cannot attach a webview', async () => {
    const { fake } = await startShell();
    const other = new FakeWebContents();
    fake.app.emit('web-contents-created', fakeEvent(), other);

    const attach = fakeEvent();
    other.emit('will-attach-webview', attach, {}, {});
    expect(attach.defaultPrevented).toBe(true);
    expect(other.windowOpenHandler?.({ url: 'https://x.example/' })).toEqual({ action: 'deny' });
    expect(other.navigate('https://x.example/')).toBe(false);
  });

  it('when the page asks for a permission then it is denied', async () => {
    const { fake } = await startShell();
    const granted = vi.fn();
    fake.permissionRequestHandler?.({}, 'media', granted);
    fake.permissionRequestHandler?.({}, 'notifications', granted);
    expect(granted.mock.calls).toEqual([[false], [false]]);
    expect(fake.permissionCheckHandler?.({}, 'clipboard-read', 'file://', {})).toBe(false);
  });
});

describe('the app:// protocol', () => {
  function appHandler(fake: ReturnType<typeof createFakeElectron>) {
    const handler = fake.protocolHandlers.get('app');
    if (handler === undefined) throw new Error('no app: protocol handler');
    return (url: string, init?: RequestInit) => Promise.resolve(handler(new Request(url, init)));
  }
  function writeRenderer(rendererIndexPath: string): void {
    const dir = join(rendererIndexPath, '..');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(rendererIndexPath, '<!doctype html><title>cockpit</title>');
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'export {};');
    writeFileSync(join(dir, '..', 'secret.txt'), 'not for the page');
  }

  it('when the page is loaded from file:// then that is the bug: the shell serves it from app://cockpit/ instead', async () => {
    const { fake, window, appUrl, rendererIndexPath } = await startShell();
    expect(window.loadedFile).toBeNull();
    expect(window.loadedUrl).toBe('app://cockpit/index.html');
    // The old address is no longer the app: it may not navigate there nor call the engine from it.
    expect(window.webContents.navigate(pathToFileURL(rendererIndexPath).href)).toBe(false);
    const kill = fake.handlers.get('cockpit:trading.killSwitch');
    const fromFile = { sender: window.webContents, senderFrame: { url: pathToFileURL(rendererIndexPath).href, parent: null } };
    expect(await kill?.(fromFile, { reason: 'x' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(appUrl).toBe(window.loadedUrl);
  });

  it('when the shell starts before ready then app: is registered privileged (standard, secure) but never bypassCSP', async () => {
    const { fake } = await startShell();
    expect(fake.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }) },
    ]);
    expect(fake.privilegedSchemes[0]?.privileges?.bypassCSP).toBeUndefined();
    expect(fake.protocolHandlers.has('app')).toBe(true);
  });

  it('when the host starts the shell after ready without registering app: then the start fails loudly', async () => {
    await expect(startShell({}, { ready: true })).rejects.toThrow(/registerAppScheme/);
  });

  it('when the renderer asks for its files then they come with the strict CSP header and a content type', async () => {
    const { fake, rendererIndexPath } = await startShell();
    writeRenderer(rendererIndexPath);
    const get = appHandler(fake);

    for (const url of ['app://cockpit/index.html', 'app://cockpit/']) {
      const page = await get(url);
      expect(page.status, url).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<title>cockpit</title>');
      const policy = page.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("connect-src 'self';");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).not.toMatch(/unsafe-eval|ws:|wss:/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const script = await get('app://cockpit/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('when a request tries to leave the renderer folder then it is refused, with the CSP header still on', async () => {
    const { fake, rendererIndexPath } = await startShell();
    writeRenderer(rendererIndexPath);
    const get = appHandler(fake);

    for (const url of [
      'app://cockpit/..%2Fsecret.txt',
      'app://cockpit/assets%2F..%2F..%2Fsecret.txt',
      'app://cockpit/%2e%2e/secret.txt',
      'app://cockpit/..%5Csecret.txt',
      'app://cockpit/%2Fetc%2Fpasswd',
      'app://cockpit/index.html%00.js',
      'app://cockpit/%E0%A4%A',
      'app://cockpit/no-such-file.js',
      'app://cockpit/assets',
      'app://other/index.html',
      'app://keys/index.cjs',
    ]) {
      const response = await get(url);
      expect([400, 404], url).toContain(response.status);
      expect(await response.text(), url).not.toContain('not for the page');
      expect(response.headers.get('content-security-policy'), url).toContain("default-src 'self'");
    }
    expect((await get('app://cockpit/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
  });
});

describe('a packaged build', () => {
  it('when packaged then View has no Reload or DevTools, windows have devTools off and the shortcuts are swallowed', async () => {
    const { fake, window } = await startShell({}, { packaged: true });
    const template = menuTemplate(fake);
    for (const role of ['reload', 'forceReload', 'toggleDevTools']) {
      expect(findMenuItem(template, ['View', role]), role).toBeUndefined();
    }
    expect(findMenuItem(template, ['View', 'togglefullscreen'])).toBeDefined();
    expect(window.options.webPreferences?.devTools).toBe(false);

    const press = (key: string, mods: { control?: boolean; shift?: boolean } = {}) => {
      const event = fakeEvent();
      window.webContents.emit('before-input-event', event, { type: 'keyDown', key, shift: false, control: false, alt: false, meta: false, ...mods });
      return event.defaultPrevented;
    };
    expect(press('I', { control: true, shift: true })).toBe(true);
    expect(press('F12')).toBe(true);
    expect(press('r', { control: true })).toBe(true);
    expect(press('c', { control: true })).toBe(false);
  });

  it('when not packaged then DevTools stay available to the developer', async () => {
    const { fake, window } = await startShell();
    expect(findMenuItem(menuTemplate(fake), ['View', 'toggleDevTools'])).toBeDefined();
    expect(window.options.webPreferences?.devTools).toBe(true);
    expect(window.webContents.listenerCount('before-input-event')).toBe(0);
  });
});

describe('the IPC bridge', () => {
  it('when started then every contract channel has exactly one handler and nothing else does', async () => {
    const { fake } = await startShell();
    expect([...fake.handlers.keys()].sort()).toEqual(requestChannels.map((c) => `cockpit:${c}`).sort());
  });

  it("when the window calls a channel then the handler returns the dispatcher's Result", async () => {
    const { fake, engine, window } = await startShell();
    engine.answers.set('trading.resume', fail('REFUSED', 'daily loss limit reached'));

    const resumed = await fake.handlers.get('cockpit:trading.resume')?.(trustedEvent(window), { confirm: true });
    const info = await fake.handlers.get('cockpit:app.info')?.(trustedEvent(window), {});

    expect(resumed).toEqual(fail('REFUSED', 'daily loss limit reached'));
    expect(info).toEqual({ ok: true, data: { echoed: 'app.info' } });
    expect(engine.calls).toEqual([
      { channel: 'trading.resume', payload: { confirm: true } },
      { channel: 'app.info', payload: {} },
    ]);
  });

  it('when a call comes from a foreign frame, a subframe or another webContents then it is refused', async () => {
    const { fake, engine, window, appUrl } = await startShell();
    const kill = fake.handlers.get('cockpit:trading.killSwitch');
    const refusals = [
      { sender: window.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: window.webContents, senderFrame: { url: appUrl, parent: window.webContents.mainFrame } },
      { sender: new FakeWebContents(), senderFrame: { url: appUrl, parent: null } },
      { sender: window.webContents, senderFrame: null },
    ];
    for (const event of refusals) {
      const result = (await kill?.(event, { reason: 'x' })) as { ok: boolean; error?: { code: string } };
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe('UNAUTHORIZED');
    }
    expect(engine.dispatch).not.toHaveBeenCalled();
  });

  it('when the dispatcher throws anyway then the window still gets a Result, not an exception', async () => {
    const { fake, engine, window } = await startShell();
    engine.dispatch.mockRejectedValueOnce(new Error('boom'));
    const result = await fake.handlers.get('cockpit:session.status')?.(trustedEvent(window), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('when the engine publishes then the event reaches the window', async () => {
    const { engine, window } = await startShell();
    engine.publish('clock.tick', { now: 1_700_000_000_000 });
    engine.publish('trading.state', { state: 'HALTED', previous: 'ACTIVE', cause: 'kill switch', at: 1 });

    expect(window.webContents.sent).toEqual([
      { channel: 'cockpit:event', message: { event: 'clock.tick', payload: { now: 1_700_000_000_000 } } },
      {
        channel: 'cockpit:event',
        message: { event: 'trading.state', payload: { state: 'HALTED', previous: 'ACTIVE', cause: 'kill switch', at: 1 } },
      },
    ]);
  });
});

describe('the application menu', () => {
  it('when Kill switch is clicked then the engine is told to halt trading', async () => {
    const { fake, engine } = await startShell();
    const kill = findMenuItem(menuTemplate(fake), ['Trading', 'Kill switch']);
    expect(kill?.accelerator).toBe('CmdOrCtrl+Shift+K');

    clickMenuItem(kill);
    expect(engine.dispatch).toHaveBeenCalledWith('trading.killSwitch', { reason: 'kill switch (menu)' });
  });

  it('when Run backtest… or Import history… is clicked then the renderer is told to open the dialog', async () => {
    const { fake, window } = await startShell();
    clickMenuItem(findMenuItem(menuTemplate(fake), ['Backtest', 'Run backtest…']));
    clickMenuItem(findMenuItem(menuTemplate(fake), ['File', 'Import history…']));
    expect(window.webContents.pushedEvents()).toEqual([
      { event: 'ui.command', payload: { command: 'backtest.open' } },
      { event: 'ui.command', payload: { command: 'import.open' } },
    ]);
  });

  it('when Train now is refused then the trader sees a warning notice with the code', async () => {
    const { fake, engine, window } = await startShell();
    engine.answers.set('models.train', fail('NOT_AVAILABLE', 'not enough history to train'));

    clickMenuItem(findMenuItem(menuTemplate(fake), ['Models', 'Train now']));
    await until(() => window.webContents.pushedEvents().length > 0);

    expect(engine.dispatch).toHaveBeenCalledWith('models.train', { reason: 'menu' });
    expect(window.webContents.pushedEvents()).toEqual([
      {
        event: 'app.notice',
        payload: { level: 'warn', code: 'NOT_AVAILABLE', message: 'not enough history to train', at: expect.any(Number) },
      },
    ]);
  });

  it('when the menu is built then View offers Reload and Toggle DevTools', async () => {
    const { fake } = await startShell();
    expect(findMenuItem(menuTemplate(fake), ['View', 'reload'])).toBeDefined();
    expect(findMenuItem(menuTemplate(fake), ['View', 'toggleDevTools'])).toBeDefined();
    expect(fake.menuTemplates).toHaveLength(1);
  });
});

describe('quitting', () => {
  it('when the window closes then the bridge is torn down and the engine stops before the app quits', async () => {
    const { fake, engine, window } = await startShell();
    window.close();

    expect(fake.handlers.size).toBe(0);
    expect(fake.removedHandlers).toHaveLength(requestChannels.length);
    expect(engine.listeners.size).toBe(0);
    await until(() => fake.app.quitted);
    expect(engine.stopped).toBe(1);
  });

  it('when quit is asked twice while the engine stops then the engine is stopped once', async () => {
    const { fake, engine } = await startShell();
    engine.stopDelayMs = 20;

    fake.app.quit();
    fake.app.quit();
    expect(fake.app.quitted).toBe(false);
    await until(() => fake.app.quitted);

    expect(engine.stopped).toBe(1);
  });

  it('when the engine never finishes stopping then the app quits after the timeout and says so', async () => {
    // The project's own logger, so the shell's logger type is checked against it too.
    const logger = createMemoryLogger();
    const { fake, engine } = await startShell({ engineStopTimeoutMs: 10, logger: logger.child('shell') });
    engine.stop = () => new Promise<void>(() => {});
    fake.app.quit();
    await until(() => fake.app.quitted);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'shell: engine engine-test did not stop within 10 ms; quitting anyway',
    ]);
  });
});

describe('window placement across restarts', () => {
  it('when the trader moves the window and closes it then the next start opens it there', async () => {
    const first = await startShell();
    first.window.moveTo({ x: 100, y: 80, width: 1300, height: 820 });
    first.window.close();

    const second = createFakeElectron();
    await startElectronShell({
      electron: second.electron,
      engine: new FakeEngine(),
      appVersion: '0.1.0',
      userDataDir: first.dir,
      preloadPath: PRELOAD,
      rendererIndexPath: first.rendererIndexPath,
      logger: first.logger,
      platform: 'linux',
    });
    expect(second.windows[0]?.options).toMatchObject({ x: 100, y: 80, width: 1300, height: 820 });
  });
});
