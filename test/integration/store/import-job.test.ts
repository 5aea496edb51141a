// The cockpit's import: a job in a worker thread writing to the engine's SQLite file, with progress
// events, while the engine keeps streaming. Over the contract it reads only files in the import folder
// (TRADING_IMPORT_DIR, default <data dir>/imports), and never says what a file it refused holds.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/main/config/config';
import { createEngine } from '../../../src/main/app/compose';
import { resolveImportSource, runImportJob } from '../../../src/main/workers/import-job';
import type { EventPayload } from '../../../src/shared/contract';
import { SPY_FILE } from '../../helpers/data';

function engineOnFile() {
  const dir = mkdtempSync(join(tmpdir(), 'job-'));
  const imports = join(dir, 'imports');
  mkdirSync(imports);
  const engine = createEngine(
    defaultConfig({ TRADING_DATA_DIR: dir, TRADING_DB_PATH: join(dir, 'history.sqlite'), TRADING_SIM_START: '2025-03-03', TRADING_SIM_SPEED: '6000' }),
    { clockTickMs: 0 },
  );
  const progress: Array<EventPayload<'job.progress'>> = [];
  let bars = 0;
  engine.bus.subscribe('job.progress', (p) => progress.push(p));
  engine.bus.subscribe('market.bar', () => bars++);
  return { engine, progress, dir, imports, bars: () => bars };
}

async function until(pred: () => boolean, ms = 20_000) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ended = (p: EventPayload<'job.progress'>): boolean => p.state === 'done' || p.state === 'failed' || p.state === 'canceled';
const importRecords = (engine: ReturnType<typeof createEngine>): number => (engine.store.db.prepare('SELECT count(*) AS n FROM imports').get() as { n: number }).n;

describe('history.import job', () => {
  it('imports the SPY file in a worker, reports progress and the result, and the engine keeps streaming', async () => {
    const { engine, progress, imports, bars } = engineOnFile();
    copyFileSync(SPY_FILE, join(imports, 'spy.txt'));
    await engine.start();
    const r = await engine.dispatch('history.import', { path: join(imports, 'spy.txt'), format: 'ninjatrader', symbol: 'SPY' });
    expect(r).toMatchObject({ ok: true, data: { jobId: 'import-1' } });
    const barsAtStart = bars();
    await until(() => progress.some(ended));
    const last = progress.at(-1)!;
    expect(last, `the job ended ${last.state}: ${last.message}`).toMatchObject({ jobId: 'import-1', kind: 'import', state: 'done', fraction: 1 });
    expect(last.result).toMatchObject({ inserted: 14_180, sessions: 20, file: 'spy.txt' });
    expect(progress.map((p) => p.fraction)).toEqual([...progress.map((p) => p.fraction)].sort((a, b) => a - b));
    expect(progress.length).toBeGreaterThan(3);
    expect(bars()).toBeGreaterThan(barsAtStart); // the synthetic session went on during the import
    const summary = await engine.dispatch('history.summary', {});
    expect(summary).toMatchObject({ ok: true, data: { symbols: [{ symbol: 'SPY', bars: 14_180 }] } });
    const feeds = await engine.dispatch('market.feeds', {});
    expect(feeds).toMatchObject({ ok: true, data: expect.arrayContaining([expect.objectContaining({ id: 'replay', available: true })]) });
    await engine.stop();
  });

  it('a missing file is refused at once; a bad file fails the job with nothing written', async () => {
    const { engine, progress, imports } = engineOnFile();
    expect(await engine.dispatch('history.import', { path: join(imports, 'nope.csv'), format: 'csv', symbol: 'SPY' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('cannot be imported') },
    });
    const bad = join(imports, 'bad.json');
    writeFileSync(bad, '{"not":"polygon"}');
    expect((await engine.dispatch('history.import', { path: bad, format: 'polygon', symbol: 'SPY' })).ok).toBe(true);
    await until(() => progress.some(ended));
    expect(progress.at(-1)).toMatchObject({ state: 'failed', message: expect.stringContaining('nothing was written') });
    expect(engine.store.countBars('1m')).toBe(0);
    await engine.stop();
  });
});

describe('history.import over the contract (security review, issue 12)', () => {
  it('when a path is outside the import folder, missing, a link out, a folder or a FIFO then every one gets the same refusal and no job reads it', async () => {
    const { engine, progress, dir, imports } = engineOnFile();
    writeFileSync(join(dir, 'outside.csv'), 'time,open,high,low,close,volume\n');
    symlinkSync('/proc/self/environ', join(imports, 'environ.csv'));
    symlinkSync('/etc/passwd', join(imports, 'passwd.csv'));
    symlinkSync(join(dir, 'outside.csv'), join(imports, 'outside.csv'));
    mkdirSync(join(imports, 'folder.csv'));
    execFileSync('mkfifo', [join(imports, 'pipe.csv')]);
    const paths = [
      '/proc/self/environ',
      '/etc/passwd',
      '/dev/zero',
      join(dir, 'outside.csv'),
      join(imports, '..', 'outside.csv'),
      join(imports, 'environ.csv'),
      join(imports, 'passwd.csv'),
      join(imports, 'outside.csv'),
      join(imports, 'folder.csv'),
      join(imports, 'pipe.csv'),
      join(imports, 'missing.csv'),
      join(dir, 'missing.csv'),
    ];
    const answers = await Promise.all(paths.map((path) => engine.dispatch('history.import', { path, format: 'csv', symbol: 'SPY' })));
    const messages = answers.map((a) => (a.ok ? 'accepted' : `${a.error.code}: ${a.error.message}`));
    expect(new Set(messages).size, messages.join('\n')).toBe(1);
    expect(messages[0]).toMatch(/^BAD_REQUEST: history\.import: that path cannot be imported/);
    expect(messages[0]).not.toContain('root:');
    expect(progress).toEqual([]); // no job was started for any of them
    await engine.stop();
  });

  it('when a file in the import folder is not what it claims then the failure names the file and quotes none of it', async () => {
    const { engine, progress, imports } = engineOnFile();
    writeFileSync(join(imports, 'env.json'), 'TRADING_ALPACA_SECRET_KEY=sk-live-abcdef\nHOME=/root\n');
    writeFileSync(join(imports, 'env.csv'), 'TRADING_ALPACA_SECRET_KEY=sk-live-abcdef\nHOME=/root\n');
    for (const [file, format] of [['env.json', 'polygon'], ['env.csv', 'csv']] as const) {
      progress.length = 0;
      expect((await engine.dispatch('history.import', { path: join(imports, file), format, symbol: 'SPY' })).ok).toBe(true);
      await until(() => progress.some(ended));
      const last = progress.find(ended)!;
      expect(last.state).toBe('failed');
      expect(last.message).toContain(file);
      for (const p of progress) expect(p.message).not.toMatch(/sk-live-abcdef|TRADING_ALPACA|HOME=/);
    }
    expect(importRecords(engine)).toBe(0);
    await engine.stop();
  });

  it('when the headless host is asked to choose a file then it lists the import folder, and a listed file imports', async () => {
    const { engine, progress, imports } = engineOnFile();
    copyFileSync(SPY_FILE, join(imports, 'spy.txt'));
    const choice = await engine.dispatch('history.chooseImportFile', {});
    expect(choice).toMatchObject({ ok: true, data: { kind: 'folder', folder: imports, files: [{ name: 'spy.txt' }] } });
    const listed = (choice as { ok: true; data: { files: Array<{ path: string }> } }).data.files[0]!.path;
    expect((await engine.dispatch('history.import', { path: listed, format: 'ninjatrader', symbol: 'SPY' })).ok).toBe(true);
    await until(() => progress.some(ended));
    expect(progress.at(-1)).toMatchObject({ state: 'done' });
    await engine.stop();
  });

  it('when the desktop dialog picks a file outside the folder then that file, and no other, may be imported this session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'job-'));
    copyFileSync(SPY_FILE, join(dir, 'picked.txt'));
    copyFileSync(SPY_FILE, join(dir, 'other.txt'));
    let answer: string | null = null;
    const engine = createEngine(defaultConfig({ TRADING_DATA_DIR: dir, TRADING_SIM_START: '2025-03-03' }), { clockTickMs: 0, chooseImportFile: async () => answer });
    expect(await engine.dispatch('history.chooseImportFile', {})).toEqual({ ok: true, data: { kind: 'canceled' } });
    answer = join(dir, 'picked.txt');
    expect(await engine.dispatch('history.chooseImportFile', {})).toMatchObject({ ok: true, data: { kind: 'chosen', name: 'picked.txt' } });
    expect((await engine.dispatch('history.import', { path: join(dir, 'picked.txt'), format: 'ninjatrader', symbol: 'SPY' })).ok).toBe(true);
    expect(await engine.dispatch('history.import', { path: join(dir, 'other.txt'), format: 'ninjatrader', symbol: 'SPY' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    answer = '/proc/self/environ';
    expect(await engine.dispatch('history.chooseImportFile', {})).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await engine.stop();
  });

  it('when a running import is canceled then it ends canceled with nothing written', async () => {
    const { engine, progress, imports } = engineOnFile();
    copyFileSync(SPY_FILE, join(imports, 'spy.txt'));
    const source = resolveImportSource(join(imports, 'spy.txt'), { roots: [imports] });
    const job = runImportJob(
      { bus: engine.bus, store: engine.store, calendar: engine.calendar, dbPath: engine.config.dbPath, log: engine.log, nextId: () => 'import-x' },
      { source, format: 'ninjatrader', symbol: 'SPY', csv: {} },
    );
    // Canceled as soon as the worker has read its first chunk: mid-import, inside its transaction.
    const off = engine.bus.subscribe('job.progress', (p) => {
      if (p.phase === 'reading' && p.fraction > 0) job.cancel();
    });
    await job.settled;
    off();
    expect(progress.at(-1)).toMatchObject({ jobId: 'import-x', state: 'canceled', message: expect.stringContaining('nothing was written') });
    expect(progress.filter(ended)).toHaveLength(1);
    expect(engine.store.countBars('1m')).toBe(0);
    expect(importRecords(engine)).toBe(0);
    await engine.stop();
  });
});
