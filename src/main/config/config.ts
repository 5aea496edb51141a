// Engine configuration from TRADING_* environment variables (and a .env file), validated once at
// start with zod. An invalid value stops start-up with a message naming the variable, its value and
// what is allowed; secrets are wrapped so they never reach the renderer, the logs or the socket.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { SymbolSchema } from '../../shared/contract';
import type { SessionMode } from '../../shared/domain';
import { Secret } from './secret';

export const APP_NAME = 'ai-trading-cockpit';

export const DEFAULT_WATCHLIST = ['SPY', 'QQQ', 'AAPL', 'MSFT', 'NVDA', 'AMZN', 'META', 'GOOGL', 'TSLA', 'AMD'] as const;

/** Where Electron's app.getPath('userData') points, so both hosts share one data folder. */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
}

interface VariableSpec {
  schema: z.ZodType;
  allowed: string;
  secret?: boolean;
  /** An endpoint URL: shown in errors without any user:password it carries. */
  url?: boolean;
}

const intIn = (min: number, max: number) =>
  z.string().trim().regex(/^-?\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
const numIn = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().min(min).max(max));
const nonEmpty = z.string().trim().min(1);
/** A loopback host: 127.0.0.0/8, localhost (or a name under it), ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return v4 !== null && Number(v4[1]) === 127 && v4.slice(2).every((o) => Number(o) <= 255);
}

/**
 * An endpoint override that will receive the vendor keys: the secure scheme anywhere, the plain one
 * only on a loopback host (a local proxy, the test fakes); never credentials or a fragment in the URL.
 */
const endpointUrl = (secure: string, plain: string) =>
  z
    .string()
    .trim()
    .refine((s) => {
      if (s.includes('#')) return false;
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        return false;
      }
      if (url.username !== '' || url.password !== '' || url.hostname === '') return false;
      if (url.protocol === secure) return true;
      return url.protocol === plain && isLoopbackHost(url.hostname);
    });
const httpUrl = endpointUrl('https:', 'http:');
const wsUrl = endpointUrl('wss:', 'ws:');

/** A real calendar date YYYY-MM-DD (2011-02-30 is refused, 2012-02-29 accepted). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
const isoDate = z.string().trim().refine(isCalendarDate);

/** Shows an endpoint value in an error without any credentials it carries. */
const redactUrl = (raw: string): string => raw.replace(/\/\/[^/?#]*@/, '//(credentials hidden)@');

/** Every variable the engine reads; an unknown TRADING_* variable is refused (it is almost always a typo). */
export const VARIABLES = {
  TRADING_MODE: { schema: z.enum(['simulated', 'paper', 'live']), allowed: 'simulated | paper | live' },
  TRADING_DATA_DIR: { schema: nonEmpty, allowed: 'a folder path' },
  TRADING_DB_PATH: { schema: nonEmpty, allowed: 'a file path, or :memory:' },
  TRADING_LOG_DIR: { schema: nonEmpty, allowed: 'a folder path' },
  TRADING_IMPORT_DIR: { schema: nonEmpty, allowed: 'a folder path: the only folder history files may be imported from over the socket (default <data dir>/imports)' },
  TRADING_LOG_LEVEL: { schema: z.enum(['error', 'warn', 'info', 'debug']), allowed: 'error | warn | info | debug' },
  TRADING_WATCHLIST: {
    schema: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim().toUpperCase()).filter((x) => x.length > 0))
      .pipe(z.array(SymbolSchema).min(1).max(200))
      .refine((list) => new Set(list).size === list.length, 'no symbol twice'),
    allowed: 'comma-separated tickers, 1 to 200, no duplicates (e.g. SPY,QQQ,AAPL)',
  },
  TRADING_SIM_SPEED: { schema: numIn(1, 1_000_000), allowed: 'simulated minutes per real minute, a number from 1 to 1000000' },
  TRADING_SIM_SEED: { schema: intIn(0, 2 ** 31 - 1), allowed: 'an integer from 0 to 2147483647' },
  TRADING_SIM_START: {
    schema: isoDate,
    allowed: 'a real calendar date YYYY-MM-DD (the first simulated session)',
  },
  TRADING_FEED: {
    schema: z.enum(['synthetic', 'replay', 'alpaca', 'polygon']),
    allowed: 'synthetic (default) | replay (stored history) | alpaca | polygon',
  },
  TRADING_REPLAY_FROM: { schema: isoDate, allowed: 'a real calendar date YYYY-MM-DD (first replayed session)' },
  TRADING_REPLAY_TO: { schema: isoDate, allowed: 'a real calendar date YYYY-MM-DD (last replayed session)' },
  TRADING_VIX_FILE: { schema: nonEmpty, allowed: 'a CSV of daily VIX closes with DATE and CLOSE columns (e.g. CBOE history)' },
  TRADING_SECTORS_FILE: { schema: nonEmpty, allowed: 'a CSV of symbol,sector lines laid over the bundled GICS sector table' },
  TRADING_INFERENCE_PROVIDERS: {
    schema: z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean))
      .pipe(z.array(z.enum(['cuda', 'tensorrt', 'cpu'])).min(1))
      .refine((l) => l[l.length - 1] === 'cpu', 'cpu last, as the fallback'),
    allowed: 'comma-separated ONNX Runtime execution providers in order of preference, ending with cpu (e.g. cuda,cpu)',
  },
  TRADING_RETRAIN_MINUTES: { schema: numIn(1, 1440), allowed: 'minutes between in-session retrains, 1 to 1440 (15–60 is usual; default 30)' },
  TRADING_PROMOTION_MARGIN: { schema: numIn(0, 1), allowed: 'log-loss improvement a new model needs over the active one to be promoted, 0 to 1 (default 0.001)' },
  TRADING_MIN_TRAIN_ROWS: { schema: intIn(100, 10_000_000), allowed: 'labelled rows needed before the first retrain, 100 or more (default 2000)' },
  TRADING_KEEP_MODELS: {
    schema: intIn(1, 10_000),
    allowed: 'models kept per purpose besides the active one and its rollback target (newest first), 1 to 10000 (default 20); older ones and their folders are deleted',
  },
  TRADING_HEADLESS_HOST: {
    schema: z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}|localhost|::1|::|[a-zA-Z0-9.-]+)$/),
    allowed: 'an IP address or host name to bind (default 127.0.0.1)',
  },
  TRADING_HEADLESS_PORT: { schema: intIn(0, 65_535), allowed: 'a TCP port from 0 (any free port) to 65535' },
  TRADING_ALPACA_KEY_ID: { schema: nonEmpty, allowed: 'your Alpaca API key id', secret: true },
  TRADING_ALPACA_SECRET_KEY: { schema: nonEmpty, allowed: 'your Alpaca API secret key', secret: true },
  TRADING_ALPACA_FEED: { schema: z.enum(['iex', 'sip']), allowed: 'iex | sip' },
  TRADING_POLYGON_API_KEY: { schema: nonEmpty, allowed: 'your Polygon/Massive API key', secret: true },
  TRADING_ALPACA_TRADING_URL: { schema: httpUrl, url: true, allowed: 'an https URL, or http only on a loopback host (127.0.0.0/8, localhost, ::1), with no user:password@ or #fragment, of the Alpaca trading REST API (default: the paper or live host the mode picks)' },
  TRADING_ALPACA_TRADING_STREAM_URL: { schema: wsUrl, url: true, allowed: 'a wss URL, or ws only on a loopback host (127.0.0.0/8, localhost, ::1), with no user:password@ or #fragment, of the Alpaca trade_updates stream (default: the paper or live host the mode picks)' },
  TRADING_ALPACA_DATA_URL: { schema: wsUrl, url: true, allowed: 'a wss URL, or ws only on a loopback host (127.0.0.0/8, localhost, ::1), with no user:password@ or #fragment, of the Alpaca market-data stream (default: wss://stream.data.alpaca.markets/v2/<feed>)' },
  TRADING_ALPACA_DATA_REST_URL: { schema: httpUrl, url: true, allowed: 'an https URL, or http only on a loopback host (127.0.0.0/8, localhost, ::1), with no user:password@ or #fragment, of the Alpaca market-data REST API used for backfill (default: https://data.alpaca.markets)' },
  // Risk limits (every order, live, paper or backtest). Percentages are percent of the bankroll.
  TRADING_BANKROLL: { schema: numIn(100, 1e9), allowed: 'account equity the percentage caps are taken of, in dollars, 100 or more (default 20000)' },
  TRADING_DAILY_POSITION_LIMIT: { schema: numIn(1, 1e9), allowed: 'open position value across all symbols, in dollars (default 5000)' },
  TRADING_DAILY_RISK_PCT: { schema: numIn(0.01, 100), allowed: 'capital at risk per day, percent of the bankroll, 0.01 to 100 (default 10)' },
  TRADING_MAX_DAILY_LOSS: { schema: numIn(1, 1e9), allowed: 'realised loss in dollars that turns the day REDUCING (default 2% of the bankroll)' },
  TRADING_SYMBOL_CAP_PCT: { schema: numIn(0.01, 100), allowed: 'exposure in one symbol, percent of the bankroll (default 25)' },
  TRADING_SECTOR_CAP_PCT: { schema: numIn(0.01, 100), allowed: 'exposure in one sector, percent of the bankroll (default 50)' },
  TRADING_MAX_ORDER_VALUE: { schema: numIn(1, 1e9), allowed: 'largest single order, in dollars (default 2500)' },
  TRADING_MAX_ORDER_QTY: { schema: intIn(1, 10_000_000), allowed: 'largest single order, in whole shares (default 1000)' },
  TRADING_MAX_ORDERS_PER_MINUTE: { schema: intIn(1, 10_000), allowed: 'orders per sliding minute (default 10)' },
  TRADING_PRICE_COLLAR_PCT: { schema: numIn(0.01, 50), allowed: 'a limit or stop price must lie within this percent of the last trade (default 5)' },
  TRADING_ENTRY_CUTOFF_MINUTES: { schema: intIn(0, 390), allowed: 'no new entries in the last N minutes of the session (default 15)' },
  TRADING_FLATTEN_MINUTES: { schema: intIn(1, 390), allowed: 'flatten every position N minutes before the close, 1 or more (default 5)' },
  TRADING_SPY_GAP_FLOOR_PCT: { schema: numIn(-100, 0), allowed: 'skip the day when SPY opens below this gap, percent, -100 to 0 (default -1)' },
  TRADING_VIX_CEILING: { schema: numIn(1, 200), allowed: 'skip the day when VIX is above this (default 30)' },
  // Exits the engine manages besides each entry's stop and target.
  TRADING_EXIT_PEAK_PCT: { schema: numIn(0, 50), allowed: 'peak exit: close this percent below the high since entry (above the low for shorts); 0 turns it off (default 1)' },
  TRADING_EXIT_TRAIL: { schema: numIn(0, 1e6), allowed: 'trailing stop distance in dollars from the best price since entry; 0 turns it off (default 0)' },
  TRADING_EXIT_MAX_BARS: { schema: intIn(0, 390), allowed: 'time stop: exit after N one-minute bars held; 0 turns it off (default 0)' },
  TRADING_EXIT_ML_THRESHOLD: {
    schema: numIn(0, 1),
    allowed: 'ML exit: leave a long when the active model gives the down class at least this probability (the up class for shorts); 0 turns it off (default 0.6)',
  },
} satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;

export interface EngineConfig {
  readonly mode: SessionMode;
  readonly dataDir: string;
  readonly dbPath: string;
  readonly logDir: string;
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly watchlist: readonly string[];
  readonly sim: { readonly speed: number; readonly seed: number; readonly startDate: string | null };
  readonly feed: 'synthetic' | 'replay' | 'alpaca' | 'polygon';
  readonly replay: { readonly from: string; readonly to: string } | null;
  readonly vixFile: string | null;
  /** symbol,sector lines laid over the bundled sector table (the sector cap's groups). */
  readonly sectorsFile: string | null;
  readonly inferenceProviders: ReadonlyArray<'cuda' | 'tensorrt' | 'cpu'>;
  readonly learning: { readonly retrainEveryMinutes: number; readonly promotionMargin: number; readonly minRows: number; readonly keepModels: number };
  readonly modelsDir: string;
  /** The folder whose files `history.import` may read (the desktop app also allows files picked in its dialog). */
  readonly importDir: string;
  readonly headless: { readonly host: string; readonly port: number };
  readonly alpaca: { readonly keyId: Secret; readonly secretKey: Secret; readonly feed: 'iex' | 'sip' } | null;
  readonly polygon: { readonly apiKey: Secret } | null;
  /** Endpoint overrides (a proxy, or the loopback fakes in tests); null means the vendor's default for the mode. */
  readonly endpoints: {
    readonly alpacaTrading: string | null;
    readonly alpacaTradingStream: string | null;
    readonly alpacaData: string | null;
    readonly alpacaDataRest: string | null;
  };
  /** Risk limits set by the trader over the defaults (validated again, as a whole, at engine start). */
  readonly risk: Readonly<Partial<RiskLimitOverrides>>;
  /** Realised loss in dollars that turns the day REDUCING; null: 2% of the bankroll. */
  readonly maxDailyLoss: number | null;
  readonly exits: { readonly peakExitPct: number; readonly trailAmount: number; readonly maxBarsHeld: number; readonly mlExitThreshold: number };
}

/** The risk limits a variable can set (the names match risk/pre-trade.ts RiskLimits). */
export interface RiskLimitOverrides {
  bankroll: number;
  dailyPositionLimit: number;
  dailyRiskPct: number;
  symbolCapPct: number;
  sectorCapPct: number;
  maxOrderValue: number;
  maxOrderQty: number;
  maxOrdersPerMinute: number;
  priceCollarPct: number;
  entryCutoffMinutes: number;
  flattenMinutesBeforeClose: number;
  spyGapFloorPct: number;
  vixCeiling: number;
}

const RISK_VARIABLES: ReadonlyArray<[VariableName, keyof RiskLimitOverrides]> = [
  ['TRADING_BANKROLL', 'bankroll'],
  ['TRADING_DAILY_POSITION_LIMIT', 'dailyPositionLimit'],
  ['TRADING_DAILY_RISK_PCT', 'dailyRiskPct'],
  ['TRADING_SYMBOL_CAP_PCT', 'symbolCapPct'],
  ['TRADING_SECTOR_CAP_PCT', 'sectorCapPct'],
  ['TRADING_MAX_ORDER_VALUE', 'maxOrderValue'],
  ['TRADING_MAX_ORDER_QTY', 'maxOrderQty'],
  ['TRADING_MAX_ORDERS_PER_MINUTE', 'maxOrdersPerMinute'],
  ['TRADING_PRICE_COLLAR_PCT', 'priceCollarPct'],
  ['TRADING_ENTRY_CUTOFF_MINUTES', 'entryCutoffMinutes'],
  ['TRADING_FLATTEN_MINUTES', 'flattenMinutesBeforeClose'],
  ['TRADING_SPY_GAP_FLOOR_PCT', 'spyGapFloorPct'],
  ['TRADING_VIX_CEILING', 'vixCeiling'],
];

export interface ConfigIssue {
  variable: string;
  /** The offending value, or a note that it is hidden (secrets). */
  value: string;
  allowed: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `Invalid configuration:\n${issues
        .map((i) => `  ${i.variable}=${i.value}: allowed ${i.allowed}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const isVariable = (name: string): name is VariableName => Object.prototype.hasOwnProperty.call(VARIABLES, name);

/** Reads `.env` from `dir` when it exists, without touching process.env. */
export function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/**
 * Builds the frozen engine config. Environment variables win over the .env file; `overrides`
 * (host flags, tests) win over both.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Partial<Record<VariableName, string>> = {},
): EngineConfig {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('TRADING_') && v !== undefined) merged[k] = v;
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v;

  const issues: ConfigIssue[] = [];
  const values: Partial<Record<VariableName, unknown>> = {};
  for (const [name, raw] of Object.entries(merged)) {
    if (!isVariable(name)) {
      issues.push({
        variable: name,
        value: JSON.stringify(raw),
        allowed: `nothing: unknown variable (known: ${Object.keys(VARIABLES).join(', ')})`,
      });
      continue;
    }
    const spec: VariableSpec = VARIABLES[name];
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else issues.push({ variable: name, value: spec.secret ? '(hidden)' : JSON.stringify(spec.url ? redactUrl(raw) : raw), allowed: spec.allowed });
  }

  const get = <N extends VariableName>(name: N): z.output<(typeof VARIABLES)[N]['schema']> | undefined =>
    values[name] as z.output<(typeof VARIABLES)[N]['schema']> | undefined;

  // Cross-field checks live here, in one place.
  const alpacaId = get('TRADING_ALPACA_KEY_ID');
  const alpacaSecret = get('TRADING_ALPACA_SECRET_KEY');
  if ((alpacaId === undefined) !== (alpacaSecret === undefined) && !issues.some((i) => i.variable.startsWith('TRADING_ALPACA_'))) {
    const missing = alpacaId === undefined ? 'TRADING_ALPACA_KEY_ID' : 'TRADING_ALPACA_SECRET_KEY';
    issues.push({ variable: missing, value: '(unset)', allowed: 'both Alpaca keys together, or neither' });
  }
  // PAPER is the default whenever Alpaca keys exist; LIVE is never a default.
  const mode = get('TRADING_MODE') ?? (alpacaId !== undefined && alpacaSecret !== undefined ? 'paper' : 'simulated');
  if (mode !== 'simulated' && alpacaId === undefined && !issues.some((i) => i.variable === 'TRADING_MODE')) {
    issues.push({
      variable: 'TRADING_MODE',
      value: JSON.stringify(mode),
      allowed: 'simulated unless Alpaca keys are set (TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY)',
    });
  }
  // Paper and live trade real prices: their feed is a vendor's (Alpaca unless Polygon is asked for).
  const feed = get('TRADING_FEED') ?? (mode === 'simulated' ? 'synthetic' : 'alpaca');
  if (mode !== 'simulated' && (feed === 'synthetic' || feed === 'replay')) {
    issues.push({ variable: 'TRADING_FEED', value: JSON.stringify(feed), allowed: `alpaca or polygon when TRADING_MODE=${mode} (orders go to Alpaca at real prices; ${feed} prices are not the market's)` });
  }
  const replayFrom = get('TRADING_REPLAY_FROM');
  const replayTo = get('TRADING_REPLAY_TO');
  if (feed === 'replay' && (replayFrom === undefined || replayTo === undefined)) {
    issues.push({ variable: replayFrom === undefined ? 'TRADING_REPLAY_FROM' : 'TRADING_REPLAY_TO', value: '(unset)', allowed: 'both replay dates when TRADING_FEED=replay' });
  } else if (replayFrom !== undefined && replayTo !== undefined && replayFrom > replayTo) {
    issues.push({ variable: 'TRADING_REPLAY_TO', value: JSON.stringify(replayTo), allowed: `a date on or after TRADING_REPLAY_FROM (${replayFrom})` });
  }
  if (feed === 'alpaca' && alpacaId === undefined) {
    issues.push({ variable: 'TRADING_FEED', value: '"alpaca"', allowed: 'alpaca only with TRADING_ALPACA_KEY_ID and TRADING_ALPACA_SECRET_KEY set' });
  }
  if (feed === 'polygon' && get('TRADING_POLYGON_API_KEY') === undefined) {
    issues.push({ variable: 'TRADING_FEED', value: '"polygon"', allowed: 'polygon only with TRADING_POLYGON_API_KEY set' });
  }
  const bankroll = get('TRADING_BANKROLL') ?? 20_000;
  const symbolCap = get('TRADING_SYMBOL_CAP_PCT');
  const sectorCap = get('TRADING_SECTOR_CAP_PCT');
  if ((symbolCap ?? 25) > (sectorCap ?? 50)) {
    issues.push({ variable: symbolCap !== undefined ? 'TRADING_SYMBOL_CAP_PCT' : 'TRADING_SECTOR_CAP_PCT', value: JSON.stringify(String(symbolCap ?? sectorCap)), allowed: 'a symbol cap no larger than the sector cap' });
  }
  const maxDailyLoss = get('TRADING_MAX_DAILY_LOSS');
  if (maxDailyLoss !== undefined && maxDailyLoss > bankroll) {
    issues.push({ variable: 'TRADING_MAX_DAILY_LOSS', value: JSON.stringify(String(maxDailyLoss)), allowed: `a loss no larger than the bankroll (${bankroll})` });
  }
  const cutoff = get('TRADING_ENTRY_CUTOFF_MINUTES');
  const flattenMin = get('TRADING_FLATTEN_MINUTES');
  if (cutoff !== undefined && flattenMin !== undefined && cutoff < flattenMin) {
    issues.push({ variable: 'TRADING_ENTRY_CUTOFF_MINUTES', value: JSON.stringify(String(cutoff)), allowed: `no fewer minutes than TRADING_FLATTEN_MINUTES (${flattenMin}): entries stop before the flatten` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const risk: Partial<RiskLimitOverrides> = {};
  for (const [variable, key] of RISK_VARIABLES) {
    const v = get(variable);
    if (typeof v === 'number') risk[key] = v;
  }
  const dataDir = get('TRADING_DATA_DIR') ?? defaultDataDir();
  const config: EngineConfig = {
    mode: mode === 'live' ? 'LIVE' : mode === 'paper' ? 'PAPER' : 'SIMULATED',
    dataDir,
    dbPath: get('TRADING_DB_PATH') ?? join(dataDir, 'history.sqlite'),
    logDir: get('TRADING_LOG_DIR') ?? join(dataDir, 'logs'),
    logLevel: get('TRADING_LOG_LEVEL') ?? 'info',
    watchlist: Object.freeze([...(get('TRADING_WATCHLIST') ?? DEFAULT_WATCHLIST)]),
    sim: Object.freeze({
      speed: get('TRADING_SIM_SPEED') ?? 60,
      seed: get('TRADING_SIM_SEED') ?? 20_110_103,
      startDate: get('TRADING_SIM_START') ?? null,
    }),
    feed,
    vixFile: get('TRADING_VIX_FILE') ?? null,
    sectorsFile: get('TRADING_SECTORS_FILE') ?? null,
    inferenceProviders: Object.freeze([...(get('TRADING_INFERENCE_PROVIDERS') ?? ['cpu'])]),
    learning: Object.freeze({
      retrainEveryMinutes: get('TRADING_RETRAIN_MINUTES') ?? 30,
      promotionMargin: get('TRADING_PROMOTION_MARGIN') ?? 0.001,
      minRows: get('TRADING_MIN_TRAIN_ROWS') ?? 2_000,
      keepModels: get('TRADING_KEEP_MODELS') ?? 20,
    }),
    modelsDir: join(dataDir, 'models'),
    importDir: get('TRADING_IMPORT_DIR') ?? join(dataDir, 'imports'),
    replay: feed === 'replay' && replayFrom !== undefined && replayTo !== undefined ? Object.freeze({ from: replayFrom, to: replayTo }) : null,
    headless: Object.freeze({
      host: get('TRADING_HEADLESS_HOST') ?? '127.0.0.1',
      port: get('TRADING_HEADLESS_PORT') ?? 8787,
    }),
    alpaca:
      alpacaId !== undefined && alpacaSecret !== undefined
        ? Object.freeze({
            keyId: new Secret(alpacaId),
            secretKey: new Secret(alpacaSecret),
            feed: get('TRADING_ALPACA_FEED') ?? 'iex',
          })
        : null,
    polygon: get('TRADING_POLYGON_API_KEY') !== undefined ? Object.freeze({ apiKey: new Secret(get('TRADING_POLYGON_API_KEY')!) }) : null,
    endpoints: Object.freeze({
      alpacaTrading: get('TRADING_ALPACA_TRADING_URL') ?? null,
      alpacaTradingStream: get('TRADING_ALPACA_TRADING_STREAM_URL') ?? null,
      alpacaData: get('TRADING_ALPACA_DATA_URL') ?? null,
      alpacaDataRest: get('TRADING_ALPACA_DATA_REST_URL') ?? null,
    }),
    risk: Object.freeze(risk),
    maxDailyLoss: maxDailyLoss ?? null,
    exits: Object.freeze({
      peakExitPct: get('TRADING_EXIT_PEAK_PCT') ?? 1,
      trailAmount: get('TRADING_EXIT_TRAIL') ?? 0,
      maxBarsHeld: get('TRADING_EXIT_MAX_BARS') ?? 0,
      mlExitThreshold: get('TRADING_EXIT_ML_THRESHOLD') ?? 0.6,
    }),
  };
  return Object.freeze(config);
}

/** Every secret value in a config, for the log redactor. */
export function secretsOf(config: EngineConfig): string[] {
  const out: string[] = [];
  if (config.alpaca) out.push(config.alpaca.keyId.reveal(), config.alpaca.secretKey.reveal());
  if (config.polygon) out.push(config.polygon.apiKey.reveal());
  return out.filter((s) => s.length >= 4);
}

/** The config with defaults, for tests and embedded use: no environment, simulated session. */
export function defaultConfig(overrides: Partial<Record<VariableName, string>> = {}): EngineConfig {
  // An in-memory history and a scratch data folder unless told otherwise: tests never touch the
  // trader's database, logs or models.
  return loadConfig({}, { TRADING_DB_PATH: ':memory:', TRADING_DATA_DIR: join(tmpdir(), `cockpit-scratch-${process.pid}`), ...overrides });
}
