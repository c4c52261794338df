import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { smartConnectOrigins } from './web/features/smart/connect-origins-plugin.js';
import { serviceWorker } from './web/pwa/service-worker-plugin.js';
import { logPolicy } from './web/transparency/log-policy-plugin.js';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm run dev` runs the API; Vite proxies /api there so the page stays same-origin. */
const devApiPort = Number(process.env.DEV_API_PORT ?? 5051);

export default defineConfig({
  root: 'web',
  plugins: [react(), smartConnectOrigins(), serviceWorker(), logPolicy(repoRoot)],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // One stylesheet, as before the pages were split into chunks: a page's CSS is small, and parts of a
    // page are drawn outside its chunk (the unlock screen uses the keys page's styles).
    cssCodeSplit: false,
    // Above Vite's 500 kB are only files loaded on demand, never on first paint: zxcvbn-ts's English and
    // common dictionaries (1,200 and 428 kB, when a passphrase is typed) and libsodium's WASM build
    // (534 kB, in the crypto worker for ristretto255). The app shell has its own budget, measured by
    // `npm run bench -- browser` (docs/PERFORMANCE.md).
    chunkSizeWarningLimit: 1_300,
  },
  // The crypto worker is a module worker, so it can load libsodium as a separate chunk on demand.
  worker: { format: 'es' },
  server: { port: 5173, proxy: { '/api': `http://localhost:${devApiPort}` } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          root: repoRoot,
          // A guard against a hang, not a speed limit: property tests and the studies' crypto run
          // thousands of cases, and on a loaded 2-core machine 5 s is not enough for some of them.
          testTimeout: 30_000,
          include: [
            'shared/**/*.test.ts',
            'server/**/*.test.ts',
            'interop/**/*.test.ts',
            'web/**/*.test.ts',
            'bench/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          root: repoRoot,
          include: ['e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Two files at a time (each its own service and Chromium) on the 2-core CI machine: 14 minutes
          // instead of 20, every test passing at load 15 (browser tests wait on events, never on time).
          maxWorkers: 2,
        },
      },
    ],
  },
});
