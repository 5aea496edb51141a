// The history store: what the engine's history store holds.
import { describe, expect, it } from 'vitest';
import { historySelectors } from '../../../src/renderer/store/history/selectors';
import { createHistoryStore } from '../../../src/renderer/store/history/store';
import { historySummary } from '../fakes';

describe('history store', () => {
  it('before the engine answers then nothing is claimed stored and the empty list keeps its reference', () => {
    const history = createHistoryStore();
    expect(historySelectors.isKnown(history.getState())).toBe(false);
    expect(historySelectors.storedSymbols(history.getState())).toBe(historySelectors.storedSymbols(history.getState()));
    expect(historySelectors.storedSymbols(history.getState())).toEqual([]);
  });

  it('when the summary arrives then each stored symbol is listed with its bar count and range', () => {
    const history = createHistoryStore();
    const spy = { symbol: 'SPY', bars: 14_180, first: Date.UTC(2011, 0, 3, 14, 30), last: Date.UTC(2011, 0, 31, 21) };
    history.getState().historySummaryReceived(historySummary([spy]));
    expect(historySelectors.storedSymbols(history.getState())).toEqual([spy]);
    expect(historySelectors.dbPath(history.getState())).toBe('/tmp/history.sqlite');
  });
});
