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
];
