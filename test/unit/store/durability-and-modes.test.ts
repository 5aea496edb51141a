// Issue 12: the order journal and risk ledger commit with synchronous=FULL (WAL + NORMAL could lose the
// last commits to a power cut; only the bulk bar import worker stays NORMAL), and the data folder is
// private: folders 0700, database (with -wal/-shm), log, model and window-state files 0600.
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { secureDataDir } from '../../../src/main/bootstrap';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine, type Engine } from '../../../src/main/app/compose';
import { createFileLogger } from '../../../src/main/logging/logger';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SPEC } from '../../../src/main/features/spec';
import { sidecarFor, writeModelDir } from '../../../src/main/ml/inference/sidecar';
import { exportTreeEnsemble } from '../../../src/main/ml/onnx/export-trees';
import { randomEnsemble } from '../../helpers/random-ensemble';
import { importConnectionOptions, openDatabase, SYNCHRONOUS, type Db } from '../../../src/main/store/database';
import { writeWindowState } from '../../../src/main/shell/window-state';

const mode = (p: string): number => statSync(p).mode & 0o777;
let engine: Engine | null = null;
afterEach(async () => {
  await engine?.stop();
  engine = null;
});

describe('issue 12: durability of the order journal', () => {
  it("the order journal runs WAL with synchronous=NORMAL: the engine's connection (orders, risk ledger) reports PRAGMA synchronous = 2 (FULL)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-full-'));
    const config = defaultConfig({ TRADING_DB_PATH: join(dir, 'history.sqlite'), TRADING_DATA_DIR: dir, TRADING_RETRAIN_MINUTES: '1440', TRADING_WATCHLIST: 'SPY' });
    engine = createEngine(config, { clockTickMs: 0, signalGenerators: false });
    const ordersDb = (engine.orders as unknown as { db: Db }).db;
    const ledgerDb = (engine.ledger as unknown as { db: Db }).db;
    expect(ordersDb.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(ordersDb.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS.FULL);
    expect(ledgerDb.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS.FULL);
  });

  it('openDatabase is FULL by default; the bar import worker opens with NORMAL (bulk, idempotent upserts re-run after a crash)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sync-import-')), 'history.sqlite');
    const engineSide = openDatabase(path);
    const importSide = openDatabase(path, importConnectionOptions());
    try {
      expect(engineSide.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS.FULL);
      expect(importSide.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS.NORMAL);
      // Per connection: the import's NORMAL leaves the engine's connection FULL.
      expect(engineSide.pragma('synchronous', { simple: true })).toBe(SYNCHRONOUS.FULL);
    } finally {
      importSide.close();
      engineSide.close();
    }
  });
});

describe.skipIf(process.platform === 'win32')('issue 12: the data folder is private', () => {
  it('the data folder is created 0700 and its files 0600: database with -wal/-shm, log, model and window-state files', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'modes-')), 'cockpit-data');
    const config = defaultConfig({ TRADING_DATA_DIR: dataDir, TRADING_DB_PATH: join(dataDir, 'history.sqlite') });
    secureDataDir(config);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(config.logDir)).toBe(0o700);
    expect(mode(config.modelsDir)).toBe(0o700);

    const db = openDatabase(config.dbPath);
    db.prepare('CREATE TABLE IF NOT EXISTS t (x)').run();
    db.prepare('INSERT INTO t VALUES (1)').run();
    for (const f of [config.dbPath, `${config.dbPath}-wal`, `${config.dbPath}-shm`]) {
      expect(existsSync(f), f).toBe(true);
      expect(mode(f), f).toBe(0o600);
    }
    db.close();

    const log = createFileLogger({ logId: `modes-${process.pid}`, dir: config.logDir, level: 'info', secrets: [] });
    log.info('hello');
    const logFiles = readdirSync(config.logDir);
    expect(logFiles.length).toBeGreaterThan(0);
    for (const f of logFiles) expect(mode(join(config.logDir, f)), f).toBe(0o600);

    const modelDir = join(config.modelsDir, 'intraday-x');
    const model = randomEnsemble({ seed: 7, numFeatures: FEATURE_COUNT, trees: 3, maxDepth: 2 });
    model.featureNames = [...FEATURE_NAMES];
    await writeModelDir(modelDir, exportTreeEnsemble(model), sidecarFor('tree', model, FEATURE_SPEC, { modelId: 'intraday-x', trainingWindow: { from: 0, to: 1 }, created: 1 }));
    expect(mode(modelDir)).toBe(0o700);
    expect(readdirSync(modelDir).sort()).toEqual(['model.json', 'model.onnx']);
    for (const f of readdirSync(modelDir)) expect(mode(join(modelDir, f)), f).toBe(0o600);

    const windowState = join(dataDir, 'window-state.json');
    writeWindowState(windowState, { x: 0, y: 0, width: 800, height: 600, isMaximized: false });
    expect(mode(windowState)).toBe(0o600);
  });

  it('an existing data folder that is more open (Electron creates userData 0755) is narrowed to 0700, and an old 0644 database to 0600', async () => {
    const { chmodSync, mkdirSync, writeFileSync } = await import('node:fs');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'modes-open-')), 'userData');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const dbPath = join(dataDir, 'history.sqlite');
    openDatabase(dbPath).close();
    chmodSync(dbPath, 0o644);
    writeFileSync(join(dataDir, 'placeholder'), '');
    secureDataDir(defaultConfig({ TRADING_DATA_DIR: dataDir, TRADING_DB_PATH: dbPath }));
    expect(mode(dataDir)).toBe(0o700);
    openDatabase(dbPath).close();
    expect(mode(dbPath)).toBe(0o600);
  });
});
