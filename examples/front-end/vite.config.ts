import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The client is used from its source in this repository (clients/typescript), so the front
// end runs without building or publishing it first; `npm install @dateline/client` elsewhere.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: { '@dateline/client': fileURLToPath(new URL('../../clients/typescript/src/index.ts', import.meta.url)) }
  },
  // The client's source lies outside this folder: let the dev server read the repository.
  server: { host: '127.0.0.1', port: 5173, fs: { allow: [fileURLToPath(new URL('../../', import.meta.url))] } },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { outDir: 'dist', emptyOutDir: true }
})
