/// <reference lib="dom" />
// End to end: during a simulated session the engine retrains its model in a worker on schedule;
// the cockpit keeps receiving bars the whole time, and the promotion shows up as an event.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';

let host: HeadlessProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  host = await startHeadlessProcess(['--speed', '3000'], { TRADING_RETRAIN_MINUTES: '15', TRADING_MIN_TRAIN_ROWS: '1000' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(host.openUrl);
  mkdirSync('test-results', { recursive: true });
  // Sample the chart's bar count every 100 ms inside the page, from the start.
  await page.evaluate(() => {
    const w = window as unknown as { __samples: Array<[number, number]> };
    w.__samples = [];
    setInterval(() => {
      const n = Number(document.querySelector('[data-testid="chart"]')?.getAttribute('data-bar-count') ?? 0);
      w.__samples.push([performance.now(), n]);
    }, 100);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('in-session retraining in the cockpit', () => {
  it('retrains in a worker while bars keep flowing, and shows the promotion', async () => {
    await page.getByText('Models', { exact: true }).first().click();
    await page.waitForSelector('[data-testid="models"]', { timeout: 15_000 });
    // A retrain starts, then a model is promoted (the first one that beats the prior).
    await expect.poll(() => page.locator('[data-testid="models-event"][data-kind="training"]').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="models-event"][data-kind="promoted"]').count(), { timeout: 90_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getAttribute('[data-testid="models-active"]', 'data-model-id'), { timeout: 10_000 }).toMatch(/^intraday-/);
    await page.screenshot({ path: 'test-results/cockpit-models.png' });
    // The promotion also reached the notices.
    await page.getByText('Notices', { exact: true }).first().click();
    await expect.poll(() => page.locator('[data-testid="notice"]').allTextContents(), { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/promoted/i)]));

    // The chart never stalled: across the whole run (training included) bars kept arriving.
    const samples = await page.evaluate(() => (window as unknown as { __samples: Array<[number, number]> }).__samples);
    let lastChange = samples[0]![0];
    let worstGap = 0;
    for (let i = 1; i < samples.length; i++) {
      if (samples[i]![1] !== samples[i - 1]![1]) {
        worstGap = Math.max(worstGap, samples[i]![0] - lastChange);
        lastChange = samples[i]![0];
      }
    }
    expect(samples.at(-1)![1]).toBeGreaterThan(samples[0]![1]);
    expect(worstGap).toBeLessThan(2_000);
  }, 150_000);
});
