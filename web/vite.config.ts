// The dashboard's build: `npm run build` runs it after the server's, into dist/web, which the
// server serves at /app (src/dashboard). React's JSX goes through Vite's own transform (Oxc).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/app/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    // Everything is served by the same process; nothing is inlined (the CSP forbids inline code).
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
});
