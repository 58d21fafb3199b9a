// Builds the investigator console into dist/console, served by the app at /console (src/console/).
// Everything is bundled: the console works offline and loads nothing from another origin.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    target: 'es2022',
    // A single small app: one script and one stylesheet are simpler to serve than a dozen chunks.
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
