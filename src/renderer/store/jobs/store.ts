// The jobs store: folds `job.progress` events into one entry per job. A finished job (done or
// failed) is final: a late progress report from its worker must not turn it back into a running one.
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

export const isFinished = (job: JobProgress): boolean => job.state !== 'running';

export function createJobsStore(initial: Partial<JobsState> = {}): JobsStoreApi {
  return createStore<JobsStore>()((set) => ({
    ...initialJobsState,
    ...initial,
    jobProgressed: (progress) =>
      set((s) => {
        const current = s.jobs[progress.jobId];
        if (current && isFinished(current)) return s;
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
