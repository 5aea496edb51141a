// A recording stand-in for the parts of Electron the shell uses, so the shell can be exercised
// under plain Node: every window, handler, menu, header listener and external link is kept.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { ShellElectron } from '../../../src/main/shell';
import type { EngineHost, EventListener } from '../../../src/main/engine/host-api';
import { ok, type EventName, type EventPayload, type Result } from '../../../src/shared/contract';

export interface FakeEvent {
  url?: string;
  defaultPrevented: boolean;
  preventDefault(): void;
}
export function fakeEvent(extra: { url?: string } = {}): FakeEvent {
  return {
    ...extra,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: Array<{ channel: string; message: unknown }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  destroyed = false;
  readonly mainFrame: FakeFrame = { url: '', parent: null };

  send(channel: string, message: unknown): void {
    this.sent.push({ channel, message });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What Electron does when the page tries to navigate: emits will-navigate, reports whether it went ahead. */
  navigate(url: string): boolean {
    const event = fakeEvent({ url });
    this.emit('will-navigate', event, url);
    return !event.defaultPrevented;
  }
  pushedEvents(): Array<{ event: string; payload: unknown }> {
    return this.sent.filter((s) => s.channel === 'cockpit:event').map((s) => s.message as { event: string; payload: unknown });
  }
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FakeApp extends EventEmitter {
  quitCalls: number;
  quitted: boolean;
  sandboxEnabled: boolean;
  aboutOptions: unknown;
  /** Like app.quit(): emits before-quit and quits unless a listener prevents it. */
  quit(): void;
}

export interface FakeElectron {
  electron: ShellElectron;
  app: FakeApp;
  windows: FakeBrowserWindowInstance[];
  handlers: Map<string, (event: unknown, payload: unknown) => Promise<unknown>>;
  removedHandlers: string[];
  menuTemplates: MenuItemConstructorOptions[][];
  applicationMenu: { template: MenuItemConstructorOptions[] } | null;
  openedExternally: string[];
  headerListeners: Array<(details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void>;
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null;
  displays: Array<{ workArea: Bounds }>;
  /** What the fake keychain reports; tests change these to play other computers. */
  safeStorage: FakeSafeStorageState;
  /** Every native message box, newest last, with the window it was attached to (if any). */
  messageBoxes: Array<{ parent: unknown; options: { type?: string; title?: string; message: string; detail?: string; buttons?: string[] } }>;
  /** Answers (button index) for the next message boxes, in order; 0 when none is queued. */
  messageBoxResponses: number[];
  errorBoxes: Array<{ title: string; content: string }>;
  /** What protocol.registerSchemesAsPrivileged was given (Electron allows one call, before ready). */
  privilegedSchemes: Array<{ scheme: string; privileges?: Record<string, unknown> }>;
  /** protocol.handle handlers by scheme. */
  protocolHandlers: Map<string, (request: Request) => Response | Promise<Response>>;
}

export interface FakeSafeStorageState {
  available: boolean;
  backend: 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown';
  /** Stands for this user's keychain key: ciphertext from another key does not decrypt. */
  keyByte: number;
}

/** Stand-in for safeStorage's cipher: a version prefix, the key's tag, and the bytes XOR-ed with the key. */
function fakeEncrypt(state: FakeSafeStorageState, plain: string): Buffer {
  if (!state.available) throw new Error('Encryption is not available.');
  const bytes = Buffer.from(plain, 'utf8').map((b) => b ^ state.keyByte);
  return Buffer.concat([Buffer.from('v10'), Buffer.from([state.keyByte]), bytes]);
}
function fakeDecrypt(state: FakeSafeStorageState, cipher: Buffer): string {
  if (!state.available) throw new Error('Decryption is not available.');
  if (cipher.length < 4 || cipher.subarray(0, 3).toString() !== 'v10' || cipher[3] !== state.keyByte) {
    throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  }
  return Buffer.from(cipher.subarray(4).map((b) => b ^ state.keyByte)).toString('utf8');
}

export interface FakeBrowserWindowInstance extends EventEmitter {
  options: { webPreferences?: Record<string, unknown>; [key: string]: unknown };
  webContents: FakeWebContents;
  loadedUrl: string | null;
  loadedFile: string | null;
  bounds: Bounds;
  maximized: boolean;
  shown: boolean;
  destroyed: boolean;
  isDestroyed(): boolean;
  getNormalBounds(): Bounds;
  isMaximized(): boolean;
  maximize(): void;
  menuRemoved: boolean;
  focused: number;
  /** Simulates the trader dragging or resizing the window. */
  moveTo(bounds: Partial<Bounds>): void;
  close(): void;
}

export function createFakeElectron(
  opts: {
    singleInstance?: boolean;
    displays?: Array<{ workArea: Bounds }>;
    safeStorage?: Partial<FakeSafeStorageState>;
    /** app.isPackaged (default false: a development run). */
    packaged?: boolean;
    /** The app is already ready when the shell starts (as in src/main/index.ts). */
    ready?: boolean;
  } = {},
): FakeElectron {
  const app = new EventEmitter() as FakeApp;
  app.quitCalls = 0;
  app.quitted = false;
  app.sandboxEnabled = false;
  app.aboutOptions = null;
  let ready = opts.ready ?? false;

  const state: Omit<FakeElectron, 'electron' | 'app'> = {
    windows: [],
    handlers: new Map(),
    removedHandlers: [],
    menuTemplates: [],
    applicationMenu: null,
    openedExternally: [],
    headerListeners: [],
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    displays: opts.displays ?? [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
    safeStorage: { available: true, backend: 'gnome_libsecret', keyByte: 0x5a, ...opts.safeStorage },
    messageBoxes: [],
    messageBoxResponses: [],
    errorBoxes: [],
    privilegedSchemes: [],
    protocolHandlers: new Map(),
  };

  const windows = state.windows;

  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents();
    loadedUrl: string | null = null;
    loadedFile: string | null = null;
    bounds: Bounds;
    maximized = false;
    shown = false;
    destroyed = false;
    menuRemoved = false;
    focused = 0;
    constructor(readonly options: { webPreferences?: Record<string, unknown>; [key: string]: unknown }) {
      super();
      this.bounds = {
        x: Number(options.x ?? 0),
        y: Number(options.y ?? 0),
        width: Number(options.width ?? 800),
        height: Number(options.height ?? 600),
      };
      windows.push(this as unknown as FakeBrowserWindowInstance);
      // Electron announces every new webContents, the window's own included.
      app.emit('web-contents-created', fakeEvent(), this.webContents);
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    getNormalBounds(): Bounds {
      return { ...this.bounds };
    }
    isMaximized(): boolean {
      return this.maximized;
    }
    isMinimized(): boolean {
      return false;
    }
    maximize(): void {
      this.maximized = true;
      this.emit('maximize');
    }
    show(): void {
      this.shown = true;
    }
    focus(): void {
      this.focused += 1;
    }
    removeMenu(): void {
      this.menuRemoved = true;
    }
    restore(): void {}
    moveTo(bounds: Partial<Bounds>): void {
      this.bounds = { ...this.bounds, ...bounds };
      this.emit('move');
    }
    loadURL(url: string): Promise<void> {
      this.loadedUrl = url;
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    loadFile(path: string): Promise<void> {
      // The shell loads every page from app:// (or the dev server); file:// is a regression.
      this.loadedFile = path;
      this.webContents.mainFrame.url = `file://${path}`;
      return Promise.resolve();
    }
    close(): void {
      const event = fakeEvent();
      this.emit('close', event);
      if (event.defaultPrevented) return;
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
      if (windows.every((w) => w.destroyed)) app.emit('window-all-closed');
    }
  }

  Object.assign(app, {
    name: 'Trading Cockpit',
    isPackaged: opts.packaged ?? false,
    requestSingleInstanceLock: () => opts.singleInstance ?? true,
    isReady: () => ready,
    enableSandbox: () => {
      app.sandboxEnabled = true;
    },
    whenReady: () => {
      ready = true;
      return Promise.resolve();
    },
    setAboutPanelOptions: (options: unknown) => {
      app.aboutOptions = options;
    },
    quit: () => {
      app.quitCalls += 1;
      const event = fakeEvent();
      app.emit('before-quit', event);
      if (!event.defaultPrevented) app.quitted = true;
    },
  });

  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Menu: {
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => {
        state.menuTemplates.push(template);
        return { template };
      },
      setApplicationMenu: (menu: { template: MenuItemConstructorOptions[] } | null) => {
        state.applicationMenu = menu;
      },
    },
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, payload: unknown) => Promise<unknown>) => {
        if (state.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        state.handlers.set(channel, handler);
      },
      removeHandler: (channel: string) => {
        state.removedHandlers.push(channel);
        state.handlers.delete(channel);
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: FakeElectron['privilegedSchemes']) => {
        if (ready) throw new Error('registerSchemesAsPrivileged after ready');
        if (state.privilegedSchemes.length > 0) throw new Error('registerSchemesAsPrivileged called twice');
        state.privilegedSchemes.push(...schemes);
      },
      handle: (scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
        if (!ready) throw new Error('protocol.handle before ready');
        if (state.protocolHandlers.has(scheme)) throw new Error(`second handler for ${scheme}:`);
        state.protocolHandlers.set(scheme, handler);
      },
    },
    shell: {
      openExternal: (url: string) => {
        state.openedExternally.push(url);
        return Promise.resolve();
      },
    },
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (listener: FakeElectron['headerListeners'][number]) => {
            state.headerListeners.push(listener);
          },
        },
        setPermissionRequestHandler: (handler: FakeElectron['permissionRequestHandler']) => {
          state.permissionRequestHandler = handler;
        },
        setPermissionCheckHandler: (handler: FakeElectron['permissionCheckHandler']) => {
          state.permissionCheckHandler = handler;
        },
      },
    },
    screen: {
      getAllDisplays: () => state.displays,
      getPrimaryDisplay: () => state.displays[0],
    },
    safeStorage: {
      isEncryptionAvailable: () => state.safeStorage.available,
      getSelectedStorageBackend: () => state.safeStorage.backend,
      encryptString: (plain: string) => fakeEncrypt(state.safeStorage, plain),
      decryptString: (cipher: Buffer) => fakeDecrypt(state.safeStorage, cipher),
    },
    dialog: {
      // Like Electron: (window, options) or (options); resolves with the chosen button.
      showMessageBox: (first: unknown, second?: FakeElectron['messageBoxes'][number]['options']) => {
        const [parent, options] = second === undefined ? [null, first as FakeElectron['messageBoxes'][number]['options']] : [first, second];
        state.messageBoxes.push({ parent, options });
        return Promise.resolve({ response: state.messageBoxResponses.shift() ?? 0, checkboxChecked: false });
      },
      showErrorBox: (title: string, content: string) => {
        state.errorBoxes.push({ title, content });
      },
    },
  };

  // One object, mutated in place, so what the shell records later is visible to the test.
  return Object.assign(state, { app, electron: electron as unknown as ShellElectron });
}

/** An EngineHost that records requests, answers from a table and publishes events on demand. */
export class FakeEngine implements EngineHost {
  readonly id = 'engine-test';
  readonly calls: Array<{ channel: string; payload: unknown }> = [];
  readonly answers = new Map<string, Result<unknown>>();
  readonly listeners = new Set<EventListener>();
  started = 0;
  stopped = 0;
  stopDelayMs = 0;
  /** What secrets() reports: the configured keys the bridge must scrub. */
  secretValues: string[] = [];

  readonly dispatch = vi.fn(async (channel: string, payload: unknown): Promise<Result<unknown>> => {
    this.calls.push({ channel, payload });
    return this.answers.get(channel) ?? ok({ echoed: channel });
  });

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload);
  }
  secrets(): readonly string[] {
    return this.secretValues;
  }
  async start(): Promise<void> {
    this.started += 1;
  }
  async stop(): Promise<void> {
    if (this.stopDelayMs > 0) await new Promise((r) => setTimeout(r, this.stopDelayMs));
    this.stopped += 1;
  }
}

/** Finds a menu item by the labels on the way to it, e.g. ['Trading', 'Kill switch']. */
export function findMenuItem(
  template: readonly MenuItemConstructorOptions[],
  path: readonly string[],
): MenuItemConstructorOptions | undefined {
  const [head, ...rest] = path;
  const item = template.find((i) => i.label === head || i.role === head);
  if (item === undefined || rest.length === 0) return item;
  const submenu = Array.isArray(item.submenu) ? (item.submenu as MenuItemConstructorOptions[]) : [];
  return findMenuItem(submenu, rest);
}

export function clickMenuItem(item: MenuItemConstructorOptions | undefined): void {
  if (item?.click === undefined) throw new Error('menu item has no click handler');
  (item.click as () => void)();
}
