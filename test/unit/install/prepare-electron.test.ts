// scripts/prepare-electron.mjs: what it tells a user on an old Node, and the fuses it sets.
import { describe, expect, it, vi } from 'vitest';
import { FuseV1Options } from '@electron/fuses';
import {
  applyCockpitFuses,
  cockpitFuseConfig,
  DESKTOP_MIN_NODE,
  desktopNodeProblem,
  FUSE,
} from '../../../scripts/prepare-electron.mjs';

describe('the desktop set-up on an old Node', () => {
  it('when Node is below 22.12 then the user is told which Node to install and what still runs', () => {
    expect(DESKTOP_MIN_NODE).toBe('22.12.0');
    const problem = desktopNodeProblem('20.20.2');
    expect(problem).toContain('Node >= 22.12.0');
    expect(problem).toContain('nvm install 22');
    expect(problem).toContain('npm run headless');
    expect(desktopNodeProblem('22.11.0')).not.toBeNull();
    expect(desktopNodeProblem('v18.20.0')).not.toBeNull();
  });

  it('when Node is 22.12 or newer then nothing is said', () => {
    for (const version of ['22.12.0', '22.20.1', '24.1.0', '25.0.0']) expect(desktopNodeProblem(version), version).toBeNull();
  });
});

describe('Electron fuses', () => {
  it('when the fuse indices are read then they are @electron/fuses\' own', () => {
    for (const [name, index] of Object.entries(FUSE)) {
      expect(FuseV1Options[name as keyof typeof FuseV1Options], name).toBe(index);
    }
  });

  it('when fuses are applied to the development binary then RunAsNode, NODE_OPTIONS, --inspect and file:// privileges are off', async () => {
    const flipFuses = vi.fn(async () => 1);
    const config = await applyCockpitFuses('/x/node_modules/electron/dist/electron', { packaged: false, platform: 'linux', flipFuses });
    expect(flipFuses).toHaveBeenCalledWith('/x/node_modules/electron/dist/electron', config);
    expect(config).toMatchObject({
      version: '1',
      resetAdHocDarwinSignature: false,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
      // electron-vite starts the development binary on the unpacked out/ folder.
      [FuseV1Options.OnlyLoadAppFromAsar]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: false,
    });
  });

  it('when fuses are applied to a packaged build then the app loads only from an integrity-checked asar', () => {
    const config = cockpitFuseConfig({ packaged: true, platform: 'win32' });
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(config[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(config[FuseV1Options.RunAsNode]).toBe(false);
  });

  it('when on macOS then the flipped binary is signed again ad hoc, so it still starts', () => {
    expect(cockpitFuseConfig({ packaged: false, platform: 'darwin' }).resetAdHocDarwinSignature).toBe(true);
  });
});
