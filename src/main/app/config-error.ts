// A configuration the engine cannot start with (missing keys, an unreadable file, a bad limit): the
// hosts show its message and exit instead of reporting a crash.
export class EngineConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineConfigError';
  }
}
