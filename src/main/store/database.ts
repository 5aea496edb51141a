// Opens the SQLite history (better-sqlite3): WAL mode, versioned migrations run at start inside a
// transaction, and a database written by a newer app is refused rather than damaged. Under Electron
// the native module built for Electron's ABI is used (see scripts/prepare-electron.mjs).
// Durability: `synchronous` is per connection. Every connection is FULL by default, so a commit of the
// order journal or the risk ledger is on disk when it returns (WAL + NORMAL could lose the last commits
// to a power cut); only the bulk bar import worker opens with NORMAL (an interrupted import is re-run).
// Privacy: the folder is created 0700 and the database files (with -wal/-shm) are made 0600.
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export class DatabaseVersionError extends Error {
  constructor(
    readonly path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `the database ${path} has schema version ${found}, newer than this app supports (${supported}); ` +
        'it was written by a newer version of the cockpit. Update the app, or point TRADING_DB_PATH at another file. Nothing was changed.',
    );
    this.name = 'DatabaseVersionError';
  }
}

export interface OpenOptions {
  /** Path to a better_sqlite3.node built for this runtime (Electron); Node's own build otherwise. */
  nativeBinding?: string;
  readonly?: boolean;
  /**
   * SQLite `synchronous` for this connection: FULL (default), NORMAL (bulk imports only) or OFF (a
   * scratch database nothing needs after a crash: a backtest's own book, deleted when the run ends).
   */
  synchronous?: 'FULL' | 'NORMAL' | 'OFF';
}

/** PRAGMA synchronous values as SQLite reports them. */
export const SYNCHRONOUS = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 } as const;

/**
 * The connection a bar-import worker opens: NORMAL, because an import is a bulk of idempotent bar
 * upserts that is simply re-run if a power cut loses its tail; orders and the risk ledger are never
 * written on it. (WAL keeps the file consistent either way; only the last commits are at stake.)
 */
export function importConnectionOptions(nativeBinding?: string): OpenOptions {
  return { ...(nativeBinding ? { nativeBinding } : {}), synchronous: 'NORMAL' };
}

/** Files of a database: the file itself and its WAL and shared-memory companions. */
export function databaseFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/** Makes the database files that exist owner-only (0600); a no-op on Windows (no POSIX modes). */
export function restrictDatabaseFiles(path: string): void {
  if (path === ':memory:' || process.platform === 'win32') return;
  for (const file of databaseFiles(path)) {
    try {
      if (existsSync(file)) chmodSync(file, 0o600);
    } catch {
      // Another process's file (a read-only share): left as it is.
    }
  }
}

/** The Electron build of the native module, when running under Electron and it has been prepared. */
export function electronNativeBinding(appRoot: string): string | undefined {
  if (!process.versions.electron) return undefined;
  const file = join(appRoot, '.electron-native', 'binding.json');
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as { betterSqlite3?: string };
  return info.betterSqlite3;
}

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path, {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(options.readonly ? { readonly: true } : {}),
  });
  try {
    // First: every later statement (the journal mode switch included) waits for another connection's
    // write lock instead of failing with SQLITE_BUSY (a worker opening the file while the engine writes).
    db.pragma('busy_timeout = 5000');
    // Before the WAL exists: SQLite gives -wal and -shm the database file's mode.
    if (!options.readonly) restrictDatabaseFiles(path);
    if (path !== ':memory:' && !options.readonly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db, path, options.readonly ?? false);
    if (!options.readonly) restrictDatabaseFiles(path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db, path: string, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) throw new DatabaseVersionError(path, current, SCHEMA_VERSION);
  if (current === SCHEMA_VERSION) return;
  if (readonly) throw new Error(`the database ${path} needs migrating (version ${current} → ${SCHEMA_VERSION}) but was opened read-only`);
  // Each migration and its version bump commit together: a crash leaves the previous version intact.
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v]!;
    db.transaction(() => {
      db.exec(step.sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
