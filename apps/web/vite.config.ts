import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
// The BFF the dev server (and `vite preview`) proxies the API and media to.
const bff = process.env['BFF_URL'] ?? 'http://127.0.0.1:3000';

/**
 * The web app. No React plugin: Vite's built-in esbuild compiles JSX with the automatic runtime (no
 * fast refresh in dev, which is the only thing the plugin would add). The BFF serves `dist` at `/`.
 */
export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: bff, changeOrigin: false },
      '/media': { target: bff, changeOrigin: false },
    },
  },
});
