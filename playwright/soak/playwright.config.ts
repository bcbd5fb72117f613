import { defineConfig } from '@playwright/test';
import base from '../playwright.config.js';

/**
 * `pnpm soak` (scripts/soak.mjs): the chaos soak in playwright/soak, `SOAK_S` seconds (default
 * 180), on the e2e suite's set-up (its ports, its Chromium, `pnpm demo` as the web server) with
 * the mock's settings pinned here: 5 s access tokens, no reuse grace. Its own servers, always:
 * the soak reads the mock's counters, which nobody else may share.
 */
const webServer = Array.isArray(base.webServer) ? base.webServer[0] : base.webServer;
if (!webServer) throw new Error('playwright.config.ts has no webServer to start the demo');

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: 'soak.spec.ts',
  // Apart from the e2e suite's, which each of its runs wipes.
  outputDir: './test-results',
  webServer: {
    ...webServer,
    reuseExistingServer: false,
    env: {
      ...webServer.env,
      ACCESS_TTL: process.env.SOAK_ACCESS_TTL ?? '5',
      REUSE_GRACE: '0',
      MOCK_LOG: '0',
      DEMO_HMR: '0',
    },
  },
});
