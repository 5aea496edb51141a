// The blotter: open positions and the day's orders as the execution engine reports them, live from
// its events, with the trader's Flatten all (market orders closing every position, after a confirm).
// Each order carries a badge for what it was (entry, or which exit rule closed the position) and the
// time and price of its fill.
import { memo, useMemo, useState } from 'react';
import { formatPrice } from '../components/format';
import { formatNyTime } from '../components/nyTime';
import { ORDER_KIND_LABELS, orderKindOf } from '../store/blotter/orderKind';
import { blotterSelectors } from '../store/blotter/selectors';
import { useBlotter, useCockpit } from '../store/context';

function Positions() {
  const positions = useBlotter(blotterSelectors.positions);
  if (positions.length === 0) return <div className="panel-empty" data-testid="blotter-no-positions">No open positions.</div>;
  return (
    <table className="data-table" data-testid="blotter-positions">
      <thead>
        <tr>
          <th>Symbol</th>
          <th className="num">Qty</th>
          <th className="num">Avg entry</th>
        </tr>
      </thead>
      <tbody>
        {positions.map((p) => (
          <tr key={p.symbol} data-testid={`position-row-${p.symbol}`} data-qty={p.qty}>
            <td className="strong">{p.symbol}</td>
            <td className={p.qty > 0 ? 'num up' : 'num down'}>{p.qty}</td>
            <td className="num">{formatPrice(p.avgEntryPrice)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const OrderRow = memo(function OrderRow({ clientOrderId }: { clientOrderId: string }) {
  const select = useMemo(() => blotterSelectors.orderOf(clientOrderId), [clientOrderId]);
  const selectFillTime = useMemo(() => blotterSelectors.fillTimeOf(clientOrderId), [clientOrderId]);
  const o = useBlotter(select);
  const fillTime = useBlotter(selectFillTime);
  const kind = useMemo(() => (o ? orderKindOf(o) : 'other'), [o]);
  if (!o) return null;
  const badge = ORDER_KIND_LABELS[kind].badge;
  return (
    <tr data-testid={`order-row-${clientOrderId}`} data-status={o.status} data-kind={kind} title={o.note || o.reason}>
      <td className="date">{formatNyTime(o.submittedAt)}</td>
      <td className="strong">{o.symbol}</td>
      <td>{o.side}</td>
      <td>{badge && <span className={`order-kind kind-${kind}`} data-testid={`order-kind-${clientOrderId}`}>{badge}</span>}</td>
      <td className="num">
        {o.filledQty}/{o.qty}
      </td>
      <td>{o.type}</td>
      <td className="num" data-testid={`order-fill-price-${clientOrderId}`}>
        {o.avgFillPrice === null ? '' : formatPrice(o.avgFillPrice)}
      </td>
      <td className="date" data-testid={`order-fill-time-${clientOrderId}`} data-fill-time={fillTime ?? ''}>
        {fillTime === undefined || o.filledQty === 0 ? '' : formatNyTime(fillTime)}
      </td>
      <td className={`order-status status-${o.status}`}>{o.status}</td>
      <td className="order-reason">{o.reason}</td>
    </tr>
  );
});

function Orders() {
  const ids = useBlotter(blotterSelectors.orderIds);
  if (ids.length === 0) return <div className="panel-empty" data-testid="blotter-no-orders">No orders yet.</div>;
  return (
    <table className="data-table" data-testid="blotter-orders">
      <thead>
        <tr>
          <th className="date">Time (ET)</th>
          <th>Symbol</th>
          <th>Side</th>
          <th>Kind</th>
          <th className="num">Filled</th>
          <th>Type</th>
          <th className="num">Avg fill</th>
          <th className="date">Fill time (ET)</th>
          <th>Status</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {ids.map((id) => (
          <OrderRow key={id} clientOrderId={id} />
        ))}
      </tbody>
    </table>
  );
}

export function BlotterPanel() {
  const { engine } = useCockpit();
  const hasPositions = useBlotter(blotterSelectors.hasPositions);
  const [flattening, setFlattening] = useState(false);
  const flattenAll = (): void => {
    if (!window.confirm('Flatten all: send market orders closing every open position? Working orders are canceled first.')) return;
    setFlattening(true);
    // A refusal is filed as a notice by the engine client; the blotter follows the engine's events.
    void engine.call('positions.flatten', {}).finally(() => setFlattening(false));
  };
  return (
    <div className="panel blotter" data-testid="blotter">
      <div className="notices-toolbar">
        <span>Positions</span>
        <button type="button" data-testid="blotter-flatten-all" disabled={!hasPositions || flattening} onClick={flattenAll}>
          Flatten all
        </button>
      </div>
      <Positions />
      <h3 className="panel-heading">Orders</h3>
      <Orders />
    </div>
  );
}
