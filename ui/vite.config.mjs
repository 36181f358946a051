// Builds the console (ui/) into dist/ui, served by `switchboard serve` at /ui.
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default {
  root: here,
  base: '/ui/',
  logLevel: 'warn',
  // React 17+ JSX runtime: no React import in every file.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
};
