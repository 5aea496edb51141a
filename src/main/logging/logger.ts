// Structured logging: one JSON object per line to a size-rotated file in the user data folder
// (electron-log, which works the same under Electron and plain Node), secrets redacted before
// anything is written. Each engine gets its own logger instance; nothing is global.
import { chmodSync, mkdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import electronLog from 'electron-log/node';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `scope` (the component name). */
  child(scope: string): Logger;
}

const SECRET_KEY = /(secret|password|token|api[-_]?key|key[-_]?id|authorization)/i;
export const REDACTED = '[REDACTED]';

/** Deep copy with every known secret value and every secret-looking key masked. */
export function redact(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of secrets) if (s.length > 0 && out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, secrets, depth + 1), stack: redact(value.stack ?? '', secrets, depth + 1) };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact((value as { toJSON(): unknown }).toJSON(), secrets, depth + 1);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, secrets, depth + 1);
  return out;
}

export interface FileLoggerOptions {
  /** A unique id per engine, so two engines in one process keep separate transports. */
  logId: string;
  dir: string;
  fileName?: string;
  level: LogLevel;
  secrets: readonly string[];
  /** Rotate when the file passes this size; the previous file is kept as `.1`, up to `keep` files. */
  maxBytes?: number;
  keep?: number;
  console?: boolean;
}

export function createFileLogger(options: FileLoggerOptions): Logger {
  // Owner-only: the folder 0700 when created here, the log files 0600 (older ones made so too).
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const fileName = options.fileName ?? 'cockpit.log';
  const keep = options.keep ?? 5;
  if (process.platform !== 'win32') {
    for (let i = 0; i <= keep; i++) {
      const f = join(options.dir, i === 0 ? fileName : `${fileName}.${i}`);
      try {
        if (existsSync(f)) chmodSync(f, 0o600);
      } catch {
        // not ours to change: left as it is
      }
    }
  }
  const log = electronLog.create({ logId: options.logId });
  const file = log.transports.file;
  file.level = options.level;
  file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  file.resolvePathFn = () => join(options.dir, fileName);
  file.maxSize = options.maxBytes ?? 5 * 1024 * 1024;
  file.archiveLogFn = (old) => {
    // Keep `keep` generations: cockpit.log.1 (newest) … cockpit.log.N (oldest).
    const base = old.path;
    rmSync(`${base}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) if (existsSync(`${base}.${i}`)) renameSync(`${base}.${i}`, `${base}.${i + 1}`);
    renameSync(base, `${base}.1`);
  };
  file.format = ({ message }) => {
    const [text, fields, scope] = message.data as [string, LogFields | undefined, string | undefined];
    return [
      JSON.stringify({
        t: message.date.toISOString(),
        level: message.level,
        ...(scope ? { scope } : {}),
        msg: text,
        ...(fields ?? {}),
      }),
    ];
  };
  const consoleTransport = log.transports.console;
  consoleTransport.level = options.console ? options.level : false;
  consoleTransport.format = ({ message }) => {
    const [text, fields, scope] = message.data as [string, LogFields | undefined, string | undefined];
    return [`${message.level.toUpperCase()} ${scope ? `[${scope}] ` : ''}${text}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}`];
  };
  log.hooks.push((message) => {
    message.data = message.data.map((d) => redact(d, options.secrets));
    return message;
  });
  for (const [name, transport] of Object.entries(log.transports)) {
    if (name !== 'file' && name !== 'console' && transport) transport.level = false;
  }

  const make = (scope: string | undefined): Logger => ({
    error: (m, f) => log.error(m, f, scope),
    warn: (m, f) => log.warn(m, f, scope),
    info: (m, f) => log.info(m, f, scope),
    debug: (m, f) => log.debug(m, f, scope),
    child: (s) => make(scope ? `${scope}.${s}` : s),
  });
  return make(undefined);
}

/** A logger that keeps lines in memory (tests, and engines built without a log folder). */
export function createMemoryLogger(secrets: readonly string[] = []): Logger & { lines: Array<{ level: LogLevel; scope?: string; msg: string; fields?: LogFields }> } {
  const lines: Array<{ level: LogLevel; scope?: string; msg: string; fields?: LogFields }> = [];
  const make = (scope: string | undefined): Logger => {
    const write = (level: LogLevel) => (msg: string, fields?: LogFields) =>
      lines.push({
        level,
        ...(scope ? { scope } : {}),
        msg: redact(msg, secrets) as string,
        ...(fields ? { fields: redact(fields, secrets) as LogFields } : {}),
      });
    return { error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug'), child: (s) => make(scope ? `${scope}.${s}` : s) };
  };
  return Object.assign(make(undefined), { lines });
}
