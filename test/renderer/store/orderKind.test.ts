// What an order was for, read from the reason the execution engine writes: the blotter's badge and
// the chart marker's label both come from here.
import { describe, expect, it } from 'vitest';
import { isExitKind, ORDER_KIND_LABELS, orderKindOf } from '../../../src/renderer/store/blotter/orderKind';

describe('order kind from the engine reason', () => {
  it('when the reason is an entry then the kind is entry', () => {
    expect(orderKindOf('entry: signal sig-AMD-long-1710270480000 (vwap_reversion, auto)')).toBe('entry');
  });

  it.each([
    ['exit hardStop: hard stop 143.05 hit', 'hardStop', 'Stop', 'STOP'],
    ['exit target: target 144.65 reached', 'target', 'Target', 'TARGET'],
    ['exit peakExit: close 180.1 is 0.3% or more below the high 180.7 since entry', 'peakExit', 'Peak exit', 'PEAK'],
    ['exit trailingStop: close 369 crossed the trailing stop 370.1 (1 from the high 371.1)', 'trailingStop', 'Trailing', 'TRAIL'],
    ['exit timeStop: held 20 bars (max 20)', 'timeStop', 'Time stop', 'TIME'],
    ['exit eodFlatten: end-of-day flatten (flatten time 15:45, 15 min before the close)', 'eodFlatten', 'EOD flatten', 'EOD'],
    ['exit mlExit: model puts 64.0% on a move down (exit at 60%)', 'mlExit', 'ML exit', 'ML'],
  ] as const)('when the reason is "%s" then the kind is %s, shown as %s and marked %s', (reason, kind, badge, marker) => {
    expect(orderKindOf(reason)).toBe(kind);
    expect(ORDER_KIND_LABELS[kind]).toEqual({ badge, marker });
    expect(isExitKind(kind)).toBe(true);
  });

  it('when the trader or the kill switch flattens then the kind is flatten, marked FLAT', () => {
    expect(orderKindOf('flatten: flatten all by the trader')).toBe('flatten');
    expect(orderKindOf('flatten: kill switch')).toBe('flatten');
    expect(ORDER_KIND_LABELS.flatten).toEqual({ badge: 'Flatten', marker: 'FLAT' });
  });

  it('when a newer engine names an exit rule this renderer does not know then it is still an exit', () => {
    expect(orderKindOf('exit volatilityStop: ATR doubled')).toBe('exit');
    expect(isExitKind('exit')).toBe(true);
  });

  it('when the reason has no known form then the kind is other, with no badge, and it is not an exit', () => {
    expect(orderKindOf('manual test order')).toBe('other');
    expect(orderKindOf('')).toBe('other');
    // Only the prefix counts: a reason mentioning an exit inside is not one.
    expect(orderKindOf('note: exit hardStop: x')).toBe('other');
    expect(ORDER_KIND_LABELS.other.badge).toBe('');
    expect(isExitKind('other')).toBe(false);
    expect(isExitKind('entry')).toBe(false);
  });
});
