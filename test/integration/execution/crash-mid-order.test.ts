// kill -9 of a process in the middle of submitting orders and applying fills: after a restart every
// reported commit is there, no order is doubled, and no event is half-applied.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderStore } from '../../../src/main/execution/order-store';
import { openDatabase } from '../../../src/main/store/database';

describe('an order writer killed mid-order', () => {
  it('loses no reported commit, doubles no order and leaves no half-applied event', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'crash-orders-')), 'history.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/fixtures/crash-order-writer.ts'), path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise((r) => child.once('close', r));
    await new Promise<string[]>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer made no progress:\n${err}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const complete = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
        if (complete.length >= 600) {
          clearTimeout(timer);
          child.kill('SIGKILL'); // the writer does nothing but commit events: this lands among them
          resolvePromise(complete);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`writer exited early (${code}):\n${err}`));
      });
    });
    // Every line the writer got out before it died counts as reported, including those still in the
    // pipe when the kill was sent ('close' fires once the pipe is drained).
    await closed;
    expect(child.signalCode).toBe('SIGKILL');
    const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter(Boolean);

    const db = openDatabase(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const store = new OrderStore(db);

    // Every reported commit is there.
    const submitted = new Set<string>();
    for (const line of lines) {
      const [kind, id, executionId, qty] = line.split(' ') as [string, string, string?, string?];
      const order = store.get(id);
      expect(order, line).toBeDefined();
      submitted.add(id);
      if (kind === 'accepted') expect(order!.status, line).not.toBe('new');
      if (kind === 'canceled') expect(order!.status, line).toBe('canceled');
      if (kind === 'fill') expect(store.fills(id).find((f) => f.executionId === executionId)?.qty, line).toBe(Number(qty));
    }

    // No order doubled: the ids are o-0..o-n, at most one past the last reported (committed, then killed
    // before it could say so), each with exactly one submission in its audit trail.
    const orders = db.prepare('SELECT client_order_id AS id, qty, filled_qty AS filled, status FROM orders').all() as Array<{ id: string; qty: number; filled: number; status: string }>;
    const ids = orders.map((o) => Number(o.id.slice(2))).sort((a, b) => a - b);
    expect(ids).toEqual(ids.map((_, i) => i));
    expect(orders.length - submitted.size).toBeGreaterThanOrEqual(0);
    expect(orders.length - submitted.size).toBeLessThanOrEqual(1);
    const submissions = db.prepare('SELECT client_order_id AS id, count(*) AS n FROM order_events WHERE from_status IS NULL GROUP BY client_order_id').all() as Array<{ id: string; n: number }>;
    expect(submissions).toHaveLength(orders.length);
    expect(submissions.every((s) => s.n === 1)).toBe(true);

    // No partial transaction: each order's filled quantity is the sum of its fills, and its audit trail
    // has one fill row per fill.
    for (const o of orders) {
      const fills = store.fills(o.id);
      expect(fills.reduce((s, f) => s + f.qty, 0), o.id).toBe(o.filled);
      const fillEvents = store.events(o.id).filter((e) => e.to === 'partially_filled' || e.to === 'filled');
      expect(fillEvents.length, o.id).toBe(fills.length);
      expect(o.status === 'filled', o.id).toBe(o.filled === o.qty);
      if (fills.length > 0) expect(store.get(o.id)!.avgFillPrice!, o.id).toBeCloseTo(fills.reduce((s, f) => s + f.qty * f.price, 0) / o.filled, 9);
    }

    // Positions equal the signed sum of the fills.
    const net = db.prepare("SELECT symbol, SUM(CASE side WHEN 'buy' THEN qty ELSE -qty END) AS qty FROM fills GROUP BY symbol").all() as Array<{ symbol: string; qty: number }>;
    const book = store.rebuild();
    expect(book.positions.map((p) => [p.symbol, p.qty])).toEqual(net.filter((n) => n.qty !== 0).map((n) => [n.symbol, n.qty]).sort());
    expect(book.openOrders.every((o) => ['new', 'accepted', 'partially_filled'].includes(o.status))).toBe(true);

    // After the restart a replayed execution or a resent order still counts nothing.
    const lastFill = [...lines].reverse().find((l) => l.startsWith('fill '))!.split(' ');
    const replayed = store.fills(lastFill[1]!).find((f) => f.executionId === lastFill[2])!;
    expect(store.applyEvent({ type: 'fill', order: store.get(lastFill[1]!)!, fill: replayed })).toMatchObject({ ok: false, code: 'duplicate_execution' });
    expect(store.recordSubmitted(store.get('o-0')!).created).toBe(false);
    expect(store.rebuild()).toEqual(book);
    db.close();
  });
});
