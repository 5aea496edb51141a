// The app:// scheme the windows load their pages from, instead of file://. A page on file:// gets
// no response headers (so no CSP header) and file://'s extra privileges; a privileged custom scheme
// gets a real origin (app://cockpit), the CSP header on every response, and only the files of the
// built renderer folder: no path traversal, no other file on disk.
import { readFile, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Protocol } from 'electron';
import type { ShellLogger } from './types';

export const APP_SCHEME = 'app';
/** The cockpit window's origin: out/renderer. */
export const COCKPIT_HOST = 'cockpit';
/** The broker-keys window's origin: three files of out/preload. */
export const KEYS_HOST = 'keys';

/** `app://<host>/<file>`. */
export function appUrl(host: string, file: string): string {
  return `${APP_SCHEME}://${host}/${file.replace(/^\/+/, '')}`;
}

// ---------------------------------------------------------------- the scheme

const registeredOn = new WeakSet<object>();

/**
 * Must run before the app is ready (Electron allows one call per process). `standard` gives the
 * scheme real origins and relative URLs, `secure` makes it a secure context, `supportFetchAPI` and
 * `corsEnabled` let the page load its module scripts (Vite emits `type="module" crossorigin`).
 * `bypassCSP` is never set.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  if (registeredOn.has(protocol)) return;
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
    },
  ]);
  registeredOn.add(protocol);
}

export function isAppSchemeRegistered(protocol: object): boolean {
  return registeredOn.has(protocol);
}

// ---------------------------------------------------------------- the handler

/** One origin under app://: the folder it serves and, optionally, the only files it serves. */
export interface AppSite {
  /** Absolute folder; nothing outside it is ever read. */
  readonly root: string;
  /** When given, only these files (relative, '/'-separated) are served. */
  readonly files?: readonly string[];
  /** Served for `/`; default index.html. */
  readonly index?: string;
}

export type AppSites = Readonly<Record<string, AppSite>>;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface AppProtocolOptions {
  sites: AppSites;
  /** Sent as the Content-Security-Policy header of every response, errors included. */
  csp: string;
  logger: ShellLogger;
  /** Tests replace the file system; default node:fs/promises. */
  fs?: { readFile(path: string): Promise<Uint8Array<ArrayBuffer>>; realpath(path: string): Promise<string> };
}

export type AppProtocolHandler = (request: Request) => Promise<Response>;

/** The file `url` names inside its site, or a reason to refuse it. Pure: no file system access. */
export function resolveAppRequest(
  sites: AppSites,
  url: string,
): { ok: true; site: AppSite; path: string } | { ok: false; status: 400 | 404; reason: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:`) return { ok: false, status: 400, reason: 'not an app: URL' };
  const site = Object.prototype.hasOwnProperty.call(sites, parsed.hostname) ? sites[parsed.hostname] : undefined;
  if (site === undefined) return { ok: false, status: 404, reason: `unknown host ${JSON.stringify(parsed.hostname)}` };
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  // Decoded, a path may hold what the URL parser never saw as structure: %2F, %5C, %2e%2e, NUL.
  if (path.includes('\0') || path.includes('\\')) return { ok: false, status: 400, reason: 'forbidden character' };
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return { ok: false, status: 400, reason: 'path traversal' };
  const name = segments.length === 0 ? (site.index ?? 'index.html') : segments.join('/');
  if (site.files !== undefined && !site.files.includes(name)) return { ok: false, status: 404, reason: 'not served' };
  const root = resolve(site.root);
  const file = resolve(root, ...name.split('/'));
  if (!isInside(root, file)) return { ok: false, status: 400, reason: 'path traversal' };
  return { ok: true, site, path: file };
}

function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * The `protocol.handle('app', …)` handler: GET and HEAD of files under each site's folder, with
 * the strict CSP, `nosniff` and a content type on every response. Symbolic links that lead out of
 * the folder are refused too.
 */
export function createAppProtocolHandler(options: AppProtocolOptions): AppProtocolHandler {
  const fs = options.fs ?? { readFile, realpath };
  const headers = (contentType: string | null): Headers => {
    const h = new Headers({
      'Content-Security-Policy': options.csp,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    if (contentType !== null) h.set('Content-Type', contentType);
    return h;
  };
  const refuse = (status: number, url: string, reason: string): Response => {
    options.logger.warn(`shell: app:// ${status} for ${JSON.stringify(url.slice(0, 200))} (${reason})`);
    return new Response(null, { status, headers: headers(null) });
  };
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, request.url, request.method);
    const target = resolveAppRequest(options.sites, request.url);
    if (!target.ok) return refuse(target.status, request.url, target.reason);
    try {
      const root = await fs.realpath(resolve(target.site.root));
      const real = await fs.realpath(target.path);
      if (!isInside(root, real)) return refuse(404, request.url, 'outside the site folder');
      const body = await fs.readFile(real);
      const type = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(type) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return refuse(404, request.url, 'no such file');
      options.logger.error(`shell: app:// could not read ${target.path}`, { error });
      return refuse(500, request.url, 'read failed');
    }
  };
}
