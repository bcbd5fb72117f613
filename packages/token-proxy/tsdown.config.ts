import { defineConfig } from 'tsdown';
import { dropDtsMapComments } from '../../scripts/tsdown/dropDtsMapComments.js';

export default defineConfig({
  // `form`: the strict form parser, shared with the mock server (not a supported API).
  entry: ['src/index.ts', 'src/form.ts'],
  format: 'esm',
  dts: true,
  // Web-standard APIs only: runs on Node, Bun, Deno and edge runtimes alike.
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  clean: true,
  plugins: [dropDtsMapComments()],
});
