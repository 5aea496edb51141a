// Runs the Electron side of the cockpit around an engine: one instance, hardened session, the
// IPC bridge, the window and its menu, and an orderly engine stop before the process quits.
import { basename, dirname, join } from 'node:path';
import type { BrowserWindow, WebContents } from 'electron';
import type { EngineHost } from '../engine/host-api';
import { APP_SCHEME, appUrl, COCKPIT_HOST, createAppProtocolHandler, isAppSchemeRegistered, KEYS_HOST, registerAppScheme } from './app-protocol';
import { createKeychain } from './keychain';
import { createBrokerKeyWindows } from './key-window';
import { forwardEngineEvents, createSenderCheck, registerRequestHandlers, sendPushEvent } from './ipc';
import { buildMenuTemplate, createMenuActions } from './menu';
import {
  buildContentSecurityPolicy,
  createWebContentsGuard,
  installSessionGuards,
  resolveAppLocation,
} from './security';
import type { ShellElectron, ShellLogger } from './types';
import { createMainWindow, WINDOW_TITLE } from './window';
import { createWindowStateKeeper } from './window-state';

export interface ElectronShellOptions {
  /** The `electron` module of the main process (`import electron from 'electron'`). */
  electron: ShellElectron;
  /** Created but not started: the shell starts it once this process holds the single-instance lock. */
  engine: EngineHost;
  appVersion: string;
  /** Usually `app.getPath('userData')`; window-state.json is kept there. */
  userDataDir: string;
  /** Absolute path of out/preload/index.cjs. */
  preloadPath: string;
  /** Absolute path of out/renderer/index.html; its folder is what app://cockpit/ serves. */
  rendererIndexPath: string;
  /** The broker-keys window's page and preload; default: key-window.html and key-window.cjs next to `preloadPath`. */
  keyWindowHtmlPath?: string;
  keyWindowPreloadPath?: string;
  /** The Vite dev server (electron-vite's ELECTRON_RENDERER_URL) in development; absent in production. */
  devServerUrl?: string | undefined;
  logger: ShellLogger;
  /** Defaults to `app.isPackaged`: no DevTools, no Reload, no DevTools or reload shortcuts. */
  packaged?: boolean;
  /** Defaults to process.platform; decides the macOS app menu. */
  platform?: NodeJS.Platform;
  /** How long quitting waits for `engine.stop()` before giving up on it (default 15 s). */
  engineStopTimeoutMs?: number;
  /** Delay before window moves/resizes are written (default 500 ms). */
  windowStateDebounceMs?: number;
}

export type ElectronShell =
  /** Another cockpit already runs; this process is quitting and started nothing. */
  | { readonly primary: false }
  | { readonly primary: true; readonly window: BrowserWindow };

/**
 * Starts the shell. Resolves once the engine runs and the window exists (it shows itself when
 * ready to paint). Rejects when `engine.start()` rejects; the caller decides how to exit, and
 * `app.quit()` then still stops the engine through `before-quit`.
 */
export async function startElectronShell(options: ElectronShellOptions): Promise<ElectronShell> {
  const { electron, engine, logger } = options;
  const { app } = electron;

  // Two cockpits would run two engines against one database and one broker account.
  if (!app.requestSingleInstanceLock()) {
    logger.info('shell: another cockpit is already running; quitting');
    app.quit();
    return { primary: false };
  }
  // Sandbox every renderer, including any this shell did not create itself.
  if (!app.isReady()) app.enableSandbox();
  // The pages come from app://, a scheme Chromium must know before 'ready'. A host that waits for
  // 'ready' before it starts the shell (src/main/index.ts) registers it itself, first.
  if (!app.isReady()) registerAppScheme(electron.protocol);
  else if (!isAppSchemeRegistered(electron.protocol)) {
    throw new Error('the app:// scheme was not registered: call registerAppScheme(protocol) before the app is ready');
  }
  const packaged = options.packaged ?? app.isPackaged;

  const location = resolveAppLocation(options.devServerUrl);
  const guard = createWebContentsGuard(
    { isAppUrl: location.isAppUrl, openExternal: (url) => electron.shell.openExternal(url), packaged },
    logger,
  );
  app.on('web-contents-created', (_event, contents) => guard(contents));

  let window: BrowserWindow | null = null;
  const appContents = (): WebContents | null =>
    window !== null && !window.isDestroyed() ? window.webContents : null;

  const bridgeDisposers: Array<() => void> = [];
  const disposeBridge = (): void => {
    for (const dispose of bridgeDisposers.splice(0)) dispose();
  };

  app.on('second-instance', () => {
    if (window === null || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  });
  // Also on macOS: an engine that trades must not keep running with no window to watch it.
  app.on('window-all-closed', () => app.quit());

  // Registered before anything starts so that a quit at any moment still stops the engine.
  let engineStopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (engineStopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    void stopEngine(engine, options.engineStopTimeoutMs ?? 15_000, logger).finally(() => {
      engineStopped = true;
      disposeBridge();
      app.quit();
    });
  });

  await app.whenReady();
  installSessionGuards(
    electron.session.defaultSession,
    buildContentSecurityPolicy(location.kind === 'dev' ? options.devServerUrl : undefined),
    logger,
  );
  // app://cockpit/ is the built renderer folder; app://keys/ the key window's three files. Their
  // responses carry the production CSP, also while the cockpit window runs from the dev server.
  const keyWindowHtmlPath = options.keyWindowHtmlPath ?? join(dirname(options.preloadPath), 'key-window.html');
  const keyWindowPage = basename(keyWindowHtmlPath);
  electron.protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      sites: {
        [COCKPIT_HOST]: { root: dirname(options.rendererIndexPath), index: basename(options.rendererIndexPath) },
        [KEYS_HOST]: { root: dirname(keyWindowHtmlPath), files: [keyWindowPage, 'key-window.css', 'key-window-page.js'], index: keyWindowPage },
      },
      csp: buildContentSecurityPolicy(),
      logger,
    }),
  );
  app.setAboutPanelOptions({ applicationName: WINDOW_TITLE, applicationVersion: options.appVersion });

  // Started before the window so that the first request from the page reaches a running engine.
  await engine.start();

  bridgeDisposers.push(
    registerRequestHandlers(
      electron.ipcMain,
      (channel, payload) => engine.dispatch(channel, payload),
      createSenderCheck(appContents, location.isAppUrl),
      logger,
      () => engine.secrets(),
    ),
    forwardEngineEvents(engine, appContents, logger),
  );

  const windowState = createWindowStateKeeper({
    userDataDir: options.userDataDir,
    screen: electron.screen,
    logger,
    debounceMs: options.windowStateDebounceMs,
  });
  const created = createMainWindow({
    BrowserWindow: electron.BrowserWindow,
    preloadPath: options.preloadPath,
    location,
    packaged,
    placement: windowState.placement,
    guard,
    logger,
  });
  window = created;
  windowState.track(created);
  created.on('closed', () => {
    disposeBridge();
    window = null;
  });

  // Keys entered here go to the keychain (userData/credentials.bin) and are read at the next start.
  const keyWindows = createBrokerKeyWindows({
    electron,
    keychain: createKeychain({ safeStorage: electron.safeStorage, userDataDir: options.userDataDir, platform: options.platform }),
    pageUrl: appUrl(KEYS_HOST, keyWindowPage),
    packaged,
    preloadPath: options.keyWindowPreloadPath ?? join(dirname(options.preloadPath), 'key-window.cjs'),
    parent: () => (window !== null && !window.isDestroyed() ? window : null),
    guard,
    logger,
  });
  bridgeDisposers.push(() => keyWindows.dispose());
  const actions = {
    ...createMenuActions({
      engine,
      notify: (event, payload) => {
        sendPushEvent(appContents(), event, payload, logger, () => engine.secrets());
      },
      logger,
    }),
    openBrokerKeys: () => keyWindows.openBrokerKeys(),
    forgetBrokerKeys: () => keyWindows.forgetBrokerKeys(),
  };
  const isMac = (options.platform ?? process.platform) === 'darwin';
  electron.Menu.setApplicationMenu(
    electron.Menu.buildFromTemplate(buildMenuTemplate({ isMac, appName: WINDOW_TITLE, actions, packaged })),
  );

  logger.info(`shell: cockpit ${options.appVersion} started (engine ${engine.id}, ${location.kind} renderer)`);
  return { primary: true, window: created };
}

/** Waits for the engine, but not forever: a hung broker disconnect must not leave a zombie process. */
async function stopEngine(engine: EngineHost, timeoutMs: number, logger: ShellLogger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([engine.stop().then(() => 'stopped' as const), timedOut]);
    if (outcome === 'timeout') logger.error(`shell: engine ${engine.id} did not stop within ${timeoutMs} ms; quitting anyway`);
    else logger.info(`shell: engine ${engine.id} stopped`);
  } catch (error) {
    logger.error(`shell: engine ${engine.id} failed to stop cleanly`, { error });
  } finally {
    clearTimeout(timer);
  }
}
