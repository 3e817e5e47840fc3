// Vite build of the browser app (docs/web.md). Output: dist/, served by portald (http.web_root).
// No inline script or style is emitted, so portald's Content-Security-Policy holds.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0, // no data: URLs for scripts or styles
    sourcemap: false,
    target: 'es2020',
    modulePreload: { polyfill: false },
  },
});
