// The File → Import history… dialog: a form for `history.import`, then the job's progress from its
// `job.progress` events, then the import report or the reason it failed. The file is read by the
// engine, which reads only what `history.chooseImportFile` offers: a file picked in the system's
// dialog (desktop app) or one of the import folder's files (headless engine).
import { useMemo, useState, type FormEvent } from 'react';
import type { AppError } from '../../shared/contract';
import { useCockpit, useJobs } from '../store/context';
import { readImportReport, type ImportReport } from '../store/jobs/importReport';
import type { JobProgress } from '../store/jobs/initialState';
import { jobsSelectors } from '../store/jobs/selectors';
import { queuedLabel } from '../store/jobs/store';
import { choiceView, IMPORT_COLUMNS, importRequest, type BarStamp, type ColumnName, type ImportableFile, type ImportFormat } from './importRequest';
import { formatNyClock } from './nyTime';

const FORMATS: ReadonlyArray<{ id: ImportFormat; label: string }> = [
  { id: 'csv', label: 'CSV (generic, with a header row)' },
  { id: 'ninjatrader', label: 'NinjaTrader minute export' },
  { id: 'polygon', label: 'Polygon/Massive aggregates JSON' },
  { id: 'alpaca', label: 'Alpaca bars JSON' },
];
const count = new Intl.NumberFormat('en-US');

function ReportView({ report }: { report: ImportReport }) {
  const range =
    report.firstStart !== null && report.lastStart !== null
      ? `${formatNyClock(report.firstStart)} → ${formatNyClock(report.lastStart)}`
      : 'no bars accepted';
  return (
    <dl className="import-report" data-testid="import-report">
      <dt>File</dt>
      <dd>
        {report.file} ({report.format}, {report.symbol})
      </dd>
      <dt>Rows read</dt>
      <dd data-testid="import-rows">{count.format(report.rows)}</dd>
      <dt>Accepted</dt>
      <dd data-testid="import-accepted">{count.format(report.accepted)}</dd>
      <dt>New bars</dt>
      <dd data-testid="import-inserted">{count.format(report.inserted)}</dd>
      <dt>Already stored</dt>
      <dd data-testid="import-unchanged">{count.format(report.unchanged)}</dd>
      <dt>Rejected</dt>
      <dd data-testid="import-rejected" data-count={report.rejectedTotal}>
        {report.rejectedTotal === 0
          ? 'none'
          : report.rejected.map((r) => `${r.reason.replace(/_/g, ' ')}: ${count.format(r.count)}`).join(', ')}
      </dd>
      <dt>Sessions</dt>
      <dd data-testid="import-sessions">
        {count.format(report.sessions)}
        {report.byPart &&
          ` (bars: ${count.format(report.byPart.pre)} pre-market, ${count.format(report.byPart.regular)} regular, ${count.format(report.byPart.post)} after hours)`}
      </dd>
      <dt>Range (ET)</dt>
      <dd data-testid="import-range">{range}</dd>
      {report.derived && (
        <>
          <dt>Derived</dt>
          <dd>
            {count.format(report.derived['5m'])} × 5m, {count.format(report.derived['15m'])} × 15m, {count.format(report.derived['1d'])} × 1d
          </dd>
        </>
      )}
    </dl>
  );
}

/** What the job has said so far; before its first event it is waiting on the engine. */
function JobView({ jobId, job }: { jobId: string; job: JobProgress | undefined }) {
  const report = useMemo(() => (job?.state === 'done' ? readImportReport(job.result) : null), [job]);
  const fraction = job ? (job.state === 'running' ? job.fraction : job.state === 'queued' ? 0 : 1) : 0;
  return (
    <div className="import-job" data-testid="import-job" data-job-id={jobId} data-state={job?.state ?? 'waiting'}>
      <progress data-testid="import-progress" value={fraction} max={1} />
      <p className="import-phase" data-testid="import-phase">
        {job ? (job.state === 'queued' ? queuedLabel(job) : `${job.phase} · ${Math.round(fraction * 100)}%`) : 'waiting for the engine…'}
      </p>
      {job?.state === 'running' && <p className="import-message">{job.message}</p>}
      {job?.state === 'done' && (
        <>
          <p className="dialog-result">{job.message}</p>
          {report && <ReportView report={report} />}
        </>
      )}
      {job?.state === 'failed' && (
        <p className="dialog-error" data-testid="import-error">
          {job.message}
        </p>
      )}
    </div>
  );
}

export function ImportForm() {
  const { engine, stores } = useCockpit();
  // Defaults are read once: the form should not change under the trader's hands.
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<ImportFormat>('csv');
  const [symbol, setSymbol] = useState(() => stores.market.getState().selected ?? '');
  const [timeZone, setTimeZone] = useState('UTC');
  const [stamp, setStamp] = useState<BarStamp>('start');
  const [columns, setColumns] = useState<Record<ColumnName, string>>({ time: '', open: '', high: '', low: '', close: '', volume: '' });
  const [sending, setSending] = useState(false);
  const [refusal, setRefusal] = useState<AppError | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [folderFiles, setFolderFiles] = useState<readonly ImportableFile[] | null>(null);
  const [choiceNote, setChoiceNote] = useState<string | null>(null);
  // A job still running when the dialog was closed is shown again when it is reopened.
  const [jobId, setJobId] = useState<string | null>(() => jobsSelectors.runningJobIdOf('import')(stores.jobs.getState()));
  const selectJob = useMemo(() => jobsSelectors.jobOf(jobId), [jobId]);
  const job = useJobs(selectJob);
  // A job whose events never came (lost in a reconnect) does not lock the form.
  const running = sending || job?.state === 'running';

  const choose = async (): Promise<void> => {
    setChoosing(true);
    setRefusal(null);
    const result = await engine.call('history.chooseImportFile', {});
    setChoosing(false);
    if (!result.ok) return setRefusal(result.error);
    const view = choiceView(result.data);
    if (view.path !== null) setPath(view.path);
    setFolderFiles(view.files);
    setChoiceNote(view.note);
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setSending(true);
    setRefusal(null);
    setJobId(null);
    // The engine validates (path readable, symbol, time zone); a refusal comes back with its code.
    const result = await engine.call('history.import', importRequest({ path, format, symbol, timeZone, stamp, columns }));
    if (result.ok) setJobId(result.data.jobId);
    else setRefusal(result.error);
    setSending(false);
  };

  return (
    <>
      <form className="dialog-form import-form" onSubmit={(e) => void submit(e)}>
        <label>
          File
          <input
            data-testid="import-path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="Choose a file, or a path inside the import folder"
            spellCheck={false}
            autoFocus
          />
        </label>
        <button type="button" data-testid="import-choose" disabled={choosing || running} onClick={() => void choose()}>
          {choosing ? 'Choosing…' : 'Choose file…'}
        </button>
        {choiceNote !== null && (
          <p className="import-choice-note" data-testid="import-choice-note">
            {choiceNote}
          </p>
        )}
        {folderFiles !== null && folderFiles.length > 0 && (
          <label>
            Import folder
            <select data-testid="import-folder-files" value={path} onChange={(e) => setPath(e.target.value)}>
              <option value="">(pick a file)</option>
              {folderFiles.map((f) => (
                <option key={f.path} value={f.path}>
                  {f.name} ({count.format(Math.ceil(f.bytes / 1024))} KiB)
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Format
          <select data-testid="import-format" value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Symbol
          <input data-testid="import-symbol" value={symbol} onChange={(e) => setSymbol(e.target.value)} placeholder="SPY" />
        </label>
        {format === 'csv' && (
          <>
            <label>
              Time zone
              <input
                data-testid="import-timezone"
                value={timeZone}
                onChange={(e) => setTimeZone(e.target.value)}
                placeholder="UTC or America/New_York"
                title="The zone the file's times are written in (an IANA name)"
              />
            </label>
            <label>
              Bar stamp
              <select data-testid="import-stamp" value={stamp} onChange={(e) => setStamp(e.target.value as BarStamp)}>
                <option value="start">start of the minute</option>
                <option value="end">end of the minute</option>
              </select>
            </label>
            <details className="import-columns">
              <summary>Column mapping (optional: header names when they are not the usual ones)</summary>
              <div className="import-columns-grid">
                {IMPORT_COLUMNS.map((c) => (
                  <label key={c}>
                    {c}
                    <input
                      data-testid={`import-col-${c}`}
                      value={columns[c]}
                      onChange={(e) => setColumns((prev) => ({ ...prev, [c]: e.target.value }))}
                      placeholder="auto"
                    />
                  </label>
                ))}
              </div>
            </details>
          </>
        )}
        <button type="submit" data-testid="import-run" disabled={running || path.trim() === '' || symbol.trim() === ''}>
          {sending ? 'Starting…' : running ? 'Importing…' : 'Import'}
        </button>
      </form>
      {refusal && (
        <p className="dialog-error" data-testid="import-error" data-code={refusal.code}>
          {refusal.code}: {refusal.message}
        </p>
      )}
      {jobId !== null && <JobView jobId={jobId} job={job} />}
    </>
  );
}
