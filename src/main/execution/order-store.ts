// The local order book in SQLite: every submitted order, every applied fill and every status change,
// each event committed in one transaction, so a restart (or a kill -9) rebuilds exactly what was applied.
import { nyDateKey } from '../calendar/ny-time';
import type { Db } from '../store/database';
import { transition, type OrderRefusal, type OrderTransition } from './order-state';
import type { ExitRule, Fill, Order, OrderEvent, OrderIntent, OrderStatus, Position, Side } from './types';

interface OrderRow {
  client_order_id: string;
  broker_order_id: string;
  symbol: string;
  side: Order['side'];
  qty: number;
  type: Order['type'];
  time_in_force: Order['timeInForce'];
  limit_price: number | null;
  stop_price: number | null;
  trail_price: number | null;
  bracket_json: string | null;
  reason: string;
  intent: OrderIntent;
  exit_rule: ExitRule | null;
  parent_id: string | null;
  oco_group: string | null;
  signal_id: string | null;
  status: OrderStatus;
  filled_qty: number;
  avg_fill_price: number | null;
  submitted_at: number;
  updated_at: number;
  note: string;
  trading_day: string;
}

interface FillRow {
  execution_id: string;
  client_order_id: string;
  broker_order_id: string;
  symbol: string;
  side: Fill['side'];
  qty: number;
  price: number;
  fees: number;
  time: number;
}

export interface OrderEventRecord {
  id: number;
  clientOrderId: string;
  from: OrderStatus | null;
  to: OrderStatus;
  at: number;
  detail: string;
}

export interface SubmitResult {
  order: Order;
  /** False when an order with this clientOrderId was already recorded: the existing row is returned. */
  created: boolean;
}

export type ApplyResult =
  | OrderTransition
  | OrderRefusal
  | { ok: false; code: 'unknown_order'; clientOrderId: string; event: OrderEvent['type']; reason: string };

/** What an entry was sent with besides the order: its exits and the capital at risk reserved for it. */
export interface EntryPlan {
  clientOrderId: string;
  symbol: string;
  side: Side;
  stopPrice: number;
  targetPrice: number | null;
  capitalAtRisk: number;
  tradingDay: string;
}

export interface LocalBook {
  openOrders: Order[];
  positions: Position[];
}

function copyOrder(o: Order): Order {
  return o.bracket ? { ...o, bracket: { ...o.bracket } } : { ...o };
}

function toOrder(row: OrderRow): Order {
  const order: Order = {
    clientOrderId: row.client_order_id,
    brokerOrderId: row.broker_order_id,
    symbol: row.symbol,
    side: row.side,
    qty: row.qty,
    type: row.type,
    timeInForce: row.time_in_force,
    intent: row.intent,
    reason: row.reason,
    status: row.status,
    filledQty: row.filled_qty,
    avgFillPrice: row.avg_fill_price,
    submittedAt: row.submitted_at,
    updatedAt: row.updated_at,
    note: row.note,
  };
  if (row.exit_rule !== null) order.exitRule = row.exit_rule;
  if (row.parent_id !== null) order.parentId = row.parent_id;
  if (row.oco_group !== null) order.ocoGroup = row.oco_group;
  if (row.signal_id !== null) order.signalId = row.signal_id;
  if (row.limit_price !== null) order.limitPrice = row.limit_price;
  if (row.stop_price !== null) order.stopPrice = row.stop_price;
  if (row.trail_price !== null) order.trailPrice = row.trail_price;
  if (row.bracket_json !== null) order.bracket = JSON.parse(row.bracket_json) as NonNullable<Order['bracket']>;
  return order;
}

function toFill(row: FillRow): Fill {
  return {
    executionId: row.execution_id,
    clientOrderId: row.client_order_id,
    brokerOrderId: row.broker_order_id,
    symbol: row.symbol,
    side: row.side,
    qty: row.qty,
    price: row.price,
    fees: row.fees,
    time: row.time,
  };
}

/**
 * Net position per symbol from fills in execution order: signed quantity; the average entry price moves
 * only when the position grows, stays when it shrinks, and restarts at the fill price when it flips.
 */
export function positionsFromFills(fills: Iterable<Pick<Fill, 'symbol' | 'side' | 'qty' | 'price'>>): Position[] {
  const book = new Map<string, { qty: number; avg: number }>();
  for (const f of fills) foldFill(book, f);
  return bookPositions(book);
}

/** Folds one fill into a position book (the rule positionsFromFills applies, one fill at a time). */
function foldFill(book: Map<string, { qty: number; avg: number }>, f: Pick<Fill, 'symbol' | 'side' | 'qty' | 'price'>): void {
  const p = book.get(f.symbol) ?? { qty: 0, avg: 0 };
  const signed = f.side === 'buy' ? f.qty : -f.qty;
  const next = p.qty + signed;
  if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) {
    p.avg = (p.avg * Math.abs(p.qty) + f.price * f.qty) / Math.abs(next);
  } else if (next !== 0 && Math.sign(next) !== Math.sign(p.qty)) {
    p.avg = f.price;
  }
  p.qty = next;
  if (p.qty === 0) p.avg = 0;
  book.set(f.symbol, p);
}

function bookPositions(book: Map<string, { qty: number; avg: number }>): Position[] {
  return [...book]
    .filter(([, p]) => p.qty !== 0)
    .map(([symbol, p]) => ({ symbol, qty: p.qty, avgEntryPrice: p.avg }))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

function prepareStatements(db: Db) {
  return {
    insertOrder: db.prepare(`
      INSERT INTO orders (client_order_id, broker_order_id, symbol, side, qty, type, time_in_force, limit_price, stop_price,
        trail_price, bracket_json, reason, intent, exit_rule, parent_id, oco_group, signal_id, status, filled_qty, avg_fill_price, submitted_at, updated_at, note, trading_day)
      VALUES (@client_order_id, @broker_order_id, @symbol, @side, @qty, @type, @time_in_force, @limit_price, @stop_price,
        @trail_price, @bracket_json, @reason, @intent, @exit_rule, @parent_id, @oco_group, @signal_id, @status, @filled_qty, @avg_fill_price, @submitted_at, @updated_at, @note, @trading_day)
      ON CONFLICT (client_order_id) DO NOTHING`),
    getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
    updateOrder: db.prepare(`
      UPDATE orders SET broker_order_id = @broker_order_id, status = @status, filled_qty = @filled_qty,
        avg_fill_price = @avg_fill_price, updated_at = @updated_at, note = @note
      WHERE client_order_id = @client_order_id AND status = @from_status AND filled_qty = @from_filled_qty`),
    openOrders: db.prepare(
      "SELECT * FROM orders WHERE status IN ('new', 'accepted', 'partially_filled') ORDER BY submitted_at, client_order_id",
    ),
    executionSeen: db.prepare('SELECT 1 FROM fills WHERE execution_id = ?').pluck(),
    insertFill: db.prepare(`
      INSERT INTO fills (execution_id, client_order_id, symbol, side, qty, price, fees, time)
      VALUES (@executionId, @clientOrderId, @symbol, @side, @qty, @price, @fees, @time)
      ON CONFLICT (execution_id) DO NOTHING`),
    plans: db.prepare(`
      SELECT o.*, p.side AS plan_side, p.stop_price AS stop_price_plan, p.target_price, p.capital_at_risk, p.trading_day AS plan_day
      FROM entry_plans p JOIN orders o ON o.client_order_id = p.client_order_id
      WHERE (@symbol IS NULL OR p.symbol = @symbol) AND (@day IS NULL OR p.trading_day = @day) AND (@id IS NULL OR p.client_order_id = @id)
      ORDER BY o.submitted_at DESC, o.rowid DESC`),
    fills: db.prepare(`
      SELECT f.*, o.broker_order_id FROM fills f JOIN orders o USING (client_order_id)
      WHERE (@client_order_id IS NULL OR f.client_order_id = @client_order_id) ORDER BY f.time, f.rowid`),
    insertEvent: db.prepare('INSERT INTO order_events (client_order_id, from_status, to_status, at, detail) VALUES (?, ?, ?, ?, ?)'),
    events: db.prepare('SELECT * FROM order_events WHERE client_order_id = ? ORDER BY id'),
  };
}

export class OrderStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;

  /** Positions folded from every fill, built once and then kept in step by applyEvent (the only fill writer). */
  private book: Map<string, { qty: number; avg: number }> | null = null;

  /** Answers of reads since the last write (see `cached`). */
  private readonly reads = new Map<string, unknown>();

  constructor(private readonly db: Db) {
    this.stmts = prepareStatements(db);
  }

  /**
   * Records an order as sent. Idempotent on clientOrderId: a resend returns the row already there, unchanged.
   * Filled quantity only ever comes from applied fills (so it always equals their sum): an order handed in
   * already (partly) filled is recorded as accepted with nothing filled, and its fills must follow as events.
   */
  recordSubmitted(submitted: Order, plan?: Omit<EntryPlan, 'clientOrderId' | 'symbol' | 'side'>): SubmitResult {
    // Kept reads are dropped before the write and again after it (nothing read meanwhile outlives it).
    this.reads.clear();
    try {
      return this.insertSubmitted(submitted, plan);
    } finally {
      this.reads.clear();
    }
  }

  private insertSubmitted(submitted: Order, plan?: Omit<EntryPlan, 'clientOrderId' | 'symbol' | 'side'>): SubmitResult {
    const order: Order =
      submitted.filledQty === 0 && submitted.status !== 'partially_filled' && submitted.status !== 'filled'
        ? submitted
        : { ...submitted, status: 'accepted', filledQty: 0, avgFillPrice: null };
    return this.db
      .transaction((): SubmitResult => {
        const inserted = this.stmts.insertOrder.run({
          client_order_id: order.clientOrderId,
          broker_order_id: order.brokerOrderId,
          symbol: order.symbol,
          side: order.side,
          qty: order.qty,
          type: order.type,
          time_in_force: order.timeInForce,
          limit_price: order.limitPrice ?? null,
          stop_price: order.stopPrice ?? null,
          trail_price: order.trailPrice ?? null,
          bracket_json: order.bracket ? JSON.stringify(order.bracket) : null,
          reason: order.reason,
          intent: order.intent,
          exit_rule: order.exitRule ?? null,
          parent_id: order.parentId ?? null,
          oco_group: order.ocoGroup ?? null,
          signal_id: order.signalId ?? null,
          status: order.status,
          filled_qty: order.filledQty,
          avg_fill_price: order.avgFillPrice,
          submitted_at: order.submittedAt,
          updated_at: order.updatedAt,
          note: order.note,
          trading_day: nyDateKey(order.submittedAt),
        });
        if (inserted.changes === 1) {
          this.stmts.insertEvent.run(order.clientOrderId, null, order.status, order.submittedAt, `submitted: ${order.reason}`);
          if (plan) {
            this.db
              .prepare('INSERT INTO entry_plans (client_order_id, symbol, side, stop_price, target_price, capital_at_risk, trading_day) VALUES (?, ?, ?, ?, ?, ?, ?)')
              .run(order.clientOrderId, order.symbol, order.side, plan.stopPrice, plan.targetPrice, plan.capitalAtRisk, plan.tradingDay);
          }
        }
        return { order: this.get(order.clientOrderId)!, created: inserted.changes === 1 };
      })
      .immediate();
  }

  /**
   * Applies one broker event in a single transaction: the order row, the fill (if any) and the audit row
   * commit together or not at all. A refused event changes nothing.
   */
  applyEvent(event: OrderEvent): ApplyResult {
    this.reads.clear();
    // IMMEDIATE: the read-check-write below must not interleave with another connection's write.
    let applied: ApplyResult;
    try {
      applied = this.applyInTransaction(event);
    } catch (error) {
      this.book = null; // rebuilt from the store on the next read
      throw error;
    } finally {
      this.reads.clear();
    }
    if (applied.ok && applied.fill && this.book) foldFill(this.book, applied.fill);
    return applied;
  }

  private applyInTransaction(event: OrderEvent): ApplyResult {
    return this.db
      .transaction((): ApplyResult => {
        const id = event.order.clientOrderId;
        const row = this.stmts.getOrder.get(id) as OrderRow | undefined;
        if (!row) return { ok: false, code: 'unknown_order', clientOrderId: id, event: event.type, reason: `no order ${id} was recorded` };
        const current = toOrder(row);
        const result = transition(current, event, (executionId) => this.stmts.executionSeen.get(executionId) !== undefined);
        if (!result.ok) return result;
        const next = result.order;
        const updated = this.stmts.updateOrder.run({
          client_order_id: id,
          broker_order_id: next.brokerOrderId,
          status: next.status,
          filled_qty: next.filledQty,
          avg_fill_price: next.avgFillPrice,
          updated_at: next.updatedAt,
          note: next.note,
          from_status: current.status,
          from_filled_qty: current.filledQty,
        });
        if (updated.changes !== 1) throw new Error(`order ${id} changed under an immediate transaction`);
        let detail: string = result.to;
        let at = next.updatedAt;
        if (result.fill) {
          const f = result.fill;
          const ins = this.stmts.insertFill.run(f);
          // transition() already refused a seen execution id; a conflict here is a bug, so roll back.
          if (ins.changes !== 1) throw new Error(`execution ${f.executionId} appeared during the transaction`);
          detail = `fill ${f.executionId}: ${f.qty} @ ${f.price}`;
          at = f.time;
        } else if (next.note) {
          detail = `${result.to}: ${next.note}`;
        }
        this.stmts.insertEvent.run(id, result.from, result.to, at, detail);
        return result;
      })
      .immediate();
  }

  get(clientOrderId: string): Order | undefined {
    const order = this.cached(`get:${clientOrderId}`, () => {
      const row = this.stmts.getOrder.get(clientOrderId) as OrderRow | undefined;
      return row ? toOrder(row) : undefined;
    });
    return order ? copyOrder(order) : undefined;
  }

  /**
   * Orders still working (new, accepted or partially filled), oldest first. Asked for on every bar; the
   * rows are read again only after this store wrote an order (it is the orders table's only writer).
   */
  openOrders(): Order[] {
    return this.cached('open', () => (this.stmts.openOrders.all() as OrderRow[]).map(toOrder)).map(copyOrder);
  }

  /**
   * Reads repeat many times between two writes (every bar asks for the working orders, the plans, an
   * order by id): the answer is kept until this store writes again. It is the orders table's only writer.
   */
  private cached<T>(key: string, read: () => T): T {
    if (this.reads.has(key)) return this.reads.get(key) as T;
    const value = read();
    // A bound on what one stretch between writes may hold (ids asked for are the engine's own).
    if (this.reads.size >= 10_000) this.reads.clear();
    this.reads.set(key, value);
    return value;
  }

  /** Fills in execution order, of one order or of all. */
  fills(clientOrderId?: string): Fill[] {
    return (this.stmts.fills.all({ client_order_id: clientOrderId ?? null }) as FillRow[]).map(toFill);
  }

  /** The audit trail of one order, oldest first. */
  events(clientOrderId: string): OrderEventRecord[] {
    return (
      this.stmts.events.all(clientOrderId) as Array<{ id: number; client_order_id: string; from_status: OrderStatus | null; to_status: OrderStatus; at: number; detail: string }>
    ).map((r) => ({ id: r.id, clientOrderId: r.client_order_id, from: r.from_status, to: r.to_status, at: r.at, detail: r.detail }));
  }

  /** Net positions from every recorded fill (folded once, then kept in step with each applied fill). */
  positions(): Position[] {
    return bookPositions(this.positionBook());
  }

  /** The signed position in one symbol (0 when flat), without building the whole list. */
  heldQty(symbol: string): number {
    return this.positionBook().get(symbol)?.qty ?? 0;
  }

  private positionBook(): Map<string, { qty: number; avg: number }> {
    if (!this.book) {
      this.book = new Map();
      for (const f of this.fills()) foldFill(this.book, f);
    }
    return this.book;
  }

  /**
   * Entry plans, newest first (by the order's submission), with their orders: of one symbol, of one
   * trading day, or of one order; all three filters optional.
   */
  plans(filter: { symbol?: string; tradingDay?: string; clientOrderId?: string } = {}): Array<EntryPlan & { order: Order }> {
    const key = `plans:${filter.symbol ?? ''}|${filter.tradingDay ?? ''}|${filter.clientOrderId ?? ''}`;
    return this.cached(key, () => this.readPlans(filter)).map((p) => ({ ...p, order: copyOrder(p.order) }));
  }

  private readPlans(filter: { symbol?: string; tradingDay?: string; clientOrderId?: string }): Array<EntryPlan & { order: Order }> {
    const rows = this.stmts.plans.all({ symbol: filter.symbol ?? null, day: filter.tradingDay ?? null, id: filter.clientOrderId ?? null }) as Array<
      OrderRow & { plan_side: Side; stop_price_plan: number; target_price: number | null; capital_at_risk: number; plan_day: string }
    >;
    return rows.map((r) => ({
      clientOrderId: r.client_order_id,
      symbol: r.symbol,
      side: r.plan_side,
      stopPrice: r.stop_price_plan,
      targetPrice: r.target_price,
      capitalAtRisk: r.capital_at_risk,
      tradingDay: r.plan_day,
      order: toOrder(r),
    }));
  }

  /** Fills of the orders submitted on one New York trading day, in execution order. */
  fillsOfDay(tradingDay: string): Fill[] {
    const rows = this.db
      .prepare('SELECT f.*, o.broker_order_id FROM fills f JOIN orders o USING (client_order_id) WHERE o.trading_day = ? ORDER BY f.time, f.rowid')
      .all(tradingDay) as FillRow[];
    return rows.map(toFill);
  }

  /** Orders submitted on one New York trading day (YYYY-MM-DD), oldest first. */
  ordersOfDay(tradingDay: string): Order[] {
    return (this.db.prepare('SELECT * FROM orders WHERE trading_day = ? ORDER BY submitted_at, rowid').all(tradingDay) as OrderRow[]).map(toOrder);
  }

  /** The local book after a restart: what is still working and what is held. Read in one snapshot. */
  rebuild(): LocalBook {
    return this.db.transaction((): LocalBook => ({ openOrders: this.openOrders(), positions: this.positions() }))();
  }
}
