import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli';
import { openDatabase } from '../../../src/main/store/database';

async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { env, cwd: '/nonexistent' }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('cockpit CLI', () => {
  it('--help lists the commands', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('simulate');
    expect(r.out).toContain('--json');
  });

  it('an unknown command exits 2 with the help', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "frobnicate"');
  });

  it('simulate --json prints one JSON object with a deterministic summary', async () => {
    const a = await cli(['simulate', '--sessions', '1', '--seed', '5', '--json']);
    expect(a.code).toBe(0);
    const json = JSON.parse(a.out) as { simulated: boolean; bars: number; symbols: Array<{ symbol: string; close: number }> };
    expect(json.simulated).toBe(true);
    expect(json.bars).toBe(390 * json.symbols.length);
    const b = JSON.parse((await cli(['simulate', '--sessions', '1', '--seed', '5', '--json'])).out) as typeof json;
    expect(b.symbols).toEqual(json.symbols);
  });

  it('an invalid TRADING_ variable stops the command with exit 2, naming it', async () => {
    const r = await cli(['config', '--json'], { TRADING_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('TRADING_LOG_LEVEL="loud"');
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('config never prints a secret', async () => {
    const r = await cli(['config', '--json'], { TRADING_POLYGON_API_KEY: 'poly-secret-999' });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('poly-secret-999');
    expect(r.out).toContain('[REDACTED]');
  });

  it('a bad flag is a usage error', async () => {
    const r = await cli(['simulate', '--sessions', 'many']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--sessions');
  });
});

// Security review, issue 12: `cockpit import` reads only regular files, says in one line why a file
// gave nothing, names the file, and never prints what it read.
describe('cockpit import (issue 12)', () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-import-'));
    const db = join(dir, 'history.sqlite');
    const importRows = (): number => {
      const handle = openDatabase(db);
      try {
        return (handle.prepare('SELECT count(*) AS n FROM imports').get() as { n: number }).n;
      } finally {
        handle.close();
      }
    };
    return { dir, db, importRows };
  };

  it('when the file is empty or random bytes then import exits 1 with one line naming the file, and adds no import record', async () => {
    const { dir, db, importRows } = setup();
    writeFileSync(join(dir, 'empty.txt'), '');
    const noise = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256));
    writeFileSync(join(dir, 'noise.bin'), Buffer.concat([Buffer.from('MARKER-SECRET-42;x\n'), noise]));
    const empty = await cli(['import', join(dir, 'empty.txt'), '--format', 'ninjatrader', '--symbol', 'SPY', '--db', db]);
    expect(empty.code).toBe(1);
    expect(empty.err.trim().split('\n')).toEqual([expect.stringMatching(/^import: empty\.txt: no bars found/)]);
    for (const format of ['ninjatrader', 'csv']) {
      const r = await cli(['import', join(dir, 'noise.bin'), '--format', format, '--symbol', 'SPY', '--db', db]);
      expect(r.code, format).toBe(1);
      expect(r.err, format).toMatch(/^import: noise\.bin: /);
      expect(r.err + r.out, format).not.toContain('MARKER-SECRET-42');
    }
    expect(importRows()).toBe(0);
  });

  it('when the file is not JSON then the error names it and quotes none of it', async () => {
    const { dir, db } = setup();
    writeFileSync(join(dir, 'bars.json'), 'TRADING_ALPACA_SECRET_KEY=sk-123456\n');
    const r = await cli(['import', join(dir, 'bars.json'), '--format', 'polygon', '--symbol', 'SPY', '--db', db, '--json']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bars\.json: not valid JSON/);
    expect(r.err + r.out).not.toContain('sk-123456');
  });

  it('when the path is under /proc or /dev then import refuses it without printing any of it', async () => {
    // (FIFOs and devices are refused before they are opened: see import-access.test.ts. Not run here, where
    // the old code would block on them for good.)
    const { db } = setup();
    for (const path of ['/proc/self/environ', '/proc/self/cmdline']) {
      const r = await cli(['import', path, '--format', 'csv', '--symbol', 'SPY', '--db', db]);
      expect(r.code, path).toBe(1);
      expect(r.err.trim().split('\n'), path).toHaveLength(1);
      expect(r.err, path).toMatch(/files under \/proc, \/dev and \/sys are never imported/);
      expect(r.err, path).not.toContain('PATH=');
    }
  });
});
