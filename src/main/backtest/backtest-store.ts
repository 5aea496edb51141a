// Backtest runs in SQLite: a row per run (settings, state, headline figures) and its trades, equity
// curve and daily P&L, so past runs can be listed, opened again and compared. A run is written as
// 'running' when it starts and finished in one transaction when its result is known.
import {
  BacktestResultSchema,
  BacktestSpecSchema,
  type BacktestResult,
  type BacktestRunSummary,
  type BacktestSpec,
} from '../../shared/backtest';
import type { Db } from '../store/database';

type RunState = BacktestRunSummary['state'];

interface RunRow {
  run_id: string;
  label: string;
  created_at: number;
  spec_json: string;
  state: RunState;
  message: string;
  total_return: number | null;
  sharpe: number | null;
  trades: number | null;
  summary_json: string | null;
}

/** The parts of a result kept in the run's row (the trades, equity and days have their own tables). */
type ResultSummary = Omit<BacktestResult, 'runId' | 'spec' | 'trades' | 'equity' | 'daily'>;

export class BacktestStore {
  constructor(private readonly db: Db) {}

  begin(runId: string, spec: BacktestSpec, createdAt: number): void {
    const label = spec.label ?? `${spec.symbols.join(',')} ${spec.from} → ${spec.to}`;
    this.db
      .prepare("INSERT INTO backtest_runs (run_id, label, created_at, spec_json, state) VALUES (?, ?, ?, ?, 'running')")
      .run(runId, label, createdAt, JSON.stringify(spec));
  }

  finish(result: BacktestResult): void {
    const { runId, trades, equity, daily, spec: _spec, ...summary } = result;
    const insertTrade = this.db.prepare(`INSERT INTO backtest_trades (run_id, n, symbol, side, qty, entry_time, entry_price, exit_time, exit_price,
      exit_rule, pnl, fees, mfe, mae, bars_held, sources_json, reasons_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertPoint = this.db.prepare('INSERT INTO backtest_equity (run_id, t, equity, drawdown) VALUES (?, ?, ?, ?)');
    const insertDay = this.db.prepare('INSERT INTO backtest_daily (run_id, date, pnl, fees, trades, equity) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const t of trades) {
        insertTrade.run(runId, t.n, t.symbol, t.side, t.qty, t.entryTime, t.entryPrice, t.exitTime, t.exitPrice, t.exitRule, t.pnl, t.fees, t.mfe, t.mae, t.barsHeld, JSON.stringify(t.sources), JSON.stringify(t.reasons));
      }
      for (const p of equity) insertPoint.run(runId, p.t, p.equity, p.drawdown);
      for (const d of daily) insertDay.run(runId, d.date, d.pnl, d.fees, d.trades, d.equity);
      this.db
        .prepare("UPDATE backtest_runs SET state = 'done', message = ?, total_return = ?, sharpe = ?, trades = ?, summary_json = ? WHERE run_id = ?")
        .run(`${trades.length} trades over ${result.sessions} sessions`, summary.metrics.totalReturn, summary.metrics.sharpe, trades.length, JSON.stringify(summary satisfies ResultSummary), runId);
    })();
  }

  /** A run that ended without a result (failed or canceled), with why. */
  end(runId: string, state: 'failed' | 'canceled', message: string): void {
    this.db.prepare('UPDATE backtest_runs SET state = ?, message = ? WHERE run_id = ? AND state = ?').run(state, message.slice(0, 500), runId, 'running');
  }

  /** Runs left 'running' by a process that stopped: they never finish now. */
  abandonRunning(message: string): number {
    return this.db.prepare("UPDATE backtest_runs SET state = 'failed', message = ? WHERE state = 'running'").run(message).changes;
  }

  list(limit: number): BacktestRunSummary[] {
    const rows = this.db.prepare('SELECT * FROM backtest_runs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as RunRow[];
    return rows.map(summaryOf);
  }

  summary(runId: string): BacktestRunSummary | null {
    const row = this.db.prepare('SELECT * FROM backtest_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? summaryOf(row) : null;
  }

  /** The whole stored result of a finished run (null while running, or when it failed). */
  result(runId: string): BacktestResult | null {
    const row = this.db.prepare('SELECT * FROM backtest_runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    if (!row || row.state !== 'done' || row.summary_json === null) return null;
    const summary = JSON.parse(row.summary_json) as ResultSummary;
    const trades = (this.db.prepare('SELECT * FROM backtest_trades WHERE run_id = ? ORDER BY n').all(runId) as Array<Record<string, unknown>>).map((t) => ({
      n: t.n,
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      entryTime: t.entry_time,
      entryPrice: t.entry_price,
      exitTime: t.exit_time,
      exitPrice: t.exit_price,
      exitRule: t.exit_rule,
      pnl: t.pnl,
      fees: t.fees,
      mfe: t.mfe,
      mae: t.mae,
      barsHeld: t.bars_held,
      sources: JSON.parse(t.sources_json as string) as unknown,
      reasons: JSON.parse(t.reasons_json as string) as unknown,
    }));
    const equity = this.db.prepare('SELECT t, equity, drawdown FROM backtest_equity WHERE run_id = ? ORDER BY t').all(runId);
    const daily = this.db.prepare('SELECT date, pnl, fees, trades, equity FROM backtest_daily WHERE run_id = ? ORDER BY date').all(runId);
    // Parsed back through the schema: a row edited by hand is refused here, not shown half-wrong.
    return BacktestResultSchema.parse({ runId, spec: JSON.parse(row.spec_json) as unknown, ...summary, trades, equity, daily });
  }

  /** Whether some stored run names this model (the registry keeps it). */
  referencesModel(modelId: string): boolean {
    const rows = this.db.prepare("SELECT spec_json FROM backtest_runs WHERE spec_json LIKE '%\"frozen\"%'").all() as Array<{ spec_json: string }>;
    return rows.some((r) => {
      const spec = BacktestSpecSchema.safeParse(JSON.parse(r.spec_json));
      return spec.success && spec.data.model.kind === 'frozen' && spec.data.model.modelId === modelId;
    });
  }
}

function summaryOf(row: RunRow): BacktestRunSummary {
  const spec = BacktestSpecSchema.parse(JSON.parse(row.spec_json));
  return {
    runId: row.run_id,
    label: row.label,
    createdAt: row.created_at,
    symbols: spec.symbols,
    from: spec.from,
    to: spec.to,
    state: row.state,
    totalReturn: row.total_return,
    sharpe: row.sharpe,
    trades: row.trades,
    message: row.message,
  };
}
