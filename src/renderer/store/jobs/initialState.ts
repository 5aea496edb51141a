// The jobs slice's shape: long jobs the engine runs off its thread (imports, training, backtests),
// each with its latest `job.progress`. Finished jobs stay until the trader dismisses them, so a
// report is not lost because its dialog was closed.
import type { EventPayload } from '../../../shared/contract';

export type JobProgress = EventPayload<'job.progress'>;
export type JobKind = JobProgress['kind'];
export type JobState = JobProgress['state'];

export interface JobsState {
  /** Latest progress per job id. */
  jobs: Readonly<Record<string, JobProgress>>;
  /** Job ids, newest first (the order their first event arrived). */
  jobIds: readonly string[];
}

export const initialJobsState: JobsState = {
  jobs: {},
  jobIds: [],
};
