import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The console is served by the hub's admin API: index.html at `/` and every other file flat under
// `/console/`. Hashed file names let the hub cache them for a year; index.html is never cached.
const root = resolve(process.cwd(), 'console');

export default defineConfig({
  root,
  base: '/console/',
  publicDir: resolve(root, 'public'),
  // Preact's automatic JSX runtime through Vite's built-in Oxc transform: no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    assetsDir: '',
    target: 'es2022',
    // The hub sends a Content-Security-Policy without 'unsafe-inline': no inlined scripts or styles.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    sourcemap: false,
  },
  // `npx vite --config console/vite.config.ts`: live reload at http://127.0.0.1:5173/console/,
  // with API calls passed to a running hub (`npm start`, or TETHER_HUB).
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(
      ['/v1', '/healthz', '/openapi.json'].map((path) => [path, { target: process.env.TETHER_HUB ?? 'http://127.0.0.1:8080' }]),
    ),
  },
  logLevel: 'warn',
});
