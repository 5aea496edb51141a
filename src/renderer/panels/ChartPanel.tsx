// The main chart: the selected symbol's 1-minute candles and volume, on exchange (New York) time,
// with the feature engine's overlay lines toggled from the header.
import { CandleChart } from '../components/chart/CandleChart';
import { OverlayToggles } from '../components/chart/OverlayToggles';
import { useMarket, useSession } from '../store/context';
import { marketSelectors } from '../store/market/selectors';
import { sessionSelectors } from '../store/session/selectors';

export function ChartPanel() {
  const symbol = useMarket(marketSelectors.selected);
  const simulated = useSession(sessionSelectors.isSimulated);
  return (
    <div className="panel chart-panel">
      <div className="chart-title">
        <span className="chart-symbol">{symbol ?? 'No symbol selected'}</span>
        <span className="chart-meta">1m · ET</span>
        <OverlayToggles />
        {simulated && <span className="sim-tag">SIMULATED</span>}
      </div>
      <CandleChart symbol={symbol} />
    </div>
  );
}
