// The history database's schema, one migration per version, applied in order. Later issues append
// their tables here (signals, decisions, orders, fills, models, …); never edit a released migration.

export interface Migration {
  name: string;
  sql: string;
}

const barTable = (name: string): string => `
  CREATE TABLE ${name} (
    symbol TEXT NOT NULL,
    start INTEGER NOT NULL,          -- bar start, epoch ms UTC
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    volume REAL NOT NULL,
    part INTEGER NOT NULL,           -- 0 pre, 1 regular, 2 post
    PRIMARY KEY (symbol, start)
  ) WITHOUT ROWID;`;

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'bars and imports',
    sql: `
      ${barTable('bars_1m')}
      ${barTable('bars_5m')}
      ${barTable('bars_15m')}
      ${barTable('bars_1d')}
      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        symbol TEXT NOT NULL,
        rows INTEGER NOT NULL,
        inserted INTEGER NOT NULL,
        unchanged INTEGER NOT NULL,
        rejected_json TEXT NOT NULL,
        first_start INTEGER,
        last_start INTEGER,
        created_at INTEGER NOT NULL
      );
      -- Each (symbol, timeframe, New York day) of bars again as one packed Float64 block: loading a
      -- symbol-year reads ~250 blobs instead of ~98,000 rows. Kept in step by HistoryStore's writes.
      CREATE TABLE bar_blocks (
        symbol TEXT NOT NULL,
        timeframe TEXT NOT NULL,
        day TEXT NOT NULL,
        count INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (symbol, timeframe, day)
      ) WITHOUT ROWID;
      CREATE TABLE calendar_overrides (
        date TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('closed', 'early-close')),
        reason TEXT NOT NULL
      );
    `,
  },
  {
    name: 'model registry',
    sql: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        purpose TEXT NOT NULL,             -- which job the model does, e.g. 'intraday-direction'
        kind TEXT NOT NULL,                -- tree | linear | sequence
        status TEXT NOT NULL CHECK (status IN ('candidate', 'active', 'retired', 'refused')),
        dir TEXT NOT NULL,                 -- folder with model.onnx and model.json
        sha256 TEXT NOT NULL,
        spec_version TEXT NOT NULL,
        data_from TEXT,
        data_to TEXT,
        params_json TEXT NOT NULL,
        metrics_json TEXT NOT NULL,
        importance_json TEXT NOT NULL,
        parent_id TEXT REFERENCES models(id),
        created_at INTEGER NOT NULL,
        promoted_at INTEGER,
        note TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX models_purpose_status ON models (purpose, status);
      -- At most one active model per purpose, enforced by the database itself.
      CREATE UNIQUE INDEX models_one_active ON models (purpose) WHERE status = 'active';
      CREATE TABLE model_events (
        id INTEGER PRIMARY KEY,
        model_id TEXT NOT NULL REFERENCES models(id),
        event TEXT NOT NULL,               -- registered | promoted | retired | rolled-back | refused
        at INTEGER NOT NULL,
        detail TEXT NOT NULL
      );
    `,
  },
];
