import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The build lands in target/classes/dashboard, which Maven packages into the dashboard jar the
// gateway serves from its class path. `npm run dev` proxies the API to a running `./orca up`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'target/classes/dashboard',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': { target: process.env.ORCA_URL ?? 'http://localhost:8080', changeOrigin: false },
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
