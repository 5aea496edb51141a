// A backtest's decision policy, as the desk's DeskPolicy: what happens to each signal the engine
// proposes when no trader is there to answer. "Replay my decisions" reads the trader's own approve and
// veto decisions from the audit trail, so a report can set what they approved beside what was proposed.
import type { DecisionPolicy } from '../../shared/backtest';
import type { DeskPolicy, PolicyDecision } from '../signals/desk';
import type { Db } from '../store/database';

/** The trader's decisions on record, by signal id: approved with a size, or vetoed. */
export type TraderDecisions = ReadonlyMap<string, { approved: true; qty: number } | { approved: false }>;

/**
 * A policy decides as the desk's auto mode does live: what it approves is executed at once; what it
 * does not stays pending, as it would on a screen nobody answers, and expires (no approval comes late).
 * A signal the risk manager sized to nothing stays pending too. Only the trader's own vetoes (replay)
 * are vetoes.
 */
export function deskPolicyFor(policy: DecisionPolicy, trader: TraderDecisions = new Map()): DeskPolicy {
  const sized = (qty: number): PolicyDecision => (qty > 0 ? { decision: 'approve', qty } : null);
  switch (policy.kind) {
    case 'all':
      return (s) => sized(s.qty);
    case 'auto':
      return (s) => (s.confidence >= policy.threshold ? sized(s.qty) : null);
    case 'sources': {
      const wanted = new Set(policy.sources);
      return (s) => (s.sources.some((x) => wanted.has(x)) ? sized(s.qty) : null);
    }
    case 'replay':
      return (s) => {
        const d = trader.get(s.id);
        if (!d) return null;
        return d.approved ? sized(Math.min(d.qty, s.qty)) : { decision: 'veto', reason: 'vetoed by the trader (replayed from the audit trail)' };
      };
  }
}

/**
 * The trader's own decisions from a database's audit trail: the last approval or veto by the trader of
 * each signal. An approval the risk manager or the broker refused live is recorded as refused, not
 * approved, and is not replayed: that signal waits and expires in the backtest (it never traded).
 */
export function readTraderDecisions(db: Db): Map<string, { approved: true; qty: number } | { approved: false }> {
  const rows = db
    .prepare("SELECT signal_id, decision, qty FROM decisions WHERE by = 'trader' AND decision IN ('approved', 'vetoed') ORDER BY id")
    .all() as Array<{ signal_id: string; decision: string; qty: number | null }>;
  const out = new Map<string, { approved: true; qty: number } | { approved: false }>();
  for (const r of rows) {
    if (r.decision === 'vetoed') out.set(r.signal_id, { approved: false });
    // A refused trader request (a size above the proposal) left the signal pending: not a decision.
    else if (r.decision === 'approved' && r.qty !== null && r.qty > 0) out.set(r.signal_id, { approved: true, qty: r.qty });
  }
  return out;
}
