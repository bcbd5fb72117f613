import { defineConfig } from 'tsdown';
import { dropDtsMapComments } from '../../scripts/tsdown/dropDtsMapComments.js';

/** The core, and one entry per subpath: an app pays only for what it imports. */
const subpaths = [
  'dialects',
  'redirect',
  'password',
  'auth-fetch',
  'storage',
  'broadcast-lock',
  'sign-out',
];

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    ...Object.fromEntries(subpaths.map((name) => [name, `src/entries/${name}.ts`])),
  },
  format: 'esm',
  dts: true,
  platform: 'browser',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  plugins: [dropDtsMapComments()],
});
