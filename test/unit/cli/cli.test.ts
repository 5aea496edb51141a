import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli';
import { openDatabase } from '../../../src/main/store/database';

async function cli(argv: string[], env: Record<string, string> = {}, limits?: { maxJsonBytes?: number }) {
  let out = '';
  let err = '';
  // A data folder of the test's own: the trader's real one (~/.config/…) is never read or written.
  const withData = { TRADING_DATA_DIR: mkdtempSync(join(tmpdir(), 'cli-data-')), ...env };
  const code = await runCli(argv, { env: withData, cwd: '/nonexistent', ...(limits ? { limits } : {}) }, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
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
    const storedBlocks = (): number => {
      const handle = openDatabase(db);
      try {
        return (handle.prepare('SELECT count(*) AS n FROM bar_blocks').get() as { n: number }).n;
      } finally {
        handle.close();
      }
    };
    return { dir, db, importRows, storedBlocks };
  };

  /** A Polygon aggregates response of `n` regular-session minutes of SPY on 2025-03-03. */
  const polygonJson = (n: number): string => {
    const open = Date.parse('2025-03-03T14:30:00Z');
    const results = Array.from({ length: n }, (_, i) => ({ t: open + i * 60_000, o: 590 + i / 100, h: 590.5 + i / 100, l: 589.5 + i / 100, c: 590.1 + i / 100, v: 1000 + i }));
    return JSON.stringify({ ticker: 'SPY', results });
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

  it('CLI import: a JSON file over the JSON cap is refused in one line naming the file, exit 1, no imports row', async () => {
    const { dir, db, importRows } = setup();
    const text = polygonJson(30);
    writeFileSync(join(dir, 'big-aggs.json'), text);
    const cap = 1024; // stands in for MAX_JSON_BYTES (256 MiB): the file is over it
    expect(Buffer.byteLength(text)).toBeGreaterThan(cap);
    for (const format of ['polygon', 'alpaca']) {
      const r = await cli(['import', join(dir, 'big-aggs.json'), '--format', format, '--symbol', 'SPY', '--db', db], {}, { maxJsonBytes: cap });
      expect(r.code, format).toBe(1);
      expect(r.err.trim().split('\n'), format).toEqual([`import: big-aggs.json: a ${format} JSON file is read whole, up to 1 KiB; split this one into smaller files`]);
      expect(r.out + r.err, format).not.toContain('590');
    }
    expect(importRows()).toBe(0);
    // Under the cap the same file imports (it is refused for its size, not its content).
    const under = await cli(['import', join(dir, 'big-aggs.json'), '--format', 'polygon', '--symbol', 'SPY', '--db', db], {}, { maxJsonBytes: Buffer.byteLength(text) });
    expect(under.code, under.err).toBe(0);
    expect(importRows()).toBe(1);
  });

  it('CLI import: /dev/zero is refused in one line, exit 1, never read', async () => {
    const { db, importRows } = setup();
    for (const format of ['csv', 'ninjatrader', 'polygon']) {
      const r = await cli(['import', '/dev/zero', '--format', format, '--symbol', 'SPY', '--db', db]);
      expect(r.code, format).toBe(1);
      expect(r.err.trim().split('\n'), format).toHaveLength(1);
      expect(r.err, format).toMatch(/^import: .*files under \/proc, \/dev and \/sys are never imported/);
    }
    expect(importRows()).toBe(0);
  }, 10_000); // an import that read /dev/zero would never end (or abort the process): the timeout catches it

  it('absurd prices are stored: a file of 1e308 and ×1e300 rows stores none and exits 1', async () => {
    const { dir, db, importRows, storedBlocks } = setup();
    const huge = `590${'0'.repeat(300)}`; // 590 × 1e300 written out in digits
    const rows = [
      'time,open,high,low,close,volume',
      '2025-03-03T14:30:00Z,1e308,1e308,1e308,1e308,100',
      '2025-03-03T14:31:00Z,590,1e308,589,590.1,100',
      '2025-03-03T14:32:00Z,590e300,590.5e300,589.5e300,590.1e300,100',
      `2025-03-03T14:33:00Z,${huge},${huge},${huge},${huge},100`,
      '2025-03-03T14:34:00Z,590,590.5,589.5,590.1,1e308',
    ];
    writeFileSync(join(dir, 'absurd.csv'), `${rows.join('\n')}\n`);
    const r = await cli(['import', join(dir, 'absurd.csv'), '--format', 'csv', '--symbol', 'SPY', '--db', db]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^import: absurd\.csv: /)]);
    expect(r.err + r.out).not.toContain('1e308');
    expect(importRows()).toBe(0);
    expect(storedBlocks()).toBe(0);
    // The same in a Polygon file (numbers, not text): 1e308 and ×1e300.
    const open = Date.parse('2025-03-03T14:30:00Z');
    writeFileSync(
      join(dir, 'absurd.json'),
      JSON.stringify({ ticker: 'SPY', results: [{ t: open, o: 1e308, h: 1e308, l: 1e308, c: 1e308, v: 100 }, { t: open + 60_000, o: 590e300, h: 590.5e300, l: 589.5e300, c: 590.1e300, v: 100 }] }),
    );
    const j = await cli(['import', join(dir, 'absurd.json'), '--format', 'polygon', '--symbol', 'SPY', '--db', db]);
    expect(j.code).toBe(1);
    expect(j.err.trim().split('\n')).toEqual([expect.stringMatching(/^import: absurd\.json: /)]);
    expect(importRows()).toBe(0);
    expect(storedBlocks()).toBe(0);
  });
});
