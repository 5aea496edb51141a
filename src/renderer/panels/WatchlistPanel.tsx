// The watchlist: one row per symbol with last, change, change % and session volume. React renders
// the rows (symbol list, selection); each row's numbers are written into the DOM by a transient
// store subscription, so a tick costs a few text writes and no render.
import { memo, useEffect, useRef, type KeyboardEvent } from 'react';
import type { Quote } from '../../shared/domain';
import { directionOf, formatChange, formatChangePct, formatPrice, formatVolume } from '../components/format';
import { useCockpit, useMarket } from '../store/context';
import { marketSelectors } from '../store/market/selectors';
import { subscribeSlice } from '../store/transient';

const NO_VALUE = '—';

interface RowCells {
  row: HTMLTableRowElement | null;
  last: HTMLTableCellElement | null;
  change: HTMLTableCellElement | null;
  changePct: HTMLTableCellElement | null;
  volume: HTMLTableCellElement | null;
}

function paintQuote(cells: RowCells, quote: Quote | undefined): void {
  const { row, last, change, changePct, volume } = cells;
  if (!row || !last || !change || !changePct || !volume) return;
  if (!quote) {
    last.textContent = change.textContent = changePct.textContent = volume.textContent = NO_VALUE;
    row.dataset.direction = 'flat';
    return;
  }
  last.textContent = formatPrice(quote.last);
  change.textContent = formatChange(quote.change);
  changePct.textContent = formatChangePct(quote.changePct);
  volume.textContent = formatVolume(quote.sessionVolume);
  // The colour is a data attribute React never renders, so a re-render cannot wipe it.
  row.dataset.direction = directionOf(quote.change);
}

const WatchRow = memo(function WatchRow({
  symbol,
  selected,
  onSelect,
}: {
  symbol: string;
  selected: boolean;
  onSelect: (symbol: string) => void;
}) {
  const { stores } = useCockpit();
  const cells = useRef<RowCells>({ row: null, last: null, change: null, changePct: null, volume: null });

  useEffect(
    () => subscribeSlice(stores.market, marketSelectors.quoteOf(symbol), (q) => paintQuote(cells.current, q)),
    [stores.market, symbol],
  );

  return (
    <tr
      ref={(el) => {
        cells.current.row = el;
      }}
      className={selected ? 'watch-row selected' : 'watch-row'}
      data-testid={`watch-row-${symbol}`}
      data-symbol={symbol}
      aria-selected={selected}
      onClick={() => onSelect(symbol)}
    >
      <td className="watch-symbol">{symbol}</td>
      <td
        ref={(el) => {
          cells.current.last = el;
        }}
        className="num watch-last"
        data-testid={`watch-last-${symbol}`}
      />
      <td
        ref={(el) => {
          cells.current.change = el;
        }}
        className="num watch-change"
        data-testid={`watch-change-${symbol}`}
      />
      <td
        ref={(el) => {
          cells.current.changePct = el;
        }}
        className="num watch-change"
        data-testid={`watch-change-pct-${symbol}`}
      />
      <td
        ref={(el) => {
          cells.current.volume = el;
        }}
        className="num watch-volume"
        data-testid={`watch-volume-${symbol}`}
      />
    </tr>
  );
});

export function WatchlistPanel() {
  const symbols = useMarket(marketSelectors.symbols);
  const selected = useMarket(marketSelectors.selected);
  const symbolSelected = useMarket((s) => s.symbolSelected);
  const selectionMoved = useMarket((s) => s.selectionMoved);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    selectionMoved(e.key === 'ArrowDown' ? 1 : -1);
  };

  return (
    <div className="panel watchlist" data-testid="watchlist" tabIndex={0} onKeyDown={onKeyDown}>
      {symbols.length === 0 ? (
        <div className="panel-empty">Waiting for the engine's watchlist…</div>
      ) : (
        <table className="watch-table">
          <thead>
            <tr>
              <th>Symbol</th>
              <th className="num">Last</th>
              <th className="num">Chg</th>
              <th className="num">Chg %</th>
              <th className="num">Volume</th>
            </tr>
          </thead>
          <tbody>
            {symbols.map((symbol) => (
              <WatchRow key={symbol} symbol={symbol} selected={symbol === selected} onSelect={symbolSelected} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
