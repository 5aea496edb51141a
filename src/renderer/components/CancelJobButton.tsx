// Cancels one of the engine's long jobs (`jobs.cancel`): a queued one is dropped at once, a running
// one is told to stop and its job.progress says when it has. A refusal (the job had already ended)
// is filed as a notice by the engine client.
import { useState } from 'react';
import { useCockpit } from '../store/context';

export function CancelJobButton({ jobId, testId }: { jobId: string; testId?: string }) {
  const { engine } = useCockpit();
  const [pending, setPending] = useState(false);
  const cancel = async (): Promise<void> => {
    setPending(true);
    await engine.call('jobs.cancel', { jobId });
    setPending(false);
  };
  return (
    <button type="button" className="job-cancel" data-testid={testId ?? `job-cancel-${jobId}`} disabled={pending} onClick={() => void cancel()}>
      {pending ? 'Canceling…' : 'Cancel'}
    </button>
  );
}
