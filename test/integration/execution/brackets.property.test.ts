// Property: whatever the bars, fills and interruptions, a position's bracket at the broker (its
// protective stops and resting targets, one cancels the other) can never sell more than is held, never
// flips the position, is gone when the position is, and keeps every held share under a stop while
// trading is ACTIVE and no exit is working. Random entries (marketable and limit), volume-capped partial
// fills, gaps, peak and time exits, kill switches, resumes and restarts (a fresh simulated broker on the
// same store) from a seeded generator; a failure names the seed, the step and the last actions.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/main/engine/random';
import { tradingRig } from '../../helpers/trading-rig';

const SEEDS = 80;
const STEPS = 45;
const flat = (p: number) => ({ open: p, high: p, low: p, close: p });
const SPY = flat(500);

describe('property: a position and its bracket at the broker', () => {
  it('never sells more than is held, never flips, leaves nothing working when flat and keeps every held share under a stop, through random bars, partial fills, exits, kill switches and restarts', async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const gen = new SeededRandom(seed);
      const rnd = (): number => gen.next();
      const r = await tradingRig({ maxParticipation: 0.1, exits: rnd() < 0.5 ? { peakExitPct: 1.5 } : { maxBarsHeld: 6 }, limits: { maxOrdersPerMinute: 1000, duplicateWindowMs: 0 } });
      let price = 100;
      let lastSide: 'buy' | 'sell' | null = null;
      const trace: string[] = [];
      r.minute({ AAPL: flat(price), SPY });
      for (let step = 0; step < STEPS && failures.length < 5; step++) {
        const x = rnd();
        if (x < 0.25 && r.trading.state.state === 'ACTIVE') {
          const held = r.store.heldQty('AAPL');
          const we = r.store.openOrders().find((o) => o.intent === 'entry');
          const side: 'buy' | 'sell' = held > 0 ? 'buy' : held < 0 ? 'sell' : we ? we.side : rnd() < 0.5 ? 'buy' : 'sell';
          const qty = 1 + Math.floor(rnd() * 15);
          const stop = side === 'buy' ? price * (1 - 0.01 - rnd() * 0.02) : price * (1 + 0.01 + rnd() * 0.02);
          const tgt = side === 'buy' ? price * (1 + 0.005 + rnd() * 0.02) : price * (1 - 0.005 - rnd() * 0.02);
          const limitPrice = Math.round(price * (side === 'buy' ? 1.002 : 0.998) * 100) / 100;
          const e = await r.core.risk.submitEntry({ symbol: 'AAPL', side, qty, stopPrice: Math.round(stop * 100) / 100, targetPrice: Math.round(tgt * 100) / 100, ...(rnd() < 0.3 ? { limitPrice } : {}), reason: 'property' });
          trace.push(`entry ${side} ${qty} ${e.ok ? 'ok' : e.reason}`);
          if (e.ok) lastSide = side;
        } else if (x < 0.28) {
          trace.push('kill');
          await r.trading.killSwitch('property');
        } else if (x < 0.30 && r.trading.state.state !== 'ACTIVE') {
          trace.push('resume');
          r.trading.change('ACTIVE', 'property resume');
        } else if (x < 0.33) {
          trace.push('restart');
          await r.restart();
        } else {
          const move = (rnd() - 0.5) * 4;
          const open = price + (rnd() < 0.1 ? move * 2 : 0);
          const close = open + move;
          const high = Math.max(open, close) + rnd() * 2;
          const low = Math.min(open, close) - rnd() * 2;
          const volume = rnd() < 0.5 ? 20 + Math.floor(rnd() * 100) : 1_000_000;
          r.minute({ AAPL: { open, high, low, close }, SPY }, { volume });
          price = Math.max(5, close);
          trace.push(`bar o${open.toFixed(2)} h${high.toFixed(2)} l${low.toFixed(2)} c${close.toFixed(2)} v${volume}`);
        }
        await r.settle();
        const held = r.store.heldQty('AAPL');
        const open = r.store.openOrders().filter((o) => o.symbol === 'AAPL');
        const closing = open.filter((o) => o.intent !== 'entry' && (held > 0 ? o.side === 'sell' : held < 0 ? o.side === 'buy' : true));
        const left = (o: { qty: number; filledQty: number }) => o.qty - o.filledQty;
        const groups = new Map<string, number>();
        let potential = 0;
        for (const o of closing) {
          if (o.ocoGroup !== undefined) groups.set(o.ocoGroup, Math.max(groups.get(o.ocoGroup) ?? 0, left(o)));
          else potential += left(o);
        }
        for (const v of groups.values()) potential += v;
        const stops = closing.filter((o) => o.intent === 'protective-stop').reduce((s, o) => s + left(o), 0);
        const exitsWorking = closing.some((o) => o.intent === 'flatten' || (o.intent === 'exit' && o.ocoGroup === undefined));
        const state = `held ${held} open ${open.map((o) => `${o.intent}/${o.type}/${left(o)}/${o.ocoGroup ?? '-'}`).join(',')}`;
        const tag = `seed ${seed} step ${step} [${trace.slice(-6).join(' | ')}] ${state}`;
        if (lastSide && ((lastSide === 'buy' && held < 0) || (lastSide === 'sell' && held > 0))) failures.push(`FLIP ${tag}`);
        if (held === 0 && closing.length > 0) failures.push(`LEFT WORKING WHEN FLAT ${tag}`);
        if (held !== 0 && potential > Math.abs(held)) failures.push(`OVERSELL POTENTIAL ${potential} > ${Math.abs(held)} ${tag}`);
        if (held !== 0 && !exitsWorking && r.trading.state.state === 'ACTIVE' && stops < Math.abs(held)) failures.push(`UNPROTECTED ${stops} < ${Math.abs(held)} ${tag}`);
        if (held === 0) lastSide = null;
        if (failures.length > 0 && failures[failures.length - 1]!.includes(`seed ${seed} step ${step}`)) break;
      }
      await r.stop();
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

