// Issue 12, finding 2, the Electron side: the IPC bridge scrubs every configured secret out of
// every push event (webContents.send) and every handler answer, whatever produced it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startElectronShell } from '../../../src/main/shell';
import { fail, ok } from '../../../src/shared/contract';
import { createFakeElectron, FakeEngine, type FakeBrowserWindowInstance } from './fake-electron';

vi.mock('electron', () => {
  throw new Error('src/main/shell must not import electron at runtime; it is passed in');
});

const SECRET = 'PKTESTKEYID0123456789';
const tempDirs: string[] = [];

afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startShell() {
  const fake = createFakeElectron();
  const engine = new FakeEngine();
  engine.secretValues = [SECRET];
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-shell-'));
  tempDirs.push(dir);
  await startElectronShell({
    electron: fake.electron,
    engine,
    appVersion: '0.1.0',
    userDataDir: dir,
    preloadPath: '/opt/cockpit/out/preload/index.cjs',
    rendererIndexPath: join(dir, 'out', 'renderer', 'index.html'),
    logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    platform: 'linux',
    windowStateDebounceMs: 5,
  });
  const window = fake.windows[0] as FakeBrowserWindowInstance;
  const trusted = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
  return { fake, engine, window, trusted };
}

describe('secrets over the Electron IPC bridge (issue 12: secrets in bus payloads)', () => {
  it('when the feed reports an error that echoes the key then the window gets [REDACTED] in the event', async () => {
    const { engine, window } = await startShell();
    engine.publish('feed.health', {
      feedId: 'alpaca',
      label: 'Alpaca',
      state: 'failed',
      detail: `401 Unauthorized: {"key_id":"${SECRET}"}`,
      at: 1,
      simulated: false,
    });
    const sent = window.webContents.pushedEvents();
    expect(sent).toEqual([
      { event: 'feed.health', payload: expect.objectContaining({ detail: '401 Unauthorized: {"key_id":"[REDACTED]"}' }) },
    ]);
    expect(JSON.stringify(window.webContents.sent)).not.toContain(SECRET);
  });

  it('when an answer, an error or a thrown error carries the key then the handler returns it scrubbed', async () => {
    const { fake, engine, trusted } = await startShell();
    engine.answers.set('session.status', ok({ feed: { detail: `bad key ${SECRET}` }, [SECRET]: [SECRET] }));
    engine.answers.set('trading.resume', fail('REFUSED', `broker refused key ${encodeURIComponent(SECRET)}`));
    const status = await fake.handlers.get('cockpit:session.status')?.(trusted, {});
    const resumed = await fake.handlers.get('cockpit:trading.resume')?.(trusted, { confirm: true });
    engine.dispatch.mockRejectedValueOnce(new Error(`socket closed for ${SECRET}`));
    const thrown = await fake.handlers.get('cockpit:app.info')?.(trusted, {});
    expect(status).toEqual({ ok: true, data: { feed: { detail: 'bad key [REDACTED]' }, '[REDACTED]': ['[REDACTED]'] } });
    expect(resumed).toEqual(fail('REFUSED', 'broker refused key [REDACTED]'));
    expect(thrown).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringContaining('[REDACTED]') } });
    expect(JSON.stringify([status, resumed, thrown])).not.toContain(SECRET);
  });
});
