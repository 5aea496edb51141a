// `cockpit backtest`: one backtest of stored history from the command line, with a progress bar on a
// terminal, the metrics and baselines printed (or one JSON object with --json), an HTML report and CSV
// files on request, and the run kept in the database so the cockpit lists it with the others.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BacktestSpecSchema, type BacktestResult, type BacktestSpecInput, type DecisionPolicy, type ModelMode } from '../../shared/backtest';
import { resolveConfig } from '../bootstrap';
import { BacktestStore } from '../backtest/backtest-store';
import { BacktestInputError } from '../backtest/errors';
import { writeCsvDir } from '../backtest/report-csv';
import { reportHtml } from '../backtest/report-html';
import { runBacktest } from '../backtest/run-backtest';
import { openDatabase } from '../store/database';
import { UsageError, type Command, type CommandContext, type CommandOutput } from './commands';

/** Keys a backtest config file may not hold: a backtest always runs the simulated broker on stored bars. */
const NOT_FOR_BACKTESTS: Record<string, string> = {
  broker: 'a backtest always fills through the simulated broker (set "fills" instead)',
  feed: 'a backtest always replays stored history (import it first)',
  mode: 'a backtest always runs SIMULATED',
  alpaca: 'a backtest never connects to Alpaca',
  polygon: 'a backtest never connects to Polygon',
};


export function parsePolicy(text: string): DecisionPolicy {
  if (text === 'all') return { kind: 'all' };
  if (text === 'replay') return { kind: 'replay' };
  const auto = /^auto:(0(\.\d+)?|1(\.0+)?)$/.exec(text);
  if (auto) return { kind: 'auto', threshold: Number(auto[1]) };
  const sources = /^sources:([a-z_,]+)$/.exec(text);
  if (sources) return { kind: 'sources', sources: sources[1]!.split(',').filter(Boolean) };
  throw new UsageError(`--policy takes all, auto:0.6, sources:orb,vwap_reversion or replay (got "${text}")`);
}

export function parseModel(text: string): ModelMode {
  if (text === 'none') return { kind: 'none' };
  if (text === 'walk-forward') return { kind: 'walk-forward' };
  const wf = /^walk-forward:(\d{1,3})$/.exec(text);
  if (wf) return { kind: 'walk-forward', trainingDelayBars: Number(wf[1]) };
  const frozen = /^frozen:(.{1,120})$/.exec(text);
  if (frozen) return { kind: 'frozen', modelId: frozen[1]! };
  throw new UsageError(`--model takes none, frozen:MODEL_ID or walk-forward[:DELAY_BARS] (got "${text}")`);
}

/** A --config file: a JSON object of backtest settings (the flags given beside it win). */
export function readConfigFile(path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config ${path}: ${error instanceof SyntaxError ? 'not valid JSON' : 'cannot be read'}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`--config ${path}: a JSON object of backtest settings`);
  for (const [key, why] of Object.entries(NOT_FOR_BACKTESTS)) {
    if (key in raw) throw new UsageError(`--config ${path}: "${key}" does not fit a backtest: ${why}`);
  }
  return raw as Record<string, unknown>;
}

/** Settings from the flags over the config file, validated as a whole (the error names the field). */
export function specFromArgs(values: Record<string, string | boolean | undefined>): BacktestSpecInput {
  const file = typeof values.config === 'string' ? readConfigFile(values.config) : {};
  const spec: Record<string, unknown> = { ...file };
  if (typeof values.symbols === 'string') spec.symbols = values.symbols.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (typeof values.from === 'string') spec.from = values.from;
  if (typeof values.to === 'string') spec.to = values.to;
  if (typeof values.policy === 'string') spec.policy = parsePolicy(values.policy);
  if (typeof values.model === 'string') spec.model = parseModel(values.model);
  if (typeof values.seed === 'string') spec.seed = Number(values.seed);
  if (typeof values['random-runs'] === 'string') spec.randomRuns = Number(values['random-runs']);
  const parsed = BacktestSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`backtest setting ${issue.path.join('.') || '(settings)'}: ${issue.message}`);
  }
  return parsed.data;
}

function progressBar(write: (s: string) => void): (p: { fraction: number; barsPerSecond: number; etaSeconds: number | null }) => void {
  return (p) => {
    const width = 30;
    const filled = Math.round(p.fraction * width);
    const eta = p.etaSeconds === null ? '' : ` ETA ${Math.ceil(p.etaSeconds)} s`;
    write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}%  ${p.barsPerSecond.toLocaleString('en-US')} bars/s${eta}   `);
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function summaryText(r: BacktestResult): string {
  const m = r.metrics;
  const b = r.baselines;
  const lines = [
    b.beatenByRandom ? `!! This strategy did not beat random entries (percentile ${b.random.strategyPercentile.toFixed(0)} of ${b.random.runs} runs)` : `Strategy at percentile ${b.random.strategyPercentile.toFixed(0)} of ${b.random.runs} random-entry runs`,
    `${r.spec.symbols.join(',')} ${r.spec.from} → ${r.spec.to}: ${r.sessions} sessions, ${r.bars} bars, ${m.trades} trades`,
    `  total return ${pct(m.totalReturn)}  CAGR ${pct(m.cagr)}  Sharpe ${m.sharpe.toFixed(2)}  Sortino ${m.sortino.toFixed(2)}  max drawdown ${pct(m.maxDrawdown)} (${m.maxDrawdownDays} days)`,
    `  win rate ${pct(m.winRate)}  profit factor ${m.profitFactor.toFixed(2)}  expectancy $${m.expectancy.toFixed(2)}  fees $${m.fees.toFixed(2)}  exposure ${pct(m.exposure)}`,
    `  buy-and-hold SPY ${b.buyHoldSpy ? pct(b.buyHoldSpy.totalReturn) : 'n/a'}  symbols ${b.buyHoldSymbols ? pct(b.buyHoldSymbols.totalReturn) : 'n/a'}  random median ${pct(b.random.medianReturn)} (p5 ${pct(b.random.p5Return)}, p95 ${pct(b.random.p95Return)})`,
  ];
  return lines.join('\n');
}

export const backtestCommand: Command = {
  name: 'backtest',
  summary: 'backtest stored history through the live engine (simulated broker, a decision policy), with baselines',
  usage:
    'backtest --symbols SPY[,…] --from YYYY-MM-DD --to YYYY-MM-DD [--policy all|auto:0.6|sources:orb,vwap_reversion|replay] ' +
    '[--model none|frozen:ID|walk-forward[:DELAY]] [--config FILE.json] [--seed N] [--random-runs N] [--json] [--report FILE.html] [--csv DIR] [--db PATH]',
  async run(args: string[], ctx: CommandContext): Promise<CommandOutput> {
    let values: Record<string, string | boolean | undefined>;
    try {
      values = parseArgs({
        args,
        strict: true,
        allowPositionals: false,
        options: {
          symbols: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          policy: { type: 'string' },
          model: { type: 'string' },
          config: { type: 'string' },
          seed: { type: 'string' },
          'random-runs': { type: 'string' },
          json: { type: 'boolean' },
          report: { type: 'string' },
          csv: { type: 'string' },
          db: { type: 'string' },
        },
      }).values;
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const spec = BacktestSpecSchema.parse(specFromArgs(values));
    const config = resolveConfig({ cwd: ctx.cwd, env: ctx.env, ...(typeof values.db === 'string' ? { overrides: { TRADING_DB_PATH: values.db } } : {}) });
    // Opened read-write once: an older database is migrated before the run reads it read-only.
    const db = openDatabase(config.dbPath);
    const store = new BacktestStore(db);
    const runId = `bt-${randomUUID().slice(0, 12)}`;
    const bar = ctx.progress ? progressBar(ctx.progress) : null;
    try {
      let result: BacktestResult;
      try {
        result = await runBacktest(spec, {
          runId,
          historyDbPath: config.dbPath,
          workDir: join(tmpdir(), `cockpit-${runId}`),
          base: config,
          ...(bar ? { onProgress: bar } : {}),
        });
      } catch (error) {
        if (error instanceof BacktestInputError) throw new UsageError(error.message);
        throw error;
      } finally {
        ctx.progress?.('\n');
      }
      store.begin(runId, spec, Date.now());
      store.finish(result);
      const written: string[] = [];
      if (typeof values.report === 'string') {
        writeFileSync(values.report, reportHtml(result));
        written.push(values.report);
      }
      if (typeof values.csv === 'string') written.push(...(await writeCsvDir(values.csv, result)));
      const json = { ok: true, runId, metrics: result.metrics, baselines: result.baselines, trades: result.trades.length, sessions: result.sessions, bars: result.bars, signals: result.signals, files: written };
      return { json, text: [summaryText(result), ...written.map((f) => `  wrote ${f}`)].join('\n') };
    } finally {
      db.close();
    }
  },
};
