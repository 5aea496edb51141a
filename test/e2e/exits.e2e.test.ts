/// <reference lib="dom" />
// End to end, the managed exits over one simulated session in Chromium: the desk in auto mode turns
// the rule signals into entries with stops and targets, and the engine's exits close them. The blotter
// shows a filled exit of every kind (hard stop, target, peak exit, trailing stop, time stop and the
// end-of-day flatten), the book is flat after the flatten time and nothing but the flatten was sent
// after it, and the chart of a symbol that traded carries its executions as markers.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { EventPayload, RequestChannel, RequestOf, ResponseOf, Result, ServerMessage } from '../../src/shared/contract';
import { launchChromium } from '../helpers/browser';
import { startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';
import { openSocket, type TestSocket } from '../helpers/socket';

// A fixed tape: the same seed, date and symbols give the same session, bar for bar.
const SESSION_DATE = '2024-03-12';
const SYMBOL = 'AAPL';
/** A symbol whose position the peak exit closed (its chart is checked after a reload). */
const PEAK_SYMBOL = 'NVDA';
const FLATTEN_MINUTES = 15;
// 2024-03-12 is on daylight time (New York is UTC-4): the close is 16:00 ET, the flatten 15:45 ET.
const FLATTEN_AT = Date.parse(`${SESSION_DATE}T15:45:00-04:00`);
const SLOW_FROM = Date.parse(`${SESSION_DATE}T15:30:00-04:00`);
const STOP_AT = Date.parse(`${SESSION_DATE}T15:48:00-04:00`);
const SESSION_END = Date.parse(`${SESSION_DATE}T16:00:00-04:00`);

const ENV: Record<string, string> = {
  TRADING_SIM_START: SESSION_DATE,
  TRADING_SIM_SEED: '7',
  TRADING_WATCHLIST: 'SPY,AAPL,NVDA,TSLA,AMD',
  // No model is trained in the session (its worker's timing would make the signals depend on the
  // machine): the rule generators alone propose, and the ML exit is off with it.
  TRADING_MIN_TRAIN_ROWS: '10000000',
  TRADING_EXIT_ML_THRESHOLD: '0',
  // The exits under test.
  TRADING_EXIT_PEAK_PCT: '0.3',
  TRADING_EXIT_TRAIL: '1',
  TRADING_EXIT_MAX_BARS: '20',
  TRADING_FLATTEN_MINUTES: String(FLATTEN_MINUTES),
  TRADING_ENTRY_CUTOFF_MINUTES: '16',
  // The risk limits, written out so the session does not move when a default does.
  TRADING_BANKROLL: '20000',
  TRADING_DAILY_POSITION_LIMIT: '5000',
  TRADING_DAILY_RISK_PCT: '10',
  TRADING_MAX_ORDER_VALUE: '2500',
  TRADING_MAX_ORDERS_PER_MINUTE: '10',
};
/** Simulated minutes per real minute while the session runs: 390 minutes in about 12 s. */
const FAST = 2000;
/** Near the flatten, slowly enough that the pause lands before the close. */
const SLOW = 200;

type Order = ResponseOf<'orders.list'>['orders'][number];

let host: HeadlessProcess;
let socket: TestSocket;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let requestId = 0;

async function call<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<ResponseOf<C>> {
  const id = ++requestId;
  socket.send({ type: 'request', id, channel, payload });
  const m = await socket.next((x) => x.type === 'response' && x.id === id, 20_000);
  const result = (m as Extract<ServerMessage, { type: 'response' }>).result as Result<ResponseOf<C>>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.data;
}

/** The exit rule an order carries (a protective stop's is the hard stop), or null for an entry or the trader's flatten. */
const exitRuleOf = (o: Pick<Order, 'exitRule'>): string | null => o.exitRule ?? null;

/** Pixels in the chart's canvases within a few levels of `rgb`. */
async function pixelsOf(p: Page, rgb: [number, number, number]): Promise<number> {
  return p.evaluate(([r0, g0, b0]) => {
    let count = 0;
    for (const canvas of Array.from(document.querySelectorAll('[data-testid="chart"] canvas'))) {
      const ctx = (canvas as HTMLCanvasElement).getContext('2d');
      if (!ctx || canvas.clientWidth === 0) continue;
      const { width, height } = canvas as HTMLCanvasElement;
      const data = ctx.getImageData(0, 0, width, height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - r0) < 10 && Math.abs(data[i + 1]! - g0) < 10 && Math.abs(data[i + 2]! - b0) < 10) count++;
      }
    }
    return count;
  }, rgb);
}

interface BlotterRow {
  id: string;
  kind: string;
  status: string;
  symbol: string;
  badge: string;
  fillPrice: string;
  fillTime: string;
}

async function blotterRows(p: Page): Promise<BlotterRow[]> {
  return p.evaluate(() =>
    Array.from(document.querySelectorAll('tr[data-testid^="order-row-"]')).map((tr) => {
      const id = (tr.getAttribute('data-testid') ?? '').replace('order-row-', '');
      const text = (testId: string): string => tr.querySelector(`[data-testid="${testId}-${CSS.escape(id)}"]`)?.textContent ?? '';
      return {
        id,
        kind: tr.getAttribute('data-kind') ?? '',
        status: tr.getAttribute('data-status') ?? '',
        symbol: tr.querySelectorAll('td')[1]?.textContent ?? '',
        badge: text('order-kind'),
        fillPrice: text('order-fill-price'),
        fillTime: text('order-fill-time'),
      };
    }),
  );
}

const chartMarkers = async (p: Page): Promise<string[]> => ((await p.getAttribute('[data-testid="chart"]', 'data-markers')) ?? '').split(',').filter(Boolean);

/** Runs the session from the open to a few minutes after the flatten, then freezes it. */
async function runSessionPastFlatten(): Promise<number> {
  let lastBarStart = 0;
  let slowed = false;
  let resolveDone!: (start: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  socket.ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as ServerMessage;
    if (m.type !== 'event' || m.event !== 'market.bar') return;
    const bar = m.payload as EventPayload<'market.bar'>;
    if (bar.start <= lastBarStart) return;
    lastBarStart = bar.start;
    if (!slowed && bar.start >= SLOW_FROM) {
      slowed = true;
      void call('feed.setSpeed', { speed: SLOW });
    }
    if (bar.start >= STOP_AT) {
      void call('feed.pause', {}).then(() => resolveDone(lastBarStart));
    }
  });
  await call('feed.resume', {});
  return done;
}

beforeAll(async () => {
  // Speed 1 until the desk is set: no bar closes in the first real minute, so auto mode is on from the open.
  host = await startHeadlessProcess(['--speed', '1'], ENV);
  socket = await openSocket(`ws://127.0.0.1:${new URL(host.openUrl).port}/ws`);
  socket.send({ type: 'auth', token: host.token });
  await socket.next((m) => m.type === 'auth.ok');
  await call('feed.pause', {});
  await call('signals.setMode', { mode: 'auto', threshold: 0.5 });
  await call('feed.setSpeed', { speed: FAST });

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(host.openUrl);
}, 90_000);

afterAll(async () => {
  socket?.close();
  await browser?.close();
  await host?.stop();
});

describe('managed exits over a simulated session', () => {
  let orders: Order[] = [];

  it('runs the session in auto mode up to after the flatten time, with the chart and blotter open', async () => {
    await page.click(`[data-testid="watch-row-${SYMBOL}"]`, { timeout: 15_000 });
    await expect.poll(() => page.getAttribute('[data-testid="chart"]', 'data-symbol'), { timeout: 10_000 }).toBe(SYMBOL);
    // The session before is the chart's history; the markers come live from here on.
    await expect.poll(async () => Number(await page.getAttribute('[data-testid="chart"]', 'data-bar-count')), { timeout: 10_000 }).toBeGreaterThan(300);
    await page.getByText('Blotter', { exact: true }).first().click();
    await page.waitForSelector('[data-testid="blotter-no-orders"]', { timeout: 10_000 });

    const started = Date.now();
    const lastBar = await runSessionPastFlatten();
    // Frozen after the flatten and before the close: the next session has not begun.
    expect(lastBar).toBeGreaterThanOrEqual(STOP_AT);
    expect(lastBar).toBeLessThan(SESSION_END);
    const { now } = await call('session.status', {});
    expect(now).toBeLessThan(SESSION_END);
    console.info(`session ran to ${new Date(lastBar).toISOString()} in ${(Date.now() - started) / 1000}s`);
  }, 120_000);

  it('fills an exit of every kind, is flat after the flatten and sends nothing else after it (orders.list)', async () => {
    const book = await call('orders.list', {});
    orders = book.orders;
    const filledRules = new Set(orders.filter((o) => o.status === 'filled').map(exitRuleOf));
    for (const rule of ['hardStop', 'target', 'peakExit', 'trailingStop', 'timeStop', 'eodFlatten']) expect(filledRules, rule).toContain(rule);
    expect(book.positions).toEqual([]);
    // Targets rest at the simulated broker as limits beside their stops: each filled one got its price
    // or better, never the next bar's open below it.
    const restedTargets = orders.filter((o) => o.exitRule === 'target' && o.ocoGroup !== undefined && o.status === 'filled');
    expect(restedTargets.length).toBeGreaterThan(0);
    for (const o of restedTargets) {
      expect(o.type, o.clientOrderId).toBe('limit');
      expect(Math.abs(o.limitPrice! * 100 - Math.round(o.limitPrice! * 100)), `${o.clientOrderId} limit ${o.limitPrice} on the cent grid`).toBeLessThan(1e-6);
      // The average of partial fills carries float noise: compared to a hundredth of a cent.
      if (o.side === 'sell') expect(o.avgFillPrice!, o.clientOrderId).toBeGreaterThanOrEqual(o.limitPrice! - 1e-4);
      else expect(o.avgFillPrice!, o.clientOrderId).toBeLessThanOrEqual(o.limitPrice! + 1e-4);
    }

    // From the flatten time on only exits go out (the flatten itself, or a worse rule firing on the
    // same bar), and each of them filled; no entry.
    const late = orders.filter((o) => o.submittedAt >= FLATTEN_AT);
    expect(late.some((o) => exitRuleOf(o) === 'eodFlatten')).toBe(true);
    for (const o of late) {
      expect(exitRuleOf(o), `${o.clientOrderId} at ${new Date(o.submittedAt).toISOString()}: ${o.reason}`).not.toBeNull();
      expect(o.status).toBe('filled');
    }
    expect(orders.filter((o) => exitRuleOf(o) === 'eodFlatten').every((o) => o.submittedAt >= FLATTEN_AT)).toBe(true);
    // Every order is of this session (the fixed date), none of the next one.
    for (const o of orders) expect(o.submittedAt).toBeLessThan(SESSION_END);
  });

  it('shows each exit kind filled in the blotter, with its fill price and time, and no open position', async () => {
    await expect.poll(() => page.locator('[data-testid="blotter-no-positions"]').count(), { timeout: 10_000 }).toBe(1);
    const expected: Array<[string, string]> = [
      ['hardStop', 'Stop'],
      ['target', 'Target'],
      ['peakExit', 'Peak exit'],
      ['trailingStop', 'Trailing'],
      ['timeStop', 'Time stop'],
      ['eodFlatten', 'EOD flatten'],
    ];
    const rows = await blotterRows(page);
    for (const [kind, badge] of expected) {
      const filled = rows.filter((r) => r.kind === kind && r.status === 'filled');
      expect(filled.length, `${kind} rows`).toBeGreaterThan(0);
      for (const r of filled) {
        expect(r.badge).toBe(badge);
        expect(r.fillPrice).toMatch(/^\d+\.\d{2}$/);
        expect(r.fillTime).toMatch(/^\d{2}:\d{2}:\d{2}$/);
      }
    }
    // The flatten's rows: at or after 15:45 ET, one per symbol that was open then.
    const eod = rows.filter((r) => r.kind === 'eodFlatten');
    for (const r of eod) expect(r.fillTime >= '15:45:00' && r.fillTime < '16:00:00', r.fillTime).toBe(true);
    expect(eod.map((r) => r.id).sort()).toEqual(orders.filter((o) => exitRuleOf(o) === 'eodFlatten').map((o) => o.clientOrderId).sort());
  });

  it(`marks ${SYMBOL}'s entries and exits on its chart, live and again after a reload`, async () => {
    const symbolRules = new Set(orders.filter((o) => o.symbol === SYMBOL && o.status === 'filled').map(exitRuleOf));
    expect([...symbolRules]).toEqual(expect.arrayContaining([null, 'hardStop', 'target', 'eodFlatten']));

    const live = await chartMarkers(page);
    expect(live).toEqual(expect.arrayContaining(['ENTRY', 'STOP', 'TARGET', 'EOD']));
    // One marker per filled order of the symbol the blotter holds, and the flatten is the last.
    const rows = (await blotterRows(page)).filter((r) => r.symbol === SYMBOL && r.status === 'filled');
    expect(live.length).toBe(rows.length);
    expect(Number(await page.getAttribute('[data-testid="chart"]', 'data-marker-count'))).toBe(live.length);
    expect(live[live.length - 1]).toBe('EOD');
    // Drawn: the flatten's magenta circle and the entries' blue arrows are in the canvas (the last 200 bars are in view).
    await expect.poll(() => pixelsOf(page, [0xe0, 0x40, 0xfb]), { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(() => pixelsOf(page, [0x29, 0x62, 0xff]), { timeout: 10_000 }).toBeGreaterThan(20);
    mkdirSync('test-results', { recursive: true });
    // The blotter's newest orders (the flatten) at the top of its panel, under the chart.
    await page.locator('[data-testid="blotter-orders"]').evaluate((table) => table.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: 'test-results/exits-headless.png' });

    // After a reload the markers come back from orders.list alone.
    await page.reload();
    await page.click(`[data-testid="watch-row-${SYMBOL}"]`, { timeout: 15_000 });
    await expect.poll(() => page.getAttribute('[data-testid="chart"]', 'data-symbol'), { timeout: 10_000 }).toBe(SYMBOL);
    await expect.poll(() => chartMarkers(page), { timeout: 10_000 }).toEqual(live);

    // The peak exits of another symbol, from the order book alone.
    expect(orders.some((o) => o.symbol === PEAK_SYMBOL && o.status === 'filled' && exitRuleOf(o) === 'peakExit')).toBe(true);
    await page.click(`[data-testid="watch-row-${PEAK_SYMBOL}"]`, { timeout: 15_000 });
    await expect.poll(() => page.getAttribute('[data-testid="chart"]', 'data-symbol'), { timeout: 10_000 }).toBe(PEAK_SYMBOL);
    await expect.poll(() => chartMarkers(page), { timeout: 10_000 }).toEqual(expect.arrayContaining(['ENTRY', 'PEAK']));
    await page.screenshot({ path: 'test-results/exits-peak-headless.png' });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
