// Opens the SQLite history (better-sqlite3): WAL mode, versioned migrations run at start inside a
// transaction, and a database written by a newer app is refused rather than damaged. Under Electron
// the native module built for Electron's ABI is used (see scripts/prepare-electron.mjs).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, {
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    ...(options.readonly ? { readonly: true } : {}),
  });
  try {
    // First: every later statement (the journal mode switch included) waits for another connection's
    // write lock instead of failing with SQLITE_BUSY (a worker opening the file while the engine writes).
    db.pragma('busy_timeout = 5000');
    if (path !== ':memory:' && !options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path, options.readonly ?? false);
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
