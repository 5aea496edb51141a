// Shapes of Alpaca Trading API v2 answers (REST and the trade_updates stream), checked with zod so a
// malformed answer becomes a clear error instead of a crash deep in the engine. Alpaca sends decimals as
// strings ("10", "187.42"); `decimal` turns them into finite numbers.
import { z } from 'zod';

/** A decimal Alpaca sends as a string (sometimes a number); must parse to a finite number. */
export const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Number(v);
  if (v === '' || !Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `not a finite decimal: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

const optionalDecimal = decimal.nullish().transform((v) => (v === undefined ? null : v));

export const alpacaOrderLegSchema = z.object({
  id: z.string(),
  client_order_id: z.string(),
  type: z.string(),
  side: z.enum(['buy', 'sell']),
  status: z.string(),
  limit_price: optionalDecimal,
  stop_price: optionalDecimal,
});

export const alpacaOrderSchema = z.object({
  id: z.string().min(1),
  client_order_id: z.string(),
  symbol: z.string().min(1),
  side: z.enum(['buy', 'sell']),
  qty: optionalDecimal,
  filled_qty: decimal,
  filled_avg_price: optionalDecimal,
  type: z.enum(['market', 'limit', 'stop', 'stop_limit', 'trailing_stop']),
  time_in_force: z.string(),
  status: z.string(),
  order_class: z.string().nullish(),
  limit_price: optionalDecimal,
  stop_price: optionalDecimal,
  trail_price: optionalDecimal,
  created_at: z.string(),
  submitted_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  legs: z.array(alpacaOrderLegSchema).nullish(),
  /** The order that replaced this one (status `replaced`). */
  replaced_by: z.string().nullish(),
});
export type AlpacaOrder = z.infer<typeof alpacaOrderSchema>;

/** GET /v2/orders: an array, each item read on its own (see AlpacaBroker.openOrders). */
export const alpacaOrderItemsSchema = z.array(z.unknown());

export const alpacaPositionSchema = z.object({
  symbol: z.string().min(1),
  qty: decimal,
  side: z.enum(['long', 'short']),
  avg_entry_price: decimal,
});
export const alpacaPositionListSchema = z.array(alpacaPositionSchema);

export const alpacaAccountSchema = z.object({
  id: z.string(),
  status: z.string(),
  currency: z.string(),
  cash: decimal,
  equity: decimal,
  buying_power: decimal,
  pattern_day_trader: z.boolean().optional(),
  trading_blocked: z.boolean().optional(),
  daytrade_count: z.number().optional(),
});

export const alpacaClockSchema = z.object({
  timestamp: z.string(),
  is_open: z.boolean(),
  next_open: z.string(),
  next_close: z.string(),
});

/** GET /v2/calendar: trading days with their regular open and close (New York wall time, early closes included). */
export const alpacaCalendarSchema = z.array(
  z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    open: z.string().regex(/^\d{2}:\d{2}$/),
    close: z.string().regex(/^\d{2}:\d{2}$/),
  }),
);

/** Body of a 4xx/5xx answer. */
export const alpacaErrorBodySchema = z.object({ code: z.number().optional(), message: z.string() });

/** DELETE /v2/positions: one entry per position the broker tried to close (207 multi-status). */
export const alpacaCloseAllSchema = z.array(z.object({ symbol: z.string(), status: z.number(), body: z.unknown().optional() }));

export const tradeUpdateSchema = z.object({
  event: z.string(),
  execution_id: z.string().optional(),
  price: optionalDecimal.optional(),
  qty: optionalDecimal.optional(),
  position_qty: optionalDecimal.optional(),
  timestamp: z.string().optional(),
  order: alpacaOrderSchema,
});
export type TradeUpdate = z.infer<typeof tradeUpdateSchema>;

export const streamMessageSchema = z.discriminatedUnion('stream', [
  z.object({ stream: z.literal('authorization'), data: z.object({ status: z.string(), action: z.string().optional() }) }),
  z.object({ stream: z.literal('listening'), data: z.object({ streams: z.array(z.string()) }) }),
  z.object({ stream: z.literal('trade_updates'), data: z.unknown() }),
]);

/** The first few issues of a failed parse, short enough for a log line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
