#!/usr/bin/env node
// The `cockpit` command: runs the built CLI (npm run build), or explains how to get it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  process.stderr.write('cockpit: the CLI is not built yet; run `npm run build` (or use `npm run cli -- <command>`)\n');
  process.exit(2);
}
process.argv[1] = built;
await import(pathToFileURL(built).href);
