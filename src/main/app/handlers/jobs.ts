// The job channels: the queue's jobs with their limits, and canceling one.
import type { JobQueue } from '../../jobs/job-queue';
import { RefusalError } from '../../ipc/dispatcher';
import type { DomainHandlers } from './combine';

export interface JobHandlerDeps {
  jobs: Pick<JobQueue, 'cancel' | 'list' | 'limits'>;
}

export function jobHandlers(deps: JobHandlerDeps): DomainHandlers<'jobs.cancel' | 'jobs.list'> {
  const { jobs } = deps;
  return {
    'jobs.cancel': ({ jobId }) => {
      const outcome = jobs.cancel(jobId);
      if (outcome === 'unknown') throw new RefusalError('REFUSED', `no job ${jobId} is queued or running (it may have finished already)`);
      return { jobId, state: outcome };
    },
    'jobs.list': () => ({ jobs: jobs.list(), limits: jobs.limits }),
  };
}
