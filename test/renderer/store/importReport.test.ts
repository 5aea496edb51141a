// Reading an import job's result, which the contract leaves unknown: what the trader sees in the report.
import { describe, expect, it } from 'vitest';
import { readImportReport } from '../../../src/renderer/store/jobs/importReport';
import { importReport } from '../fakes';

describe('readImportReport', () => {
  it('when the engine sends a full report then new, already stored and rejected by reason are read', () => {
    const report = readImportReport(importReport({ inserted: 14_000, unchanged: 180 }));
    expect(report).toMatchObject({
      symbol: 'SPY',
      rows: 14_200,
      accepted: 14_180,
      inserted: 14_000,
      unchanged: 180,
      sessions: 20,
      rejectedTotal: 20,
      byPart: { pre: 3_000, regular: 7_800, post: 3_380 },
      derived: { '5m': 2_840, '15m': 950, '1d': 20 },
      firstStart: Date.UTC(2011, 0, 3, 9, 0),
    });
    // Largest reason first.
    expect(report?.rejected).toEqual([
      { reason: 'market_closed', count: 15 },
      { reason: 'duplicate_timestamp', count: 5 },
    ]);
  });

  it('when nothing was accepted then the range is null rather than a made-up date', () => {
    const report = readImportReport(importReport({ accepted: 0, inserted: 0, firstStart: null, lastStart: null, rejected: {} }));
    expect(report?.firstStart).toBeNull();
    expect(report?.lastStart).toBeNull();
    expect(report?.rejected).toEqual([]);
    expect(report?.rejectedTotal).toBe(0);
  });

  it('when the result is not a report then null is returned instead of throwing', () => {
    for (const bad of [undefined, null, 42, 'done', [], {}, importReport({ inserted: 'many' }), importReport({ rows: -1 })]) {
      expect(readImportReport(bad)).toBeNull();
    }
  });

  it('when optional parts are malformed then they are left out and the counts still show', () => {
    const report = readImportReport(importReport({ byPart: 'x', derived: { '5m': 1 }, rejected: { junk: 'x', market_closed: 2 }, sessions: undefined }));
    expect(report?.byPart).toBeNull();
    expect(report?.derived).toBeNull();
    expect(report?.rejected).toEqual([{ reason: 'market_closed', count: 2 }]);
    expect(report?.sessions).toBe(0);
    expect(report?.inserted).toBe(14_180);
  });
});
