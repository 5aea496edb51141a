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
  {
    name: 'orders, fills, risk ledger',
    sql: `
      -- One row per order, keyed by our idempotency key; the row is the order's latest state. Money is
      -- float dollars (cents at the edges), quantities whole shares, times epoch ms UTC.
      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        broker_order_id TEXT NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        qty INTEGER NOT NULL CHECK (qty > 0),
        type TEXT NOT NULL,
        time_in_force TEXT NOT NULL,
        limit_price REAL,
        stop_price REAL,
        trail_price REAL,
        bracket_json TEXT,
        reason TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired')),
        filled_qty INTEGER NOT NULL DEFAULT 0 CHECK (filled_qty >= 0 AND filled_qty <= qty),
        avg_fill_price REAL,
        submitted_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        trading_day TEXT NOT NULL          -- New York date of submission, 'YYYY-MM-DD'
      );
      CREATE INDEX orders_open ON orders (submitted_at) WHERE status IN ('new', 'accepted', 'partially_filled');
      CREATE INDEX orders_day ON orders (trading_day);
      -- Executions, keyed by the broker's execution id so a replayed fill can never count twice.
      CREATE TABLE fills (
        execution_id TEXT PRIMARY KEY,
        client_order_id TEXT NOT NULL REFERENCES orders(client_order_id),
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        qty INTEGER NOT NULL CHECK (qty > 0),
        price REAL NOT NULL,
        fees REAL NOT NULL DEFAULT 0,
        time INTEGER NOT NULL
      );
      CREATE INDEX fills_order ON fills (client_order_id);
      CREATE INDEX fills_symbol ON fills (symbol, time);
      -- Audit trail of every status change (from_status is NULL for the submission itself).
      CREATE TABLE order_events (
        id INTEGER PRIMARY KEY,
        client_order_id TEXT NOT NULL REFERENCES orders(client_order_id),
        from_status TEXT,
        to_status TEXT NOT NULL,
        at INTEGER NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX order_events_order ON order_events (client_order_id, id);
      -- The risk budget of one trading day: limits fixed from config at the day's first use.
      CREATE TABLE risk_days (
        trading_day TEXT PRIMARY KEY CHECK (trading_day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        position_value_limit REAL NOT NULL CHECK (position_value_limit >= 0),
        capital_at_risk_cap REAL NOT NULL CHECK (capital_at_risk_cap >= 0),
        capital_at_risk_used REAL NOT NULL DEFAULT 0 CHECK (capital_at_risk_used >= 0 AND capital_at_risk_used <= capital_at_risk_cap),
        realized_pnl REAL NOT NULL DEFAULT 0,
        max_daily_loss REAL NOT NULL CHECK (max_daily_loss >= 0),
        state TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    name: 'signals and decisions',
    sql: `
      -- Every signal the approval desk saw; json is the latest Signal (contract shape), status mirrors it.
      CREATE TABLE signals (
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'vetoed', 'expired', 'executed', 'refused')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX signals_pending ON signals (expires_at) WHERE status = 'pending';
      CREATE INDEX signals_created ON signals (created_at);
      -- The audit trail: who decided what about a signal, when, with which size and on which inputs.
      CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        signal_id TEXT NOT NULL REFERENCES signals(id),
        decision TEXT NOT NULL CHECK (decision IN ('approved', 'vetoed', 'expired', 'auto-approved', 'refused')),
        by TEXT NOT NULL CHECK (by IN ('trader', 'auto', 'timeout')),
        at INTEGER NOT NULL,
        qty INTEGER,
        model_version TEXT,
        inputs_json TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX decisions_signal ON decisions (signal_id, id);
    `,
  },
  {
    name: 'focus lists',
    sql: `
      -- The pre-market focus list of each session (built at 09:15 New York); json is the contract's shape.
      CREATE TABLE focus_lists (
        date TEXT PRIMARY KEY CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        created_at INTEGER NOT NULL,
        json TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    name: 'entry plans',
    sql: `
      -- What an entry was sent with besides the order itself: its protective stop, its target and the
      -- capital at risk reserved for it. Written in the order's own transaction, so a restart restores the
      -- exits of a held position and gives back the right amount when it goes flat.
      CREATE TABLE entry_plans (
        client_order_id TEXT PRIMARY KEY REFERENCES orders(client_order_id),
        symbol TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        stop_price REAL NOT NULL CHECK (stop_price > 0),
        target_price REAL CHECK (target_price IS NULL OR target_price > 0),
        capital_at_risk REAL NOT NULL CHECK (capital_at_risk >= 0),
        trading_day TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX entry_plans_symbol ON entry_plans (symbol, trading_day);
    `,
  },
  {
    name: 'order intent',
    sql: `
      -- What each order is for, as data: intent, the exit rule that sent it, the entry a protective stop
      -- protects. Orders written before this version are classified once, here, from the words and ids
      -- the engine used to write; from now on the engine writes these columns and nothing reads the text.
      ALTER TABLE orders ADD COLUMN intent TEXT NOT NULL DEFAULT 'entry' CHECK (intent IN ('entry', 'exit', 'flatten', 'protective-stop'));
      ALTER TABLE orders ADD COLUMN exit_rule TEXT CHECK (exit_rule IS NULL OR exit_rule IN ('hardStop', 'target', 'trailingStop', 'peakExit', 'mlExit', 'timeStop', 'eodFlatten'));
      ALTER TABLE orders ADD COLUMN parent_id TEXT;
      UPDATE orders SET
        intent = CASE
          WHEN reason LIKE 'entry%' THEN 'entry'
          WHEN reason LIKE 'exit hardStop: protective stop%' THEN 'protective-stop'
          WHEN reason LIKE 'flatten%' OR reason LIKE 'exit eodFlatten%' THEN 'flatten'
          ELSE 'exit' END,
        exit_rule = CASE
          WHEN reason LIKE 'exit hardStop%' THEN 'hardStop'
          WHEN reason LIKE 'exit target%' THEN 'target'
          WHEN reason LIKE 'exit trailingStop%' THEN 'trailingStop'
          WHEN reason LIKE 'exit peakExit%' THEN 'peakExit'
          WHEN reason LIKE 'exit mlExit%' THEN 'mlExit'
          WHEN reason LIKE 'exit timeStop%' THEN 'timeStop'
          WHEN reason LIKE 'exit eodFlatten%' THEN 'eodFlatten'
          ELSE NULL END;
      CREATE INDEX orders_parent ON orders (parent_id) WHERE parent_id IS NOT NULL;
    `,
  },
  {
    name: 'one-cancels-other groups',
    sql: `
      -- Orders sharing a group are one-cancels-other at the broker (a resting target and its stop).
      ALTER TABLE orders ADD COLUMN oco_group TEXT;
    `,
  },
  {
    name: 'the signal an entry carries out',
    sql: `
      ALTER TABLE orders ADD COLUMN signal_id TEXT;
    `,
  },
  {
    name: 'backtest runs',
    sql: `
      -- One row per backtest: its settings, state and headline figures; the details in the tables below.
      CREATE TABLE backtest_runs (
        run_id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        spec_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'canceled')),
        message TEXT NOT NULL DEFAULT '',
        total_return REAL,
        sharpe REAL,
        trades INTEGER,
        -- metrics, baselines, P&L by source and exit rule, signal counts, models (BacktestResult's other fields)
        summary_json TEXT
      );
      CREATE TABLE backtest_trades (
        run_id TEXT NOT NULL REFERENCES backtest_runs (run_id) ON DELETE CASCADE,
        n INTEGER NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        qty INTEGER NOT NULL,
        entry_time INTEGER NOT NULL,
        entry_price REAL NOT NULL,
        exit_time INTEGER NOT NULL,
        exit_price REAL NOT NULL,
        exit_rule TEXT NOT NULL,
        pnl REAL NOT NULL,
        fees REAL NOT NULL,
        mfe REAL NOT NULL,
        mae REAL NOT NULL,
        bars_held INTEGER NOT NULL,
        sources_json TEXT NOT NULL,
        reasons_json TEXT NOT NULL,
        PRIMARY KEY (run_id, n)
      ) WITHOUT ROWID;
      CREATE TABLE backtest_equity (
        run_id TEXT NOT NULL REFERENCES backtest_runs (run_id) ON DELETE CASCADE,
        t INTEGER NOT NULL,
        equity REAL NOT NULL,
        drawdown REAL NOT NULL,
        PRIMARY KEY (run_id, t)
      ) WITHOUT ROWID;
      CREATE TABLE backtest_daily (
        run_id TEXT NOT NULL REFERENCES backtest_runs (run_id) ON DELETE CASCADE,
        date TEXT NOT NULL,
        pnl REAL NOT NULL,
        fees REAL NOT NULL,
        trades INTEGER NOT NULL,
        equity REAL NOT NULL,
        PRIMARY KEY (run_id, date)
      ) WITHOUT ROWID;
    `,
  },
  {
    name: "a backtest's decision policy decides",
    sql: `
      -- 'policy' joins the deciders (a backtest's desk); SQLite changes a CHECK only by rebuilding the table.
      CREATE TABLE decisions_v2 (
        id INTEGER PRIMARY KEY,
        signal_id TEXT NOT NULL REFERENCES signals(id),
        decision TEXT NOT NULL CHECK (decision IN ('approved', 'vetoed', 'expired', 'auto-approved', 'refused')),
        by TEXT NOT NULL CHECK (by IN ('trader', 'auto', 'timeout', 'policy')),
        at INTEGER NOT NULL,
        qty INTEGER,
        model_version TEXT,
        inputs_json TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
      );
      INSERT INTO decisions_v2 (id, signal_id, decision, by, at, qty, model_version, inputs_json, detail)
        SELECT id, signal_id, decision, by, at, qty, model_version, inputs_json, detail FROM decisions;
      DROP TABLE decisions;
      ALTER TABLE decisions_v2 RENAME TO decisions;
      CREATE INDEX decisions_signal ON decisions (signal_id, id);
    `,
  },

];
