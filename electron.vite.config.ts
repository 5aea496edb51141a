// One build for the three Electron processes. The main build also emits the headless host and the
// CLI, which run the same engine under plain Node (`node out/main/headless.js`).
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          headless: resolve(__dirname, 'src/main/headless.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          'import-worker': resolve(__dirname, 'src/main/workers/import-worker.ts'),
          'train-worker': resolve(__dirname, 'src/main/workers/train-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only 'electron': bundle the contract's zod into it.
      externalizeDeps: false,
      // A sandboxed preload must be CommonJS.
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rolldownOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
    plugins: [react()],
  },
});
