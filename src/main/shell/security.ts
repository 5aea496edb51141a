// What the renderer may load, navigate to, open and ask for: the Content-Security-Policy, the
// app-URL check, the external-link rule, permission denial and the guard every webContents gets.
import { pathToFileURL } from 'node:url';
import type { Session, WebContents } from 'electron';
import type { ShellLogger } from './types';

// ---------------------------------------------------------------- where the app lives

/** The renderer's own address: the built index.html, or the Vite dev server in development. */
export interface AppLocation {
  /** What the window loads. */
  readonly kind: 'file' | 'dev';
  readonly entryUrl: string;
  /** True for the app's own page (any hash/query); false for everything else. */
  isAppUrl(url: string): boolean;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * @throws when `devServerUrl` is not an http(s) URL: a dev setup that points elsewhere is a
 * configuration bug and should stop the start, not quietly widen the CSP.
 */
export function resolveAppLocation(rendererIndexPath: string, devServerUrl?: string): AppLocation {
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
  const entry = pathToFileURL(rendererIndexPath);
  // Chromium and Node may percent-encode a path differently; compare the decoded path.
  const entryPath = safeDecode(entry.pathname);
  return {
    kind: 'file',
    entryUrl: entry.href,
    isAppUrl: (url) => {
      const u = parseUrl(url);
      return u !== null && u.protocol === 'file:' && u.host === entry.host && safeDecode(u.pathname) === entryPath;
    },
  };
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
  };
}
