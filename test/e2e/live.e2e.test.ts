/// <reference lib="dom" />
// End to end: a LIVE session (the built headless host against loopback fakes of Alpaca's trading and
// market-data APIs) opened in Chromium. Real money waits for the trader: the header says LIVE, entries
// are off (REDUCING) until the trader types LIVE in the confirmation dialog, and the keys never reach
// the page or the host's output.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';
import { FAKE_TRADING_KEY, FAKE_TRADING_SECRET, FakeAlpacaTrading } from '../fakes/fake-alpaca-trading';
import { FakeAlpacaData } from '../fakes/fake-alpaca-data';

let trading: FakeAlpacaTrading;
let data: FakeAlpacaData;
let host: HeadlessProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  trading = await FakeAlpacaTrading.start();
  data = await FakeAlpacaData.start({ credentials: { key: FAKE_TRADING_KEY, secret: FAKE_TRADING_SECRET } });
  host = await startHeadlessProcess([], {
    TRADING_MODE: 'live',
    TRADING_ALPACA_KEY_ID: FAKE_TRADING_KEY,
    TRADING_ALPACA_SECRET_KEY: FAKE_TRADING_SECRET,
    TRADING_ALPACA_TRADING_URL: trading.restUrl,
    TRADING_ALPACA_TRADING_STREAM_URL: trading.streamUrl,
    TRADING_ALPACA_DATA_URL: data.streamUrl,
    TRADING_ALPACA_DATA_REST_URL: data.restUrl,
    TRADING_WATCHLIST: 'SPY,AAPL',
    TRADING_DB_PATH: ':memory:',
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(host.openUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  await trading?.close();
  await data?.close();
});

describe('a LIVE session in Chromium', () => {
  it('says LIVE with the broker and keeps entries off until the trader confirms', async () => {
    await expect.poll(() => page.textContent('[data-testid="session-mode"]'), { timeout: 15_000 }).toContain('LIVE');
    await expect.poll(() => page.textContent('[data-testid="live-banner"]'), { timeout: 15_000 }).toContain('Alpaca (live)');
    await expect.poll(() => page.textContent('[data-testid="trading-state"]')).toContain('REDUCING');
    expect(await page.isVisible('[data-testid="simulated-banner"]')).toBe(false);
    // The trade_updates stream of the (fake) live account is connected.
    await expect.poll(() => trading.listeningClients, { timeout: 10_000 }).toBe(1);
  });

  it('confirms only when LIVE is typed, then trading is ACTIVE', async () => {
    await page.click('[data-testid="confirm-live-open"]');
    await page.waitForSelector('[data-testid="confirm-live-dialog"]');
    await page.fill('[data-testid="confirm-live-phrase"]', 'live');
    expect(await page.isDisabled('[data-testid="confirm-live-submit"]')).toBe(true);
    await page.fill('[data-testid="confirm-live-phrase"]', 'LIVE');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/live-confirm.png' });
    await page.click('[data-testid="confirm-live-submit"]');
    await expect.poll(() => page.textContent('[data-testid="trading-state"]')).toContain('ACTIVE');
    expect(await page.isVisible('[data-testid="confirm-live-dialog"]')).toBe(false);
    expect(await page.isVisible('[data-testid="confirm-live-open"]')).toBe(false);
  });

  it('never shows the keys: not in the page, not in the host output', async () => {
    const html = await page.content();
    for (const secret of [FAKE_TRADING_KEY, FAKE_TRADING_SECRET]) {
      expect(html).not.toContain(secret);
      expect(host.output()).not.toContain(secret);
    }
  });
});
