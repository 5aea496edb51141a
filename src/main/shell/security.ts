// What the renderer may load, navigate to, open and ask for: the Content-Security-Policy, the
// app-URL check, the external-link rule, permission denial and the guard every webContents gets.
import type { Input, Session, WebContents } from 'electron';
import { APP_SCHEME, appUrl, COCKPIT_HOST } from './app-protocol';
import type { ShellLogger } from './types';

// ---------------------------------------------------------------- where the app lives

/** The renderer's own address: app://cockpit/ in production, the Vite dev server in development. */
export interface AppLocation {
  /** What the window loads. */
  readonly kind: 'app' | 'dev';
  readonly entryUrl: string;
  /** True for the app's own origin (any page, hash or query on it); false for everything else. */
  isAppUrl(url: string): boolean;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** The cockpit's page under app://; the protocol handler serves it from the built renderer folder. */
export const APP_ENTRY_URL = appUrl(COCKPIT_HOST, 'index.html');

/**
 * @throws when `devServerUrl` is not an http(s) URL: a dev setup that points elsewhere is a
 * configuration bug and should stop the start, not quietly widen the CSP.
 */
export function resolveAppLocation(devServerUrl?: string): AppLocation {
  if (devServerUrl !== undefined && devServerUrl !== '') {
    const dev = parseUrl(devServerUrl);
    if (dev === null || (dev.protocol !== 'http:' && dev.protocol !== 'https:')) {
      throw new Error(`devServerUrl must be an http(s) URL, got ${JSON.stringify(devServerUrl)}`);
    }
    const origin = dev.origin;
    return {
      kind: 'dev',
      entryUrl: dev.href,
      isAppUrl: (url) => parseUrl(url)?.origin === origin,
    };
  }
  return { kind: 'app', entryUrl: APP_ENTRY_URL, isAppUrl: (url) => isSameAppOrigin(APP_ENTRY_URL, url) };
}

/**
 * Same app:// origin (scheme and host). Node gives non-special schemes the origin "null", so the
 * parts are compared; a port or credentials never belong to an app:// URL.
 */
export function isSameAppOrigin(entryUrl: string, url: string): boolean {
  const entry = parseUrl(entryUrl);
  const u = parseUrl(url);
  return (
    entry !== null &&
    u !== null &&
    entry.protocol === `${APP_SCHEME}:` &&
    u.protocol === entry.protocol &&
    u.hostname !== '' &&
    u.hostname === entry.hostname &&
    u.port === '' &&
    u.username === '' &&
    u.password === ''
  );
}

/** Exactly the page `entryUrl` (any hash or query): same app:// origin and the same decoded path. */
export function isAppPage(entryUrl: string, url: string): boolean {
  const entry = parseUrl(entryUrl);
  const u = parseUrl(url);
  return entry !== null && u !== null && isSameAppOrigin(entryUrl, url) && safeDecode(u.pathname) === safeDecode(entry.pathname);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

// ---------------------------------------------------------------- content security policy

/**
 * The policy set on every response. In development the Vite origin and its HMR websocket are
 * allowed, and inline scripts too: @vitejs/plugin-react injects its refresh preamble as an inline
 * module script, which a strict script-src would block. The production policy has no inline script.
 * `'unsafe-eval'` is never allowed.
 */
export function buildContentSecurityPolicy(devServerUrl?: string): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['connect-src', ["'self'"]],
    ['font-src', ["'self'", 'data:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  const dev = devServerUrl ? parseUrl(devServerUrl) : null;
  if (dev !== null && (dev.protocol === 'http:' || dev.protocol === 'https:')) {
    const origin = dev.origin;
    const wsOrigin = `${dev.protocol === 'https:' ? 'wss:' : 'ws:'}//${dev.host}`;
    const extra: Record<string, string[]> = {
      'script-src': [origin, "'unsafe-inline'"],
      'style-src': [origin],
      'img-src': [origin],
      'font-src': [origin],
      'connect-src': [origin, wsOrigin],
    };
    for (const [name, sources] of directives) sources.push(...(extra[name] ?? []));
  }
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

// ---------------------------------------------------------------- session

/** CSP on every response and every permission refused: a trading cockpit needs no camera, no geolocation. */
export function installSessionGuards(session: Session, csp: string, logger: ShellLogger): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders: Record<string, string | string[]> = { ...(details.responseHeaders ?? {}) };
    // Replace, not add: a second, looser policy from a server would not loosen ours, but one
    // header is easier to reason about when debugging.
    for (const name of Object.keys(responseHeaders)) {
      if (name.toLowerCase() === 'content-security-policy') delete responseHeaders[name];
    }
    responseHeaders['Content-Security-Policy'] = [csp];
    callback({ responseHeaders });
  });
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn(`shell: denied permission request "${permission}"`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

// ---------------------------------------------------------------- links and navigation

/** Only web links leave the app; `file:`, `javascript:`, custom schemes and garbage never do. */
export function isSafeExternalUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
}

export interface NavigationPolicy {
  isAppUrl(url: string): boolean;
  openExternal(url: string): Promise<void>;
  /** A packaged build: the DevTools and reload shortcuts do nothing (the menu offers neither). */
  packaged?: boolean;
}

/** F12, F5, Ctrl/Cmd+R, Ctrl/Cmd+Shift+I/J/C and Cmd+Alt+I/J/C: DevTools and reload keys. */
export function isDevToolsOrReloadShortcut(input: Pick<Input, 'type' | 'key' | 'shift' | 'control' | 'alt' | 'meta'>): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.toLowerCase();
  if (key === 'f12' || key === 'f5') return true;
  const mod = input.control || input.meta;
  if (mod && key === 'r') return true;
  if (mod && (input.shift || (input.meta && input.alt)) && (key === 'i' || key === 'j' || key === 'c')) return true;
  return false;
}

/**
 * Returns `guard(contents)`: blocks navigation away from the app, denies every new window (web
 * links go to the system browser instead) and refuses webviews. Idempotent per webContents, so
 * the `web-contents-created` hook and the window factory can both call it.
 */
export function createWebContentsGuard(
  policy: NavigationPolicy,
  logger: ShellLogger,
): (contents: WebContents) => void {
  const guarded = new WeakSet<WebContents>();
  const openOutside = (url: string): void => {
    if (!isSafeExternalUrl(url)) {
      logger.warn(`shell: blocked opening ${JSON.stringify(url.slice(0, 200))}`);
      return;
    }
    policy.openExternal(url).catch((error: unknown) => logger.warn(`shell: could not open ${url}`, { error }));
  };
  return (contents) => {
    if (guarded.has(contents)) return;
    guarded.add(contents);
    contents.on('will-navigate', (details) => {
      if (policy.isAppUrl(details.url)) return;
      details.preventDefault();
      openOutside(details.url);
    });
    contents.setWindowOpenHandler(({ url }) => {
      openOutside(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
      logger.warn('shell: refused to attach a webview');
    });
    if (policy.packaged === true) {
      contents.on('before-input-event', (event, input) => {
        if (isDevToolsOrReloadShortcut(input)) event.preventDefault();
      });
    }
  };
}
