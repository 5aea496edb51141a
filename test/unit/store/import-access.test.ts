// Which files an import may read (security review, issue 12): regular files only, never /proc, /dev
// or /sys, inside the import folder unless the trader's own shell names them, checked on real paths
// so a link cannot lead out, and checked again on the open file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImportFile, ImportAccessError, listImportFiles, openImportSource, type ImportPolicy } from '../../../src/main/data/import/access';

function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'access-'));
  const imports = join(dir, 'imports');
  mkdirSync(imports);
  const policy: ImportPolicy = { roots: [imports] };
  return { dir, imports, policy };
}

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportAccessError) return error.reason;
    throw error;
  }
  return 'allowed';
};

describe('import access', () => {
  it('when a file is inside the import folder then it may be imported, and a link out of the folder may not', () => {
    const { dir, imports, policy } = folder();
    writeFileSync(join(imports, 'spy.csv'), 'x');
    writeFileSync(join(dir, 'outside.csv'), 'x');
    symlinkSync(join(dir, 'outside.csv'), join(imports, 'link-out.csv'));
    symlinkSync('/etc/passwd', join(imports, 'passwd.csv'));
    expect(checkImportFile(join(imports, 'spy.csv'), policy)).toMatchObject({ name: 'spy.csv', size: 1 });
    expect(reasonOf(() => checkImportFile(join(dir, 'outside.csv'), policy))).toBe('outside');
    expect(reasonOf(() => checkImportFile(join(imports, '..', 'outside.csv'), policy))).toBe('outside');
    expect(reasonOf(() => checkImportFile(join(imports, 'link-out.csv'), policy))).toBe('outside');
    expect(reasonOf(() => checkImportFile(join(imports, 'passwd.csv'), policy))).toBe('outside');
    expect(reasonOf(() => checkImportFile('/etc/passwd', policy))).toBe('outside');
  });

  it('when a path is under /proc, /dev or /sys then even the trader\'s own shell may not import it, links included', () => {
    const { dir } = folder();
    symlinkSync('/proc/self/environ', join(dir, 'env.csv'));
    for (const path of ['/proc/self/environ', '/dev/zero', '/dev/null', '/sys/kernel/mm', join(dir, 'env.csv')]) {
      expect(reasonOf(() => checkImportFile(path, { roots: 'anywhere' })), path).toBe('forbidden');
    }
  });

  it('when the path is a FIFO or a folder then it is not a regular file and is never opened', () => {
    const { imports, policy } = folder();
    execFileSync('mkfifo', [join(imports, 'pipe.csv')]);
    mkdirSync(join(imports, 'sub.csv'));
    expect(reasonOf(() => checkImportFile(join(imports, 'pipe.csv'), policy))).toBe('not_regular');
    expect(reasonOf(() => checkImportFile(join(imports, 'sub.csv'), { roots: 'anywhere' }))).toBe('not_regular');
    expect(reasonOf(() => checkImportFile(join(imports, 'missing.csv'), policy))).toBe('missing');
  });

  it('when a file is larger than the cap then it is refused with its size', () => {
    const { imports } = folder();
    writeFileSync(join(imports, 'big.csv'), Buffer.alloc(4096));
    expect(() => checkImportFile(join(imports, 'big.csv'), { roots: [imports], maxBytes: 1024 })).toThrow(/big\.csv is .* MiB; the import limit is/);
  });

  it('when the file is swapped between the check and the open then the open refuses it', () => {
    const { imports, policy } = folder();
    const path = join(imports, 'spy.csv');
    writeFileSync(path, 'checked');
    const source = checkImportFile(path, policy);
    writeFileSync(join(imports, 'other.csv'), 'swapped in');
    renameSync(join(imports, 'other.csv'), path);
    expect(reasonOf(() => openImportSource(source))).toBe('changed');
  });

  it('when a file picked in the desktop dialog is allowed then that file, and only it, may be imported from outside the folder', () => {
    const { dir, imports } = folder();
    writeFileSync(join(dir, 'picked.csv'), 'x');
    writeFileSync(join(dir, 'neighbour.csv'), 'x');
    const picked = checkImportFile(join(dir, 'picked.csv'), { roots: 'anywhere' });
    const policy: ImportPolicy = { roots: [imports], files: new Set([picked.path]) };
    expect(reasonOf(() => checkImportFile(join(dir, 'picked.csv'), policy))).toBe('allowed');
    expect(reasonOf(() => checkImportFile(join(dir, 'neighbour.csv'), policy))).toBe('outside');
  });

  it('when the headless host lists the import folder then only its regular files are offered', () => {
    const { dir, imports } = folder();
    writeFileSync(join(imports, 'b.json'), '{}');
    writeFileSync(join(imports, 'a.csv'), 'x');
    writeFileSync(join(dir, 'outside.csv'), 'x');
    symlinkSync(join(dir, 'outside.csv'), join(imports, 'link-out.csv'));
    mkdirSync(join(imports, 'sub'));
    execFileSync('mkfifo', [join(imports, 'pipe')]);
    expect(listImportFiles(imports).map((f) => f.name)).toEqual(['a.csv', 'b.json']);
    expect(listImportFiles(join(dir, 'nope'))).toEqual([]);
  });
});
