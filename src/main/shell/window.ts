// Creates the one cockpit window: locked-down webPreferences, dark background until the first
// paint, the saved placement, and the renderer loaded from app://cockpit/ (or the dev server).
import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents, WebPreferences } from 'electron';
import type { AppLocation } from './security';
import type { ShellElectron, ShellLogger } from './types';
import type { WindowPlacement } from './window-state';
import { MIN_WINDOW_SIZE } from './window-state';

export const WINDOW_TITLE = 'Trading Cockpit';
/** The chart background, so the window does not flash white before React paints. */
export const WINDOW_BACKGROUND = '#131722';

/**
 * The renderer gets no Node, no shared JS world with the preload, and Chromium's sandbox. A
 * packaged build (`packaged`) gets no DevTools either.
 */
export function secureWebPreferences(preloadPath: string, { packaged = false }: { packaged?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    devTools: !packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

export interface MainWindowOptions {
  BrowserWindow: ShellElectron['BrowserWindow'];
  preloadPath: string;
  location: AppLocation;
  /** `app.isPackaged`: no DevTools. */
  packaged: boolean;
  placement: WindowPlacement;
  /** Applied to the window's webContents (it is idempotent with the web-contents-created hook). */
  guard: (contents: WebContents) => void;
  logger: ShellLogger;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const { placement, logger } = options;
  const windowOptions: BrowserWindowConstructorOptions = {
    x: placement.x,
    y: placement.y,
    width: placement.width,
    height: placement.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: WINDOW_TITLE,
    backgroundColor: WINDOW_BACKGROUND,
    show: false,
    webPreferences: secureWebPreferences(options.preloadPath, { packaged: options.packaged }),
  };
  const window = new options.BrowserWindow(windowOptions);
  options.guard(window.webContents);

  window.once('ready-to-show', () => {
    if (placement.isMaximized) window.maximize();
    window.show();
  });
  // Keep the window title stable; the page's <title> would otherwise replace it on every load.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.webContents.on('render-process-gone', (_event, details) => {
    logger.error(`shell: renderer gone (${details.reason}, exit code ${details.exitCode})`);
  });
  window.on('unresponsive', () => logger.warn('shell: the cockpit window stopped responding'));

  // app://cockpit/index.html (served by the app protocol handler) or the dev server; never file://.
  window.loadURL(options.location.entryUrl).catch((error: unknown) => logger.error(`shell: could not load ${options.location.entryUrl}`, { error }));
  return window;
}
