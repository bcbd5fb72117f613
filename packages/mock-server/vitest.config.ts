import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineProject({
  resolve: {
    // The testing-kit test drives the core from its sources, as an app's tests would drive the
    // built one: no devDependency, which would close a workspace cycle (the core's tests use this
    // package).
    alias: [
      { find: /^@baton\/core\/(.*)$/, replacement: `${source('../core/src/entries/')}$1.ts` },
      { find: /^@baton\/core$/, replacement: source('../core/src/index.ts') },
    ],
  },
  test: {
    name: 'mock-server',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // The README's Vitest set-up, verbatim: one mock for the run, on a free port (kit.test.ts).
    globalSetup: ['test/kit.globalSetup.ts'],
    testTimeout: 20_000,
  },
});
