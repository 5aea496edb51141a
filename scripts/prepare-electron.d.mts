// Types for scripts/prepare-electron.mjs, so TypeScript (its unit test, a packaging step) can import it.
export declare const DESKTOP_MIN_NODE: string;
export declare function desktopNodeProblem(nodeVersion: string): string | null;
export declare const FUSE: Readonly<{
  RunAsNode: 0;
  EnableCookieEncryption: 1;
  EnableNodeOptionsEnvironmentVariable: 2;
  EnableNodeCliInspectArguments: 3;
  EnableEmbeddedAsarIntegrityValidation: 4;
  OnlyLoadAppFromAsar: 5;
  GrantFileProtocolExtraPrivileges: 7;
}>;
export interface CockpitFuseConfig {
  version: '1';
  resetAdHocDarwinSignature: boolean;
  [fuse: number]: boolean;
}
export declare function cockpitFuseConfig(options: { packaged: boolean; platform?: NodeJS.Platform }): CockpitFuseConfig;
export declare function applyCockpitFuses(
  electronPath: string,
  options: {
    packaged: boolean;
    platform?: NodeJS.Platform;
    flipFuses: (electronPath: string, config: CockpitFuseConfig) => Promise<unknown>;
  },
): Promise<CockpitFuseConfig>;
