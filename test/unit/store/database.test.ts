import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatabaseVersionError, openDatabase, SCHEMA_VERSION } from '../../../src/main/store/database';
import { MIGRATIONS } from '../../../src/main/store/migrations';
import { OrderStore } from '../../../src/main/execution/order-store';

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

  it('orders written before order intent existed are classified once by the migration; the engine writes intent from then on', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'db-')), 'h.sqlite');
    const intentAt = MIGRATIONS.findIndex((m) => m.name === 'order intent');
    expect(intentAt).toBeGreaterThan(0);
    const raw = new Database(path);
    for (const m of MIGRATIONS.slice(0, intentAt)) raw.exec(m.sql);
    raw.pragma(`user_version = ${intentAt}`);
    const insert = raw.prepare(
      `INSERT INTO orders (client_order_id, broker_order_id, symbol, side, qty, type, time_in_force, stop_price, reason, status, submitted_at, updated_at, trading_day)
       VALUES (?, '', 'AAPL', ?, 10, ?, 'day', NULL, ?, 'filled', 0, 0, '2025-03-03')`,
    );
    insert.run('entry-AAPL-1', 'buy', 'limit', 'entry: signal s1 (orb, auto)');
    insert.run('exit-stop-x1', 'sell', 'stop', 'exit hardStop: protective stop 98 at Simulated broker for entry-AAPL-1');
    insert.run('exit-AAPL-target-2', 'sell', 'market', 'exit target: target 110 reached');
    insert.run('exit-AAPL-eodFlatten-3', 'sell', 'market', 'exit eodFlatten: end-of-day flatten at 15:55');
    insert.run('flatten-AAPL-4', 'sell', 'market', 'flatten: kill switch');
    insert.run('exit-AAPL-peakExit-5', 'sell', 'market', 'exit peakExit: close 1% below the high');
    raw.close();

    const db = openDatabase(path);
    const store = new OrderStore(db);
    const typed = (id: string) => {
      const o = store.get(id)!;
      return { intent: o.intent, exitRule: o.exitRule ?? null };
    };
    expect(typed('entry-AAPL-1')).toEqual({ intent: 'entry', exitRule: null });
    expect(typed('exit-stop-x1')).toEqual({ intent: 'protective-stop', exitRule: 'hardStop' });
    expect(typed('exit-AAPL-target-2')).toEqual({ intent: 'exit', exitRule: 'target' });
    expect(typed('exit-AAPL-eodFlatten-3')).toEqual({ intent: 'flatten', exitRule: 'eodFlatten' });
    expect(typed('flatten-AAPL-4')).toEqual({ intent: 'flatten', exitRule: null });
    expect(typed('exit-AAPL-peakExit-5')).toEqual({ intent: 'exit', exitRule: 'peakExit' });
    // A bad intent can never be written.
    expect(() => db.prepare("UPDATE orders SET intent = 'hedge' WHERE client_order_id = 'entry-AAPL-1'").run()).toThrow(/CHECK constraint/);
    db.close();
  });

  it("letting a backtest's policy decide keeps every earlier decision and its index", () => {
    const path = join(mkdtempSync(join(tmpdir(), 'db-')), 'h.sqlite');
    const at = MIGRATIONS.findIndex((m) => m.name === "a backtest's decision policy decides");
    expect(at).toBeGreaterThan(0);
    const raw = new Database(path);
    for (const m of MIGRATIONS.slice(0, at)) raw.exec(m.sql);
    raw.pragma(`user_version = ${at}`);
    raw.prepare("INSERT INTO signals (id, json, status, created_at, expires_at) VALUES ('s1', '{}', 'executed', 1, 2)").run();
    raw.prepare("INSERT INTO decisions (id, signal_id, decision, by, at, qty, model_version, inputs_json, detail) VALUES (7, 's1', 'approved', 'trader', 5, 12, 'm1', '{}', 'ok')").run();
    expect(() => raw.prepare("INSERT INTO decisions (signal_id, decision, by, at, inputs_json) VALUES ('s1', 'vetoed', 'policy', 6, '{}')").run()).toThrow(/CHECK constraint/);
    raw.close();
    const db = openDatabase(path);
    expect(db.prepare('SELECT * FROM decisions').all()).toEqual([{ id: 7, signal_id: 's1', decision: 'approved', by: 'trader', at: 5, qty: 12, model_version: 'm1', inputs_json: '{}', detail: 'ok' }]);
    db.prepare("INSERT INTO decisions (signal_id, decision, by, at, inputs_json) VALUES ('s1', 'vetoed', 'policy', 6, '{}')").run();
    expect(() => db.prepare("INSERT INTO decisions (signal_id, decision, by, at, inputs_json) VALUES ('s1', 'vetoed', 'robot', 6, '{}')").run()).toThrow(/CHECK constraint/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'decisions_signal'").get()).toEqual({ name: 'decisions_signal' });
    db.close();
  });
});
