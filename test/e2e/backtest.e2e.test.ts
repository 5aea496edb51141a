/// <reference lib="dom" />
// End to end: the real SPY month imported with the built CLI into the headless host's database, the
// Backtest panel opened by the menu's command, a run of January 2011 (approve all, no model) followed
// through its progress to the report (metrics, baselines, the first trade's day on the candles), then
// a second run canceled.
//
// The headless host has no menu: `ui.command` is what the Electron menu pushes to the renderer, and
// nothing in the host publishes it. The test therefore puts the very event the menu would send on
// the page's own socket (Playwright's WebSocket route, between the page and the host), so the renderer
// receives it exactly as it receives the host's events.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import type { EventPayload } from '../../src/shared/contract';
import { launchChromium } from '../helpers/browser';
import { SPY_FILE } from '../helpers/data';
import { startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';

const HAVE_SPY = existsSync(SPY_FILE);

// Said once, as a skipped test named for the reason, only when the file is missing.
if (!HAVE_SPY) {
  describe('backtest of the real SPY month in the cockpit', () => {
    it.skip(`skipped: the SPY January 2011 minute file is not at ${SPY_FILE} (put it there or set SHARED_DATA_DIR)`, () => {});
  });
}

describe.skipIf(!HAVE_SPY)('backtest of the real SPY month in the cockpit', () => {
  let host: HeadlessProcess;
  let browser: Browser;
  let page: Page;
  let importOutput: string;
  const pageErrors: string[] = [];
  /** The page's sockets to the host, newest last (a reconnect opens another). */
  const sockets: WebSocketRoute[] = [];

  /** Pushes a menu command to the renderer the way the Electron menu's `notify('ui.command', …)` reaches it. */
  const sendMenuCommand = (command: EventPayload<'ui.command'>['command']): void => {
    const socket = sockets[sockets.length - 1];
    if (!socket) throw new Error('the page has no socket to the host');
    socket.send(JSON.stringify({ type: 'event', event: 'ui.command', payload: { command } }));
  };

  /** An attribute of the element now, or null while there is none (polls must not wait on a missing element). */
  const attributeNow = async (selector: string, name: string): Promise<string | null> => {
    const el = page.locator(selector);
    return (await el.count()) > 0 ? el.first().getAttribute(name) : null;
  };
  const state = (): Promise<string | null> => attributeNow('[data-testid="backtest-state"]', 'data-state');
  const shownRunId = (): Promise<string | null> => attributeNow('[data-testid="backtest-status"]', 'data-run-id');
  /** After Run: the engine's answer is a run (shown) or a refusal, which fails the test with its code and message. */
  const waitForRunAnswer = async (previousRunId: string | null): Promise<string> => {
    await expect
      .poll(async () => (await page.locator('[data-testid="backtest-error"]').count()) > 0 || ((await shownRunId()) ?? previousRunId) !== previousRunId, { timeout: 15_000 })
      .toBe(true);
    const refusal = page.locator('[data-testid="backtest-error"]');
    if ((await refusal.count()) > 0) throw new Error(`backtest.run was refused: ${await refusal.textContent()}`);
    return (await shownRunId())!;
  };

  beforeAll(async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'backtest-e2e-')), 'history.sqlite');
    importOutput = execFileSync(process.execPath, [resolve('out/main/cli.js'), 'import', SPY_FILE, '--format', 'ninjatrader', '--symbol', 'SPY', '--json'], {
      env: { PATH: process.env.PATH ?? '', TRADING_DB_PATH: dbPath },
      encoding: 'utf8',
    });
    host = await startHeadlessProcess([], { TRADING_DB_PATH: dbPath, TRADING_WATCHLIST: 'SPY' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    // Every frame still passes both ways; the route only lets the test add the menu's event.
    await page.routeWebSocket(
      (url) => url.pathname === '/ws',
      (ws) => {
        ws.connectToServer();
        sockets.push(ws);
      },
    );
    await page.goto(host.openUrl);
    await page.waitForSelector('[data-testid="connection-state"][data-state="open"]', { timeout: 15_000 });
    // Progress as the renderer commits it, every change, from before the first run.
    await page.evaluate(() => {
      const w = window as unknown as { __progress: Array<{ run: string; percent: number; rate: string; eta: string }> };
      w.__progress = [];
      const record = (): void => {
        const el = document.querySelector('[data-testid="backtest-progress"]');
        const run = document.querySelector('[data-testid="backtest-status"]')?.getAttribute('data-run-id') ?? '';
        if (!el) return;
        const percent = Number(el.getAttribute('data-percent'));
        const last = w.__progress[w.__progress.length - 1];
        if (last && last.run === run && last.percent === percent) return;
        w.__progress.push({
          run,
          percent,
          rate: el.querySelector('[data-testid="backtest-progress-rate"]')?.textContent ?? '',
          eta: el.querySelector('[data-testid="backtest-progress-eta"]')?.textContent ?? '',
        });
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-percent'] });
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('the built CLI imported the file', () => {
    expect(JSON.parse(importOutput)).toMatchObject({ ok: true, inserted: 14_180, sessions: 20 });
  });

  it('the menu command opens the Backtest panel', async () => {
    expect(await page.locator('[data-testid="backtest-panel"]').isVisible()).toBe(false);
    sendMenuCommand('backtest.open');
    await expect.poll(() => page.locator('[data-testid="backtest-panel"]').isVisible(), { timeout: 10_000 }).toBe(true);
    // The command opens the panel, not the old dialog.
    expect(await page.locator('[data-testid="command-dialog"]').count()).toBe(0);
  });

  it('runs SPY 2011-01-03..2011-01-31 (approve all, no model) with a moving progress bar, then shows the report', async () => {
    await page.fill('[data-testid="backtest-symbols"]', 'SPY');
    await page.fill('[data-testid="backtest-from"]', '2011-01-03');
    await page.fill('[data-testid="backtest-to"]', '2011-01-31');
    await page.selectOption('[data-testid="backtest-policy"]', 'all');
    await page.selectOption('[data-testid="backtest-model"]', 'none');
    await page.fill('[data-testid="backtest-label"]', 'e2e SPY January');
    expect(await page.locator('[data-testid="backtest-form-error"]').count()).toBe(0);
    await page.click('[data-testid="backtest-run"]');
    const runId = await waitForRunAnswer(null);

    await expect.poll(state, { timeout: 180_000 }).toBe('done');
    const seen = (await page.evaluate(() => (window as unknown as { __progress: Array<{ run: string; percent: number; rate: string; eta: string }> }).__progress)).filter(
      (p) => p.run === runId,
    );
    // The bar moved: at least one reading strictly between 0 and 100, in order, ending at 100.
    const between = seen.filter((p) => p.percent > 0 && p.percent < 100);
    expect(between.length, JSON.stringify(seen)).toBeGreaterThan(0);
    expect(seen.map((p) => p.percent)).toEqual([...seen.map((p) => p.percent)].sort((a, b) => a - b));
    expect(seen[seen.length - 1]?.percent).toBe(100);
    expect(between.some((p) => /^[\d,]+ bars\/s$/.test(p.rate)), JSON.stringify(between)).toBe(true);
    expect(between.some((p) => /^ETA (\d+:)?\d+:\d\d$/.test(p.eta)), JSON.stringify(between)).toBe(true);

    // The report: metrics beside the baselines; SPY is stored, so its buy-and-hold is a number.
    await page.waitForSelector('[data-testid="backtest-metrics"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="backtest-metric-totalReturn"]')).toMatch(/^[+-]?\d+\.\d\d%$/);
    expect(Number((await page.textContent('[data-testid="backtest-metric-trades"]'))?.replace(/,/g, ''))).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="backtest-baseline-spy"]')).toMatch(/[+-]?\d+\.\d\d%/);
    expect(await page.textContent('[data-testid="backtest-baseline-random-median"]')).toMatch(/[+-]?\d+\.\d\d%/);
    // The warning is there exactly when the engine says random entries did as well.
    const beaten = await page.getAttribute('[data-testid="backtest-baselines"]', 'data-beaten-by-random');
    expect(await page.locator('[data-testid="backtest-random-warning"]').count()).toBe(beaten === 'true' ? 1 : 0);
    await expect.poll(async () => Number(await attributeNow('[data-testid="backtest-equity-chart"]', 'data-points')), { timeout: 10_000 }).toBeGreaterThan(1);

    // The first trade's day: its symbol and New York date on the candles, with its entry and exit.
    const first = page.locator('[data-testid^="backtest-trade-"]').first();
    const symbol = await first.getAttribute('data-symbol');
    const date = await first.getAttribute('data-date');
    const n = (await first.getAttribute('data-testid'))!.replace('backtest-trade-', '');
    expect(symbol).toBe('SPY');
    expect(date).toMatch(/^2011-01-\d\d$/);
    await first.click();
    const dayChart = page.locator('[data-testid="backtest-day-chart"]');
    await expect.poll(() => dayChart.getAttribute('data-trade'), { timeout: 15_000 }).toBe(n);
    expect(await dayChart.getAttribute('data-symbol')).toBe(symbol);
    expect(await dayChart.getAttribute('data-date')).toBe(date);
    expect(await dayChart.getAttribute('data-markers')).toBe('2');
    // One regular session of minute bars.
    expect(Number(await dayChart.getAttribute('data-bar-count'))).toBeGreaterThan(300);

    // The finished run is in the list of past runs.
    await expect.poll(() => attributeNow(`[data-testid="backtest-run-${runId}"]`, 'data-state'), { timeout: 15_000 }).toBe('done');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/cockpit-backtest.png' });
  }, 240_000);

  it('a second run can be canceled and shows canceled', async () => {
    const firstRunId = await shownRunId();
    // More random-entry runs make the run last long enough to be stopped.
    await page.fill('[data-testid="backtest-seed"]', '2');
    await page.fill('[data-testid="backtest-random-runs"]', '1000');
    await page.fill('[data-testid="backtest-label"]', 'e2e to cancel');
    await page.click('[data-testid="backtest-run"]');
    const runId = await waitForRunAnswer(firstRunId);
    await page.click('[data-testid="backtest-cancel"]');
    await expect.poll(state, { timeout: 60_000 }).toBe('canceled');
    expect(await page.textContent('[data-testid="backtest-state"]')).toBe('canceled');
    expect(await page.locator('[data-testid="backtest-cancel"]').count()).toBe(0);
    await expect.poll(() => attributeNow(`[data-testid="backtest-run-${runId}"]`, 'data-state'), { timeout: 15_000 }).toBe('canceled');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
