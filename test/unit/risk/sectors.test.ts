// The sector table: the bundled GICS sectors cover the default watchlist, a trader's file overrides
// and extends it, and bad files are refused by line number without quoting the file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSectorTable, parseSectorTable } from '../../../src/main/risk/sectors';

describe('sector table', () => {
  it('the bundled table classifies the default watchlist and the common ETFs', () => {
    const t = loadSectorTable();
    expect(t.get('AAPL')).toBe('Information Technology');
    expect(t.get('NVDA')).toBe('Information Technology');
    expect(t.get('AMZN')).toBe('Consumer Discretionary');
    expect(t.get('META')).toBe('Communication Services');
    expect(t.get('XLE')).toBe('Energy');
    expect(t.get('SPY')).toBe('Broad Market ETF');
    expect(t.size).toBeGreaterThan(500);
    expect(t.get('NOSUCH')).toBeUndefined();
  });

  it("TRADING_SECTORS_FILE overrides a bundled sector and adds symbols the table lacks", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sectors-'));
    const file = join(dir, 'mine.csv');
    writeFileSync(file, '\uFEFFsymbol,sector\n# my desk\nAAPL,Mega Cap Tech\nsofi,Financials\n');
    const t = loadSectorTable(file);
    expect(t.get('AAPL')).toBe('Mega Cap Tech');
    expect(t.get('SOFI')).toBe('Financials');
    expect(t.get('MSFT')).toBe('Information Technology');
  });

  it('a bad line is refused by file name and line number, never quoting the file', () => {
    expect(() => parseSectorTable('AAPL,Tech\nsecret-value-123 = x\n', 'mine.csv')).toThrow(/^mine\.csv line 2: the symbol/);
    try {
      parseSectorTable('AAPL,\u0007hunter2', 'mine.csv');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
    const dir = mkdtempSync(join(tmpdir(), 'sectors-'));
    expect(() => loadSectorTable(join(dir, 'missing.csv'))).toThrow(/cannot open the sectors file missing\.csv/);
    expect(() => loadSectorTable(dir)).toThrow(/not a regular file/);
  });
});
