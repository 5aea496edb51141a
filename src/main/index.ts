// The Electron host: builds the engine from the validated config and hands it to the thin shell
// (window, menu, IPC). Everything that trades lives in the engine; nothing here imports it twice.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import electron from 'electron';
import { resolveConfig } from './bootstrap';
import { ConfigError, secretsOf, type VariableName } from './config/config';
import { APP_VERSION, createEngine } from './engine/compose';
import { createFileLogger } from './logging/logger';
import { startElectronShell } from './shell';

const here = dirname(fileURLToPath(import.meta.url)); // out/main

function fatal(title: string, message: string): void {
  // Before the window exists the only way to tell the trader is a native dialog.
  electron.dialog.showErrorBox(title, message);
  electron.app.exit(2);
}

function main(): void {
  // Both hosts share one data folder: Electron's userData unless TRADING_DATA_DIR says otherwise.
  const overrides: Partial<Record<VariableName, string>> = {};
  if (!process.env.TRADING_DATA_DIR) overrides.TRADING_DATA_DIR = electron.app.getPath('userData');
  let config;
  try {
    config = resolveConfig({ overrides });
  } catch (error) {
    if (error instanceof ConfigError) return fatal('Invalid configuration', `${error.message}\n\nNothing was started.`);
    throw error;
  }
  const logger = createFileLogger({ logId: 'electron', dir: config.logDir, level: config.logLevel, secrets: secretsOf(config), console: !electron.app.isPackaged });
  let engine;
  try {
    engine = createEngine(config, { host: 'electron', logger });
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

main();
