// How model metrics read: a metric that was not measured shows as a dash, never as zero.
import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatLoss,
  formatRatio,
  formatReturnBp,
  formatShare,
  lossVerdict,
  NOT_MEASURED,
} from '../../../../src/renderer/components/models/metricFormat';

describe('metric formatting', () => {
  it('when a metric was measured then it reads in trading units', () => {
    expect(formatLoss(0.690512)).toBe('0.6905');
    expect(formatShare(0.5312)).toBe('53.1%');
    expect(formatReturnBp(0.00012)).toBe('+1.2 bp');
    expect(formatReturnBp(-0.00003)).toBe('-0.3 bp');
    expect(formatRatio(1.184)).toBe('1.18');
    expect(formatCount(14_180)).toBe('14,180');
  });

  it('when a return rounds to zero basis points then it carries no sign', () => {
    expect(formatReturnBp(0.000001)).toBe('0.0 bp');
    expect(formatReturnBp(-0.000001)).toBe('0.0 bp');
  });

  it('when a metric was not measured then every format shows a dash', () => {
    for (const f of [formatLoss, formatShare, formatReturnBp, formatRatio, formatCount]) {
      expect(f(Number.NaN)).toBe(NOT_MEASURED);
      expect(f(Number.POSITIVE_INFINITY)).toBe(NOT_MEASURED);
    }
  });

  it('when a log loss is compared then lower is better and an unmeasured side gives no verdict', () => {
    expect(lossVerdict(0.6871, 0.6929)).toBe('better');
    expect(lossVerdict(0.6951, 0.6929)).toBe('worse');
    expect(lossVerdict(0.6871, Number.NaN)).toBe('unknown');
  });
});
