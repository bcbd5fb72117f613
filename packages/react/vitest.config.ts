import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const core = (path: string) => fileURLToPath(new URL(`../core/src/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // Test against the core's source, so no build is needed first. Subpaths first: the root
    // pattern is exact, but `@baton/core/<x>` must reach its entry, not `index.ts` + `/<x>`.
    alias: [
      { find: /^@baton\/core\/(.*)$/, replacement: `${core('entries/')}$1.ts` },
      { find: /^@baton\/core$/, replacement: core('index.ts') },
    ],
  },
  test: {
    name: 'react',
    environment: 'happy-dom',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
  },
});
