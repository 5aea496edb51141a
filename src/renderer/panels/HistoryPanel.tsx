// The history panel: which feeds this engine could run and why not, what its history store holds
// (symbol, 1-minute bars, first and last New York date), and the long jobs (imports) with their
// last word. The wiring re-reads the store and the feeds when an import finishes.
import { memo, useMemo, useState } from 'react';
import { nyDate } from '../components/nyTime';
import { useCockpit, useHistory, useJobs, useSession, useUi } from '../store/context';
import { historySelectors } from '../store/history/selectors';
import { jobsSelectors } from '../store/jobs/selectors';
import { isActive, queuedLabel } from '../store/jobs/store';
import { CancelJobButton } from '../components/CancelJobButton';
import { sessionSelectors } from '../store/session/selectors';
import { loadHistory } from '../store/wiring';

const count = new Intl.NumberFormat('en-US');

function StoredHistory() {
  const symbols = useHistory(historySelectors.storedSymbols);
  const known = useHistory(historySelectors.isKnown);
  const openDialog = useUi((s) => s.dialogOpened);
  if (!known) return <div className="panel-empty">Asking the engine what it has stored…</div>;
  if (symbols.length === 0) {
    return (
      <div className="panel-empty" data-testid="history-empty">
        No history stored yet.{' '}
        <button type="button" className="link-button" onClick={() => openDialog('import.open')}>
          Import a file…
        </button>
      </div>
    );
  }
  return (
    <table className="data-table" data-testid="history-summary">
      <thead>
        <tr>
          <th>Symbol</th>
          <th className="num">1m bars</th>
          <th className="date">First (ET)</th>
          <th className="date">Last (ET)</th>
        </tr>
      </thead>
      <tbody>
        {symbols.map((s) => (
          <tr key={s.symbol} data-testid={`history-row-${s.symbol}`} data-bars={s.bars}>
            <td className="strong">{s.symbol}</td>
            <td className="num">{count.format(s.bars)}</td>
            <td className="date">{nyDate(s.first)}</td>
            <td className="date">{nyDate(s.last)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function FeedList() {
  const feeds = useSession(sessionSelectors.feeds);
  if (feeds === null) return <div className="panel-empty">Asking the engine which feeds it can run…</div>;
  return (
    <table className="data-table" data-testid="feed-list">
      <thead>
        <tr>
          <th>Feed</th>
          <th>Status</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {feeds.map((f) => (
          <tr
            key={f.id}
            className={f.available ? 'feed-row' : 'feed-row unavailable'}
            data-testid={`feed-row-${f.id}`}
            data-available={f.available}
            data-active={f.active}
          >
            <td>{f.label}</td>
            <td className={f.active ? 'feed-status active' : 'feed-status'}>
              {f.active ? 'active' : f.available ? 'available' : 'unavailable'}
            </td>
            <td className="feed-reason">{f.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const JobRow = memo(function JobRow({ jobId }: { jobId: string }) {
  const selectJob = useMemo(() => jobsSelectors.jobOf(jobId), [jobId]);
  const job = useJobs(selectJob);
  const dismiss = useJobs((s) => s.jobDismissed);
  if (!job) return null;
  return (
    <li className={`job job-${job.state}`} data-testid={`job-row-${jobId}`} data-state={job.state} data-kind={job.kind}>
      <span className="job-kind">{job.kind}</span>
      {job.state === 'running' ? (
        <progress value={job.fraction} max={1} />
      ) : (
        <span className="job-state" data-testid={`job-state-${jobId}`}>
          {job.state === 'queued' ? queuedLabel(job) : job.state}
        </span>
      )}
      <span className="job-message">{job.message}</span>
      {/* The intraday retrain runs outside the engine's job queue and cannot be canceled. */}
      {isActive(job) && job.kind !== 'train' && <CancelJobButton jobId={jobId} />}
      <button type="button" className="notice-dismiss" aria-label="Dismiss" data-testid={`job-dismiss-${jobId}`} onClick={() => dismiss(jobId)}>
        ×
      </button>
    </li>
  );
});

function JobList() {
  const jobIds = useJobs(jobsSelectors.jobIds);
  if (jobIds.length === 0) return null;
  return (
    <>
      <h3 className="panel-heading">Jobs</h3>
      <ul className="job-list" data-testid="job-list">
        {jobIds.map((id) => (
          <JobRow key={id} jobId={id} />
        ))}
      </ul>
    </>
  );
}

export function HistoryPanel() {
  const { engine, stores } = useCockpit();
  const dbPath = useHistory(historySelectors.dbPath);
  const [refreshing, setRefreshing] = useState(false);
  const refresh = (): void => {
    setRefreshing(true);
    // Failures are filed as notices by the engine client; the last good answer stays shown.
    void loadHistory(engine, stores).finally(() => setRefreshing(false));
  };
  return (
    <div className="panel history" data-testid="history">
      <div className="notices-toolbar">
        <span className="history-db" title={dbPath ?? ''}>
          {dbPath ? `History store: ${dbPath}` : 'History store'}
        </span>
        <button type="button" data-testid="history-refresh" disabled={refreshing} onClick={refresh}>
          Refresh
        </button>
      </div>
      <h3 className="panel-heading">Feeds</h3>
      <FeedList />
      <h3 className="panel-heading">Stored 1-minute bars</h3>
      <StoredHistory />
      <JobList />
    </div>
  );
}
