// Which files an import may read. A history file comes from a path someone typed or sent over the
// contract, so it is checked before anything is opened: the real path (symlinks resolved) must name a
// regular file, never under /proc, /dev or /sys, inside a folder the trader allows (the CLI, the
// trader's own shell, allows any folder), under a size cap; the file is then opened without following
// links and checked again on the open descriptor, so a swap between check and open is caught.
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Largest history file an import reads (CSV and NinjaTrader stream, so this only bounds the time). */
export const MAX_IMPORT_BYTES = 8 * 1024 ** 3;

/** Kernel views, devices and process state: never history, and reading them can leak or hang. */
export const FORBIDDEN_ROOTS: readonly string[] = ['/proc', '/dev', '/sys'];

export interface ImportPolicy {
  /** Folders whose files may be imported, or 'anywhere' (the CLI: the trader's own shell). */
  readonly roots: readonly string[] | 'anywhere';
  /** Single files allowed besides the roots: real paths the trader picked in the desktop dialog. */
  readonly files?: ReadonlySet<string>;
  /** Size cap in bytes (default MAX_IMPORT_BYTES). */
  readonly maxBytes?: number;
}

/** A file that passed the checks: what the reader opens, and the identity it must still have then. */
export interface ImportSource {
  /** The real path (no symlinks). */
  readonly path: string;
  /** The file's name, the only part of the path reports and messages show. */
  readonly name: string;
  readonly size: number;
  readonly dev: number;
  readonly ino: number;
}

export type ImportAccessReason = 'missing' | 'not_regular' | 'forbidden' | 'outside' | 'too_large' | 'changed';

/**
 * A refused path. `message` names at most the file's base name and the reason: it never quotes the
 * file. Over the contract only `publicMessage()` is shown, one sentence for every reason but the size,
 * so a caller cannot tell a missing file from one it may not read.
 */
export class ImportAccessError extends Error {
  constructor(
    readonly reason: ImportAccessReason,
    message: string,
  ) {
    super(message);
    this.name = 'ImportAccessError';
  }
}

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
};

const realRoot = (root: string): string | null => {
  try {
    return realpathSync(resolve(root));
  } catch {
    return null;
  }
};

/** True when a real path lies in /proc, /dev or /sys (or is one of them). */
export function isForbiddenPath(realPath: string): boolean {
  return FORBIDDEN_ROOTS.some((root) => realPath === root || realPath.startsWith(`${root}/`));
}

/**
 * Checks a path against the policy without opening it (opening a FIFO would block). Throws an
 * ImportAccessError naming only the file's base name.
 */
export function checkImportFile(path: string, policy: ImportPolicy): ImportSource {
  const name = basename(path);
  let real: string;
  try {
    real = realpathSync(resolve(path));
  } catch {
    throw new ImportAccessError('missing', `${name}: no such file`);
  }
  if (isForbiddenPath(real)) throw new ImportAccessError('forbidden', `${name}: files under /proc, /dev and /sys are never imported`);
  if (policy.roots !== 'anywhere') {
    const allowed = policy.files?.has(real) === true || policy.roots.some((root) => {
      const r = realRoot(root);
      return r !== null && isInside(r, real);
    });
    if (!allowed) throw new ImportAccessError('outside', `${name}: not inside the import folder`);
  }
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(real);
  } catch {
    throw new ImportAccessError('missing', `${name}: no such file`);
  }
  if (!st.isFile()) throw new ImportAccessError('not_regular', `${name}: not a regular file`);
  const max = policy.maxBytes ?? MAX_IMPORT_BYTES;
  if (st.size > max) throw new ImportAccessError('too_large', `${name} is ${mib(st.size)}; the import limit is ${mib(max)}`);
  return { path: real, name, size: st.size, dev: st.dev, ino: st.ino };
}

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(bytes < 1024 ** 2 ? 2 : 0)} MiB`;

/**
 * Opens a checked file for reading: no link followed, no blocking on a FIFO swapped in, and the open
 * descriptor must be the same regular file that was checked. Returns the descriptor.
 */
export function openImportSource(source: ImportSource): number {
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let fd: number;
  try {
    fd = openSync(source.path, flags);
  } catch {
    throw new ImportAccessError('changed', `${source.name}: the file can no longer be opened`);
  }
  const st = fstatSync(fd);
  if (!st.isFile() || st.dev !== source.dev || st.ino !== source.ino) {
    closeSync(fd);
    throw new ImportAccessError('changed', `${source.name}: the file changed after it was checked`);
  }
  return fd;
}

export interface ImportableFile {
  name: string;
  path: string;
  bytes: number;
}

/**
 * The regular files directly inside an import folder, by name (at most 500). The folder is created
 * when missing, so the trader finds it where the cockpit says it is.
 */
export function listImportFiles(folder: string, maxBytes = MAX_IMPORT_BYTES): ImportableFile[] {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch {
    // A folder that cannot be made lists nothing; the trader sees its path and can fix it.
  }
  const root = realRoot(folder);
  if (root === null) return [];
  const out: ImportableFile[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(root, entry.name);
    try {
      const real = realpathSync(path);
      if (!isInside(root, real) || isForbiddenPath(real)) continue;
      const st = statSync(real);
      if (st.isFile() && st.size <= maxBytes) out.push({ name: entry.name, path, bytes: st.size });
    } catch {
      // A dangling link or a file removed meanwhile is simply not listed.
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name)).slice(0, 500);
}
