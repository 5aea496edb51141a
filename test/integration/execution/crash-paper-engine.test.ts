// kill -9 of the whole engine process (PAPER mode, the loopback fake Alpaca) in the middle of an order,
// fills landing at the broker while it is down, an order placed outside the cockpit, then a restart on
// the same SQLite file: nothing lost, nothing doubled, the book reconciled with the broker's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fill, Order, Position } from '../../../src/main/execution/types';
import type { ReconciliationSummary } from '../../../src/main/execution/reconciler';
import type { TradingStateChange } from '../../../src/shared/domain';
import { waitFor } from '../vendors/helpers';
import { FAKE_TRADING_KEY, FAKE_TRADING_SECRET, FakeAlpacaTrading, type FakeOrder } from '../../fakes/fake-alpaca-trading';

interface Book {
  start: ReconciliationSummary | null;
  stream: ReconciliationSummary | null;
  orders: Order[];
  fills: Fill[];
  positions: Position[];
  tracked: Array<Position & { stopPrice?: number }>;
  trading: TradingStateChange;
  notices: string[];
}

let fake: FakeAlpacaTrading | null = null;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fake?.close();
  fake = null;
});

function engineEnv(fakeBroker: FakeAlpacaTrading, dbPath: string, dataDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TRADING_') && v !== undefined) env[k] = v;
  return {
    ...env,
    TRADING_MODE: 'paper',
    TRADING_ALPACA_KEY_ID: FAKE_TRADING_KEY,
    TRADING_ALPACA_SECRET_KEY: FAKE_TRADING_SECRET,
    TRADING_ALPACA_TRADING_URL: fakeBroker.restUrl,
    TRADING_ALPACA_TRADING_STREAM_URL: fakeBroker.streamUrl,
    TRADING_DB_PATH: dbPath,
    TRADING_DATA_DIR: dataDir,
    TRADING_LOG_LEVEL: 'error',
    TRADING_WATCHLIST: 'SPY,AAPL,MSFT',
    TRADING_RETRAIN_MINUTES: '1440',
    // Room for many orders: the limits are not what this test is about.
    TRADING_BANKROLL: '10000000',
    TRADING_DAILY_POSITION_LIMIT: '10000000',
    TRADING_DAILY_RISK_PCT: '100',
    TRADING_SYMBOL_CAP_PCT: '100',
    TRADING_SECTOR_CAP_PCT: '100',
    TRADING_MAX_ORDER_VALUE: '1000000',
    TRADING_MAX_ORDERS_PER_MINUTE: '10000',
    TRADING_MAX_DAILY_LOSS: '1000000',
  };
}

function spawnEngine(mode: 'trade' | 'verify', env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/fixtures/paper-engine.ts'), mode], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

const ours = (o: FakeOrder): boolean => o.client_order_id.startsWith('entry-') || o.client_order_id.startsWith('exit-') || o.client_order_id.startsWith('flatten-');

describe('the engine process killed mid-order in PAPER mode', () => {
  it('restarts with nothing lost, nothing doubled, missed fills applied and the book equal to the broker', async () => {
    fake = await FakeAlpacaTrading.start();
    fake.submitDelayMs = 40; // the order exists at the broker well before the engine hears back
    const broker = fake;
    const dir = mkdtempSync(join(tmpdir(), 'crash-paper-'));
    const env = engineEnv(broker, join(dir, 'history.sqlite'), dir);

    // The broker fills what it gets: half first, the rest a little later; every 5th order stays open.
    const progress = new Map<string, number>();
    let price = 100;
    const filler = setInterval(() => {
      for (const o of broker.orders.values()) {
        if (!ours(o) || !['new', 'accepted', 'partially_filled'].includes(o.status)) continue;
        const n = Number(o.client_order_id.split('-').at(-1));
        if (Number.isFinite(n) && n % 5 === 0) continue;
        const step = (progress.get(o.id) ?? 0) + 1;
        progress.set(o.id, step);
        const qty = Number(o.qty);
        const filled = Number(o.filled_qty);
        price = Math.round((price + 0.01 * ((step % 3) - 1)) * 100) / 100;
        if (step === 2 && qty > 1) broker.fill(o.client_order_id, Math.floor(qty / 2), price);
        else if (step >= 4) broker.fill(o.client_order_id, qty - filled, price);
      }
    }, 5);

    try {
      const run = spawnEngine('trade', env);
      const exited = new Promise<void>((r) => run.child.once('close', () => r()));
      // Kill once enough orders went through and one is in flight (sent to the broker, answer pending).
      await new Promise<void>((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`the paper engine made no progress:\n${run.out().slice(-2000)}\n${run.err()}`)), 60_000);
        const check = setInterval(() => {
          const lines = run.out().split('\n').filter(Boolean);
          const sent = lines.filter((l) => l.startsWith('sent ') && l.endsWith(' accepted')).length;
          const last = lines.at(-1) ?? '';
          const inFlight = last.startsWith('sending ') && broker.orderByClientId(last.slice(8)) !== undefined;
          if (sent >= 25 && inFlight) {
            clearInterval(check);
            clearTimeout(timer);
            run.child.kill('SIGKILL');
            resolvePromise();
          }
        }, 1);
        run.child.once('exit', (code) => {
          if (code !== null) {
            clearInterval(check);
            clearTimeout(timer);
            reject(new Error(`the paper engine exited (${code}):\n${run.err()}`));
          }
        });
      });
      await exited;
      expect(run.child.signalCode).toBe('SIGKILL');
      const lines = run.out().split('\n').filter(Boolean);
      const inFlightId = lines.at(-1)!.slice(8);

      // While the engine is down the broker keeps filling, and the trader places an order on the web.
      const settledAtBroker = (o: FakeOrder): boolean => {
        const n = Number(o.client_order_id.split('-').at(-1));
        return !ours(o) || (Number.isFinite(n) && n % 5 === 0) || !['new', 'accepted', 'partially_filled'].includes(o.status);
      };
      await waitFor(() => [...broker.orders.values()].every(settledAtBroker), 'the broker filled everything it fills while the engine was down', 10_000);
      clearInterval(filler);
      const outside = broker.addOutsideOrder('AAPL', 3);
      const inFlightAtBroker = broker.orderByClientId(inFlightId)!;
      expect(inFlightAtBroker.status).not.toBe('new'); // it filled while nobody listened

      const postsBefore = broker.postCount;
      const idsBefore = new Set([...broker.orders.values()].map((o) => o.client_order_id));
      const again = spawnEngine('verify', env);
      const code = await new Promise<number | null>((r) => again.child.once('close', (c) => r(c)));
      expect(code, again.err()).toBe(0);
      const book = JSON.parse(again.out().trim().split('\n').at(-1)!) as Book;

      // The restart resent nothing: the only new orders are protective stops for held shares the broker
      // held no stop for yet (their entry finished filling while the engine was down), each posted once.
      const newAtBroker = [...broker.orders.values()].filter((o) => !idsBefore.has(o.client_order_id));
      const intentOf = new Map(book.orders.map((o) => [o.clientOrderId, o.intent]));
      for (const o of newAtBroker) expect(intentOf.get(o.client_order_id), o.client_order_id).toBe('protective-stop');
      expect(broker.postCount - postsBefore).toBe(newAtBroker.length);
      const atBroker = [...broker.orders.values()].filter(ours);
      const brokerIds = atBroker.map((o) => o.client_order_id);
      expect(new Set(brokerIds).size).toBe(brokerIds.length);

      // Nothing lost: every order the engine started to send is in the book, and so is every own order at the broker.
      const local = new Map(book.orders.map((o) => [o.clientOrderId, o]));
      const reported = lines.filter((l) => l.startsWith('sent ') && !l.includes(' denied:')).map((l) => l.split(' ')[1]!);
      expect(reported.length).toBeGreaterThanOrEqual(25);
      for (const id of [...reported, inFlightId]) expect(local.has(id), id).toBe(true);
      // A denied entry leaves nothing behind, here or at the broker.
      for (const l of lines.filter((x) => x.includes(' denied:'))) {
        expect(local.has(l.split(' ')[1]!), l).toBe(false);
        expect(broker.orderByClientId(l.split(' ')[1]!), l).toBeUndefined();
      }
      for (const o of atBroker) expect(local.has(o.client_order_id), o.client_order_id).toBe(true);

      // Each order matches the broker's copy: filled quantity, average price, working or done.
      for (const o of atBroker) {
        const mine = local.get(o.client_order_id)!;
        expect(mine.filledQty, o.client_order_id).toBe(Number(o.filled_qty));
        if (Number(o.filled_qty) > 0) expect(mine.avgFillPrice!, o.client_order_id).toBeCloseTo(Number(o.filled_avg_price), 3);
        const openThere = ['new', 'accepted', 'partially_filled'].includes(o.status);
        expect(['new', 'accepted', 'partially_filled'].includes(mine.status), `${o.client_order_id} ${o.status} vs ${mine.status}`).toBe(openThere);
        expect(book.fills.filter((f) => f.clientOrderId === o.client_order_id).reduce((s, f) => s + f.qty, 0), o.client_order_id).toBe(Number(o.filled_qty));
      }
      // The order killed in flight was caught up from the broker, not resent.
      expect(local.get(inFlightId)!.filledQty).toBe(Number(inFlightAtBroker.filled_qty));
      expect(book.start!.caughtUp).toContain(inFlightId);
      // Orders in the book the broker never got are closed here, never left working.
      for (const o of book.orders) {
        if (!brokerIds.includes(o.clientOrderId)) expect(o.status, o.clientOrderId).toBe('rejected');
      }

      // Positions: the book equals the broker, symbol by symbol, and no mismatch was flagged.
      const brokerPositions = Object.fromEntries([...broker.positions.entries()].map(([s, p]) => [s, p.qty]));
      const localPositions = Object.fromEntries(book.positions.map((p) => [p.symbol, p.qty]));
      expect(localPositions).toEqual(brokerPositions);
      expect(book.start!.positionMismatches).toEqual([]);
      expect(book.stream!.positionMismatches).toEqual([]);
      expect(book.trading.state).toBe('ACTIVE');
      // Held positions are managed again with the stops they were entered with.
      for (const t of book.tracked) expect(t.stopPrice, t.symbol).toBeGreaterThan(0);

      // The outside order is flagged and left alone: not adopted, not canceled.
      expect(book.start!.outside.map((o) => o.brokerOrderId)).toContain(outside.id);
      expect(local.has(outside.client_order_id)).toBe(false);
      expect(broker.orders.get(outside.id)!.status).toBe('new');
      expect(book.notices.some((n) => n.includes('placed outside the cockpit'))).toBe(true);
    } finally {
      clearInterval(filler);
    }
  }, 120_000);
});
