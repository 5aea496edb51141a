// The model channels: training, the registry's models and the inference state, promotion and
// rollback (each loads the model before the registry changes), and the walk-forward report as a job.
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract';
import { RefusalError } from '../../ipc/dispatcher';
import type { JobQueue, RunningJob } from '../../jobs/job-queue';
import type { InferenceService } from '../../ml/inference/inference-service';
import { INTRADAY_PURPOSE, type LearningService } from '../../ml/learning-service';
import { RegistryError, type ModelRegistry, type ModelRecord } from '../../ml/registry/registry';
import type { DomainHandlers } from './combine';
import { refusedBy } from './refusal';

type ModelChannel = 'models.train' | 'models.list' | 'models.promote' | 'models.rollback' | 'models.walkForward';

export interface ModelHandlerDeps {
  learning: Pick<LearningService, 'retrain' | 'recentEvents' | 'schedule' | 'adopt'>;
  registry: Pick<ModelRegistry, 'list' | 'get' | 'promote' | 'rollback'>;
  inference: Pick<InferenceService, 'status' | 'activate'>;
  jobs: Pick<JobQueue, 'enqueue'>;
  /** The history database the walk-forward worker opens (':memory:' has none to open). */
  dbPath: string;
  startWalkForward: (jobId: string, req: ParsedRequestOf<'models.walkForward'>, label: string) => RunningJob;
}

function summary(m: ModelRecord): ResponseOf<'models.list'>['models'][number] {
  return {
    id: m.id,
    purpose: m.purpose,
    kind: m.kind,
    status: m.status,
    createdAt: m.createdAt,
    promotedAt: m.promotedAt,
    parentId: m.parentId,
    metrics: m.metrics,
    topFeatures: Object.entries(m.importance)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, importance]) => ({ name, importance })),
    note: m.note,
  };
}

export function modelHandlers(deps: ModelHandlerDeps): DomainHandlers<ModelChannel> {
  const { learning, registry, inference } = deps;
  return {
    'models.train': ({ reason }) => {
      try {
        return learning.retrain(reason);
      } catch (error) {
        throw refusedBy(error);
      }
    },
    'models.list': () => {
      const status = inference.status();
      return {
        models: registry.list(INTRADAY_PURPOSE).slice(-50).map(summary),
        events: learning.recentEvents().slice(-50),
        inference: {
          provider: status.active?.provider ?? 'cpu',
          note: status.active?.providerNote ?? (status.lastRefusal ? `last model refused: ${status.lastRefusal.message}` : null),
          activeModel: status.active?.modelId ?? null,
        },
        learning: learning.schedule(),
      };
    },
    'models.promote': async ({ id }) => {
      const m = registry.get(id);
      if (!m) throw new RefusalError('BAD_REQUEST', `no model ${id}`);
      const activation = await inference.activate(m.dir);
      if (!activation.ok) throw new RefusalError('REFUSED', `model ${id} cannot be loaded: ${activation.error.message}`);
      try {
        const promoted = registry.promote(id, 'promoted by the trader').promoted;
        learning.adopt(promoted, 'promoted');
        return summary(promoted);
      } catch (error) {
        throw refusedBy(error);
      }
    },
    'models.rollback': async ({ reason }) => {
      try {
        const back = registry.rollback(INTRADAY_PURPOSE, reason);
        const activation = await inference.activate(back.dir);
        if (!activation.ok) throw new RegistryError(`rolled back to ${back.id} but it does not load: ${activation.error.message}`);
        learning.adopt(back, 'rolled-back');
        return summary(back);
      } catch (error) {
        throw refusedBy(error);
      }
    },
    'models.walkForward': (req) => {
      if (deps.dbPath === ':memory:') throw new RefusalError('REFUSED', 'a walk-forward report needs a history database on disk');
      const label = `walk-forward on ${req.symbols.join(', ')} ${req.from} → ${req.to}`;
      return { jobId: deps.jobs.enqueue('evaluate', label, (jobId) => deps.startWalkForward(jobId, req, label)).jobId };
    },
  };
}
