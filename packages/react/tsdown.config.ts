import { defineConfig } from 'tsdown';
import { dropDtsMapComments } from '../../scripts/tsdown/dropDtsMapComments.js';

export default defineConfig({
  // Two entries: `@baton/react` and `@baton/react/query` (the only one that imports React Query).
  entry: { index: 'src/index.ts', query: 'src/reactQuery.ts' },
  format: 'esm',
  dts: true,
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  plugins: [dropDtsMapComments()],
  // Peers stay imports (`@baton/core` with its subpaths); tsdown externalizes dependencies and
  // peers by default, this says so.
  deps: {
    neverBundle: [/^react($|\/)/, /^@baton\/core($|\/)/, '@tanstack/react-query'],
    onlyBundle: [],
  },
});
