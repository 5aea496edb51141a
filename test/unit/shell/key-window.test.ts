// Trading → Broker keys…: a separate, locked-down window whose two channels take the keys straight
// to the keychain; the cockpit window and the engine never see them. And Forget broker keys.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { startElectronShell } from '../../../src/main/shell';
import { KEY_WINDOW_CHANNELS } from '../../../src/main/shell/key-entry';
import { CREDENTIALS_FILE, createKeychain } from '../../../src/main/shell/keychain';
import { buildMenuTemplate, type MenuActions } from '../../../src/main/shell/menu';
import {
  clickMenuItem,
  createFakeElectron,
  FakeEngine,
  findMenuItem,
  type FakeBrowserWindowInstance,
  type FakeElectron,
  type FakeSafeStorageState,
} from './fake-electron';

vi.mock('electron', () => {
  throw new Error('src/main/shell must not import electron at runtime; it is passed in');
});

const KEY_ID = 'PKTESTKEY0123456789A';
const SECRET = 'sEcReTkEy0123456789abcdefghijklmnopqrstu';
const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startShell(safeStorage: Partial<FakeSafeStorageState> = {}) {
  const fake = createFakeElectron({ safeStorage });
  const engine = new FakeEngine();
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-keys-'));
  tempDirs.push(dir);
  const outDir = join(dir, 'out');
  const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  await startElectronShell({
    electron: fake.electron,
    engine,
    appVersion: '0.1.0',
    userDataDir: dir,
    preloadPath: join(outDir, 'preload', 'index.cjs'),
    rendererIndexPath: join(outDir, 'renderer', 'index.html'),
    logger,
    platform: 'linux',
  });
  const cockpit = fake.windows[0] as FakeBrowserWindowInstance;
  return { fake, engine, dir, outDir, logger, cockpit };
}

function menu(fake: FakeElectron): MenuItemConstructorOptions[] {
  if (fake.applicationMenu === null) throw new Error('no application menu');
  return fake.applicationMenu.template;
}

function openKeyWindow(fake: FakeElectron): FakeBrowserWindowInstance {
  clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Broker keys…']));
  const window = fake.windows[1];
  if (window === undefined) throw new Error('no key window opened');
  return window;
}

const from = (window: FakeBrowserWindowInstance) => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });

async function submit(fake: FakeElectron, event: unknown, payload: unknown): Promise<unknown> {
  const handler = fake.handlers.get(KEY_WINDOW_CHANNELS.submit);
  if (handler === undefined) throw new Error('no submit handler');
  return handler(event, payload);
}

function everythingLogged(logger: { info: ReturnType<typeof vi.fn>; warn: ReturnType<typeof vi.fn>; error: ReturnType<typeof vi.fn> }): string {
  return JSON.stringify([logger.info.mock.calls, logger.warn.mock.calls, logger.error.mock.calls]);
}

describe('the menu', () => {
  it('when built then Trading offers Broker keys… and Forget broker keys, and they run their actions', () => {
    const actions: MenuActions = {
      killSwitch: vi.fn(),
      openBacktest: vi.fn(),
      trainModels: vi.fn(),
      openImport: vi.fn(),
      openModels: vi.fn(),
      openBrokerKeys: vi.fn(),
      forgetBrokerKeys: vi.fn(),
    };
    for (const isMac of [false, true]) {
      const template = buildMenuTemplate({ isMac, appName: 'Trading Cockpit', actions });
      clickMenuItem(findMenuItem(template, ['Trading', 'Broker keys…']));
      clickMenuItem(findMenuItem(template, ['Trading', 'Forget broker keys']));
    }
    expect(actions.openBrokerKeys).toHaveBeenCalledTimes(2);
    expect(actions.forgetBrokerKeys).toHaveBeenCalledTimes(2);
  });
});

describe('the key window', () => {
  it('when Broker keys… is clicked then a modal, sandboxed, isolated window opens with its own preload and page', async () => {
    const { fake, outDir, cockpit } = await startShell();
    const keys = openKeyWindow(fake);

    expect(fake.windows).toHaveLength(2);
    expect(keys.options).toMatchObject({ parent: cockpit, modal: true, title: 'Broker keys', show: false, resizable: false });
    expect(keys.options.webPreferences).toEqual(
      expect.objectContaining({
        preload: join(outDir, 'preload', 'key-window.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        webviewTag: false,
      }),
    );
    expect(keys.loadedUrl).toBe('app://keys/key-window.html');
    expect(keys.loadedFile).toBeNull();
    expect(keys.menuRemoved).toBe(true);
    keys.emit('ready-to-show');
    expect(keys.shown).toBe(true);
  });

  it('when it is open then the navigation guard holds for it too', async () => {
    const { fake } = await startShell();
    const keys = openKeyWindow(fake);
    expect(keys.webContents.navigate('https://evil.example/steal')).toBe(false);
    expect(keys.webContents.navigate(`${pathToFileURL('/etc/passwd').href}`)).toBe(false);
    expect(keys.webContents.navigate('app://keys/other.html')).toBe(false);
    expect(keys.webContents.windowOpenHandler?.({ url: 'https://alpaca.markets/' })).toEqual({ action: 'deny' });
  });

  it('when Broker keys… is clicked twice then the open window is focused, not a second one made', async () => {
    const { fake } = await startShell();
    const keys = openKeyWindow(fake);
    clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Broker keys…']));
    expect(fake.windows).toHaveLength(2);
    expect(keys.focused).toBe(1);
  });

  it('when valid keys are submitted then they are saved encrypted, the window closes and a dialog says they apply after a restart', async () => {
    const { fake, dir, logger, engine, cockpit } = await startShell();
    const keys = openKeyWindow(fake);

    const reply = await submit(fake, from(keys), { keyId: ` ${KEY_ID} `, secretKey: SECRET, polygonKey: '' });

    expect(reply).toEqual({ ok: true });
    expect(keys.destroyed).toBe(true);
    expect(fake.handlers.has(KEY_WINDOW_CHANNELS.submit)).toBe(false);
    expect(fake.handlers.has(KEY_WINDOW_CHANNELS.cancel)).toBe(false);
    const read = createKeychain({ safeStorage: fake.electron.safeStorage, userDataDir: dir, platform: 'linux' }).load();
    expect(read.status === 'loaded' && [read.keys.alpacaKeyId.reveal(), read.keys.alpacaSecretKey.reveal(), read.keys.polygonApiKey]).toEqual([KEY_ID, SECRET, null]);
    expect(readFileSync(join(dir, CREDENTIALS_FILE), 'utf8')).not.toContain(SECRET);

    await vi.waitFor(() => expect(fake.messageBoxes).toHaveLength(1));
    const box = fake.messageBoxes[0];
    expect(box?.parent).toBe(cockpit);
    expect(box?.options.type).toBe('info');
    expect(box?.options.detail).toMatch(/next time the cockpit starts/);
    expect(box?.options.detail).toMatch(/PAPER/);

    // Nothing of it reached the engine, the cockpit window or the log.
    expect(engine.dispatch).not.toHaveBeenCalled();
    expect(JSON.stringify(cockpit.webContents.sent)).not.toContain(SECRET);
    expect(everythingLogged(logger)).not.toContain(SECRET);
    expect(everythingLogged(logger)).not.toContain(KEY_ID);
  });

  it('when an invalid key is submitted then the reply names the field and nothing is saved', async () => {
    const { fake, dir } = await startShell();
    const keys = openKeyWindow(fake);

    const reply = await submit(fake, from(keys), { keyId: KEY_ID, secretKey: 'has a space inside' });

    expect(reply).toEqual({ ok: false, field: 'secretKey', message: 'Alpaca secret key must not contain spaces or line breaks' });
    expect(keys.destroyed).toBe(false);
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
  });

  it('when the cockpit window (or anyone but the key window) submits then it is refused and nothing is saved', async () => {
    const { fake, dir, cockpit, outDir } = await startShell();
    const keys = openKeyWindow(fake);
    const keyPage = 'app://keys/key-window.html';
    expect(keys.webContents.mainFrame.url).toBe(keyPage);

    const refused = [
      from(cockpit),
      // The same file, but over file://: not the key window's page any more.
      { sender: keys.webContents, senderFrame: { url: pathToFileURL(join(outDir, 'preload', 'key-window.html')).href, parent: null } },
      { sender: keys.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: keys.webContents, senderFrame: { url: keyPage, parent: keys.webContents.mainFrame } },
      { sender: keys.webContents, senderFrame: null },
    ];
    for (const event of refused) {
      expect(await submit(fake, event, { keyId: KEY_ID, secretKey: SECRET })).toMatchObject({ ok: false, field: null });
    }
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
    expect(await submit(fake, from(keys), { keyId: KEY_ID, secretKey: SECRET })).toEqual({ ok: true });
  });

  it('when the key window calls a cockpit contract channel then it is refused', async () => {
    const { fake, engine } = await startShell();
    const keys = openKeyWindow(fake);
    const kill = fake.handlers.get('cockpit:trading.killSwitch');
    expect(await kill?.(from(keys), { reason: 'x' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(engine.dispatch).not.toHaveBeenCalled();
  });

  it('when Cancel is pressed then the window closes, its channels go and nothing is saved', async () => {
    const { fake, dir } = await startShell();
    const keys = openKeyWindow(fake);
    await fake.handlers.get(KEY_WINDOW_CHANNELS.cancel)?.(from(keys), undefined);
    expect(keys.destroyed).toBe(true);
    expect(fake.handlers.has(KEY_WINDOW_CHANNELS.submit)).toBe(false);
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
    // And it can be opened again afterwards.
    openKeyWindow(fake);
    expect(fake.windows).toHaveLength(3);
  });

  it('when the keychain is unavailable then no window opens and a dialog points to the environment variables', async () => {
    const { fake } = await startShell({ available: false });
    clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Broker keys…']));
    expect(fake.windows).toHaveLength(1);
    await vi.waitFor(() => expect(fake.messageBoxes).toHaveLength(1));
    expect(fake.messageBoxes[0]?.options).toMatchObject({ type: 'warning', detail: expect.stringContaining('TRADING_ALPACA_SECRET_KEY') });
  });

  it("when Linux has only the 'basic_text' fallback then no window opens either", async () => {
    const { fake } = await startShell({ backend: 'basic_text' });
    clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Broker keys…']));
    expect(fake.windows).toHaveLength(1);
    await vi.waitFor(() => expect(fake.messageBoxes[0]?.options.detail).toContain('basic_text'));
  });

  it('when the cockpit window closes then the key window closes with it', async () => {
    const { fake, cockpit } = await startShell();
    const keys = openKeyWindow(fake);
    cockpit.close();
    expect(keys.destroyed).toBe(true);
    expect(fake.handlers.has(KEY_WINDOW_CHANNELS.submit)).toBe(false);
  });
});

describe('Forget broker keys', () => {
  async function withSavedKeys() {
    const started = await startShell();
    const keys = openKeyWindow(started.fake);
    await submit(started.fake, from(keys), { keyId: KEY_ID, secretKey: SECRET });
    await vi.waitFor(() => expect(started.fake.messageBoxes).toHaveLength(1));
    started.fake.messageBoxes.length = 0;
    return started;
  }

  it('when confirmed then the saved file is deleted and a dialog says so', async () => {
    const { fake, dir } = await withSavedKeys();
    fake.messageBoxResponses.push(1);
    clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Forget broker keys']));
    await vi.waitFor(() => expect(fake.messageBoxes).toHaveLength(2));
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(false);
    expect(fake.messageBoxes[1]?.options.message).toBe('Saved broker keys forgotten.');
  });

  it('when cancelled then the keys stay', async () => {
    const { fake, dir } = await withSavedKeys();
    fake.messageBoxResponses.push(0);
    clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Forget broker keys']));
    await vi.waitFor(() => expect(fake.messageBoxes).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 5));
    expect(existsSync(join(dir, CREDENTIALS_FILE))).toBe(true);
    expect(fake.messageBoxes).toHaveLength(1);
  });

  it('when nothing is saved then it just says so', async () => {
    const { fake } = await startShell();
    clickMenuItem(findMenuItem(menu(fake), ['Trading', 'Forget broker keys']));
    await vi.waitFor(() => expect(fake.messageBoxes[0]?.options.message).toBe('No broker keys are saved in the keychain.'));
  });
});
