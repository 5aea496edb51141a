// The model registry: every model the cockpit trained or loaded, with its data range, parameters,
// walk-forward metrics, feature importance and parent, in SQLite beside the files under models/.
// One active model per purpose (the database enforces it); promote and roll back are transactions
// and events, so the trader can always see which model produced a signal and go back.
import type { Db } from '../../store/database';
import { removeModelFolders, sweepOrphanFolders } from './retention';

export type ModelStatus = 'candidate' | 'active' | 'retired' | 'refused';

export interface ModelRecord {
  id: string;
  purpose: string;
  kind: 'tree' | 'linear' | 'sequence';
  status: ModelStatus;
  dir: string;
  sha256: string;
  specVersion: string;
  dataFrom: string | null;
  dataTo: string | null;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  importance: Record<string, number>;
  parentId: string | null;
  createdAt: number;
  promotedAt: number | null;
  note: string;
}

export interface ModelEvent {
  modelId: string;
  event: 'registered' | 'promoted' | 'retired' | 'rolled-back' | 'refused';
  at: number;
  detail: string;
}

interface Row {
  id: string;
  purpose: string;
  kind: ModelRecord['kind'];
  status: ModelStatus;
  dir: string;
  sha256: string;
  spec_version: string;
  data_from: string | null;
  data_to: string | null;
  params_json: string;
  metrics_json: string;
  importance_json: string;
  parent_id: string | null;
  created_at: number;
  promoted_at: number | null;
  note: string;
}

const fromRow = (r: Row): ModelRecord => ({
  id: r.id,
  purpose: r.purpose,
  kind: r.kind,
  status: r.status,
  dir: r.dir,
  sha256: r.sha256,
  specVersion: r.spec_version,
  dataFrom: r.data_from,
  dataTo: r.data_to,
  params: JSON.parse(r.params_json) as Record<string, unknown>,
  metrics: JSON.parse(r.metrics_json) as Record<string, unknown>,
  importance: JSON.parse(r.importance_json) as Record<string, number>,
  parentId: r.parent_id,
  createdAt: r.created_at,
  promotedAt: r.promoted_at,
  note: r.note,
});

/** How many models of each purpose are kept besides the active one and its rollback target. */
export const DEFAULT_KEEP_RECENT = 20;

/**
 * What `prune` keeps, per purpose: the active model, the one it replaced (the rollback target), the
 * newest `keepRecent` other models (candidates, retired and refused alike, by registration time), and
 * any model `isReferenced` says something still needs. Everything else loses its row, its events and
 * (when it lies under `modelsDir`) its folder.
 */
export interface RetentionPolicy {
  /** Default DEFAULT_KEEP_RECENT (20); 0 keeps only the active model, its rollback target and referenced ones. */
  keepRecent?: number;
  /**
   * A model still needed elsewhere (an ensemble member being scored, a backtest run that names it) is
   * never pruned. Default: nothing is referenced; there is no backtest-run table yet, so a caller that
   * records runs passes its own predicate here.
   */
  isReferenced?: (modelId: string) => boolean;
  /** The folder the registry's model folders live in: only folders inside it are ever deleted. Unset: rows only. */
  modelsDir?: string;
  /**
   * Also delete folders under `modelsDir` that the registry wrote but no row names (left by a crash
   * between a row's deletion and its folder's, or by a training that died before registering). Only
   * safe when no training is writing a folder: at start.
   */
  sweepOrphans?: boolean;
}

export interface PruneResult {
  /** Ids whose rows (and events) were deleted. */
  deleted: string[];
  /** Folders removed: the deleted models' and swept orphans. */
  removedFolders: string[];
  /** Folders that could not be removed (they are swept as orphans at a later start). */
  failedFolders: Array<{ dir: string; error: string }>;
}

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export class ModelRegistry {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  private event(modelId: string, event: ModelEvent['event'], detail: string): void {
    this.db.prepare('INSERT INTO model_events (model_id, event, at, detail) VALUES (?, ?, ?, ?)').run(modelId, event, this.now(), detail);
  }

  /** Adds a model as a candidate. */
  register(m: Omit<ModelRecord, 'status' | 'createdAt' | 'promotedAt'> & { status?: 'candidate' | 'refused' }): ModelRecord {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO models (id, purpose, kind, status, dir, sha256, spec_version, data_from, data_to, params_json, metrics_json, importance_json, parent_id, created_at, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          m.id, m.purpose, m.kind, m.status ?? 'candidate', m.dir, m.sha256, m.specVersion, m.dataFrom, m.dataTo,
          JSON.stringify(m.params), JSON.stringify(m.metrics), JSON.stringify(m.importance), m.parentId, this.now(), m.note,
        );
      this.event(m.id, m.status === 'refused' ? 'refused' : 'registered', m.note);
    })();
    return this.get(m.id)!;
  }

  get(id: string): ModelRecord | null {
    const r = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  active(purpose: string): ModelRecord | null {
    const r = this.db.prepare("SELECT * FROM models WHERE purpose = ? AND status = 'active'").get(purpose) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  list(purpose?: string): ModelRecord[] {
    const rows = (purpose
      ? this.db.prepare('SELECT * FROM models WHERE purpose = ? ORDER BY created_at, id').all(purpose)
      : this.db.prepare('SELECT * FROM models ORDER BY created_at, id').all()) as Row[];
    return rows.map(fromRow);
  }

  events(modelId?: string): ModelEvent[] {
    const rows = (modelId
      ? this.db.prepare('SELECT model_id, event, at, detail FROM model_events WHERE model_id = ? ORDER BY id').all(modelId)
      : this.db.prepare('SELECT model_id, event, at, detail FROM model_events ORDER BY id').all()) as Array<{ model_id: string; event: ModelEvent['event']; at: number; detail: string }>;
    return rows.map((r) => ({ modelId: r.model_id, event: r.event, at: r.at, detail: r.detail }));
  }

  /** Makes a candidate (or retired) model the active one for its purpose; the previous active is retired. */
  promote(id: string, reason: string): { promoted: ModelRecord; retired: ModelRecord | null } {
    let retiredId: string | null = null;
    this.db.transaction(() => {
      const m = this.get(id);
      if (!m) throw new RegistryError(`no model ${id}`);
      if (m.status === 'refused') throw new RegistryError(`model ${id} was refused (${m.note}); it cannot be promoted`);
      if (m.status === 'active') return;
      const current = this.active(m.purpose);
      if (current) {
        this.db.prepare("UPDATE models SET status = 'retired' WHERE id = ?").run(current.id);
        this.event(current.id, 'retired', `replaced by ${id}`);
        retiredId = current.id;
      }
      this.db.prepare("UPDATE models SET status = 'active', promoted_at = ? WHERE id = ?").run(this.now(), id);
      this.event(id, 'promoted', reason);
    })();
    return { promoted: this.get(id)!, retired: retiredId ? this.get(retiredId) : null };
  }

  /** The model the active one of `purpose` replaced: what `rollback` would go back to; null when none. */
  rollbackTarget(purpose: string): ModelRecord | null {
    const current = this.active(purpose);
    if (!current) return null;
    const replaced = this.db
      .prepare("SELECT model_id FROM model_events WHERE event = 'retired' AND detail = ? ORDER BY id DESC LIMIT 1")
      .get(`replaced by ${current.id}`) as { model_id: string } | undefined;
    return replaced ? this.get(replaced.model_id) : null;
  }

  /**
   * Applies the retention policy (see RetentionPolicy). Rows go first, in one transaction, and only then
   * their folders: a crash in between leaves folders no row points at (swept later), never a row that
   * points at a deleted folder. Children of a pruned model lose their parent link (the database's
   * foreign key allows no dangling parent).
   */
  prune(policy: RetentionPolicy = {}): PruneResult {
    const keepRecent = Math.max(0, Math.floor(policy.keepRecent ?? DEFAULT_KEEP_RECENT));
    const referenced = policy.isReferenced ?? ((): boolean => false);
    const victims: ModelRecord[] = [];
    this.db.transaction(() => {
      const all = this.list();
      const purposes = [...new Set(all.map((m) => m.purpose))];
      const keep = new Set<string>();
      for (const purpose of purposes) {
        const active = this.active(purpose);
        const previous = this.rollbackTarget(purpose);
        if (active) keep.add(active.id);
        if (previous) keep.add(previous.id);
        const others = all
          .filter((m) => m.purpose === purpose && !keep.has(m.id))
          .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        for (const m of others.slice(0, keepRecent)) keep.add(m.id);
      }
      for (const m of all) if (!keep.has(m.id) && !referenced(m.id)) victims.push(m);
      if (victims.length === 0) return;
      const unlink = this.db.prepare('UPDATE models SET parent_id = NULL WHERE parent_id = ?');
      const dropEvents = this.db.prepare('DELETE FROM model_events WHERE model_id = ?');
      const dropRow = this.db.prepare('DELETE FROM models WHERE id = ?');
      for (const m of victims) unlink.run(m.id);
      for (const m of victims) {
        dropEvents.run(m.id);
        dropRow.run(m.id);
      }
    })();
    const result: PruneResult = { deleted: victims.map((m) => m.id), removedFolders: [], failedFolders: [] };
    if (policy.modelsDir === undefined) return result;
    const removed = removeModelFolders(policy.modelsDir, victims.map((m) => m.dir));
    result.removedFolders.push(...removed.removed);
    result.failedFolders.push(...removed.failed);
    if (policy.sweepOrphans) {
      const swept = sweepOrphanFolders(policy.modelsDir, new Set(this.list().map((m) => m.dir)), new Set(this.list().map((m) => m.id)));
      result.removedFolders.push(...swept.removed);
      result.failedFolders.push(...swept.failed);
    }
    return result;
  }

  /**
   * Goes back to the model that was active before the current one (the one it replaced), retiring
   * the current. Refuses when there is nothing to go back to.
   */
  rollback(purpose: string, reason: string): ModelRecord {
    const current = this.active(purpose);
    if (!current) throw new RegistryError(`no active ${purpose} model to roll back`);
    const replaced = this.db
      .prepare("SELECT model_id FROM model_events WHERE event = 'retired' AND detail = ? ORDER BY id DESC LIMIT 1")
      .get(`replaced by ${current.id}`) as { model_id: string } | undefined;
    if (!replaced) throw new RegistryError(`the active ${purpose} model ${current.id} replaced no earlier model`);
    this.db.transaction(() => {
      this.db.prepare("UPDATE models SET status = 'retired' WHERE id = ?").run(current.id);
      this.event(current.id, 'rolled-back', reason);
      this.db.prepare("UPDATE models SET status = 'active', promoted_at = ? WHERE id = ?").run(this.now(), replaced.model_id);
      this.event(replaced.model_id, 'promoted', `rollback from ${current.id}: ${reason}`);
    })();
    return this.get(replaced.model_id)!;
  }
}
