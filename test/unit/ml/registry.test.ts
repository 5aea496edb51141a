import { describe, expect, it } from 'vitest';
import { ModelRegistry, RegistryError } from '../../../src/main/ml/registry/registry';
import { openDatabase } from '../../../src/main/store/database';

function registry() {
  let t = 1_000;
  return new ModelRegistry(openDatabase(':memory:'), () => t++);
}

const base = (id: string, parentId: string | null = null) => ({
  id,
  purpose: 'intraday-direction',
  kind: 'tree' as const,
  dir: `/models/${id}`,
  sha256: 'ab'.repeat(32),
  specVersion: '1.0.0',
  dataFrom: '2011-01-03',
  dataTo: '2011-01-31',
  params: { max_depth: 6 },
  metrics: { logloss: 0.69 },
  importance: { rsi_14: 0.3 },
  parentId,
  note: '',
});

describe('model registry', () => {
  it('registers candidates, promotes one active per purpose, keeps the history as events', () => {
    const r = registry();
    r.register(base('m1'));
    r.register(base('m2', 'm1'));
    expect(r.active('intraday-direction')).toBeNull();
    r.promote('m1', 'first model');
    expect(r.active('intraday-direction')?.id).toBe('m1');
    const { retired } = r.promote('m2', 'beat m1 by 0.01 log loss');
    expect(retired?.id).toBe('m1');
    expect(r.active('intraday-direction')?.id).toBe('m2');
    expect(r.get('m2')?.parentId).toBe('m1');
    expect(r.list().map((m) => [m.id, m.status])).toEqual([['m1', 'retired'], ['m2', 'active']]);
    expect(r.events().map((e) => `${e.modelId}:${e.event}`)).toEqual(['m1:registered', 'm2:registered', 'm1:promoted', 'm1:retired', 'm2:promoted']);
  });

  it('rolls back to the model the active one replaced, and refuses when there is none', () => {
    const r = registry();
    r.register(base('m1'));
    r.register(base('m2'));
    r.promote('m1', 'x');
    expect(() => r.rollback('intraday-direction', 'bad')).toThrow(RegistryError);
    r.promote('m2', 'y');
    expect(r.rollback('intraday-direction', 'm2 misbehaves live').id).toBe('m1');
    expect(r.active('intraday-direction')?.id).toBe('m1');
    expect(r.get('m2')?.status).toBe('retired');
  });

  it('a refused model cannot be promoted; the database allows only one active per purpose', () => {
    const r = registry();
    r.register({ ...base('bad'), status: 'refused', note: 'feature spec 0.9 ≠ 1.0.0' });
    expect(() => r.promote('bad', 'try')).toThrow(/refused/);
    r.register(base('m1'));
    r.promote('m1', 'x');
    const db = (r as unknown as { db: import('better-sqlite3').Database }).db;
    expect(() => db.prepare("UPDATE models SET status = 'active' WHERE id = 'bad'").run()).toThrow(/UNIQUE/);
  });
});
