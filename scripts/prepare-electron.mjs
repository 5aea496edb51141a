#!/usr/bin/env node
// Run before `npm start` / `npm run dev`: makes sure the Electron binary is present, sets its fuses,
// and builds better-sqlite3 for Electron's ABI beside the Node build the tests use.
//
// npm ci never downloads Electron (package.json allowScripts denies its install script), so the
// project installs on machines that reach only the npm registry. A desktop machine with internet
// access gets the binary here, on first start.
//
// Electron 45's tooling (its download through @electron/get, @electron/fuses, electron-vite's
// dev and preview commands) needs Node >= 22.12. The engine, the headless host and the tests run
// on Node >= 20.19; only the desktop set-up needs the newer Node.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The oldest Node that runs Electron 45's download and @electron/fuses. */
export const DESKTOP_MIN_NODE = '22.12.0';

/**
 * Null when `nodeVersion` (process.versions.node) can run the desktop set-up; otherwise what the
 * user should do about it.
 */
export function desktopNodeProblem(nodeVersion) {
  const [major = 0, minor = 0] = String(nodeVersion).replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10));
  const [minMajor, minMinor] = DESKTOP_MIN_NODE.split('.').map((n) => Number.parseInt(n, 10));
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return null;
  return [
    `The desktop cockpit (Electron 45) needs Node >= ${DESKTOP_MIN_NODE} to fetch and start Electron; this is Node ${nodeVersion}.`,
    'Install Node 22 LTS or 24 (for example `nvm install 22 && nvm use 22`), run `npm ci` again, then `npm start`.',
    'The headless host (`npm run headless`, served to a browser), the CLI and the tests still run on this Node.',
  ].join('\n');
}

/**
 * The fuses the cockpit's Electron runs with (indices of @electron/fuses' FuseV1Options, so this
 * module needs no import of it). Every build: no ELECTRON_RUN_AS_NODE, encrypted cookies, no
 * NODE_OPTIONS, no --inspect, no extra privileges for file:// (the pages come from app://). A
 * packaged build also loads its app only from an integrity-checked app.asar; the development
 * binary keeps those two off because electron-vite starts it on the unpacked out/ folder.
 */
export const FUSE = Object.freeze({
  RunAsNode: 0,
  EnableCookieEncryption: 1,
  EnableNodeOptionsEnvironmentVariable: 2,
  EnableNodeCliInspectArguments: 3,
  EnableEmbeddedAsarIntegrityValidation: 4,
  OnlyLoadAppFromAsar: 5,
  GrantFileProtocolExtraPrivileges: 7,
});

export function cockpitFuseConfig({ packaged, platform = process.platform }) {
  return {
    version: '1',
    // Flipping fuses breaks the binary's signature; macOS (arm64 above all) refuses to run it
    // unless it is signed again, ad hoc here (a packaged build is signed properly afterwards).
    resetAdHocDarwinSignature: platform === 'darwin',
    [FUSE.RunAsNode]: false,
    [FUSE.EnableCookieEncryption]: true,
    [FUSE.EnableNodeOptionsEnvironmentVariable]: false,
    [FUSE.EnableNodeCliInspectArguments]: false,
    [FUSE.EnableEmbeddedAsarIntegrityValidation]: packaged,
    [FUSE.OnlyLoadAppFromAsar]: packaged,
    [FUSE.GrantFileProtocolExtraPrivileges]: false,
  };
}

/**
 * Sets the cockpit's fuses on the Electron binary at `electronPath` (the executable, or the .app
 * bundle on macOS). `flipFuses` is @electron/fuses' function; a packaging step (electron-builder's
 * afterPack, say) calls this with `packaged: true` on the packaged binary.
 */
export async function applyCockpitFuses(electronPath, { packaged, platform = process.platform, flipFuses }) {
  const config = cockpitFuseConfig({ packaged, platform });
  await flipFuses(electronPath, config);
  return config;
}

function electronBinaryPath(electronDir) {
  return join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8').trim());
}

async function main() {
  const problem = desktopNodeProblem(process.versions.node);
  if (problem !== null) {
    console.error(`[prepare-electron] ${problem}`);
    process.exit(1);
  }

  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const require = createRequire(join(root, 'package.json'));
  const electronDir = dirname(require.resolve('electron/package.json'));
  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

  if (!existsSync(join(electronDir, 'path.txt')) || !existsSync(join(electronDir, 'dist', 'version'))) {
    console.log(`[prepare-electron] downloading the Electron ${electronVersion} binary…`);
    execFileSync(process.execPath, [join(electronDir, 'install.js')], { stdio: 'inherit' });
  }

  // Fuses are set once per downloaded binary; the marker lives in dist/, which a new download replaces.
  const fuseMarker = join(electronDir, 'dist', 'cockpit-fuses.json');
  const wanted = JSON.stringify({ electron: electronVersion, fuses: cockpitFuseConfig({ packaged: false }) });
  if (!existsSync(fuseMarker) || readFileSync(fuseMarker, 'utf8') !== wanted) {
    const { flipFuses } = await import('@electron/fuses');
    console.log('[prepare-electron] setting Electron fuses (no RunAsNode, NODE_OPTIONS or --inspect; encrypted cookies; no file:// privileges)…');
    await applyCockpitFuses(electronBinaryPath(electronDir), { packaged: false, flipFuses });
    writeFileSync(fuseMarker, wanted);
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
}

// Run as a script; imported (by tests, or a packaging step for applyCockpitFuses) it does nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(`[prepare-electron] ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  });
}
