// Entry of `npm run cli -- <command>` and the `cockpit` bin.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config/config';
import { COMMANDS, helpText, UsageError, type CommandContext } from './cli/commands';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failure, 2 bad usage or config). */
export async function runCli(argv: string[], ctx: CommandContext, io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${helpText()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`unknown command "${name}"\n\n${helpText()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`Usage: cockpit ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  try {
    const out = await command.run(rest, ctx);
    io.stdout(json ? `${JSON.stringify(out.json)}\n` : `${out.text}\n`);
    return 0;
  } catch (error) {
    const code = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
    const message = error instanceof Error ? error.message : String(error);
    if (json) io.stdout(`${JSON.stringify({ ok: false, error: { code: code === 2 ? 'BAD_REQUEST' : 'INTERNAL', message } })}\n`);
    io.stderr(`${command.name}: ${message}\n`);
    if (error instanceof UsageError) io.stderr(`Usage: cockpit ${command.usage}\n`);
    return code;
  }
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  const progress = process.stderr.isTTY ? { progress: (s: string) => void process.stderr.write(s) } : {};
  runCli(process.argv.slice(2), { env: process.env, cwd: process.cwd(), ...progress }, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`cockpit: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
