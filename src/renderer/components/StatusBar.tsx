// The status bar: connection, feed health, the engine's New York clock, session mode and trading
// state. The clock follows `clock.tick` through a transient subscription: in a fast replay ticks
// arrive far more often than the screen can show, and none of them re-renders the bar. The feed's
// speed, pause and replay seek sit next to its health (FeedControls).
import { useEffect, useRef } from 'react';
import { useCockpit, useJobs, useSession } from '../store/context';
import { jobsSelectors } from '../store/jobs/selectors';
import { sessionSelectors } from '../store/session/selectors';
import { subscribeSlice } from '../store/transient';
import { FeedControls } from './FeedControls';
import { formatNyClock } from './nyTime';

const CONNECTION_LABELS = {
  connecting: 'connecting…',
  open: 'connected',
  closed: 'disconnected',
  unauthorized: 'unauthorized',
  lagged: 'fell behind',
} as const;

function NyClock() {
  const { stores } = useCockpit();
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    let shownSecond = Number.NaN;
    return subscribeSlice(stores.session, sessionSelectors.now, (now) => {
      const el = ref.current;
      if (!el) return;
      if (now === null) {
        el.textContent = '----------  --:--:-- ET';
        return;
      }
      // Formatting is the costly part; only a new second changes the text.
      const second = Math.floor(now / 1000);
      if (second === shownSecond) return;
      shownSecond = second;
      el.textContent = formatNyClock(now);
      el.dataset.now = String(now);
    });
  }, [stores.session]);
  return <span ref={ref} className="status-item ny-clock" data-testid="ny-clock" title="Engine clock, New York time" />;
}

export function StatusBar() {
  const connection = useSession(sessionSelectors.connection);
  const connectionDetail = useSession(sessionSelectors.connectionDetail);
  const feedLabel = useSession(sessionSelectors.feedLabel);
  const feedState = useSession(sessionSelectors.feedState);
  const feedDetail = useSession(sessionSelectors.feedDetail);
  const feedPaused = useSession(sessionSelectors.feedPaused);
  const mode = useSession(sessionSelectors.mode);
  const tradingState = useSession(sessionSelectors.tradingState);
  const tradingCause = useSession(sessionSelectors.tradingCause);
  const troubled = useSession(sessionSelectors.troubledComponentCount);
  const componentCount = useSession(sessionSelectors.componentCount);
  const engine = useSession(sessionSelectors.engine);
  const runningJobs = useJobs(jobsSelectors.runningCount);

  return (
    <footer className="status-bar">
      <span className="status-item connection" data-testid="connection-state" data-state={connection} title={connectionDetail}>
        <span className="dot" /> {CONNECTION_LABELS[connection]}
      </span>
      <span className="status-item feed" data-testid="feed-health" data-state={feedState ?? 'unknown'} title={feedDetail}>
        {feedLabel}: {feedState ?? '…'}
        {feedPaused ? ' (paused)' : ''}
      </span>
      <FeedControls />
      <NyClock />
      {runningJobs > 0 && (
        <span className="status-item jobs-running" data-testid="jobs-running">
          {runningJobs} job{runningJobs === 1 ? '' : 's'} running
        </span>
      )}
      {componentCount > 0 && (
        <span className={troubled > 0 ? 'status-item components troubled' : 'status-item components'} data-testid="component-health">
          {troubled > 0 ? `${troubled} of ${componentCount} components need attention` : `${componentCount} components ok`}
        </span>
      )}
      <span className="status-spacer" />
      {engine && (
        <span className="status-item engine" title={`engine ${engine.engineId}`}>
          {engine.host} v{engine.appVersion}
        </span>
      )}
      <span className={`badge mode mode-${mode ?? 'unknown'}`} data-testid="session-mode" data-mode={mode ?? ''}>
        {mode ?? '…'}
      </span>
      <span
        className={`badge trading trading-${tradingState ?? 'unknown'}`}
        data-testid="trading-state"
        data-state={tradingState ?? ''}
        title={tradingCause}
      >
        {tradingState ?? '…'}
      </span>
    </footer>
  );
}
