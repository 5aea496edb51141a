// What an order was for, from the typed intent and exit rule the engine puts on every order: the
// blotter's badge and the chart marker's label both come from here. The reason text plays no part.
import { describe, expect, it } from 'vitest';
import { isExitKind, ORDER_KIND_LABELS, orderKindOf } from '../../../src/renderer/store/blotter/orderKind';
import type { OrderIntent } from '../../../src/shared/domain';

describe('order kind from the order intent', () => {
  it('when the intent is entry then the kind is entry, whatever the reason says', () => {
    expect(orderKindOf({ intent: 'entry' })).toBe('entry');
    expect(orderKindOf({ intent: 'entry', exitRule: 'target' })).toBe('entry');
  });

  it.each([
    ['exit', 'hardStop', 'hardStop', 'Stop', 'STOP'],
    ['exit', 'target', 'target', 'Target', 'TARGET'],
    ['exit', 'peakExit', 'peakExit', 'Peak exit', 'PEAK'],
    ['exit', 'trailingStop', 'trailingStop', 'Trailing', 'TRAIL'],
    ['exit', 'timeStop', 'timeStop', 'Time stop', 'TIME'],
    ['exit', 'mlExit', 'mlExit', 'ML exit', 'ML'],
    ['flatten', 'eodFlatten', 'eodFlatten', 'EOD flatten', 'EOD'],
    ['protective-stop', 'hardStop', 'hardStop', 'Stop', 'STOP'],
  ] as const)('when the intent is %s with rule %s then the kind is %s, shown as %s and marked %s', (intent, exitRule, kind, badge, marker) => {
    expect(orderKindOf({ intent, exitRule })).toBe(kind);
    expect(ORDER_KIND_LABELS[kind]).toEqual({ badge, marker });
    expect(isExitKind(kind)).toBe(true);
  });

  it('when a protective stop carries no rule then it is still the hard stop', () => {
    expect(orderKindOf({ intent: 'protective-stop' })).toBe('hardStop');
  });

  it('when the trader or the kill switch flattens (a flatten with no rule) then the kind is flatten, marked FLAT', () => {
    expect(orderKindOf({ intent: 'flatten' })).toBe('flatten');
    expect(ORDER_KIND_LABELS.flatten).toEqual({ badge: 'Flatten', marker: 'FLAT' });
  });

  it('when an exit names no rule this renderer knows then it is still an exit', () => {
    expect(orderKindOf({ intent: 'exit' })).toBe('exit');
    expect(orderKindOf({ intent: 'exit', exitRule: 'volatilityStop' as never })).toBe('exit');
    expect(isExitKind('exit')).toBe(true);
  });

  it('when the intent is one this renderer does not know then the kind is other, with no badge, and it is not an exit', () => {
    expect(orderKindOf({ intent: 'hedge' as OrderIntent })).toBe('other');
    expect(ORDER_KIND_LABELS.other.badge).toBe('');
    expect(isExitKind('other')).toBe(false);
    expect(isExitKind('entry')).toBe(false);
  });
});
