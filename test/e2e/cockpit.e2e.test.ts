/// <reference lib="dom" />
// End to end: the built headless host (what `npm run headless` runs) on a free loopback port,
// opened in Debian's headless Chromium. A trader's first look: prices move, the chart has candles,
// the session is marked SIMULATED.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { runHeadlessToExit, startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';

let host: HeadlessProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  host = await startHeadlessProcess(['--speed', '600']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
  await page.goto(host.openUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  const code = await host?.stop();
  expect(code).toBe(0); // a clean shutdown on SIGTERM
});

/** Pixels in the chart's canvases that have the candle colours (up #26a69a, down #ef5350). */
async function candlePixels(p: Page): Promise<number> {
  return p.evaluate(() => {
    const root = document.querySelector('[data-testid="chart"]');
    if (!root) return 0;
    let count = 0;
    for (const canvas of Array.from(root.querySelectorAll('canvas'))) {
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!;
        const up = Math.abs(r - 38) < 12 && Math.abs(g - 166) < 12 && Math.abs(b - 154) < 12;
        const down = Math.abs(r - 239) < 12 && Math.abs(g - 83) < 12 && Math.abs(b - 80) < 12;
        if (up || down) count++;
      }
    }
    return count;
  });
}

describe('the cockpit in Chromium on the simulated default', () => {
  it('marks the session SIMULATED and shows the feed live', async () => {
    await expect.poll(() => page.textContent('[data-testid="session-mode"]'), { timeout: 15_000 }).toContain('SIMULATED');
    await expect.poll(() => page.textContent('[data-testid="feed-health"]'), { timeout: 15_000 }).toMatch(/live/i);
  });

  it('lists at least 8 symbols whose prices change', async () => {
    await page.waitForSelector('[data-testid^="watch-row-"]', { timeout: 15_000 });
    expect(await page.locator('[data-testid^="watch-row-"]').count()).toBeGreaterThanOrEqual(8);
    const cell = page.locator('[data-testid="watch-last-SPY"]');
    await expect.poll(async () => Number((await cell.textContent())?.replace(/[^0-9.]/g, '')), { timeout: 15_000 }).toBeGreaterThan(0);
    const first = await cell.textContent();
    const seen = new Set([first]);
    // At 600× a bar closes every 100 ms; within a few seconds at least one other price must show.
    await expect
      .poll(
        async () => {
          for (const sym of ['SPY', 'QQQ', 'AAPL', 'NVDA']) seen.add(`${sym}:${await page.textContent(`[data-testid="watch-last-${sym}"]`)}`);
          seen.add(await cell.textContent());
          return seen.size;
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(6);
    // SPY's own price moves too (polled: a tick-rounded price can come back to an earlier value).
    await expect.poll(() => cell.textContent(), { timeout: 15_000 }).not.toBe(first);
  });

  it('draws candles in the chart and appends new ones as bars arrive', async () => {
    const chart = page.locator('[data-testid="chart"]');
    await expect.poll(async () => Number(await chart.getAttribute('data-bar-count')), { timeout: 15_000 }).toBeGreaterThan(100);
    const before = Number(await chart.getAttribute('data-bar-count'));
    await expect.poll(async () => Number(await chart.getAttribute('data-bar-count')), { timeout: 15_000 }).toBeGreaterThan(before);
    await expect.poll(() => candlePixels(page), { timeout: 15_000 }).toBeGreaterThan(200);
  });

  it('switches the chart to the symbol clicked in the watchlist', async () => {
    await page.click('[data-testid="watch-row-NVDA"]');
    await expect.poll(() => page.getAttribute('[data-testid="chart"]', 'data-symbol'), { timeout: 10_000 }).toBe('NVDA');
    await expect.poll(async () => Number(await page.getAttribute('[data-testid="chart"]', 'data-bar-count')), { timeout: 10_000 }).toBeGreaterThan(100);
  });

  it('shows a New York clock and the trading state, and saves a screenshot', async () => {
    await expect.poll(() => page.textContent('[data-testid="ny-clock"]'), { timeout: 10_000 }).toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(await page.textContent('[data-testid="trading-state"]')).toContain('ACTIVE');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/cockpit-headless.png' });
    expect(pageErrors).toEqual([]);
  });
});

describe('headless start-up with a bad configuration', () => {
  it('an invalid TRADING_ variable stops start-up with exit 2 and a message naming it', async () => {
    const { code, output } = await runHeadlessToExit({ TRADING_SIM_SPEED: 'warp' });
    expect(code).toBe(2);
    expect(output).toContain('TRADING_SIM_SPEED="warp"');
    expect(output).toContain('Nothing was started');
  });

  it('paper trading on simulated prices is refused at start with the way out, and the keys are never printed', async () => {
    const { code, output } = await runHeadlessToExit({ TRADING_MODE: 'paper', TRADING_FEED: 'synthetic', TRADING_ALPACA_KEY_ID: 'PKTEST', TRADING_ALPACA_SECRET_KEY: 'secret-abc' });
    expect(code).toBe(2);
    expect(output).toContain('TRADING_FEED="synthetic"');
    expect(output).toContain('alpaca or polygon when TRADING_MODE=paper');
    expect(output).not.toContain('secret-abc');
    expect(output).not.toContain('PKTEST');
  });
});
