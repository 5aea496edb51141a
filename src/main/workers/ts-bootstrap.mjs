// Loads a TypeScript worker entry through tsx, for runs from source (tests, `npm run cli`).
// Built runs start the bundled .js worker directly and never use this file.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.__entry, import.meta.url);
