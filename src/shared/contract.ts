// The one IPC contract: every request channel (`domain.verb`) with its request and response schema,
// and every push event (main → renderer) with its payload schema. Main handlers, the preload, the
// headless socket bridge and the renderer all import this module, so a call is typed end to end.
import { z } from 'zod';
import { BacktestProgressSchema, BacktestResultSchema, BacktestRunSummarySchema, BacktestSpecSchema } from './backtest';
import { EXIT_RULES, ORDER_INTENTS } from './domain';

// ---------------------------------------------------------------- shared schemas

export const SymbolSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9.]{0,9}$/, 'a ticker in upper case, 1-10 characters (A-Z, 0-9, .)');

const Finite = z.number().refine(Number.isFinite, 'a finite number');

export const BarSchema = z.strictObject({
  symbol: SymbolSchema,
  timeframe: z.enum(['1m', '5m', '15m', '1d']),
  start: z.number().int(),
  open: Finite,
  high: Finite,
  low: Finite,
  close: Finite,
  volume: Finite,
});

export const QuoteSchema = z.strictObject({
  symbol: SymbolSchema,
  last: Finite,
  prevClose: Finite.nullable(),
  sessionOpen: Finite,
  change: Finite,
  changePct: Finite,
  sessionVolume: Finite,
  time: z.number().int(),
});

export const SessionModeSchema = z.enum(['SIMULATED', 'PAPER', 'LIVE']);
export const TradingStateSchema = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);
export const ComponentStateSchema = z.enum(['stopped', 'starting', 'running', 'degraded', 'faulted', 'stopping']);

export const FeedHealthSchema = z.strictObject({
  feedId: z.string(),
  label: z.string(),
  state: z.enum(['connecting', 'live', 'stale', 'reconnecting', 'failed', 'stopped']),
  detail: z.string(),
  at: z.number().int(),
  simulated: z.boolean(),
});

export const TradingStateChangeSchema = z.strictObject({
  state: TradingStateSchema,
  previous: TradingStateSchema,
  cause: z.string(),
  at: z.number().int(),
});

export const ComponentStatusSchema = z.strictObject({
  name: z.string(),
  state: ComponentStateSchema,
  detail: z.string(),
});

const Empty = z.strictObject({});

export const FeedAvailabilitySchema = z.strictObject({
  id: z.enum(['synthetic', 'replay', 'alpaca', 'polygon']),
  label: z.string(),
  available: z.boolean(),
  active: z.boolean(),
  /** Why the feed cannot be used, or what it needs. */
  reason: z.string(),
});

export const OVERLAY_KEYS = ['vwap', 'bb_upper', 'bb_middle', 'bb_lower', 'laguerre', 'laguerre_adaptive', 'support_60', 'resistance_60', 'or_high', 'or_low'] as const;
export type OverlayKey = (typeof OVERLAY_KEYS)[number];
export const OverlayPointSchema = z.strictObject({
  start: z.number().int(),
  values: z.record(z.enum(OVERLAY_KEYS), Finite.nullable()),
});

export const ModelSummarySchema = z.strictObject({
  id: z.string(),
  purpose: z.string(),
  kind: z.enum(['tree', 'linear', 'sequence']),
  status: z.enum(['candidate', 'active', 'retired', 'refused']),
  createdAt: z.number().int(),
  promotedAt: z.number().int().nullable(),
  parentId: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()),
  topFeatures: z.array(z.strictObject({ name: z.string(), importance: z.number() })),
  note: z.string(),
});

export const ModelEventSchema = z.strictObject({
  kind: z.enum(['training', 'candidate', 'promoted', 'refused', 'rolled-back', 'drift', 'failed']),
  modelId: z.string().nullable(),
  message: z.string(),
  at: z.number().int(),
});

/** The pre-market focus list: the day's picks, best first, and every rejected symbol with why. */
export const FocusListSchema = z.strictObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  createdAt: z.number().int(),
  picks: z.array(z.strictObject({ symbol: SymbolSchema, score: z.number(), reasons: z.array(z.string()) })),
  rejected: z.array(z.strictObject({ symbol: SymbolSchema, reason: z.string() })),
});
export type FocusListWire = z.output<typeof FocusListSchema>;

/** A proposed trade waiting for the trader (or the desk's policy): what, why, how much, what it risks. */
export const SignalSchema = z.strictObject({
  id: z.string(),
  symbol: SymbolSchema,
  side: z.enum(['long', 'short']),
  /** Generators that agree on it, e.g. ['orb', 'ml']. */
  sources: z.array(z.string()).min(1),
  /** 0..1 after fusion. */
  confidence: z.number().min(0).max(1),
  /** Why: the rule that fired, or the top SHAP features for the ML source. */
  reasons: z.array(z.string()),
  entryPrice: Finite,
  stopPrice: Finite,
  targetPrice: Finite.nullable(),
  /** Proposed whole shares and dollars at risk from the risk manager's sizing (0 when nothing is allowed). */
  qty: z.number().int().nonnegative(),
  dollarsAtRisk: Finite,
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  status: z.enum(['pending', 'approved', 'vetoed', 'expired', 'executed', 'refused']),
  /** Another live signal on the same symbol with the opposite side. */
  conflictsWith: z.string().nullable(),
  modelVersion: z.string().nullable(),
});

/** How the approval desk treats new signals this session. */
export const DeskModeSchema = z.enum(['manual', 'auto', 'paper-only']);

export const JobProgressSchema = z.strictObject({
  jobId: z.string(),
  kind: z.enum(['import', 'train', 'backtest', 'evaluate']),
  /**
   * queued: waiting for a slot of its kind (see `position`); running; then one of done, failed or
   * canceled (by the trader, or by the engine's stop), which is final.
   */
  state: z.enum(['queued', 'running', 'done', 'failed', 'canceled']),
  fraction: z.number().min(0).max(1),
  phase: z.string(),
  message: z.string(),
  /** While queued: 1-based place among the waiting jobs of its kind (sent again as jobs ahead leave). */
  position: z.number().int().positive().optional(),
  /** The job's report when done (shape depends on kind). */
  result: z.unknown().optional(),
});

/** A job the engine's queue holds: running, or waiting its turn. */
export const QueuedJobSchema = z.strictObject({
  jobId: z.string(),
  kind: JobProgressSchema.shape.kind,
  label: z.string(),
  state: z.enum(['queued', 'running']),
  /** 1-based place among the waiting jobs of its kind; 0 while running. */
  position: z.number().int().nonnegative(),
});

// Orders, fills and positions as the execution engine keeps them (money in float dollars, whole shares).
export const OrderSideSchema = z.enum(['buy', 'sell']);
export const OrderStatusSchema = z.enum(['new', 'accepted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired']);

export const OrderSchema = z.strictObject({
  clientOrderId: z.string(),
  brokerOrderId: z.string(),
  symbol: SymbolSchema,
  side: OrderSideSchema,
  qty: z.number().int(),
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  timeInForce: z.enum(['day', 'ioc']),
  limitPrice: Finite.optional(),
  stopPrice: Finite.optional(),
  trailPrice: Finite.optional(),
  bracket: z.strictObject({ takeProfit: Finite, stopLoss: Finite }).optional(),
  ocoGroup: z.string().optional(),
  intent: z.enum(ORDER_INTENTS),
  exitRule: z.enum(EXIT_RULES).optional(),
  parentId: z.string().optional(),
  signalId: z.string().optional(),
  reason: z.string(),
  status: OrderStatusSchema,
  filledQty: z.number().int(),
  avgFillPrice: Finite.nullable(),
  submittedAt: z.number().int(),
  updatedAt: z.number().int(),
  note: z.string(),
});

export const FillSchema = z.strictObject({
  executionId: z.string(),
  clientOrderId: z.string(),
  brokerOrderId: z.string(),
  symbol: SymbolSchema,
  side: OrderSideSchema,
  qty: z.number().int(),
  price: Finite,
  fees: Finite,
  time: z.number().int(),
});

export const PositionSchema = z.strictObject({
  symbol: SymbolSchema,
  /** Signed: positive long, negative short. */
  qty: z.number().int(),
  avgEntryPrice: Finite,
});

// ---------------------------------------------------------------- requests

export const requests = {
  'app.info': {
    request: Empty,
    response: z.strictObject({
      appVersion: z.string(),
      engineId: z.string(),
      host: z.enum(['electron', 'headless', 'backtest', 'cli']),
      mode: SessionModeSchema,
      simulated: z.boolean(),
      watchlist: z.array(SymbolSchema),
      runtime: z.strictObject({ node: z.string(), electron: z.string().nullable(), platform: z.string() }),
      /** Which vendor keys are configured (never the keys themselves). */
      credentials: z.strictObject({ alpaca: z.boolean(), polygon: z.boolean() }),
    }),
  },
  'session.status': {
    request: Empty,
    response: z.strictObject({
      mode: SessionModeSchema,
      simulated: z.boolean(),
      now: z.number().int(),
      feed: FeedHealthSchema,
      feedSpeed: z.number(),
      feedPaused: z.boolean(),
      trading: TradingStateChangeSchema,
      components: z.array(ComponentStatusSchema),
      /** Where orders go. A LIVE broker takes entries only once the trader confirmed live trading this session. */
      broker: z.strictObject({ label: z.string(), simulated: z.boolean(), live: z.boolean(), liveConfirmed: z.boolean() }),
    }),
  },
  'market.watchlist': {
    request: Empty,
    response: z.strictObject({ symbols: z.array(SymbolSchema), quotes: z.array(QuoteSchema) }),
  },
  'market.bars': {
    request: z.strictObject({
      symbol: SymbolSchema,
      limit: z.number().int().min(1).max(20_000).default(1_000),
    }),
    response: z.strictObject({ symbol: SymbolSchema, bars: z.array(BarSchema) }),
  },
  'feed.setSpeed': {
    request: z.strictObject({
      /** Simulated minutes per real minute; Infinity is not allowed here (use a large number). */
      speed: z.number().min(1).max(1_000_000),
    }),
    response: z.strictObject({ speed: z.number() }),
  },
  'feed.pause': { request: Empty, response: z.strictObject({ paused: z.boolean() }) },
  'feed.resume': { request: Empty, response: z.strictObject({ paused: z.boolean() }) },
  'feed.seek': {
    /** Jump a replay forward to the first session on or after this date. */
    request: z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD') }),
    response: z.strictObject({ now: z.number().int() }),
  },
  'market.overlays': {
    /** Chart overlays from the feature engine (VWAP, Bollinger, Laguerre, support/resistance, opening range). */
    request: z.strictObject({ symbol: SymbolSchema, limit: z.number().int().min(1).max(20_000).default(1_000) }),
    response: z.strictObject({ symbol: SymbolSchema, points: z.array(OverlayPointSchema) }),
  },
  'market.feeds': {
    request: Empty,
    response: z.array(FeedAvailabilitySchema),
  },
  'history.chooseImportFile': {
    /**
     * Which file to import. The desktop app shows the system's open-file dialog and lets this session
     * import the file picked; the headless host lists the files of its import folder (TRADING_IMPORT_DIR).
     */
    request: Empty,
    response: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('chosen'), path: z.string(), name: z.string() }),
      z.strictObject({ kind: z.literal('canceled') }),
      z.strictObject({
        kind: z.literal('folder'),
        folder: z.string(),
        files: z.array(z.strictObject({ name: z.string(), path: z.string(), bytes: z.number().int().nonnegative() })),
      }),
    ]),
  },
  'history.import': {
    request: z.strictObject({
      /**
       * A file on the machine that runs the engine: inside the import folder (TRADING_IMPORT_DIR), or
       * one the trader picked this session through `history.chooseImportFile` in the desktop app.
       */
      path: z.string().min(1).max(4096),
      format: z.enum(['csv', 'ninjatrader', 'polygon', 'alpaca']),
      symbol: SymbolSchema,
      timeZone: z.string().max(64).optional(),
      stamp: z.enum(['start', 'end']).optional(),
      columns: z
        .strictObject({
          time: z.string().max(64).optional(),
          open: z.string().max(64).optional(),
          high: z.string().max(64).optional(),
          low: z.string().max(64).optional(),
          close: z.string().max(64).optional(),
          volume: z.string().max(64).optional(),
        })
        .optional(),
    }),
    response: z.strictObject({ jobId: z.string() }),
  },
  'history.summary': {
    request: Empty,
    response: z.strictObject({
      dbPath: z.string(),
      symbols: z.array(z.strictObject({ symbol: SymbolSchema, bars: z.number().int(), first: z.number().int(), last: z.number().int() })),
    }),
  },
  'trading.killSwitch': {
    request: z.strictObject({ reason: z.string().max(200).default('kill switch') }),
    response: TradingStateChangeSchema,
  },
  'trading.resume': {
    /** Leaving HALTED needs an explicit confirmation from the trader. */
    request: z.strictObject({ confirm: z.literal(true) }),
    response: TradingStateChangeSchema,
  },
  'trading.confirmLive': {
    /** Real money: the trader types LIVE to let a LIVE session take entries (asked again at every start). */
    request: z.strictObject({ phrase: z.string().max(40) }),
    response: TradingStateChangeSchema,
  },
  'backtest.run': {
    /** Starts a backtest in a worker thread (queued behind a running one); progress comes as `backtest.progress`. */
    request: BacktestSpecSchema,
    response: z.strictObject({ runId: z.string(), jobId: z.string() }),
  },
  'backtest.cancel': {
    request: z.strictObject({ runId: z.string().min(1).max(80) }),
    response: z.strictObject({ canceled: z.boolean() }),
  },
  'backtest.list': {
    /** Past runs, newest first. */
    request: z.strictObject({ limit: z.number().int().min(1).max(200).default(50) }),
    response: z.strictObject({ runs: z.array(BacktestRunSummarySchema) }),
  },
  'backtest.get': {
    request: z.strictObject({ runId: z.string().min(1).max(80) }),
    response: z.strictObject({ summary: BacktestRunSummarySchema, result: BacktestResultSchema.nullable() }),
  },
  'backtest.dayBars': {
    /** One stored session of a symbol (regular hours), for the chart a clicked trade opens. */
    request: z.strictObject({ symbol: SymbolSchema, date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD') }),
    response: z.strictObject({ bars: z.array(BarSchema) }),
  },
  'models.train': {
    /** Retrain the intraday model now, in a worker, on the session's latest labelled rows. */
    request: z.strictObject({ reason: z.string().max(200).default('manual') }),
    response: z.strictObject({ jobId: z.string() }),
  },
  'models.list': {
    request: Empty,
    response: z.strictObject({
      models: z.array(ModelSummarySchema),
      events: z.array(ModelEventSchema),
      inference: z.strictObject({ provider: z.string(), note: z.string().nullable(), activeModel: z.string().nullable() }),
      learning: z.strictObject({
        labelledRows: z.number().int(),
        retrainEveryMinutes: z.number(),
        training: z.boolean(),
        nextRetrainAt: z.number().nullable(),
        /** Models whose probabilities are averaged, with their weights (the active one first). */
        ensemble: z.array(z.strictObject({ modelId: z.string(), weight: z.number() })).optional(),
      }),
    }),
  },
  'models.promote': {
    request: z.strictObject({ id: z.string().min(1).max(200) }),
    response: ModelSummarySchema,
  },
  'models.rollback': {
    request: z.strictObject({ reason: z.string().max(200).default('rolled back by the trader') }),
    response: ModelSummarySchema,
  },
  'models.walkForward': {
    /** Out-of-sample walk-forward report over stored history (a job; the report arrives with job.progress). */
    request: z.strictObject({
      symbols: z.array(SymbolSchema).min(1).max(50),
      from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
      to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD'),
      period: z.enum(['day', 'week', 'month']).default('day'),
      trainPeriods: z.number().int().min(1).max(500).default(5),
    }),
    response: z.strictObject({ jobId: z.string() }),
  },
  'jobs.cancel': {
    /**
     * Cancels a job: a queued one is dropped at once ('canceled'; it never ran), a running one is told to
     * stop ('canceling'; its job.progress says when it has). Refused when no such job is queued or running.
     */
    request: z.strictObject({ jobId: z.string().min(1).max(200) }),
    response: z.strictObject({ jobId: z.string(), state: z.enum(['canceled', 'canceling']) }),
  },
  'jobs.list': {
    /** The job queue: running jobs, then the waiting ones in line, and the limits per kind. */
    request: Empty,
    response: z.strictObject({
      jobs: z.array(QueuedJobSchema),
      limits: z.record(JobProgressSchema.shape.kind, z.strictObject({ concurrency: z.number().int(), maxQueued: z.number().int() })),
    }),
  },
  'orders.list': {
    /** Today's book: working and recent orders, open positions and the latest fills. */
    request: Empty,
    response: z.strictObject({ orders: z.array(OrderSchema), positions: z.array(PositionSchema), fills: z.array(FillSchema) }),
  },
  'positions.flatten': {
    /** Market orders closing one symbol's position (or every position), after canceling its working orders. */
    request: z.strictObject({ symbol: SymbolSchema.optional() }),
    response: z.strictObject({ closed: z.number().int() }),
  },
  'signals.list': {
    /** The approval desk: its mode and the session's signals (pending first, then newest). */
    request: Empty,
    response: z.strictObject({ mode: DeskModeSchema, threshold: z.number().min(0).max(1), signals: z.array(SignalSchema) }),
  },
  'signals.approve': {
    /** Sends a pending signal's entry; `qty` may lower the proposed size, never raise it. */
    request: z.strictObject({ id: z.string().min(1).max(200), qty: z.number().int().positive().optional() }),
    response: SignalSchema,
  },
  'signals.veto': {
    request: z.strictObject({ id: z.string().min(1).max(200), reason: z.string().max(200).default('vetoed by the trader') }),
    response: SignalSchema,
  },
  'signals.setMode': {
    /** manual: every signal waits; auto: signals at or above `threshold` execute, the rest wait; paper-only: never execute. */
    request: z.strictObject({ mode: DeskModeSchema, threshold: z.number().min(0).max(1).optional() }),
    response: z.strictObject({ mode: DeskModeSchema, threshold: z.number().min(0).max(1) }),
  },
  'signals.focusList': {
    /** The latest pre-market focus list (built at 09:15 New York on trading days), or null before the first. */
    request: Empty,
    response: FocusListSchema.nullable(),
  },
  'signals.proposeTest': {
    /**
     * SIMULATED TEST HOOK: proposes a signal built from the symbol's latest bar (entry = last close,
     * stop 1 ATR or 0.5% away), for end-to-end tests without the generators. Refused (NOT_AVAILABLE)
     * unless the engine runs in SIMULATED mode on a simulated feed.
     */
    request: z.strictObject({
      symbol: SymbolSchema,
      side: z.enum(['long', 'short']),
      source: z.string().min(1).max(64),
      confidence: z.number().min(0).max(1).default(0.5),
      /** Minutes of clock time before the signal expires. */
      ttlMinutes: z.number().min(0.1).max(390).default(5),
    }),
    response: SignalSchema,
  },
} as const;

// ---------------------------------------------------------------- push events (main → renderer)

export const events = {
  'market.bar': BarSchema,
  'market.quote': QuoteSchema,
  /** Chart overlays of a symbol's closed bar. */
  'market.overlay': OverlayPointSchema.extend({ symbol: SymbolSchema }),
  'feed.health': FeedHealthSchema,
  'trading.state': TradingStateChangeSchema,
  'component.state': ComponentStatusSchema,
  'clock.tick': z.strictObject({ now: z.number().int() }),
  /** Progress of a long job (import, training, backtest) running off the engine's thread. */
  'job.progress': JobProgressSchema,
  /** A running backtest's progress: percent, bars per second, ETA (its job's state comes as `job.progress`). */
  'backtest.progress': BacktestProgressSchema,
  /** Something the trader should read: a refusal, a fault, a result. */
  'app.notice': z.strictObject({
    level: z.enum(['info', 'warn', 'error']),
    code: z.string(),
    message: z.string(),
    at: z.number().int(),
  }),
  /** Model lifecycle: a retrain started, a candidate kept, a promotion, a refusal, drift. */
  'models.event': ModelEventSchema,
  /** An order changed (submitted, accepted, filled, canceled, rejected, expired). */
  'orders.update': OrderSchema,
  /** Open positions after a fill. */
  'positions.update': z.strictObject({ positions: z.array(PositionSchema) }),
  /** A signal was proposed or changed status (approved, vetoed, expired, executed, refused). */
  'signals.update': SignalSchema,
  /** The day's pre-market focus list was built (09:15 New York, or at start mid-session). */
  'signals.focus': FocusListSchema,
  /** A menu action the renderer carries out (open a dialog, focus a panel). */
  'ui.command': z.strictObject({ command: z.enum(['backtest.open', 'import.open', 'models.open']) }),
} as const;

// ---------------------------------------------------------------- types

export type Requests = typeof requests;
export type RequestChannel = keyof Requests;
export type EventName = keyof typeof events;
/** What a caller passes (defaults may be omitted). */
export type RequestOf<C extends RequestChannel> = z.input<Requests[C]['request']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedRequestOf<C extends RequestChannel> = z.output<Requests[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<Requests[C]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;
export type EventMap = { [E in EventName]: EventPayload<E> };

export const requestChannels = Object.keys(requests) as RequestChannel[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

// ---------------------------------------------------------------- results

/** Stable error codes: the renderer branches on these, never on message text. */
export const ErrorCodes = [
  'BAD_REQUEST',
  'UNKNOWN_CHANNEL',
  'UNAUTHORIZED',
  'BAD_MESSAGE',
  'NOT_AVAILABLE',
  'REFUSED',
  'INTERNAL',
  'DISCONNECTED',
  'TIMEOUT',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];
export interface AppError {
  code: ErrorCode;
  message: string;
}
export type Result<T> = { ok: true; data: T } | { ok: false; error: AppError };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string): { ok: false; error: AppError } => ({
  ok: false,
  error: { code, message },
});

/** Turns a zod failure into one readable line naming each field that was wrong. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ');
}

// ---------------------------------------------------------------- transport-neutral API

/** The object the renderer talks to: `window.cockpit` under Electron, the socket client headless. */
export interface CockpitApi {
  request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Electron IPC channel names used by the shell and the preload. */
export const IPC_REQUEST_PREFIX = 'cockpit:';
export const IPC_EVENT_CHANNEL = 'cockpit:event';

// ---------------------------------------------------------------- headless socket wire protocol

export const SOCKET_PATH = '/ws';
export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().max(512) }),
  z.strictObject({
    type: z.literal('request'),
    id: z.number().int().nonnegative(),
    channel: z.string().max(100),
    payload: z.unknown(),
  }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ServerMessage =
  | { type: 'auth.ok' }
  | { type: 'auth.error'; error: AppError }
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'error'; error: AppError };
