// A fold's reliability curve, small: predicted P(up) across, observed frequency up, the diagonal is
// perfect calibration and each dot's area follows the bin's row count. The bins are listed beside it
// with their numbers, for the trader who wants to read rather than eyeball.
import type { WalkForwardFold } from '../../store/models/walkForwardReport';
import { formatCount, formatShare } from './metricFormat';

const SIZE = 132;
const PAD = 14;
const PLOT = SIZE - 2 * PAD;
const MAX_RADIUS = 7;

const x = (p: number): number => PAD + p * PLOT;
const y = (p: number): number => SIZE - PAD - p * PLOT;

export function ReliabilityChart({ fold }: { fold: WalkForwardFold }) {
  const bins = fold.reliability.filter((b) => b.count > 0 && Number.isFinite(b.meanPredicted) && Number.isFinite(b.observed));
  const largest = bins.reduce((m, b) => Math.max(m, b.count), 0);
  return (
    <div className="wf-reliability" data-testid="wf-reliability" data-fold={fold.index}>
      <svg
        width={SIZE}
        height={SIZE}
        viewBox={`0 0 ${SIZE} ${SIZE}`}
        role="img"
        aria-label={`Reliability of fold ${fold.index}: observed frequency against predicted probability`}
      >
        <rect x={PAD} y={PAD} width={PLOT} height={PLOT} className="wf-rel-frame" />
        <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} className="wf-rel-diagonal" />
        <line x1={x(0.5)} y1={y(0)} x2={x(0.5)} y2={y(1)} className="wf-rel-grid" />
        <line x1={x(0)} y1={y(0.5)} x2={x(1)} y2={y(0.5)} className="wf-rel-grid" />
        {bins.map((b) => (
          <circle
            key={b.lower}
            data-testid="wf-reliability-bin"
            cx={x(b.meanPredicted)}
            cy={y(b.observed)}
            r={Math.max(1.5, MAX_RADIUS * Math.sqrt(b.count / largest))}
            className="wf-rel-dot"
          >
            <title>{`${formatShare(b.lower)}–${formatShare(b.upper)}: predicted ${formatShare(b.meanPredicted)}, observed ${formatShare(b.observed)}, ${formatCount(b.count)} rows`}</title>
          </circle>
        ))}
        <text x={PAD} y={SIZE - 2} className="wf-rel-axis">
          predicted →
        </text>
        <text x={2} y={PAD - 4} className="wf-rel-axis">
          observed ↑
        </text>
      </svg>
      <table className="data-table wf-rel-table">
        <thead>
          <tr>
            <th>Bin</th>
            <th className="num">Rows</th>
            <th className="num">Pred.</th>
            <th className="num">Obs.</th>
          </tr>
        </thead>
        <tbody>
          {bins.length === 0 ? (
            <tr>
              <td colSpan={4}>no scored rows</td>
            </tr>
          ) : (
            bins.map((b) => (
              <tr key={b.lower}>
                <td className="num">
                  {b.lower.toFixed(1)}–{b.upper.toFixed(1)}
                </td>
                <td className="num">{formatCount(b.count)}</td>
                <td className="num">{formatShare(b.meanPredicted)}</td>
                <td className="num">{formatShare(b.observed)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
