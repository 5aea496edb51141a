import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatabaseVersionError, openDatabase, SCHEMA_VERSION } from '../../../src/main/store/database';

describe('history database', () => {
  it('runs the migrations on a new file, in WAL mode', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'db-')), 'h.sqlite');
    const db = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['bars_1m', 'bars_5m', 'bars_15m', 'bars_1d', 'imports', 'calendar_overrides']));
    db.close();
    // opening again is a no-op
    openDatabase(path).close();
  });

  it('refuses a database written by a newer app, and changes nothing in it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'db-')), 'h.sqlite');
    const raw = new Database(path);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.exec('CREATE TABLE future (x)');
    raw.close();
    expect(() => openDatabase(path)).toThrow(DatabaseVersionError);
    expect(() => openDatabase(path)).toThrow(/newer than this app supports/);
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    check.close();
  });
});
