// The jobs store: folds `job.progress` events into one entry per job. A job waits in the engine's
// queue ('queued', with its place in line), runs, then ends done, failed or canceled. An ended job is
// final: a late progress report from its worker must not turn it back into a running one, and a
// running job does not go back to waiting.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialJobsState, type JobProgress, type JobsState } from './initialState';

export interface JobsActions {
  jobProgressed(progress: JobProgress): void;
  /**
   * Forgets a job. Usually a finished one; a running one may be dismissed too (its events can be lost
   * while the connection is down, leaving it "running" for ever), and its next event brings it back.
   */
  jobDismissed(jobId: string): void;
  finishedJobsDismissed(): void;
}

export type JobsStore = JobsState & JobsActions;
export type JobsStoreApi = StoreApi<JobsStore>;

/** Done, failed or canceled: nothing more will happen to the job. */
export const isFinished = (job: JobProgress): boolean => job.state === 'done' || job.state === 'failed' || job.state === 'canceled';
/** Waiting in the engine's queue or running: the job can still be canceled. */
export const isActive = (job: JobProgress): boolean => job.state === 'queued' || job.state === 'running';
/** "queued (#2)": the job's place among the waiting jobs of its kind. */
export const queuedLabel = (job: JobProgress): string => (job.position !== undefined ? `queued (#${job.position})` : 'queued');

export function createJobsStore(initial: Partial<JobsState> = {}): JobsStoreApi {
  return createStore<JobsStore>()((set) => ({
    ...initialJobsState,
    ...initial,
    jobProgressed: (progress) =>
      set((s) => {
        const current = s.jobs[progress.jobId];
        if (current && isFinished(current)) return s;
        if (current?.state === 'running' && progress.state === 'queued') return s;
        return {
          jobs: { ...s.jobs, [progress.jobId]: progress },
          jobIds: current ? s.jobIds : [progress.jobId, ...s.jobIds],
        };
      }),
    jobDismissed: (jobId) =>
      set((s) => {
        if (!(jobId in s.jobs)) return s;
        const jobs = { ...s.jobs };
        delete jobs[jobId];
        return { jobs, jobIds: s.jobIds.filter((id) => id !== jobId) };
      }),
    finishedJobsDismissed: () =>
      set((s) => {
        const jobIds = s.jobIds.filter((id) => {
          const job = s.jobs[id];
          return job !== undefined && !isFinished(job);
        });
        if (jobIds.length === s.jobIds.length) return s;
        return { jobIds, jobs: Object.fromEntries(jobIds.map((id) => [id, s.jobs[id]!])) };
      }),
  }));
}
