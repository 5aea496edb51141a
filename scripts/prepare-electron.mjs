#!/usr/bin/env node
// Run before `npm start` / `npm run dev`: makes sure the Electron binary is present and that
// better-sqlite3 has a build for Electron's ABI beside the Node build the tests use.
//
// npm ci never downloads Electron (package.json allowScripts denies its install script), so the
// project installs on machines that reach only the npm registry. A desktop machine with internet
// access gets the binary here, on first start.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(join(root, 'package.json'));
const electronDir = dirname(require.resolve('electron/package.json'));
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

if (!existsSync(join(electronDir, 'path.txt'))) {
  console.log(`[prepare-electron] downloading the Electron ${electronVersion} binary…`);
  execFileSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit' });
}

// better-sqlite3 for Electron lives in .electron-native/, never over the Node build in node_modules.
const target = join(root, '.electron-native', `better_sqlite3-electron-${electronVersion}.node`);
if (!existsSync(target)) {
  const srcDir = dirname(require.resolve('better-sqlite3/package.json'));
  const work = join(root, '.electron-native', 'build-better-sqlite3');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  cpSync(srcDir, work, { recursive: true, filter: (p) => !p.includes(`${srcDir}/build`) });
  console.log(`[prepare-electron] building better-sqlite3 for Electron ${electronVersion}…`);
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [dirname(process.execPath), '/usr/lib/node_modules/npm'] });
  execFileSync(process.execPath, [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', '--runtime=electron'], {
    cwd: work,
    stdio: 'inherit',
  });
  cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(join(root, '.electron-native', 'binding.json'), JSON.stringify({ electron: electronVersion, betterSqlite3: target }, null, 2));
console.log('[prepare-electron] ready');
