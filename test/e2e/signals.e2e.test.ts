/// <reference lib="dom" />
// End to end, the approval desk in Chromium on the simulated default: signals from several sources
// appear with reasons, size and risk; approving one opens a position through the risk manager and the
// simulated broker; vetoing one only records the decision; unanswered ones expire; every decision is
// in the SQLite audit table.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startHeadlessProcess, type HeadlessProcess } from '../helpers/headless-process';

let host: HeadlessProcess;
let browser: Browser;
let page: Page;

interface Row {
  id: string;
  status: string;
  sources: string;
  qty: number;
  reasons: string;
}

async function rows(p: Page): Promise<Row[]> {
  return p.evaluate(() =>
    Array.from(document.querySelectorAll('tr[data-testid^="signal-row-"]')).map((tr) => {
      const cells = Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '');
      return {
        id: (tr.getAttribute('data-testid') ?? '').replace('signal-row-', ''),
        status: tr.getAttribute('data-status') ?? '',
        sources: cells[3] ?? '',
        qty: Number(cells[5] ?? 0),
        reasons: cells[8] ?? '',
      };
    }),
  );
}

beforeAll(async () => {
  host = await startHeadlessProcess(['--speed', '600']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('dialog', (d) => void d.accept());
  await page.goto(host.openUrl);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
});

describe('the approval desk in the cockpit', () => {
  it('shows signals from three sources, approves one into a position, vetoes one, lets others expire', async () => {
    await page.getByText('Signals', { exact: true }).first().click();
    await page.waitForSelector('[data-testid="signals"]', { timeout: 15_000 });
    // Signals from at least three different sources, each with reasons, a size and dollars at risk.
    await expect
      .poll(async () => new Set((await rows(page)).flatMap((r) => r.sources.split(' + '))).size, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(3);
    for (const r of (await rows(page)).slice(0, 20)) expect(r.reasons.length, r.id).toBeGreaterThan(5);

    // Slow down to trader speed (a signal lives a few simulated minutes: well under a second at 600×), wait
    // for two sized signals to be pending at once, then freeze simulated time so the trader has time to decide.
    await page.selectOption('[data-testid="feed-speed"]', '60');
    await expect.poll(async () => (await rows(page)).filter((r) => r.status === 'pending' && r.qty > 0).length, { timeout: 90_000, interval: 50 }).toBeGreaterThanOrEqual(3);
    await page.click('[data-testid="feed-pause"]');
    await expect.poll(() => page.getAttribute('[data-testid="feed-controls"]', 'data-paused')).toBe('true');
    await expect.poll(async () => (await rows(page)).filter((r) => r.status === 'pending' && r.qty > 0).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const pending = (await rows(page)).filter((r) => r.status === 'pending' && r.qty > 0);

    // Veto one: recorded, nothing sent.
    const vetoed = pending[0]!;
    await page.click(`[data-testid="signal-veto-${vetoed.id}"]`);
    await expect.poll(() => page.getAttribute(`[data-testid="signal-row-${vetoed.id}"]`, 'data-status')).toBe('vetoed');

    // Approve others until one passes the risk checks and is sent to the broker.
    let executed: string | null = null;
    for (const r of pending.slice(1, 6)) {
      await page.click(`[data-testid="signal-approve-${r.id}"]`);
      // approved → executed (sent and accepted) or refused (a risk check said no)
      await expect.poll(async () => ['executed', 'refused'].includes((await page.getAttribute(`[data-testid="signal-row-${r.id}"]`, 'data-status')) ?? ''), { timeout: 10_000 }).toBe(true);
      if ((await page.getAttribute(`[data-testid="signal-row-${r.id}"]`, 'data-status')) === 'executed') {
        executed = r.id;
        break;
      }
    }
    expect(executed, JSON.stringify(await rows(page))).not.toBeNull();

    // Time runs again: the entry fills on the next bar and the blotter shows the position.
    await page.click('[data-testid="feed-pause"]');
    await page.getByText('Blotter', { exact: true }).first().click();
    await expect.poll(() => page.locator(`[data-testid="order-row-sig-${executed}"]`).getAttribute('data-status'), { timeout: 20_000 }).toMatch(/filled/);

    // Signals nobody answered expire.
    await page.getByText('Signals', { exact: true }).first().click();
    await expect.poll(async () => (await rows(page)).some((r) => r.status === 'expired'), { timeout: 30_000 }).toBe(true);
    await page.screenshot({ path: 'test-results/cockpit-signals.png' });

    // Every decision is in the audit table.
    await host.stop();
    const db = new Database(join(host.dataDir, 'history.sqlite'), { readonly: true });
    const decisions = db.prepare('SELECT signal_id AS id, decision, by FROM decisions').all() as Array<{ id: string; decision: string; by: string }>;
    db.close();
    expect(decisions).toEqual(expect.arrayContaining([expect.objectContaining({ id: vetoed.id, decision: 'vetoed', by: 'trader' })]));
    expect(decisions).toEqual(expect.arrayContaining([expect.objectContaining({ id: executed, decision: 'approved', by: 'trader' })]));
    expect(decisions.some((d) => d.decision === 'expired' && d.by === 'timeout')).toBe(true);
  }, 240_000);
});
