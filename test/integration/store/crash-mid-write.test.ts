// kill -9 of a process in the middle of writing: what was committed survives, no batch is half there.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/store/database';

describe('a writer killed mid-write', () => {
  it('loses nothing committed and leaves no half-written batch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'crash-')), 'history.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/fixtures/crash-writer.ts'), path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const committed = await new Promise<Array<{ batch: number; inserted: number }>>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer made no progress:\n${err}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n').filter((l) => l.startsWith('committed'));
        if (lines.length >= 4) {
          clearTimeout(timer);
          child.kill('SIGKILL'); // most of the writer's time is inside a transaction: this lands mid-batch
          resolvePromise(lines.map((l) => ({ batch: Number(l.split(' ')[1]), inserted: Number(l.split(' ')[2]) })));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`writer exited early (${code}):\n${err}`));
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(child.signalCode).toBe('SIGKILL');

    const db = openDatabase(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const imports = db.prepare('SELECT file, inserted FROM imports ORDER BY id').all() as Array<{ file: string; inserted: number }>;
    // Every batch the writer reported as committed is there.
    for (const c of committed) expect(imports.find((i) => i.file === `batch-${c.batch}`)?.inserted).toBe(c.inserted);
    // And the bars are exactly those of the recorded imports: no partial batch.
    const bars = (db.prepare('SELECT count(*) AS n FROM bars_1m').get() as { n: number }).n;
    expect(bars).toBe(imports.reduce((s, i) => s + i.inserted, 0));
    const perBatch = db.prepare('SELECT volume - 1000 AS batch, count(*) AS n FROM bars_1m GROUP BY volume').all() as Array<{ batch: number; n: number }>;
    expect(perBatch.map((p) => p.batch)).toEqual(imports.map((_, i) => i));
    db.close();
  });
});
