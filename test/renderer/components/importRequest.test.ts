// The import form's request: what the engine is asked to read, and how.
import { describe, expect, it } from 'vitest';
import { importRequest, type ImportFormFields } from '../../../src/renderer/components/importRequest';

const blankColumns = { time: '', open: '', high: '', low: '', close: '', volume: '' };
const form = (extra: Partial<ImportFormFields> = {}): ImportFormFields => ({
  path: ' /data/spy.csv ',
  format: 'csv',
  symbol: ' spy ',
  timeZone: 'UTC',
  stamp: 'start',
  columns: blankColumns,
  ...extra,
});

describe('importRequest', () => {
  it('when a NinjaTrader file is imported then only path, format and symbol are sent', () => {
    expect(importRequest(form({ format: 'ninjatrader', timeZone: 'America/New_York', stamp: 'end', columns: { ...blankColumns, time: 'ts' } }))).toEqual({
      path: '/data/spy.csv',
      format: 'ninjatrader',
      symbol: 'SPY',
    });
  });

  it('when a CSV is imported then its time zone and bar stamp are sent, and only the columns the trader named', () => {
    expect(importRequest(form({ timeZone: 'America/New_York', stamp: 'end', columns: { ...blankColumns, time: ' Date ', volume: 'Vol' } }))).toEqual({
      path: '/data/spy.csv',
      format: 'csv',
      symbol: 'SPY',
      timeZone: 'America/New_York',
      stamp: 'end',
      columns: { time: 'Date', volume: 'Vol' },
    });
  });

  it('when the time zone is left blank then UTC is sent and no column mapping', () => {
    const request = importRequest(form({ timeZone: '  ' }));
    expect(request.timeZone).toBe('UTC');
    expect(request).not.toHaveProperty('columns');
  });
});
