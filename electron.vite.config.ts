// One build for the three Electron processes. The main build also emits the headless host and the
// CLI, which run the same engine under plain Node (`node out/main/headless.js`).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The broker-keys window is a static page next to its preload: its HTML and CSS are copied as they
// are, its script is a preload-build entry (a plain browser script, so '.js', not '.cjs').
const KEY_WINDOW_DIR = resolve(__dirname, 'src/preload/key-window');
function keyWindowPage(): Plugin {
  return {
    name: 'cockpit-key-window-page',
    generateBundle() {
      for (const fileName of ['key-window.html', 'key-window.css']) {
        const path = resolve(KEY_WINDOW_DIR, fileName);
        this.addWatchFile(path);
        this.emitFile({ type: 'asset', fileName, source: readFileSync(path, 'utf8') });
      }
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // electron-vite would target Electron's own Node (24 for Electron 45), but headless.js and
      // cli.js run under plain Node too, from the engines floor (package.json: >=20.19) up.
      target: 'node20.19',
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          headless: resolve(__dirname, 'src/main/headless.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          'import-worker': resolve(__dirname, 'src/main/workers/import-worker.ts'),
          'train-worker': resolve(__dirname, 'src/main/workers/train-worker.ts'),
          'backtest-worker': resolve(__dirname, 'src/main/workers/backtest-worker.ts'),
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
        input: {
          index: resolve(__dirname, 'src/preload/index.ts'),
          'key-window': resolve(KEY_WINDOW_DIR, 'preload.ts'),
          'key-window-page': resolve(KEY_WINDOW_DIR, 'page.ts'),
        },
        output: { format: 'cjs', entryFileNames: (chunk) => (chunk.name === 'key-window-page' ? '[name].js' : '[name].cjs') },
      },
    },
    plugins: [keyWindowPage()],
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rolldownOptions: { input: resolve(__dirname, 'src/renderer/index.html') },
    },
    plugins: [react()],
  },
});
