// Atomic selectors over the jobs slice.
import type { JobKind, JobProgress } from './initialState';
import { isActive, isFinished, type JobsStore } from './store';

export const jobsSelectors = {
  jobIds: (s: JobsStore) => s.jobIds,
  jobOf:
    (jobId: string | null) =>
    (s: JobsStore): JobProgress | undefined =>
      jobId === null ? undefined : s.jobs[jobId],
  runningCount: (s: JobsStore): number => s.jobIds.filter((id) => s.jobs[id]?.state === 'running').length,
  /** Jobs waiting in the engine's queue for a slot of their kind. */
  queuedCount: (s: JobsStore): number => s.jobIds.filter((id) => s.jobs[id]?.state === 'queued').length,
  finishedCount: (s: JobsStore): number =>
    s.jobIds.filter((id) => {
      const job = s.jobs[id];
      return job !== undefined && isFinished(job);
    }).length,
  /** The newest job of a kind that is still running or waiting in the engine's queue, or null. */
  runningJobIdOf:
    (kind: JobKind) =>
    (s: JobsStore): string | null =>
      s.jobIds.find((id) => {
        const job = s.jobs[id];
        return job !== undefined && job.kind === kind && isActive(job);
      }) ?? null,
};
