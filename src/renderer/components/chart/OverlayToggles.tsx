// The chart header's overlay toggles, which are also the legend: each button names a group of
// feature-engine lines with a swatch per line colour, and is pressed while its lines are drawn.
import { chartSelectors } from '../../store/chart/selectors';
import { useChart, useCockpit } from '../../store/context';
import { OVERLAY_LEGEND } from './overlayStyle';

function OverlayToggle({ entry }: { entry: (typeof OVERLAY_LEGEND)[number] }) {
  const { stores } = useCockpit();
  const on = useChart(chartSelectors.overlayOn(entry.group));
  const colors = [...new Set(entry.lines.map((l) => l.color))];
  const lineNames = entry.lines.map((l) => l.label).join(', ');
  return (
    <button
      type="button"
      className="overlay-toggle"
      data-testid={`overlay-toggle-${entry.group}`}
      aria-pressed={on}
      title={`${entry.description} (${lineNames})`}
      onClick={() => stores.chart.getState().overlayToggled(entry.group)}
    >
      {colors.map((color) => (
        <span key={color} className="overlay-swatch" style={{ backgroundColor: color }} aria-hidden="true" />
      ))}
      {entry.label}
    </button>
  );
}

export function OverlayToggles() {
  return (
    <div className="overlay-toggles" role="group" aria-label="Chart overlays">
      {OVERLAY_LEGEND.map((entry) => (
        <OverlayToggle key={entry.group} entry={entry} />
      ))}
    </div>
  );
}
