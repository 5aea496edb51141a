// The headless host: the same engine under plain Node, serving the built renderer and the IPC
// contract over a token-guarded WebSocket. How the cockpit runs on a headless GPU workstation
// (through an SSH tunnel) and how the end-to-end tests drive it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveConfigOrExit, secureDataDir } from './bootstrap';
import { createEngine, EngineConfigError } from './app/compose';
import { startHeadlessServer, isLoopbackHost, HeadlessStartError, type HeadlessTls } from './headless/server';
import { createFileLogger } from './logging/logger';
import { secretsOf, type VariableName } from './config/config';

const HELP = `Usage: npm run headless -- [options]

Runs the cockpit engine under Node and serves the cockpit at http://HOST:PORT/ (https with TLS).

Options:
  --host HOST          address to bind (default 127.0.0.1; anything else is reachable from the
                       network and needs --tls-cert and --tls-key)
  --port PORT          TCP port (default 8787, 0 for any free port)
  --speed N            simulated minutes per real minute for the simulated session (default 60)
  --tls-cert FILE      PEM certificate: serve https and wss (required off loopback)
  --tls-key FILE       PEM private key of --tls-cert
  --allow-origin URL   browser origin allowed on the socket, e.g. https://workstation.lan:8787
                       (repeatable; off loopback, the origins the browser uses must be listed)
  --renderer-dir DIR   built renderer to serve (default out/renderer)
  -h, --help           this text

Environment: TRADING_* variables or a .env file (see README). Open the printed URL: it carries the
access token after '#', which the browser never sends over the network.`;

/**
 * The TLS files the flags name, read; a message (for exit code 2) when they are incomplete or
 * unreadable, or when a bind other than loopback has none. Messages name the flag and the error
 * code, never the files' content.
 */
export function tlsFromFlags(
  host: string,
  flags: { 'tls-cert'?: string | undefined; 'tls-key'?: string | undefined },
  read: (path: string) => Buffer = (path) => readFileSync(path),
): { tls: HeadlessTls | undefined } | { error: string } {
  const certPath = flags['tls-cert'];
  const keyPath = flags['tls-key'];
  if ((certPath === undefined) !== (keyPath === undefined)) {
    return { error: `--tls-cert and --tls-key go together; ${certPath === undefined ? '--tls-cert' : '--tls-key'} is missing.` };
  }
  if (certPath === undefined || keyPath === undefined) {
    if (isLoopbackHost(host)) return { tls: undefined };
    return {
      error:
        `Refusing to bind to ${host} without TLS: the access token would cross the network in clear text. ` +
        'Give --tls-cert FILE and --tls-key FILE (and --allow-origin with the https origin the browser uses), ' +
        'or keep the default 127.0.0.1 and use an SSH tunnel (ssh -L 8787:127.0.0.1:8787 workstation).',
    };
  }
  const load = (flag: string, path: string): Buffer | string => {
    try {
      return read(path);
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? String((error as { code: unknown }).code) : 'unreadable';
      return `${flag}: the file could not be read (${code}).`;
    }
  };
  const cert = load('--tls-cert', certPath);
  if (typeof cert === 'string') return { error: cert };
  const key = load('--tls-key', keyPath);
  if (typeof key === 'string') return { error: key };
  return { tls: { cert, key } };
}

export function findRendererDir(explicit?: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = explicit ? [resolve(explicit)] : [join(here, '../renderer'), join(here, '../../out/renderer'), resolve('out/renderer')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new Error(`no built renderer found (looked in ${candidates.join(', ')}); run \`npm run build\` first`);
  }
  return found;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      speed: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'renderer-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const overrides: Partial<Record<VariableName, string>> = {};
  if (values.host !== undefined) overrides.TRADING_HEADLESS_HOST = values.host;
  if (values.port !== undefined) overrides.TRADING_HEADLESS_PORT = values.port;
  if (values.speed !== undefined) overrides.TRADING_SIM_SPEED = values.speed;
  const config = resolveConfigOrExit({ overrides });
  // Before anything is written or started: an exposed bind without TLS is refused outright.
  const tlsChoice = tlsFromFlags(config.headless.host, values);
  if ('error' in tlsChoice) {
    process.stderr.write(`${tlsChoice.error}\nNothing was started.\n`);
    process.exit(2);
  }
  secureDataDir(config); // 0700 before the log, the database or the models are written
  const logger = createFileLogger({ logId: 'headless', dir: config.logDir, level: config.logLevel, secrets: secretsOf(config), console: true });

  if (!isLoopbackHost(config.headless.host)) {
    process.stderr.write(
      `WARNING: binding to ${config.headless.host} exposes the cockpit to the network. TLS and the token still guard it, ` +
        'but prefer the default 127.0.0.1 and an SSH tunnel (ssh -L 8787:127.0.0.1:8787 workstation).\n',
    );
  }

  const rendererDir = findRendererDir(values['renderer-dir']);
  let engine;
  try {
    engine = createEngine(config, { host: 'headless', logger });
  } catch (error) {
    if (error instanceof EngineConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  await engine.start();
  let server;
  try {
    server = await startHeadlessServer({
      engine,
      rendererDir,
      host: config.headless.host,
      port: config.headless.port,
      allowedOrigins: values['allow-origin'] ?? [],
      tls: tlsChoice.tls,
      logger,
    });
  } catch (error) {
    if (error instanceof HeadlessStartError) {
      process.stderr.write(`${error.message}\nNothing was started.\n`);
      await engine.stop();
      process.exit(2);
    }
    throw error;
  }
  const mode = config.mode === 'SIMULATED' ? 'SIMULATED session (synthetic market, no real prices)' : `${config.mode} session`;
  process.stdout.write(`\nTrading cockpit — ${mode}\n  open: ${server.openUrl}\n  token: ${server.token}\n  logs: ${config.logDir}\n\n`);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`received ${signal}, stopping`);
    await server.close();
    await engine.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  main().catch((error: unknown) => {
    process.stderr.write(`headless host failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
