// The Electron host: builds the engine from the validated config and hands it to the thin shell
// (window, menu, IPC). Everything that trades lives in the engine; nothing here imports it twice.
// Broker keys missing from the environment and .env come from the OS keychain (see shell/keychain).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import electron from 'electron';
import { readEnvironment, resolveConfig, secureDataDir } from './bootstrap';
import { ConfigError, secretsOf, type VariableName } from './config/config';
import { APP_VERSION, createEngine } from './app/compose';
import { createFileLogger } from './logging/logger';
import { registerAppScheme, startElectronShell } from './shell';
import { createKeychain, startupKeys } from './shell/keychain';

const here = dirname(fileURLToPath(import.meta.url)); // out/main

function fatal(title: string, message: string): void {
  // Before the window exists the only way to tell the trader is a native dialog.
  electron.dialog.showErrorBox(title, message);
  electron.app.exit(2);
}

/** The system's open-file dialog over the focused window: the one way the desktop app names a file to import. */
async function chooseImportFile(e: typeof electron): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Import history',
    properties: ['openFile'],
    filters: [
      { name: 'History files (CSV, NinjaTrader, JSON)', extensions: ['csv', 'txt', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const parent = e.BrowserWindow.getFocusedWindow();
  const picked = parent ? await e.dialog.showOpenDialog(parent, options) : await e.dialog.showOpenDialog(options);
  return picked.canceled ? null : (picked.filePaths[0] ?? null);
}

async function main(): Promise<void> {
  const { app } = electron;
  // The shell enables the sandbox only while the app is not ready yet; this host waits for 'ready'
  // before it starts the shell (below), so it turns the sandbox on itself, first.
  app.enableSandbox();
  // The windows load their pages from app://cockpit/ and app://keys/, never file://; Chromium
  // must know the scheme before 'ready'.
  registerAppScheme(electron.protocol);
  // safeStorage works only after 'ready' (Linux and Windows), and the keys decide the config.
  await app.whenReady();

  // Both hosts share one data folder: Electron's userData unless TRADING_DATA_DIR says otherwise.
  const overrides: Partial<Record<VariableName, string>> = {};
  if (!process.env.TRADING_DATA_DIR) overrides.TRADING_DATA_DIR = app.getPath('userData');
  // Keys saved with Trading → Broker keys… fill in what the environment and .env leave unset.
  const keychain = createKeychain({ safeStorage: electron.safeStorage, userDataDir: app.getPath('userData') });
  const keys = startupKeys(readEnvironment(), keychain);
  Object.assign(overrides, keys.overrides);
  let config;
  try {
    config = resolveConfig({ overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      const note = keys.problem !== null ? `\n\nSaved broker keys: ${keys.problem}` : '';
      return fatal('Invalid configuration', `${error.message}${note}\n\nNothing was started.`);
    }
    throw error;
  }
  secureDataDir(config); // 0700 before the log, the database or the models are written
  const logger = createFileLogger({ logId: 'electron', dir: config.logDir, level: config.logLevel, secrets: secretsOf(config), console: !electron.app.isPackaged });
  if (keys.problem !== null) {
    logger.warn(`broker keys: saved keys not used: ${keys.problem}`);
    void electron.dialog.showMessageBox({
      type: 'warning',
      title: 'Saved broker keys not used',
      message: 'The broker keys saved in the keychain could not be read; this session starts without them.',
      detail: keys.problem,
    });
  } else {
    logger.info(`broker keys: ${keys.source === 'keychain' ? 'from the OS keychain' : keys.source === 'environment' ? 'from the environment or .env' : 'none'}`);
  }
  let engine;
  try {
    // The engine never imports Electron: the open-file dialog for `history.chooseImportFile` comes in as a dependency.
    engine = createEngine(config, { host: 'electron', logger, chooseImportFile: () => chooseImportFile(electron) });
  } catch (error) {
    return fatal('Cannot start this session', error instanceof Error ? error.message : String(error));
  }
  startElectronShell({
    electron,
    engine,
    appVersion: APP_VERSION,
    userDataDir: electron.app.getPath('userData'),
    preloadPath: join(here, '../preload/index.cjs'),
    rendererIndexPath: join(here, '../renderer/index.html'),
    ...(electron.app.isPackaged || !process.env.ELECTRON_RENDERER_URL ? {} : { devServerUrl: process.env.ELECTRON_RENDERER_URL }),
    logger: logger.child('shell'),
  }).catch((error: unknown) => {
    logger.error('cockpit failed to start', { error });
    electron.dialog.showErrorBox('The cockpit failed to start', error instanceof Error ? error.message : String(error));
    electron.app.quit();
  });
}

main().catch((error: unknown) => {
  fatal('The cockpit failed to start', error instanceof Error ? error.message : String(error));
});
