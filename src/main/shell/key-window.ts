// The "Broker keys…" window: a small modal form in its own sandboxed renderer, with its own preload
// and two channels of its own. Keys go from there straight into the keychain; the cockpit window,
// the engine and the IPC contract never see them.
import type { BrowserWindow, IpcMainInvokeEvent, MessageBoxOptions, WebContents } from 'electron';
import { Secret } from '../config/secret';
import { KEY_WINDOW_CHANNELS, validateKeySubmission, type KeyWindowReply } from './key-entry';
import type { Keychain } from './keychain';
import { isAppPage } from './security';
import type { ShellElectron, ShellLogger } from './types';
import { secureWebPreferences, WINDOW_BACKGROUND } from './window';

export const KEY_WINDOW_TITLE = 'Broker keys';
export const KEY_WINDOW_SIZE = { width: 480, height: 430 } as const;

export const KEYS_SAVED_DETAIL =
  'They take effect the next time the cockpit starts: quit and start it again. With Alpaca keys the ' +
  'session starts in PAPER mode unless TRADING_MODE says otherwise. Keys set in the environment or ' +
  '.env still take precedence over saved ones.';

export interface BrokerKeyActions {
  openBrokerKeys(): void;
  forgetBrokerKeys(): void;
}

export interface BrokerKeyWindowOptions {
  electron: Pick<ShellElectron, 'BrowserWindow' | 'ipcMain' | 'dialog'>;
  keychain: Keychain;
  /** The page, app://keys/key-window.html (served from out/preload by the app protocol handler). */
  pageUrl: string;
  /** `app.isPackaged`: no DevTools. */
  packaged?: boolean;
  /** Absolute path of out/preload/key-window.cjs. */
  preloadPath: string;
  /** The cockpit window the form and the dialogs belong to (null when it is gone). */
  parent: () => BrowserWindow | null;
  /** The navigation guard every webContents gets (idempotent with the web-contents-created hook). */
  guard: (contents: WebContents) => void;
  logger: ShellLogger;
}

export interface BrokerKeyWindows extends BrokerKeyActions {
  /** The open key window, if any (tests, and closing it on quit). */
  current(): BrowserWindow | null;
  /** Closes the key window and removes its channels. */
  dispose(): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createBrokerKeyWindows(options: BrokerKeyWindowOptions): BrokerKeyWindows {
  const { electron, keychain, logger } = options;
  const { dialog, ipcMain } = electron;
  const isKeyPage = (url: string): boolean => isAppPage(options.pageUrl, url);
  let window: BrowserWindow | null = null;
  let removeChannels: (() => void) | null = null;

  const live = (): BrowserWindow | null => (window !== null && !window.isDestroyed() ? window : null);

  const message = (box: MessageBoxOptions): Promise<number> => {
    const parent = options.parent();
    const shown = parent !== null && !parent.isDestroyed() ? dialog.showMessageBox(parent, box) : dialog.showMessageBox(box);
    return shown.then(
      (r) => r.response,
      (error: unknown) => {
        logger.warn('shell: could not show a message box', { error });
        return -1;
      },
    );
  };

  /** Only the key window's own main frame, showing its own page, may submit. */
  const fromKeyWindow = (event: IpcMainInvokeEvent): boolean => {
    try {
      const current = live();
      const frame = event.senderFrame;
      if (current === null || frame === null) return false;
      if (event.sender.id !== current.webContents.id) return false;
      if (frame.parent !== null) return false;
      return isKeyPage(frame.url);
    } catch {
      return false;
    }
  };

  const registerChannels = (): (() => void) => {
    ipcMain.handle(KEY_WINDOW_CHANNELS.submit, (event, payload: unknown): KeyWindowReply => {
      if (!fromKeyWindow(event)) {
        logger.warn('shell: refused a broker-keys submission that did not come from the key window');
        return { ok: false, field: null, message: 'Refused: this form is not the cockpit key window.' };
      }
      const checked = validateKeySubmission(payload);
      if (!checked.ok) return checked;
      const saved = keychain.save({
        alpacaKeyId: new Secret(checked.keys.keyId),
        alpacaSecretKey: new Secret(checked.keys.secretKey),
        polygonApiKey: checked.keys.polygonKey !== null ? new Secret(checked.keys.polygonKey) : null,
      });
      if (!saved.ok) {
        logger.warn(`shell: broker keys not saved: ${saved.message}`);
        return { ok: false, field: null, message: saved.message };
      }
      logger.info(`shell: broker keys saved to ${keychain.filePath} (${checked.keys.polygonKey !== null ? 'Alpaca and Polygon' : 'Alpaca'})`);
      live()?.close();
      void message({
        type: 'info',
        title: KEY_WINDOW_TITLE,
        message: 'Broker keys saved, encrypted by the operating system keychain.',
        detail: KEYS_SAVED_DETAIL,
        buttons: ['OK'],
      });
      return { ok: true };
    });
    ipcMain.handle(KEY_WINDOW_CHANNELS.cancel, (event): void => {
      if (fromKeyWindow(event)) live()?.close();
    });
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      ipcMain.removeHandler(KEY_WINDOW_CHANNELS.submit);
      ipcMain.removeHandler(KEY_WINDOW_CHANNELS.cancel);
    };
  };

  const open = (): void => {
    const existing = live();
    if (existing !== null) {
      existing.show();
      existing.focus();
      return;
    }
    // Refuse before the trader types anything the cockpit could not keep safely.
    const usable = keychain.availability();
    if (!usable.ok) {
      logger.warn(`shell: broker keys cannot be stored here: ${usable.message}`);
      void message({ type: 'warning', title: KEY_WINDOW_TITLE, message: 'Keys cannot be stored in the keychain on this computer.', detail: usable.message, buttons: ['OK'] });
      return;
    }
    const parent = options.parent();
    const created = new electron.BrowserWindow({
      ...(parent !== null && !parent.isDestroyed() ? { parent, modal: true } : {}),
      width: KEY_WINDOW_SIZE.width,
      height: KEY_WINDOW_SIZE.height,
      resizable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      title: KEY_WINDOW_TITLE,
      backgroundColor: WINDOW_BACKGROUND,
      show: false,
      webPreferences: secureWebPreferences(options.preloadPath, { packaged: options.packaged ?? false }),
    });
    window = created;
    options.guard(created.webContents);
    // On Windows and Linux a child window would otherwise repeat the cockpit's menu, reload included.
    created.removeMenu();
    created.on('page-title-updated', (event) => event.preventDefault());
    created.once('ready-to-show', () => created.show());
    removeChannels = registerChannels();
    created.on('closed', () => {
      removeChannels?.();
      removeChannels = null;
      if (window === created) window = null;
    });
    created.loadURL(options.pageUrl).catch((error: unknown) => {
      logger.error(`shell: could not load the key window (${options.pageUrl})`, { error });
      if (!created.isDestroyed()) created.close();
    });
  };

  const forget = async (): Promise<void> => {
    if (!keychain.hasSavedKeys()) {
      await message({ type: 'info', title: KEY_WINDOW_TITLE, message: 'No broker keys are saved in the keychain.', buttons: ['OK'] });
      return;
    }
    const answer = await message({
      type: 'warning',
      title: KEY_WINDOW_TITLE,
      message: 'Forget the saved broker keys?',
      detail: 'The encrypted keys are deleted from this computer. Keys in the environment or .env are not touched.',
      buttons: ['Cancel', 'Forget keys'],
      defaultId: 0,
      cancelId: 0,
    });
    if (answer !== 1) return;
    const removed = keychain.forget();
    if (!removed.ok) {
      logger.error(`shell: could not forget the broker keys: ${removed.message}`);
      await message({ type: 'error', title: KEY_WINDOW_TITLE, message: 'The saved broker keys could not be deleted.', detail: removed.message, buttons: ['OK'] });
      return;
    }
    logger.info('shell: saved broker keys forgotten');
    await message({
      type: 'info',
      title: KEY_WINDOW_TITLE,
      message: 'Saved broker keys forgotten.',
      detail: 'This session keeps the keys it started with until you quit; the next start uses none from the keychain.',
      buttons: ['OK'],
    });
  };

  return {
    current: live,
    openBrokerKeys() {
      try {
        open();
      } catch (error) {
        // A menu click must never throw into Electron.
        logger.error(`shell: could not open the key window: ${describe(error)}`);
      }
    },
    forgetBrokerKeys() {
      forget().catch((error: unknown) => logger.error(`shell: forgetting broker keys failed: ${describe(error)}`));
    },
    dispose() {
      removeChannels?.();
      removeChannels = null;
      const current = live();
      if (current !== null) current.close();
      window = null;
    },
  };
}
