import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineProject({
  resolve: {
    // The tests drive the core and the mock server from their sources: no build first, and no
    // devDependency on them, which would close a workspace cycle (the mock server depends on
    // this package to serve /proxy/*, and the core's tests depend on the mock server).
    alias: [
      { find: /^@baton\/core\/(.*)$/, replacement: `${source('../core/src/entries/')}$1.ts` },
      { find: /^@baton\/core$/, replacement: source('../core/src/index.ts') },
      { find: /^@baton\/mock-server$/, replacement: source('../mock-server/src/index.ts') },
    ],
  },
  test: {
    name: 'token-proxy',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
