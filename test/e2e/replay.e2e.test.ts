/// <reference lib="dom" />
// End to end: the real SPY month imported with the CLI, replayed by the headless host through the
// simulated clock, drawn in the cockpit's chart in Chromium.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { SPY_FILE } from '../helpers/data';
import { startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';

let host: HeadlessProcess;
let browser: Browser;
let page: Page;
let importOutput: string;

beforeAll(async () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'replay-e2e-')), 'history.sqlite');
  importOutput = execFileSync(process.execPath, [resolve('out/main/cli.js'), 'import', SPY_FILE, '--format', 'ninjatrader', '--symbol', 'SPY', '--json'], {
    env: { PATH: process.env.PATH ?? '', TRADING_DB_PATH: dbPath },
    encoding: 'utf8',
  });
  host = await startHeadlessProcess(['--speed', '3000'], {
    TRADING_DB_PATH: dbPath,
    TRADING_FEED: 'replay',
    TRADING_REPLAY_FROM: '2011-01-04',
    TRADING_REPLAY_TO: '2011-01-31',
    TRADING_WATCHLIST: 'SPY',
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(host.openUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('replay of the real SPY month in the cockpit', () => {
  it('the built CLI imported the file', () => {
    expect(JSON.parse(importOutput)).toMatchObject({ ok: true, inserted: 14_180, sessions: 20 });
  });

  it('drives the simulated clock through January 2011 and the chart draws SPY', async () => {
    await expect.poll(() => page.textContent('[data-testid="feed-health"]'), { timeout: 15_000 }).toMatch(/Replay 2011-01-04 → 2011-01-31.*live/);
    await expect.poll(() => page.textContent('[data-testid="ny-clock"]'), { timeout: 15_000 }).toMatch(/^2011-01-/);
    const chart = page.locator('[data-testid="chart"]');
    expect(await chart.getAttribute('data-symbol')).toBe('SPY');
    // The 2011-01-03 session is the history; the replayed bars append to it.
    await expect.poll(async () => Number(await chart.getAttribute('data-bar-count')), { timeout: 15_000 }).toBeGreaterThan(200);
    const clock1 = await page.getAttribute('[data-testid="ny-clock"]', 'data-now');
    await expect.poll(() => page.getAttribute('[data-testid="ny-clock"]', 'data-now'), { timeout: 10_000 }).not.toBe(clock1);
    // SPY traded around $126–130 that month: the watchlist shows a real price, not a synthetic one.
    const last = Number((await page.textContent('[data-testid="watch-last-SPY"]'))?.replace(/[^0-9.]/g, ''));
    expect(last).toBeGreaterThan(120);
    expect(last).toBeLessThan(135);
    await expect.poll(() => page.textContent('[data-testid="session-mode"]')).toContain('SIMULATED');
    // The feature engine's overlays ride on the chart: VWAP, Bollinger, Laguerre, support/resistance.
    for (const key of ['vwap', 'bb_upper', 'bb_middle', 'bb_lower', 'laguerre', 'support_60', 'resistance_60']) {
      await expect.poll(async () => Number(await chart.getAttribute(`data-overlay-count-${key}`)), { timeout: 10_000 }).toBeGreaterThan(100);
    }
    await page.click('[data-testid="overlay-toggle-vwap"]');
    await expect.poll(() => chart.getAttribute('data-overlay-count-vwap')).toBeNull();
    await page.click('[data-testid="overlay-toggle-vwap"]');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/cockpit-replay-spy.png' });
  });
});
