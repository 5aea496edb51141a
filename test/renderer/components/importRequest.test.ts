// The import form's request: what the engine is asked to read, and how.
import { describe, expect, it } from 'vitest';
import { choiceView, importRequest, type ImportFormFields } from '../../../src/renderer/components/importRequest';

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

// Security review, issue 12: the engine reads only the file the trader picked (desktop) or one in the
// import folder (headless), so the form gets its path from `history.chooseImportFile`.
describe('choiceView', () => {
  it('when the trader picks a file in the system dialog then its path goes into the form', () => {
    expect(choiceView({ kind: 'chosen', path: '/home/t/spy.csv', name: 'spy.csv' })).toEqual({ path: '/home/t/spy.csv', files: null, note: null });
  });

  it('when the trader cancels the dialog then the form keeps what it had', () => {
    expect(choiceView({ kind: 'canceled' })).toEqual({ path: null, files: null, note: null });
  });

  it('when the headless engine lists its import folder then the files are offered, and an empty folder says where to put them', () => {
    const files = [
      { name: 'qqq.json', path: '/data/imports/qqq.json', bytes: 10 },
      { name: 'spy.csv', path: '/data/imports/spy.csv', bytes: 20 },
    ];
    expect(choiceView({ kind: 'folder', folder: '/data/imports', files })).toMatchObject({ path: null, files });
    expect(choiceView({ kind: 'folder', folder: '/data/imports', files: [files[1]!] }).path).toBe('/data/imports/spy.csv');
    const empty = choiceView({ kind: 'folder', folder: '/data/imports', files: [] });
    expect(empty.files).toEqual([]);
    expect(empty.note).toContain('/data/imports');
  });
});
