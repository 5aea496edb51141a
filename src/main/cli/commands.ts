// The command registry behind `npm run cli` and the `cockpit` bin: the engine's batch jobs.
// Each command parses its own flags and returns a plain object, printed as JSON with --json or as
// text otherwise.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../bootstrap';
import { APP_VERSION, createEngine } from '../app/compose';
import { SimulatedClock } from '../engine/clock';
import { SyntheticMarket } from '../data/synthetic-market';
import type { Bar } from '../../shared/domain';
import { closeSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SymbolSchema } from '../../shared/contract';
import { NyseCalendar } from '../calendar/nyse';
import { addDays } from '../calendar/ny-time';
import { IMPORT_FORMATS, type CsvOptions, type ImportFormat } from '../data/import/formats';
import { checkImportFile, ImportAccessError, openImportSource, type ImportSource } from '../data/import/access';
import { formatReport, importFailureMessage, importHistory } from '../data/import/importer';
import { openDatabase } from '../store/database';
import { HistoryStore } from '../store/history-store';
import { buildDataset, readDailyCloseCsv, writeDataset } from '../features/dataset';
import { trainGbdt, type GbdtParams } from '../ml/gbdt/trainer';
import { exportTreeEnsemble } from '../ml/onnx/export-trees';
import { sidecarFor, writeModelDir } from '../ml/inference/sidecar';
import { readTabularCsv, TabularError, type TabularData } from '../ml/tabular';
import { formatWalkForward, walkForward } from '../ml/walk-forward';
import { backtestCommand } from './backtest-command';

export interface CommandContext {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Caps the commands apply (tests make them small instead of writing huge files). */
  limits?: { maxJsonBytes?: number };
  /** Where a long command draws its progress bar (a terminal's stderr; absent when not a terminal). */
  progress?: (s: string) => void;
}

export interface CommandOutput {
  /** Machine-readable result (printed with --json). */
  json: unknown;
  /** Human-readable lines. */
  text: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], ctx: CommandContext): Promise<CommandOutput>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An import that did not happen: one line naming the file and the reason (exit 1). */
class ImportCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportCommandError';
  }
}

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

const configCommand: Command = {
  name: 'config',
  summary: 'print the effective configuration (secrets redacted)',
  usage: 'config [--json]',
  async run(_args, ctx) {
    const config = resolveConfig({ cwd: ctx.cwd, env: ctx.env });
    // Secret's toJSON redacts, so the whole object can be printed safely.
    const json = JSON.parse(JSON.stringify(config)) as unknown;
    return { json, text: JSON.stringify(json, null, 2) };
  },
};

const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the runtime: Node, SQLite native module, ONNX Runtime backends',
  usage: 'doctor [--json]',
  async run() {
    const require = createRequire(import.meta.url);
    const checks: Array<{ check: string; ok: boolean; detail: string }> = [];
    checks.push({ check: 'node', ok: true, detail: process.versions.node });
    try {
      const Database = require('better-sqlite3') as typeof import('better-sqlite3');
      const db = new Database(':memory:');
      const row = db.prepare('select sqlite_version() as v').get() as { v: string };
      db.close();
      checks.push({ check: 'better-sqlite3', ok: true, detail: `SQLite ${row.v}` });
    } catch (error) {
      checks.push({ check: 'better-sqlite3', ok: false, detail: `${error instanceof Error ? error.message : String(error)} (run: npm rebuild better-sqlite3)` });
    }
    try {
      const ort = require('onnxruntime-node') as { listSupportedBackends(): Array<{ name: string; bundled: boolean }> };
      const backends = ort.listSupportedBackends().map((b) => `${b.name}${b.bundled ? '' : ' (needs install)'}`);
      checks.push({ check: 'onnxruntime-node', ok: true, detail: backends.join(', ') });
    } catch (error) {
      checks.push({ check: 'onnxruntime-node', ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
    const ok = checks.every((c) => c.ok);
    return {
      json: { ok, version: APP_VERSION, checks },
      text: [`cockpit ${APP_VERSION}`, ...checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.check}: ${c.detail}`)].join('\n'),
    };
  },
};

const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run the synthetic market as fast as possible and summarise each symbol',
  usage: 'simulate [--sessions N] [--seed S] [--start YYYY-MM-DD] [--json]',
  async run(args, ctx) {
    const { values } = parse(args, { sessions: { type: 'string' }, seed: { type: 'string' }, start: { type: 'string' }, json: { type: 'boolean' } });
    const sessions = values.sessions === undefined ? 1 : Number(values.sessions);
    if (!Number.isInteger(sessions) || sessions < 1 || sessions > 250) throw new UsageError('--sessions must be an integer from 1 to 250');
    const overrides: Record<string, string> = { TRADING_SIM_START: values.start ?? '2025-03-03' };
    if (values.seed !== undefined) overrides.TRADING_SIM_SEED = values.seed;
    const config = resolveConfig({ cwd: ctx.cwd, env: ctx.env, overrides });
    const startDate = config.sim.startDate!;
    const calendar = new NyseCalendar();
    const first = calendar.sessionOnOrAfter(startDate);
    const clock = new SimulatedClock(first.open);
    const feed = new SyntheticMarket({ symbols: config.watchlist, seed: config.sim.seed, clock, speed: 1, startDate, calendar, historySessions: 0, drive: 'manual' });
    const engine = createEngine(config, { host: 'cli', feed: { feed, clock }, clockTickMs: 0 });
    const bars: Bar[] = [];
    engine.bus.subscribe('market.bar', (b) => bars.push(b));
    await engine.start();
    // Drive the clock directly: no real-time pacing in a batch job.
    const t0 = performance.now();
    // Run to the close of the last requested session (13:00 closes included).
    let last = first;
    for (let i = 1; i < sessions; i++) last = calendar.sessionOnOrAfter(addDays(last.date, 1));
    for (let next = clock.nextTimerAt(); next !== null && next <= last.close; next = clock.nextTimerAt()) clock.advanceTo(next);
    const seconds = (performance.now() - t0) / 1000;
    await engine.stop();
    const bySymbol = config.watchlist.map((symbol) => {
      const own = bars.filter((b) => b.symbol === symbol);
      const first = own[0];
      const last = own[own.length - 1];
      return {
        symbol,
        bars: own.length,
        open: first?.open ?? null,
        close: last?.close ?? null,
        high: own.reduce((m, b) => Math.max(m, b.high), -Infinity),
        low: own.reduce((m, b) => Math.min(m, b.low), Infinity),
        volume: own.reduce((s, b) => s + b.volume, 0),
      };
    });
    return {
      json: { simulated: true, seed: config.sim.seed, startDate, sessions, bars: bars.length, seconds, symbols: bySymbol },
      text: [
        `SIMULATED ${sessions} session(s) from ${startDate}, seed ${config.sim.seed}: ${bars.length} bars in ${seconds.toFixed(2)} s`,
        ...bySymbol.map((s) => `${s.symbol.padEnd(6)} bars ${s.bars}  open ${s.open}  close ${s.close}  high ${s.high}  low ${s.low}  volume ${s.volume}`),
      ].join('\n'),
    };
  },
};

const importCommand: Command = {
  name: 'import',
  summary: 'import a history file into the SQLite store (TRADING_DB_PATH)',
  usage:
    'import FILE --format csv|ninjatrader|polygon|alpaca --symbol SYMBOL [--timezone IANA] [--stamp start|end] ' +
    '[--map time=COL,open=COL,…] [--delimiter C] [--db PATH] [--json]',
  async run(args, ctx) {
    const { values, positionals } = parse(args, {
      format: { type: 'string' },
      symbol: { type: 'string' },
      timezone: { type: 'string' },
      stamp: { type: 'string' },
      map: { type: 'string' },
      delimiter: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
    });
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('give exactly one FILE to import');
    if (!values.format || !IMPORT_FORMATS.includes(values.format as ImportFormat)) {
      throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
    }
    const symbol = SymbolSchema.safeParse((values.symbol ?? '').toUpperCase());
    if (!symbol.success) throw new UsageError('--symbol must be a ticker such as SPY');
    if (values.stamp !== undefined && values.stamp !== 'start' && values.stamp !== 'end') throw new UsageError('--stamp must be start or end');
    const csv: CsvOptions = {};
    if (values.timezone) csv.timeZone = values.timezone;
    if (values.stamp) csv.stamp = values.stamp as 'start' | 'end';
    if (values.delimiter) csv.delimiter = values.delimiter;
    if (values.map) {
      const columns: NonNullable<CsvOptions['columns']> = {};
      for (const pair of values.map.split(',')) {
        const [field, column] = pair.split('=');
        if (!field || !column || !['time', 'open', 'high', 'low', 'close', 'volume'].includes(field)) {
          throw new UsageError(`--map takes field=COLUMN pairs (fields: time, open, high, low, close, volume), got "${pair}"`);
        }
        columns[field as keyof typeof columns] = column;
      }
      csv.columns = columns;
    }
    // The trader's own shell may name any regular file, but never /proc, /dev or /sys, a FIFO or a device.
    let source: ImportSource;
    try {
      source = checkImportFile(file, { roots: 'anywhere' });
    } catch (error) {
      throw new ImportCommandError(error instanceof ImportAccessError ? error.message : `${basename(file)}: cannot be read`);
    }
    const config = resolveConfig({ cwd: ctx.cwd, env: ctx.env, ...(values.db ? { overrides: { TRADING_DB_PATH: values.db } } : {}) });
    let fd: number;
    try {
      fd = openImportSource(source);
    } catch (error) {
      throw new ImportCommandError(importFailureMessage(source.name, error));
    }
    try {
      const db = openDatabase(config.dbPath);
      try {
        const report = importHistory(new HistoryStore(db), new NyseCalendar(), {
          file: source.name,
          fd,
          size: source.size,
          format: values.format as ImportFormat,
          symbol: symbol.data,
          csv,
          ...(ctx.limits?.maxJsonBytes !== undefined ? { maxJsonBytes: ctx.limits.maxJsonBytes } : {}),
        });
        return { json: { ok: true, db: config.dbPath, ...report }, text: `${formatReport(report)}\n  database ${config.dbPath}` };
      } catch (error) {
        // One line on why, naming the file; never a line of the file itself.
        throw new ImportCommandError(importFailureMessage(source.name, error));
      } finally {
        db.close();
      }
    } finally {
      closeSync(fd);
    }
  },
};

const exportDatasetCommand: Command = {
  name: 'export-dataset',
  summary: 'write features and labels for symbols and dates to an Apache Arrow IPC file',
  usage: 'export-dataset --symbols SPY[,QQQ…] --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.arrow [--vix VIX.csv] [--warmup-sessions N] [--db PATH] [--json]',
  async run(args, ctx) {
    const { values } = parse(args, {
      symbols: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      vix: { type: 'string' },
      'warmup-sessions': { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
    });
    const symbols = (values.symbols ?? '').split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
    if (symbols.length === 0 || symbols.some((x) => !SymbolSchema.safeParse(x).success)) throw new UsageError('--symbols takes tickers such as SPY,QQQ');
    for (const flag of ['from', 'to'] as const) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(values[flag] ?? '')) throw new UsageError(`--${flag} takes a date YYYY-MM-DD`);
    }
    if (!values.out) throw new UsageError('--out FILE is required');
    const warmup = values['warmup-sessions'] === undefined ? 5 : Number(values['warmup-sessions']);
    if (!Number.isInteger(warmup) || warmup < 0 || warmup > 60) throw new UsageError('--warmup-sessions takes 0 to 60');
    let vix: Array<{ date: string; close: number }> | undefined;
    if (values.vix) {
      try {
        vix = readDailyCloseCsv(readFileSync(values.vix, 'utf8'));
      } catch (error) {
        throw new UsageError(`cannot read --vix ${values.vix}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const config = resolveConfig({ cwd: ctx.cwd, env: ctx.env, ...(values.db ? { overrides: { TRADING_DB_PATH: values.db } } : {}) });
    const db = openDatabase(config.dbPath);
    try {
      const store = new HistoryStore(db);
      const missing = symbols.filter((x) => store.range(x, '1m') === null);
      if (missing.length > 0) throw new UsageError(`no stored bars for ${missing.join(', ')} in ${config.dbPath}; import them first`);
      const t0 = performance.now();
      const ds = buildDataset(store, new NyseCalendar(), { symbols, from: values.from!, to: values.to!, warmupSessions: warmup, ...(vix ? { vix } : {}) });
      const bytes = writeDataset(values.out, ds);
      const seconds = (performance.now() - t0) / 1000;
      const summary = { ok: true, out: values.out, bytes, seconds, ...ds.meta, spec: { version: ds.meta.spec.version, features: ds.meta.spec.names.length, warmup: ds.meta.spec.warmup } };
      return {
        json: summary,
        text: [
          `Wrote ${ds.meta.rows} rows × ${ds.meta.spec.names.length} features + ${ds.meta.labels.length} labels to ${values.out} (${(bytes / 1e6).toFixed(2)} MB, Arrow IPC)`,
          `  symbols ${ds.meta.symbols.join(', ')}, ${ds.meta.from} → ${ds.meta.to}, feature spec ${ds.meta.spec.version}, VIX ${ds.meta.vix}`,
        ].join('\n'),
      };
    } finally {
      db.close();
    }
  },
};

const trainCommand: Command = {
  name: 'train',
  summary: 'train gradient-boosted trees on a tabular CSV and write model.onnx with its sidecar',
  usage:
    'train --data TRAIN.csv [--valid VALID.csv] --label COLUMN --objective binary|multiclass --num-round N --max-depth D --eta E ' +
    '--max-bin B --nthread T --seed S --out DIR [--early-stopping R] [--subsample F] [--colsample F] [--min-child-weight W] [--lambda L] [--class-weight balanced] [--json]',
  async run(args) {
    const { values } = parse(args, {
      data: { type: 'string' },
      valid: { type: 'string' },
      label: { type: 'string' },
      objective: { type: 'string' },
      'num-round': { type: 'string' },
      'max-depth': { type: 'string' },
      eta: { type: 'string' },
      'max-bin': { type: 'string' },
      nthread: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'early-stopping': { type: 'string' },
      subsample: { type: 'string' },
      colsample: { type: 'string' },
      'min-child-weight': { type: 'string' },
      lambda: { type: 'string' },
      'class-weight': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.data || !values.label || !values.out) throw new UsageError('--data, --label and --out are required');
    if (values.objective !== undefined && values.objective !== 'binary' && values.objective !== 'multiclass') {
      throw new UsageError('--objective must be binary or multiclass');
    }
    const num = (flag: string, v: string | undefined, int: boolean, min: number, max: number): number | undefined => {
      if (v === undefined) return undefined;
      const x = Number(v);
      if (!Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min || x > max) throw new UsageError(`--${flag} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}`);
      return x;
    };
    if (values['class-weight'] !== undefined && values['class-weight'] !== 'balanced') throw new UsageError('--class-weight takes balanced');
    let train: TabularData;
    let valid: TabularData | undefined;
    try {
      train = readTabularCsv(values.data, values.label);
      valid = values.valid ? readTabularCsv(values.valid, values.label, train.featureNames) : undefined;
    } catch (error) {
      if (error instanceof TabularError) throw new UsageError(error.message);
      throw error;
    }
    const params: GbdtParams = {
      ...(values.objective ? { objective: values.objective as 'binary' | 'multiclass' } : {}),
      numRound: num('num-round', values['num-round'], true, 1, 100_000) ?? 100,
      maxDepth: num('max-depth', values['max-depth'], true, 1, 16) ?? 6,
      eta: num('eta', values.eta, false, 1e-6, 1) ?? 0.3,
      maxBin: num('max-bin', values['max-bin'], true, 2, 256) ?? 256,
      nthread: num('nthread', values.nthread, true, 1, 64) ?? 1,
      seed: num('seed', values.seed, true, 0, 2 ** 31 - 1) ?? 0,
      ...(values['early-stopping'] ? { earlyStoppingRounds: num('early-stopping', values['early-stopping'], true, 1, 10_000)! } : {}),
      ...(values.subsample ? { subsample: num('subsample', values.subsample, false, 0.01, 1)! } : {}),
      ...(values.colsample ? { colsampleByTree: num('colsample', values.colsample, false, 0.01, 1)! } : {}),
      ...(values['min-child-weight'] ? { minChildWeight: num('min-child-weight', values['min-child-weight'], false, 0, 1e9)! } : {}),
      ...(values.lambda ? { lambda: num('lambda', values.lambda, false, 0, 1e9)! } : {}),
      ...(values['class-weight'] ? { classWeight: 'balanced' as const } : {}),
    };
    if (params.earlyStoppingRounds && !valid) throw new UsageError('--early-stopping needs --valid');
    const t0 = performance.now();
    const result = await trainGbdt({ x: train.x, y: train.y, n: train.n, f: train.f, featureNames: train.featureNames }, params, valid ? { x: valid.x, y: valid.y, n: valid.n, f: valid.f } : undefined);
    const trainingSeconds = (performance.now() - t0) / 1000;
    const onnx = exportTreeEnsemble(result.model);
    const modelId = `gbdt-${basename(values.out)}-${Date.now().toString(36)}`;
    const validLogLoss = result.bestScore;
    const sidecar = await writeModelDir(
      values.out,
      onnx,
      sidecarFor('tree', result.model, { version: `tabular:${basename(values.data)}`, names: train.featureNames, warmup: 0 }, {
        modelId,
        trainingWindow: { from: 0, to: 0 },
        metrics: { trainLogLoss: result.log[result.bestIteration]?.train ?? null, validLogLoss, bestIteration: result.bestIteration },
        params: { ...params, rows: train.n, features: train.f, label: values.label },
        created: Date.now(),
      }),
    );
    const summary = {
      ok: true,
      out: values.out,
      modelId,
      rows: train.n,
      features: train.f,
      classes: result.model.numClass,
      trees: result.model.trees.length,
      bestIteration: result.bestIteration,
      trainingSeconds,
      trainerSeconds: result.seconds,
      validLogLoss,
      onnxSha256: sidecar.onnxSha256,
    };
    return {
      json: summary,
      text: [
        `Trained ${result.model.trees.length} trees (${result.model.objective}, ${result.model.numClass} classes) on ${train.n} rows × ${train.f} features in ${trainingSeconds.toFixed(2)} s`,
        validLogLoss !== null ? `  validation log loss ${validLogLoss.toFixed(6)} at round ${result.bestIteration + 1}` : '  no validation set',
        `  wrote ${values.out}/model.onnx and model.json (sha256 ${sidecar.onnxSha256.slice(0, 12)}…)`,
      ].join('\n'),
    };
  },
};

const walkForwardCommand: Command = {
  name: 'walk-forward',
  summary: 'out-of-sample walk-forward report of the direction model on stored history, every metric per fold',
  usage:
    'walk-forward --symbols SPY[,…] --from YYYY-MM-DD --to YYYY-MM-DD [--period day|week|month] [--window rolling|expanding] ' +
    '[--train-periods N] [--num-round N] [--max-depth D] [--eta E] [--cost BPS] [--vix VIX.csv] [--db PATH] [--json]',
  async run(args, ctx) {
    const { values } = parse(args, {
      symbols: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      period: { type: 'string' },
      window: { type: 'string' },
      'train-periods': { type: 'string' },
      'num-round': { type: 'string' },
      'max-depth': { type: 'string' },
      eta: { type: 'string' },
      cost: { type: 'string' },
      vix: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
    });
    const symbols = (values.symbols ?? '').split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
    if (symbols.length === 0) throw new UsageError('--symbols takes tickers such as SPY');
    for (const flag of ['from', 'to'] as const) if (!/^\d{4}-\d{2}-\d{2}$/.test(values[flag] ?? '')) throw new UsageError(`--${flag} takes a date YYYY-MM-DD`);
    const period = (values.period ?? 'day') as 'day' | 'week' | 'month';
    if (!['day', 'week', 'month'].includes(period)) throw new UsageError('--period takes day, week or month');
    const window = (values.window ?? 'rolling') as 'rolling' | 'expanding';
    if (!['rolling', 'expanding'].includes(window)) throw new UsageError('--window takes rolling or expanding');
    const int = (v: string | undefined, d: number, min: number, max: number, flag: string): number => {
      const x = v === undefined ? d : Number(v);
      if (!Number.isFinite(x) || x < min || x > max) throw new UsageError(`--${flag} must be from ${min} to ${max}`);
      return x;
    };
    const config = resolveConfig({ cwd: ctx.cwd, env: ctx.env, ...(values.db ? { overrides: { TRADING_DB_PATH: values.db } } : {}) });
    const vix = values.vix ? readDailyCloseCsv(readFileSync(values.vix, 'utf8')) : undefined;
    const db = openDatabase(config.dbPath);
    try {
      const store = new HistoryStore(db);
      const ds = buildDataset(store, new NyseCalendar(), { symbols, from: values.from!, to: values.to!, ...(vix ? { vix } : {}) });
      const report = await walkForward(ds, {
        label: 'label_up_1',
        forwardReturn: 'fwd_ret_1',
        period,
        window,
        trainPeriods: int(values['train-periods'], 5, 1, 1000, 'train-periods'),
        params: {
          numRound: int(values['num-round'], 100, 1, 10_000, 'num-round'),
          maxDepth: int(values['max-depth'], 4, 1, 16, 'max-depth'),
          eta: int(values.eta, 0.05, 1e-4, 1, 'eta'),
          maxBin: 128,
          nthread: 1,
          seed: 1,
        },
        cost: int(values.cost, 2, 0, 1000, 'cost') / 10_000,
      });
      const { lastModel: _m, ...json } = report;
      return { json: { ok: true, ...json }, text: formatWalkForward(report) };
    } finally {
      db.close();
    }
  },
};

export const COMMANDS: readonly Command[] = [configCommand, doctorCommand, simulateCommand, importCommand, exportDatasetCommand, trainCommand, walkForwardCommand, backtestCommand];

export function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: cockpit <command> [options] [--json]',
    '       npm run cli -- <command> [options] [--json]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command accepts --json (machine-readable output) and --help.',
    'Configuration comes from TRADING_* environment variables and .env (see README).',
  ].join('\n');
}
