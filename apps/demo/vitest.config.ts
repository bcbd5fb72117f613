import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

export default defineProject({
  resolve: {
    // The workspace packages from source, as vite.config.ts has them: no build needed first.
    alias: [
      { find: /^@baton\/core\/(.*)$/, replacement: `${source('core/src/entries/')}$1.ts` },
      { find: /^@baton\/core$/, replacement: source('core/src/index.ts') },
    ],
  },
  test: {
    name: 'demo',
    environment: 'node',
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
  },
});
