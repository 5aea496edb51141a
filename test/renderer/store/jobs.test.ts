// The jobs store: one entry per long job, its latest progress, finished ones kept until dismissed.
import { describe, expect, it } from 'vitest';
import { jobsSelectors } from '../../../src/renderer/store/jobs/selectors';
import { createJobsStore, isActive, isFinished, queuedLabel } from '../../../src/renderer/store/jobs/store';
import { importReport, jobProgress } from '../fakes';

describe('jobs store', () => {
  it('no limit on jobs: a job waiting in the engine queue is kept as queued with its position, then runs, and never goes back to waiting', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-2', state: 'queued', fraction: 0, phase: 'queued', position: 2 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-2', state: 'queued', fraction: 0, phase: 'queued', position: 1 }));
    const queued = jobs.getState().jobs['import-2']!;
    expect(queued).toMatchObject({ state: 'queued', position: 1 });
    expect(queuedLabel(queued)).toBe('queued (#1)');
    expect(isActive(queued)).toBe(true);
    expect(isFinished(queued)).toBe(false);
    expect(jobsSelectors.queuedCount(jobs.getState())).toBe(1);
    expect(jobsSelectors.runningCount(jobs.getState())).toBe(0);
    expect(jobsSelectors.runningJobIdOf('import')(jobs.getState())).toBe('import-2');
    // A queued job is not finished: its first running report is taken.
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-2', state: 'running', fraction: 0.1, phase: 'parsing' }));
    expect(jobs.getState().jobs['import-2']).toMatchObject({ state: 'running', fraction: 0.1 });
    // A stale 'queued' after it started does not put it back in line.
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-2', state: 'queued', fraction: 0, phase: 'queued', position: 1 }));
    expect(jobs.getState().jobs['import-2']?.state).toBe('running');
    expect(jobsSelectors.queuedCount(jobs.getState())).toBe(0);
  });

  it('no limit on jobs: a canceled job is finished: no later report revives it, and it is dismissed with the finished ones', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'evaluate-3', kind: 'evaluate', state: 'queued', fraction: 0, phase: 'queued', position: 1 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'evaluate-3', kind: 'evaluate', state: 'canceled', fraction: 0, phase: 'canceled' }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'evaluate-3', kind: 'evaluate', state: 'running', fraction: 0.2 }));
    expect(jobs.getState().jobs['evaluate-3']?.state).toBe('canceled');
    expect(jobsSelectors.finishedCount(jobs.getState())).toBe(1);
    expect(jobsSelectors.runningJobIdOf('evaluate')(jobs.getState())).toBeNull();
    jobs.getState().finishedJobsDismissed();
    expect(jobsSelectors.jobIds(jobs.getState())).toEqual([]);
  });

  it('when an import reports progress then its latest fraction and phase are kept under its id', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ fraction: 0, phase: 'starting' }));
    jobs.getState().jobProgressed(jobProgress({ fraction: 0.4, phase: 'parsing' }));
    const job = jobsSelectors.jobOf('import-1')(jobs.getState());
    expect(job).toMatchObject({ state: 'running', fraction: 0.4, phase: 'parsing' });
    expect(jobsSelectors.jobIds(jobs.getState())).toEqual(['import-1']);
    expect(jobsSelectors.runningCount(jobs.getState())).toBe(1);
  });

  it('when two jobs run then the newest is listed first and each keeps its own progress', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-1', fraction: 0.9 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-2', fraction: 0.1 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-1', fraction: 0.95 }));
    expect(jobsSelectors.jobIds(jobs.getState())).toEqual(['import-2', 'import-1']);
    expect(jobs.getState().jobs['import-1']?.fraction).toBe(0.95);
    expect(jobs.getState().jobs['import-2']?.fraction).toBe(0.1);
    expect(jobsSelectors.runningJobIdOf('import')(jobs.getState())).toBe('import-2');
  });

  it('when a late running report follows done then the job stays done with its report', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ state: 'done', fraction: 1, phase: 'done', result: importReport() }));
    jobs.getState().jobProgressed(jobProgress({ state: 'running', fraction: 0.7, phase: 'storing' }));
    jobs.getState().jobProgressed(jobProgress({ state: 'failed', fraction: 1, phase: 'failed', message: 'late' }));
    const job = jobs.getState().jobs['import-1'];
    expect(job?.state).toBe('done');
    expect(job?.result).toMatchObject({ inserted: 14_180 });
    expect(jobsSelectors.runningCount(jobs.getState())).toBe(0);
    expect(jobsSelectors.finishedCount(jobs.getState())).toBe(1);
  });

  it('when a finished job is dismissed then only it goes away', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-1', state: 'failed', fraction: 1, message: 'cannot parse' }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'import-2', state: 'running', fraction: 0.2 }));
    jobs.getState().jobDismissed('import-1');
    expect(jobsSelectors.jobIds(jobs.getState())).toEqual(['import-2']);
    expect(jobs.getState().jobs['import-1']).toBeUndefined();
  });

  it('when a running job whose events were lost is dismissed then it goes, and a later event brings it back', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ fraction: 0.2 }));
    jobs.getState().jobDismissed('import-1');
    expect(jobsSelectors.runningCount(jobs.getState())).toBe(0);
    jobs.getState().jobProgressed(jobProgress({ state: 'done', fraction: 1 }));
    expect(jobsSelectors.jobIds(jobs.getState())).toEqual(['import-1']);
    let published = 0;
    jobs.subscribe(() => published++);
    jobs.getState().jobDismissed('unknown');
    expect(published).toBe(0);
  });

  it('when the finished jobs are dismissed together then only the running ones are left', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'a', state: 'done', fraction: 1 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'b', state: 'running', fraction: 0.5 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'c', state: 'failed', fraction: 1 }));
    jobs.getState().finishedJobsDismissed();
    expect(jobsSelectors.jobIds(jobs.getState())).toEqual(['b']);
    expect(Object.keys(jobs.getState().jobs)).toEqual(['b']);
    let published = 0;
    jobs.subscribe(() => published++);
    jobs.getState().finishedJobsDismissed();
    expect(published).toBe(0);
  });

  it('when one job progresses then the other jobs keep their references', () => {
    const jobs = createJobsStore();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'a', fraction: 0.1 }));
    jobs.getState().jobProgressed(jobProgress({ jobId: 'b', fraction: 0.1 }));
    const { jobs: before, jobIds } = jobs.getState();
    jobs.getState().jobProgressed(jobProgress({ jobId: 'a', fraction: 0.2 }));
    expect(jobs.getState().jobs.b).toBe(before.b);
    expect(jobs.getState().jobIds).toBe(jobIds);
  });

  it('when two stores are created then they share no jobs', () => {
    const a = createJobsStore();
    const b = createJobsStore();
    a.getState().jobProgressed(jobProgress());
    expect(b.getState().jobIds).toEqual([]);
  });
});
