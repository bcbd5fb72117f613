import { defineConfig } from 'vitest/config';

// One Vitest run for every package; each package is a project with its own environment.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
