import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the API under /console, from dist/console; during development, `vite`
// proxies the API routes to a broker on port 3000.
export default defineConfig({
  root: __dirname,
  base: '/console/',
  plugins: [react()],
  // The console shares the broker's vocabulary (pure TypeScript, no Node) instead of repeating it.
  resolve: {
    alias: {
      '@tlp-broker/domain': resolve(__dirname, '../../libs/domain/src/index.ts'),
      '@tlp-broker/tlp/labels': resolve(__dirname, '../../libs/tlp/src/labels.ts'),
    },
  },
  build: {
    outDir: resolve(__dirname, '../../dist/console'),
    emptyOutDir: true,
    sourcemap: true,
    // Everything the console needs is served by the broker: no inlined scripts (the CSP forbids them).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: Object.fromEntries(
      [
        '/auth',
        '/items',
        '/organisations',
        '/deliveries',
        '/keys',
        '/caveats',
        '/users',
        '/audit',
        '/operations',
        '/team',
        '/submissions',
        '/reports',
        '/partner-feeds',
      ].map((path) => [path, 'http://127.0.0.1:3000']),
    ),
  },
});
