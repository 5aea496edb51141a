// Security review, issue 12: a 200 MB history file once peaked at 1.4 GB and a 587 MB one failed with a
// string-length error, because the whole file, every parsed row and every accepted bar were held at
// once. The importer now streams: reading a file five times larger must not raise the peak memory by
// anything like the difference. Run in a child process with a small V8 heap (where holding the file
// would not even fit) and SQLite's page cache pinned small, so the peak shows the importer's own memory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

interface ChildReport {
  smallBytes: number;
  largeBytes: number;
  smallInserted: number;
  largeInserted: number;
  start: number;
  afterSmall: number;
  afterLarge: number;
}

describe('import memory (issue 12)', () => {
  const run = (format: 'ninjatrader' | 'csv', largeMb = 20): ChildReport => {
    const dir = mkdtempSync(join(tmpdir(), 'import-memory-'));
    try {
      const out = execFileSync(
        process.execPath,
        ['--max-old-space-size=40', '--max-semi-space-size=1', '--import', 'tsx', resolve('test/fixtures/import-memory-child.ts'), dir, '4', String(largeMb), format],
        { encoding: 'utf8', timeout: 60_000 },
      );
      return JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('when a NinjaTrader file is five times larger then the import\'s peak memory grows by far less than the file', () => {
    const r = run('ninjatrader');
    expect(r.largeBytes).toBeGreaterThan(20 * 1024 ** 2);
    expect(r.largeInserted).toBeGreaterThan(180_000); // every minute of the file is stored
    expect(r.afterLarge - r.afterSmall, JSON.stringify(r)).toBeLessThan((r.largeBytes - r.smallBytes) / 3);
  }, 90_000);

  it('CLI import: when a generic CSV file is ten times larger then the import\'s peak memory grows by far less than the file', () => {
    // Ten times larger: the peak's own jitter (a few MB) stays well inside the bound.
    const r = run('csv', 40);
    expect(r.largeBytes).toBeGreaterThan(40 * 1024 ** 2);
    expect(r.largeInserted).toBeGreaterThan(300_000);
    expect(r.afterLarge - r.afterSmall, JSON.stringify(r)).toBeLessThan((r.largeBytes - r.smallBytes) / 3);
  }, 90_000);
});
