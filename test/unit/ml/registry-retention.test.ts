// Issue 12: the model registry never pruned (two simulated months left 558 candidate models and
// folders). A retention policy keeps the active model, its rollback target, the newest N others and
// anything referenced; rows go first, then folders, and orphan folders are swept at start.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/main/ml/registry/registry';
import { openDatabase } from '../../../src/main/store/database';

const PURPOSE = 'intraday-direction';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'registry-retention-'));
  const modelsDir = join(root, 'models');
  mkdirSync(modelsDir);
  const db = openDatabase(join(root, 'history.sqlite'));
  let t = 1_000;
  const registry = new ModelRegistry(db, () => t++);
  /** Writes a model folder as the trainers do (folder named by id, sidecar with that id) and registers it. */
  const add = (id: string, parentId: string | null, purpose = PURPOSE) => {
    const dir = join(modelsDir, id);
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.onnx'), 'onnx');
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelId: id }));
    return registry.register({
      id, purpose, kind: 'tree', dir, sha256: 'ab'.repeat(32), specVersion: '1', dataFrom: null, dataTo: null,
      params: {}, metrics: {}, importance: {}, parentId, note: '',
    });
  };
  return { root, modelsDir, db, registry, add };
}

describe('model registry retention (issue 12)', () => {
  it('the registry never prunes: after 30 registrations only the kept set remains, the active and previous always survive, and rollback still works', () => {
    const { modelsDir, registry, add } = setup();
    const keepRecent = 5;
    let active: string | null = null;
    let previous: string | null = null;
    for (let i = 1; i <= 30; i++) {
      const id = `intraday-${String(i).padStart(2, '0')}`;
      add(id, active);
      if (i % 7 === 1) {
        // Every seventh model is promoted; the one it replaces becomes the rollback target.
        registry.promote(id, 'better');
        previous = active;
        active = id;
      }
      registry.prune({ keepRecent, modelsDir });
      // The active model and its rollback target survive every prune, rows and folders.
      for (const keep of [active, previous]) {
        if (keep === null) continue;
        expect(registry.get(keep), `${keep} after registration ${i}`).not.toBeNull();
        expect(existsSync(join(modelsDir, keep))).toBe(true);
      }
      expect(registry.list().length).toBeLessThanOrEqual(keepRecent + 2);
    }
    // Promoted: 01, 08, 15, 22, 29 → active 29, previous 22; the newest 5 others: 30, 28, 27, 26, 25.
    const expected = ['intraday-22', 'intraday-25', 'intraday-26', 'intraday-27', 'intraday-28', 'intraday-29', 'intraday-30'];
    expect(registry.list().map((m) => m.id).sort()).toEqual(expected);
    expect(readdirSync(modelsDir).sort()).toEqual(expected); // no folder without a row, no row without a folder
    expect(registry.active(PURPOSE)?.id).toBe('intraday-29');
    // Every kept row's parent still exists (links to pruned models were cleared), and every row's folder is there.
    for (const m of registry.list()) {
      if (m.parentId !== null) expect(registry.get(m.parentId)).not.toBeNull();
      expect(existsSync(m.dir)).toBe(true);
    }
    expect(registry.rollbackTarget(PURPOSE)?.id).toBe('intraday-22');
    expect(registry.rollback(PURPOSE, 'misbehaves').id).toBe('intraday-22');
    expect(registry.active(PURPOSE)?.id).toBe('intraday-22');
    // After the rollback the next prune keeps the new active; the model rolled back from is one of the newest.
    registry.prune({ keepRecent, modelsDir });
    expect(registry.get('intraday-22')?.status).toBe('active');
    expect(existsSync(join(modelsDir, 'intraday-22'))).toBe(true);
  });

  it('referenced models (isReferenced: a backtest run, an ensemble member) and other purposes are kept by their own policy', () => {
    const { modelsDir, registry, add } = setup();
    for (let i = 1; i <= 10; i++) add(`intraday-${i}`, null);
    for (let i = 1; i <= 3; i++) add(`daily-${i}`, null, 'daily-context');
    const result = registry.prune({ keepRecent: 2, modelsDir, isReferenced: (id) => id === 'intraday-1' });
    expect(registry.list().map((m) => m.id).sort()).toEqual(['daily-2', 'daily-3', 'intraday-1', 'intraday-10', 'intraday-9']);
    expect(result.deleted.sort()).toEqual(['daily-1', ...['2', '3', '4', '5', '6', '7', '8'].map((n) => `intraday-${n}`)].sort());
    expect(existsSync(join(modelsDir, 'intraday-1'))).toBe(true);
    expect(existsSync(join(modelsDir, 'intraday-5'))).toBe(false);
    // The default: keep 20, nothing referenced.
    expect(registry.prune().deleted).toEqual([]);
  });

  it('a crash between a row deletion and its folder removal leaves only an orphan folder, swept at start; folders the registry did not write stay', () => {
    const { root, modelsDir, registry, add } = setup();
    add('intraday-a', null);
    add('intraday-b', null);
    // The crash: the row is gone (committed), the folder is not.
    registry.prune({ keepRecent: 1 });
    expect(registry.get('intraday-a')).toBeNull();
    expect(existsSync(join(modelsDir, 'intraday-a'))).toBe(true);
    // A `cockpit train --out` folder inside models/ and a half-written trainer folder.
    const cli = join(modelsDir, 'my-experiment');
    mkdirSync(cli);
    writeFileSync(join(cli, 'model.onnx'), 'x');
    writeFileSync(join(cli, 'model.json'), JSON.stringify({ modelId: 'gbdt-my-experiment-abc' }));
    const half = join(modelsDir, 'intraday-c');
    mkdirSync(half);
    writeFileSync(join(half, 'model.onnx.tmp'), 'x');
    const notes = join(modelsDir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'readme.txt'), 'mine');
    const r = registry.prune({ keepRecent: 1, modelsDir, sweepOrphans: true });
    expect(r.removedFolders.sort()).toEqual([join(modelsDir, 'intraday-a'), half].sort());
    expect(readdirSync(modelsDir).sort()).toEqual(['intraday-b', 'my-experiment', 'notes']);
    // A model registered from a folder outside models/ loses its row but never its files.
    const outside = join(root, 'elsewhere', 'intraday-x');
    mkdirSync(outside, { recursive: true });
    registry.register({ id: 'intraday-x', purpose: PURPOSE, kind: 'tree', dir: outside, sha256: 'ab'.repeat(32), specVersion: '1', dataFrom: null, dataTo: null, params: {}, metrics: {}, importance: {}, parentId: null, note: '' });
    add('intraday-d', null);
    registry.prune({ keepRecent: 1, modelsDir });
    expect(registry.get('intraday-x')).toBeNull();
    expect(existsSync(outside)).toBe(true);
  });
});
