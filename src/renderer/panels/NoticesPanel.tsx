// The notices log: engine notices and failed requests, newest first, each dismissable.
import { formatNyTime } from '../components/nyTime';
import { useNotices } from '../store/context';
import { noticesSelectors } from '../store/notices/selectors';

export function NoticesPanel() {
  const notices = useNotices(noticesSelectors.notices);
  const dismiss = useNotices((s) => s.noticeDismissed);
  const clear = useNotices((s) => s.noticesCleared);
  return (
    <div className="panel notices" data-testid="notices">
      <div className="notices-toolbar">
        <span>{notices.length} notice{notices.length === 1 ? '' : 's'}</span>
        <button type="button" onClick={clear} disabled={notices.length === 0}>
          Clear
        </button>
      </div>
      <ul className="notice-list">
        {notices.map((n) => (
          <li key={n.id} className={`notice notice-${n.level}`} data-testid="notice" data-code={n.code} data-level={n.level}>
            <time className="notice-time">{formatNyTime(n.at)}</time>
            <span className="notice-code">{n.code}</span>
            <span className="notice-message">{n.message}</span>
            <button type="button" className="notice-dismiss" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
