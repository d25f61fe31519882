import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The officers' web page: bundled into web/dist, served by api/routes/web.ts (machines are offline: no CDN). */
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ~700 kB minified (~230 kB gzip), most of it ECharts with only the chart types the page uses
    // (bar, line and, for the energy flow, sankey).
    chunkSizeWarningLimit: 800,
  },
  // `npm run dev:web`: the page with hot reload, the API of a platform running on :8080 (npm start).
  server: { proxy: { '/api': 'http://localhost:8080' } },
  logLevel: 'warn',
});
