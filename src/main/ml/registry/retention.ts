// Folder side of the model registry's retention policy (ModelRegistry.prune): removes the folders of
// pruned models and sweeps orphans, never touching anything outside the models folder or anything the
// registry did not write (a `cockpit train --out` folder placed there keeps its files).
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { MODEL_FILE, SIDECAR_FILE } from '../inference/sidecar';

export interface FolderRemoval {
  removed: string[];
  failed: Array<{ dir: string; error: string }>;
}

/** True when `dir` is a folder strictly inside `root` (never root itself, never outside it). */
export function isInside(root: string, dir: string): boolean {
  const rel = relative(resolve(root), resolve(dir));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function remove(dir: string, out: FolderRemoval): void {
  try {
    rmSync(dir, { recursive: true, force: true });
    out.removed.push(dir);
  } catch (error) {
    out.failed.push({ dir, error: error instanceof Error ? error.message : String(error) });
  }
}

/** Removes the given model folders that lie inside `modelsDir`; the others are left alone. */
export function removeModelFolders(modelsDir: string, dirs: readonly string[]): FolderRemoval {
  const out: FolderRemoval = { removed: [], failed: [] };
  for (const dir of dirs) if (isInside(modelsDir, dir) && existsSync(dir)) remove(dir, out);
  return out;
}

const REGISTRY_FILES = new Set([MODEL_FILE, SIDECAR_FILE, `${MODEL_FILE}.tmp`, `${SIDECAR_FILE}.tmp`]);

/**
 * A folder the registry's trainers wrote: only model.onnx / model.json (and their .tmp while written),
 * and a sidecar, when present, whose modelId is the folder's name (the trainers name folders by id).
 */
function writtenByRegistry(dir: string, name: string): boolean {
  const entries = readdirSync(dir);
  if (!entries.every((e) => REGISTRY_FILES.has(e))) return false;
  if (!entries.includes(SIDECAR_FILE)) return true;
  try {
    const sidecar = JSON.parse(readFileSync(join(dir, SIDECAR_FILE), 'utf8')) as { modelId?: unknown };
    return sidecar.modelId === name;
  } catch {
    return false;
  }
}

/** Removes folders under `modelsDir` that the registry wrote and no row names (by folder or id). */
export function sweepOrphanFolders(modelsDir: string, registeredDirs: ReadonlySet<string>, registeredIds: ReadonlySet<string>): FolderRemoval {
  const out: FolderRemoval = { removed: [], failed: [] };
  if (!existsSync(modelsDir)) return out;
  const known = new Set([...registeredDirs].map((d) => resolve(d)));
  for (const name of readdirSync(modelsDir)) {
    const dir = join(modelsDir, name);
    try {
      if (!statSync(dir).isDirectory() || known.has(resolve(dir)) || registeredIds.has(name)) continue;
      if (writtenByRegistry(dir, name)) remove(dir, out);
    } catch (error) {
      out.failed.push({ dir, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
