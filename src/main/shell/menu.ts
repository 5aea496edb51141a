// The application menu: trading actions (kill switch, backtest, training) next to the usual File,
// Edit, View and Help menus. The template is built by a plain function so tests can read it.
import type { MenuItemConstructorOptions } from 'electron';
import type { EventName, EventPayload, Result } from '../../shared/contract';
import type { EngineHost } from '../engine/host-api';
import type { ShellLogger } from './types';

export const KILL_SWITCH_ACCELERATOR = 'CmdOrCtrl+Shift+K';

export interface MenuActions {
  killSwitch(): void;
  openBacktest(): void;
  trainModels(): void;
  openImport(): void;
  openModels(): void;
  /** Opens the separate window where the trader enters broker keys for the keychain. */
  openBrokerKeys(): void;
  forgetBrokerKeys(): void;
}

export interface MenuTemplateOptions {
  isMac: boolean;
  appName: string;
  actions: MenuActions;
  /** `app.isPackaged`: View offers no Reload, Force Reload or Toggle DevTools (nor their shortcuts). */
  packaged?: boolean;
}

export function buildMenuTemplate({ isMac, appName, actions, packaged = false }: MenuTemplateOptions): MenuItemConstructorOptions[] {
  const sep: MenuItemConstructorOptions = { type: 'separator' };
  const appMenu: MenuItemConstructorOptions[] = isMac
    ? [
        {
          label: appName,
          submenu: [
            { role: 'about' },
            sep,
            { role: 'services' },
            sep,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            sep,
            { role: 'quit' },
          ],
        },
      ]
    : [];
  return [
    ...appMenu,
    {
      label: 'File',
      submenu: [
        { label: 'Import history…', click: () => actions.openImport() },
        sep,
        // On macOS Quit lives in the app menu; Close Window is what File offers there.
        isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
      ],
    },
    {
      // Without these roles macOS has no copy/paste shortcuts in text fields.
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        sep,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'Trading',
      submenu: [
        {
          label: 'Kill switch',
          accelerator: KILL_SWITCH_ACCELERATOR,
          click: () => actions.killSwitch(),
        },
        sep,
        { label: 'Broker keys…', click: () => actions.openBrokerKeys() },
        { label: 'Forget broker keys', click: () => actions.forgetBrokerKeys() },
      ],
    },
    {
      label: 'Backtest',
      submenu: [{ label: 'Run backtest…', click: () => actions.openBacktest() }],
    },
    {
      label: 'Models',
      submenu: [
        { label: 'Show models', click: () => actions.openModels() },
        { label: 'Train now', click: () => actions.trainModels() },
      ],
    },
    {
      label: 'View',
      submenu: [
        // A reload in a packaged build would drop the trader's unsaved dialogs mid-session, and
        // DevTools there would hand anyone at the keyboard the IPC bridge to the engine.
        ...(packaged ? [] : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, sep] satisfies MenuItemConstructorOptions[]),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        sep,
        { role: 'togglefullscreen' },
      ],
    },
    ...(isMac ? [{ role: 'windowMenu' } satisfies MenuItemConstructorOptions] : []),
    {
      role: 'help',
      submenu: [{ role: 'about', label: `About ${appName}` }],
    },
  ];
}

export interface MenuActionDeps {
  engine: Pick<EngineHost, 'dispatch'>;
  /** Sends a push event to the cockpit window (no-op when it is gone). */
  notify<E extends EventName>(event: E, payload: EventPayload<E>): void;
  logger: ShellLogger;
  now?: () => number;
}

/** The menu's actions, wired to the engine and the window. Clicks never throw. */
export function createMenuActions({
  engine,
  notify,
  logger,
  now = Date.now,
}: MenuActionDeps): Omit<MenuActions, 'openBrokerKeys' | 'forgetBrokerKeys'> {
  const run = (
    channel: 'trading.killSwitch' | 'models.train',
    payload: unknown,
    level: 'warn' | 'error',
  ): void => {
    const report = (result: Result<unknown>): void => {
      if (result.ok) return;
      logger.warn(`shell: menu ${channel} refused: ${result.error.code} ${result.error.message}`);
      notify('app.notice', { level, code: result.error.code, message: result.error.message, at: now() });
    };
    engine
      .dispatch(channel, payload)
      .then(report, (error: unknown) => {
        logger.error(`shell: menu ${channel} threw`, { error });
        notify('app.notice', {
          level: 'error',
          code: 'INTERNAL',
          message: `${channel} failed: ${error instanceof Error ? error.message : String(error)}`,
          at: now(),
        });
      });
  };
  return {
    // A refused kill switch is an error, not a warning: the trader believes trading has stopped.
    killSwitch: () => run('trading.killSwitch', { reason: 'kill switch (menu)' }, 'error'),
    trainModels: () => run('models.train', { reason: 'menu' }, 'warn'),
    openBacktest: () => notify('ui.command', { command: 'backtest.open' }),
    openImport: () => notify('ui.command', { command: 'import.open' }),
    openModels: () => notify('ui.command', { command: 'models.open' }),
  };
}
