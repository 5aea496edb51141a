// Turns the feature stream into signals for the approval desk: every regular-session row goes
// through the enabled rule generators, the active model's per-minute scores through the ML source,
// one minute's proposals are fused (agreeing sources raise confidence, one live signal per symbol
// and side, conflicts marked), sized by the risk manager, and proposed to the desk.
import type { Bar } from '../../shared/domain';
import type { BarCache } from '../data/bar-cache';
import type { Clock } from '../engine/clock';
import { BaseComponent, type StatusListener } from '../engine/lifecycle';
import type { EngineBus } from '../engine/topics';
import type { BarFeatures } from '../../shared/messages';
import type { Logger } from '../logging/logger';
import type { Scores } from '../ml/learning-service';
import type { ApprovalDesk } from './desk';
import { fuseProposals, toSignalFields, type FusedSignal, type LiveSignal } from './fusion';
import { MlSignalSource } from './ml-source';
import { createRuleGenerators } from './rules';
import type { Proposal, SignalGenerator } from './types';

export type Sizer = (symbol: string, side: 'long' | 'short', entryPrice: number, stopPrice: number) => number;

export class SignalService extends BaseComponent {
  private readonly rules: SignalGenerator[];
  private readonly ml: MlSignalSource;
  private pending: Proposal[] = [];
  private minute = -1;
  private live: LiveSignal[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private proposed = 0;
  private readonly mlEnabled: boolean;

  constructor(
    private readonly bus: EngineBus,
    private readonly clock: Clock,
    private readonly cache: BarCache,
    private readonly desk: ApprovalDesk,
    private readonly size: Sizer,
    private readonly log: Logger,
    onStatus: StatusListener,
    /** Top SHAP features of the model's score for a row (the ML signal's reasons). */
    explain: (values: ArrayLike<number>) => string[] = () => [],
    /** The generators that run (rule ids and 'ml'); default: all of them. */
    enabled?: ReadonlySet<string>,
  ) {
    super('signals', onStatus);
    this.rules = createRuleGenerators().filter((g) => !enabled || enabled.has(g.id));
    this.ml = new MlSignalSource({}, ({ row }) => explain(row.values));
    this.mlEnabled = !enabled || enabled.has(this.ml.id);
  }

  get signalsProposed(): number {
    return this.proposed;
  }

  protected onStart(): void {
    this.unsubscribe.push(
      this.bus.subscribe('features.row', (row) => this.onRow(row), 'signals'),
      this.bus.subscribe('models.scores', (scores) => this.onScores(scores), 'signals'),
    );
  }

  protected onStop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private onRow(row: BarFeatures): void {
    const { bar } = row;
    // A row of a new minute closes the previous minute's proposals.
    if (row.start !== this.minute) this.flush(row.start);
    const all: SignalGenerator[] = this.mlEnabled ? [...this.rules, this.ml] : this.rules;
    for (const g of all) {
      try {
        const p = g.onRow(row, bar);
        if (p) this.pending.push(p);
      } catch (error) {
        this.log.warn(`signal generator ${g.id} failed`, { error, symbol: row.symbol });
      }
    }
  }

  private onScores(scores: Scores): void {
    if (!this.mlEnabled) return;
    try {
      const proposals = this.ml.onScores(scores);
      // Scores arrive after their minute's rows: they join the next fusion of that minute or stand alone.
      if (proposals.length > 0) this.propose(proposals);
    } catch (error) {
      this.log.warn('ML signal source failed', { error });
    }
  }

  private flush(nextMinute: number): void {
    const proposals = this.pending;
    this.pending = [];
    this.minute = nextMinute;
    if (proposals.length > 0) this.propose(proposals);
  }

  private propose(proposals: Proposal[]): void {
    const now = this.clock.now();
    this.live = this.live
      .filter((s) => s.expiresAt > now)
      .map((s) => ({ ...s, status: this.desk.get(s.id)?.status ?? s.status ?? 'pending' }) as LiveSignal);
    const { created } = fuseProposals(proposals, this.live, { now, newId: (p) => `sig-${p.symbol}-${p.side}-${p.start}` });
    for (const fused of created) {
      this.live.push(fused as LiveSignal);
      void this.submit(fused);
    }
  }

  private async submit(fused: FusedSignal): Promise<void> {
    const fields = toSignalFields(fused);
    let qty = 0;
    try {
      qty = this.size(fields.symbol, fields.side, fields.entryPrice, fields.stopPrice);
    } catch (error) {
      this.log.warn('sizing a signal failed', { error, id: fields.id });
    }
    const dollarsAtRisk = Math.round(qty * Math.abs(fields.entryPrice - fields.stopPrice) * 100) / 100;
    try {
      await this.desk.propose({ ...fields, qty, dollarsAtRisk, status: 'pending' });
      this.proposed++;
    } catch (error) {
      this.log.warn('the desk refused a signal', { error, id: fields.id });
    }
  }
}
