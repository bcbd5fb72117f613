import { defineConfig } from 'tsdown';
import { dropDtsMapComments } from '../../scripts/tsdown/dropDtsMapComments.js';

export default defineConfig({
  // The kit an app's tests import, and the `baton-mock-server` command (Playwright's webServer).
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: 'esm',
  dts: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  // `.js`, as the exports map and the other packages say (the package is `type: module`).
  fixedExtension: false,
  plugins: [dropDtsMapComments()],
});
