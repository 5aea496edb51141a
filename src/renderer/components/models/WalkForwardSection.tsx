// The walk-forward evaluation: a form for `models.walkForward` over stored history, the job's
// progress from its `job.progress` events, then the out-of-sample report: one row per fold with
// every metric, the row-weighted summary, and the reliability curve of the fold the trader selects.
// The run followed is kept in the models store, so switching tabs does not lose the report.
import { memo, useMemo, useState, type FormEvent } from 'react';
import type { AppError } from '../../../shared/contract';
import { useCockpit, useHistory, useJobs, useMarket, useModels } from '../../store/context';
import { historySelectors } from '../../store/history/selectors';
import type { JobProgress } from '../../store/jobs/initialState';
import { jobsSelectors } from '../../store/jobs/selectors';
import { isActive, queuedLabel } from '../../store/jobs/store';
import { CancelJobButton } from '../CancelJobButton';
import type { WalkForwardPeriod } from '../../store/models/initialState';
import { modelsSelectors } from '../../store/models/selectors';
import { readWalkForwardReport, type WalkForwardFold, type WalkForwardReport } from '../../store/models/walkForwardReport';
import { nyDate } from '../nyTime';
import { formatCount, formatLoss, formatRatio, formatReturnBp, formatShare, lossVerdict } from './metricFormat';
import { ReliabilityChart } from './ReliabilityChart';

const DAY_MS = 86_400_000;
const PERIODS: readonly WalkForwardPeriod[] = ['day', 'week', 'month'];
const DEFAULT_TRAIN_PERIODS = 5;

/** "spy, qqq aapl" → ['SPY', 'QQQ', 'AAPL']; the engine validates each. */
export function parseSymbols(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
}

function WalkForwardForm({ running, queued }: { running: boolean; queued: boolean }) {
  const { engine, stores } = useCockpit();
  const firstSymbol = useMarket((s) => s.symbols[0] ?? '');
  const stored = useHistory(historySelectors.storedSymbols);
  // Until the trader types, each field follows its default: the watchlist and the stored history
  // arrive after the panel mounts.
  const [symbolsText, setSymbolsText] = useState<string | null>(null);
  const [fromText, setFromText] = useState<string | null>(null);
  const [toText, setToText] = useState<string | null>(null);
  const [period, setPeriod] = useState<WalkForwardPeriod>('day');
  const [trainPeriods, setTrainPeriods] = useState(DEFAULT_TRAIN_PERIODS);
  const [fallback] = useState(() => {
    const now = stores.session.getState().now ?? Date.now();
    return { from: nyDate(now - 30 * DAY_MS), to: nyDate(now) };
  });
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<AppError | null>(null);

  const symbols = symbolsText ?? firstSymbol;
  // The default range is what the history store holds for the first symbol: that is what can be evaluated.
  const range = stored.find((s) => s.symbol === parseSymbols(symbols)[0]);
  const from = fromText ?? (range ? nyDate(range.first) : fallback.from);
  const to = toText ?? (range ? nyDate(range.last) : fallback.to);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setStarting(true);
    setError(null);
    const list = parseSymbols(symbols);
    const result = await engine.call('models.walkForward', { symbols: list, from, to, period, trainPeriods });
    // A refusal is also filed as a notice by the engine client; it is repeated here, next to the form.
    if (result.ok) stores.models.getState().walkForwardStarted({ jobId: result.data.jobId, symbols: list, from, to, period, trainPeriods });
    else setError(result.error);
    setStarting(false);
  };

  return (
    <form className="wf-form" onSubmit={(e) => void submit(e)}>
      <label>
        Symbols
        <input data-testid="wf-symbols" value={symbols} size={12} onChange={(e) => setSymbolsText(e.target.value)} placeholder="SPY, QQQ" />
      </label>
      <label>
        From
        <input data-testid="wf-from" type="date" value={from} onChange={(e) => setFromText(e.target.value)} />
      </label>
      <label>
        To
        <input data-testid="wf-to" type="date" value={to} onChange={(e) => setToText(e.target.value)} />
      </label>
      <label>
        Period
        <select data-testid="wf-period" value={period} onChange={(e) => setPeriod(e.target.value as WalkForwardPeriod)}>
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label title="How many periods each fold trains on before the period it is tested on">
        Train periods
        <input
          data-testid="wf-train-periods"
          type="number"
          min={1}
          max={500}
          value={trainPeriods}
          onChange={(e) => setTrainPeriods(Math.max(1, Math.min(500, Math.round(Number(e.target.value) || DEFAULT_TRAIN_PERIODS))))}
        />
      </label>
      <button type="submit" data-testid="wf-run" disabled={starting || running || queued || parseSymbols(symbols).length === 0}>
        {starting ? 'Starting…' : running ? 'Running…' : queued ? 'Queued…' : 'Run'}
      </button>
      {error && (
        <span className="dialog-error" data-testid="wf-error" data-code={error.code}>
          {error.code}: {error.message}
        </span>
      )}
    </form>
  );
}

/** The followed run's line: its place in the engine's queue, its progress, or how it ended; Cancel while it can be. */
function JobLine({ jobId, job }: { jobId: string; job: JobProgress | undefined }) {
  const fraction = job ? (job.state === 'running' ? job.fraction : job.state === 'queued' ? 0 : 1) : 0;
  const text = !job
    ? 'waiting for the engine…'
    : job.state === 'queued'
      ? `${queuedLabel(job)}: waits for the evaluation ahead of it`
      : job.state === 'running'
        ? `${job.phase} · ${Math.round(fraction * 100)}%`
        : job.message;
  return (
    <div className="wf-job" data-state={job?.state ?? 'waiting'}>
      <progress data-testid="wf-progress" data-state={job?.state ?? 'waiting'} value={fraction} max={1} />
      <span
        className={job?.state === 'failed' ? 'wf-phase dialog-error' : 'wf-phase'}
        data-testid="wf-phase"
        {...(job?.state === 'queued' && job.position !== undefined ? { 'data-position': job.position } : {})}
      >
        {text}
      </span>
      {job && isActive(job) && <CancelJobButton jobId={jobId} testId="wf-cancel" />}
    </div>
  );
}

/** Precision / recall / F1 of one class, as one cell. */
function classCell(fold: WalkForwardFold, c: number): { text: string; title: string } {
  const p = fold.classes.precision[c] ?? Number.NaN;
  const r = fold.classes.recall[c] ?? Number.NaN;
  const f = fold.classes.f1[c] ?? Number.NaN;
  const n = fold.classes.support[c] ?? Number.NaN;
  return {
    text: `${formatShare(p)} / ${formatShare(r)}`,
    title: `precision ${formatShare(p)}, recall ${formatShare(r)}, F1 ${formatShare(f)}, ${formatCount(n)} true rows`,
  };
}

const FoldRow = memo(function FoldRow({ fold, selected, onSelect }: { fold: WalkForwardFold; selected: boolean; onSelect: (index: number) => void }) {
  const down = classCell(fold, 0);
  const up = classCell(fold, 1);
  const verdict = lossVerdict(fold.logLoss, fold.priorLogLoss);
  const long = fold.topDecileLong;
  const short = fold.topDecileShort;
  return (
    <tr
      className={selected ? 'wf-fold selected' : 'wf-fold'}
      data-testid="wf-fold"
      data-index={fold.index}
      data-verdict={verdict}
      aria-selected={selected}
      onClick={() => onSelect(fold.index)}
    >
      <td className="num">{fold.index}</td>
      <td className="date" title={fold.testPeriods.join(', ')}>
        {fold.testPeriods.length > 1 ? `${fold.testPeriods[0]} +${fold.testPeriods.length - 1}` : (fold.testPeriods[0] ?? '')}
      </td>
      <td className="num">{formatCount(fold.trainRows)}</td>
      <td className="num">{formatCount(fold.testRows)}</td>
      <td className="num" title="rows purged (label overlaps the test) / embargoed (just before the test)">
        {formatCount(fold.purged)}/{formatCount(fold.embargoed)}
      </td>
      <td className={`num loss-${verdict}`}>{formatLoss(fold.logLoss)}</td>
      <td className="num">{formatLoss(fold.priorLogLoss)}</td>
      <td className="num">{formatShare(fold.accuracy)}</td>
      <td className="num">{formatLoss(fold.brier)}</td>
      <td className="num">{formatShare(fold.ece)}</td>
      <td className="num" title={down.title}>
        {down.text}
      </td>
      <td className="num" title={up.title}>
        {up.text}
      </td>
      <td className="num">{formatShare(fold.precisionAt50)}</td>
      <td className="num">{formatCount(long.count)}</td>
      <td className="num">{formatShare(long.hitRate)}</td>
      <td className="num">{formatReturnBp(long.avgReturn)}</td>
      <td className="num">{formatRatio(long.profitFactor)}</td>
      <td className="num" title={`top-decile short: ${formatCount(short.count)} signals, avg ${formatReturnBp(short.avgReturn)}`}>
        {formatShare(short.hitRate)}
      </td>
      <td className="num">{formatRatio(short.profitFactor)}</td>
      <td>{fold.calibration || '—'}</td>
      <td className="num">{formatCount(fold.trees)}</td>
    </tr>
  );
});

function SummaryLine({ report }: { report: WalkForwardReport }) {
  const s = report.summary;
  const verdict = lossVerdict(s.logLoss, s.priorLogLoss);
  return (
    <p className="wf-summary" data-testid="wf-summary" data-verdict={verdict}>
      <strong>{report.label || 'label'}</strong>: {report.folds.length} fold{report.folds.length === 1 ? '' : 's'},{' '}
      {formatCount(report.rows)} out-of-sample rows · log loss <span className={`loss-${verdict}`}>{formatLoss(s.logLoss)}</span> vs prior{' '}
      {formatLoss(s.priorLogLoss)}
      {verdict === 'better' ? ' (beats the prior)' : verdict === 'worse' ? ' (no better than the prior)' : ''} · accuracy{' '}
      {formatShare(s.accuracy)} · top-decile long: hit {formatShare(s.hitRateLong)}, avg {formatReturnBp(s.avgReturnLong)}, PF{' '}
      {formatRatio(s.profitFactorLong)}
      {report.unreadableFolds > 0 && ` · ${report.unreadableFolds} fold(s) could not be read`}
    </p>
  );
}

function ReportView({ report }: { report: WalkForwardReport }) {
  const [selected, setSelected] = useState<number | null>(null);
  const shown = report.folds.find((f) => f.index === selected) ?? report.folds[report.folds.length - 1] ?? null;
  return (
    <div className="wf-report" data-testid="wf-report" data-folds={report.folds.length}>
      <SummaryLine report={report} />
      {report.folds.length === 0 ? (
        <div className="panel-empty">No fold had enough rows: widen the dates or lower the train periods.</div>
      ) : (
        <div className="wf-report-body">
          <div className="table-scroll">
            <table className="data-table wf-table">
              <thead>
                <tr>
                  <th className="num">Fold</th>
                  <th>Test</th>
                  <th className="num">Train</th>
                  <th className="num">Rows</th>
                  <th className="num" title="purged / embargoed rows">Purg/Emb</th>
                  <th className="num" title="out-of-sample log loss">Log loss</th>
                  <th className="num" title="log loss of always predicting the training base rate">Prior</th>
                  <th className="num">Acc</th>
                  <th className="num">Brier</th>
                  <th className="num" title="expected calibration error">ECE</th>
                  <th className="num" title="class 0 (down): precision / recall">Down P/R</th>
                  <th className="num" title="class 1 (up): precision / recall">Up P/R</th>
                  <th className="num" title="share of the 50 highest P(up) that went up">P@50</th>
                  <th className="num" title="top-decile long signals">Long n</th>
                  <th className="num" title="top-decile long hit rate after costs">Long hit</th>
                  <th className="num" title="top-decile long mean return after costs">Long avg</th>
                  <th className="num" title="top-decile long profit factor (— also when no trade lost)">Long PF</th>
                  <th className="num" title="top-decile short hit rate after costs">Short hit</th>
                  <th className="num" title="top-decile short profit factor">Short PF</th>
                  <th>Calib.</th>
                  <th className="num">Trees</th>
                </tr>
              </thead>
              <tbody>
                {report.folds.map((f) => (
                  <FoldRow key={f.index} fold={f} selected={f === shown} onSelect={setSelected} />
                ))}
              </tbody>
            </table>
          </div>
          {shown && (
            <>
              <p className="wf-reliability-title">
                Reliability of fold {shown.index} ({shown.testPeriods.join(', ')}): click a fold to see its own.
              </p>
              <ReliabilityChart fold={shown} />
            </>
          )}
        </div>
      )}
    </div>
  );
}

function FollowedRun({ jobId }: { jobId: string }) {
  const selectJob = useMemo(() => jobsSelectors.jobOf(jobId), [jobId]);
  const job = useJobs(selectJob);
  const report = useMemo(() => (job?.state === 'done' ? readWalkForwardReport(job.result) : null), [job]);
  return (
    <div className="wf-run" data-testid="wf-job" data-job-id={jobId} data-state={job?.state ?? 'waiting'}>
      <JobLine jobId={jobId} job={job} />
      {job?.state === 'done' &&
        (report ? (
          // Keyed by job: a new report starts on its own last fold.
          <ReportView key={jobId} report={report} />
        ) : (
          <p className="dialog-error" data-testid="wf-unreadable">
            The engine's report could not be read.
          </p>
        ))}
    </div>
  );
}

export function WalkForwardSection() {
  const jobId = useModels(modelsSelectors.walkForwardJobId);
  const running = useJobs((s) => jobId !== null && s.jobs[jobId]?.state === 'running');
  const queued = useJobs((s) => jobId !== null && s.jobs[jobId]?.state === 'queued');
  return (
    <section className="models-section" data-testid="models-walk-forward">
      <h3 className="panel-heading">Walk-forward (out of sample, stored history)</h3>
      <WalkForwardForm running={running} queued={queued} />
      {jobId !== null && <FollowedRun jobId={jobId} />}
    </section>
  );
}
