// The ML signal source: turns the active model's P(up) of one minute ('models.scores') into
// proposals. It watches the feature rows (onRow) only to price them: the entry is the close of the
// scored bar and the stop/target are ATR multiples from that bar's atr_pct.
import type { Bar } from '../../shared/domain';
import type { FeatureRow } from '../features/feature-engine';
import type { Scores } from '../ml/learning-service';
import { assertProposal, assertSameBar, feature, num, px, type Proposal, type SignalGenerator, type Side } from './types';

export interface MlSourceConfig {
  enabled: boolean;
  /** Long when P(up) ≥ threshold, short when P(up) ≤ 1 − threshold; must be in (0.5, 1). Default 0.6. */
  threshold: number;
  /** Stop = entry ∓ stopAtr·ATR. Default 1.5. */
  stopAtr: number;
  /** Target = entry ± targetAtr·ATR; null for no target. Default 3. */
  targetAtr: number | null;
}

export const DEFAULT_ML_SOURCE_CONFIG: Readonly<MlSourceConfig> = Object.freeze({ enabled: true, threshold: 0.6, stopAtr: 1.5, targetAtr: 3 });

/** Extra reasons for one score, e.g. the row's top SHAP contributions. Called only for proposals. */
export type ExplainScore = (input: { symbol: string; side: Side; probUp: number; modelId: string; row: FeatureRow }) => string[];

export function resolveMlSourceConfig(input: Partial<MlSourceConfig> = {}): Readonly<MlSourceConfig> {
  const c = { ...DEFAULT_ML_SOURCE_CONFIG, ...input };
  if (!(c.threshold > 0.5 && c.threshold < 1)) throw new RangeError(`ml: threshold must be in (0.5, 1), got ${c.threshold}`);
  if (!(c.stopAtr > 0 && Number.isFinite(c.stopAtr))) throw new RangeError(`ml: stopAtr must be > 0, got ${c.stopAtr}`);
  if (c.targetAtr !== null && !(c.targetAtr > 0 && Number.isFinite(c.targetAtr))) throw new RangeError(`ml: targetAtr must be > 0 or null, got ${c.targetAtr}`);
  return Object.freeze(c);
}

interface Priced {
  start: number;
  close: number;
  atrPct: number;
  row: FeatureRow;
}

export class MlSignalSource implements SignalGenerator {
  readonly id: string;
  private readonly config: Readonly<MlSourceConfig>;
  /** The latest row per symbol (copied: the engine reuses its arrays). */
  private readonly latest = new Map<string, Priced>();

  constructor(
    config: Partial<MlSourceConfig> = {},
    private readonly explain?: ExplainScore,
    id = 'ml',
  ) {
    this.config = resolveMlSourceConfig(config);
    this.id = id;
  }

  /** Keeps the bar's price and ATR for the scores of that minute; never proposes on its own. */
  onRow(row: FeatureRow, bar: Bar): null {
    assertSameBar(row, bar);
    this.latest.set(bar.symbol, {
      start: bar.start,
      close: bar.close,
      atrPct: feature(row, 'atr_pct'),
      row: { symbol: row.symbol, start: row.start, values: row.values.slice(), overlays: row.overlays.slice() },
    });
    return null;
  }

  /** Proposals for one minute's scores; symbols without a priced row of that same minute are skipped. */
  onScores(scores: Scores): Proposal[] {
    if (scores.probUp.length !== scores.symbols.length) {
      throw new RangeError(`models.scores: ${scores.symbols.length} symbols but ${scores.probUp.length} probabilities`);
    }
    const { threshold, stopAtr, targetAtr } = this.config;
    const out: Proposal[] = [];
    scores.symbols.forEach((symbol, i) => {
      const p = scores.probUp[i]!;
      if (!Number.isFinite(p)) return;
      const side: Side | null = p >= threshold ? 'long' : p <= 1 - threshold ? 'short' : null;
      if (!side) return;
      const priced = this.latest.get(symbol);
      if (!priced || priced.start !== scores.start || !(priced.atrPct > 0)) return;
      const dir = side === 'long' ? 1 : -1;
      const atr = priced.atrPct * priced.close;
      const model = scores.modelId || 'unknown model';
      const reasons = [
        side === 'long'
          ? `ML ${model}: P(up) ${num(p, 2)} ≥ ${num(threshold, 2)}`
          : `ML ${model}: P(up) ${num(p, 2)} ≤ ${num(1 - threshold, 2)}`,
        `stop ${num(stopAtr)} ATR (${px(atr)}) from ${px(priced.close)}`,
        ...(this.explain?.({ symbol, side, probUp: p, modelId: scores.modelId, row: priced.row }) ?? []),
      ];
      out.push(
        assertProposal({
          source: this.id,
          symbol,
          side,
          confidence: side === 'long' ? p : 1 - p,
          reasons,
          entryPrice: priced.close,
          stopPrice: priced.close - dir * stopAtr * atr,
          targetPrice: targetAtr === null ? null : priced.close + dir * targetAtr * atr,
          start: scores.start,
          ...(scores.modelId ? { modelVersion: scores.modelId } : {}),
        }),
      );
    });
    return out;
  }
}
