import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig, devices } from '@playwright/test';
import { ACCESS_TTL, launchOptions, OIDC_ACCESS_TTL } from './tests/env.js';

/**
 * Free ports on 127.0.0.1, probed synchronously (a config cannot await). Chosen once, in the
 * runner process, and passed to the workers (which evaluate this file again) by environment.
 */
function freePorts(count: number): number[] {
  const script = `
    const net = require('node:net');
    const servers = Array.from({ length: ${count} }, () => net.createServer());
    Promise.all(servers.map((s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(s.address().port)))))
      .then((ports) => { process.stdout.write(ports.join(',')); servers.forEach((s) => s.close()); });`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    .split(',')
    .map(Number);
}

if (
  !process.env.BATON_E2E_MOCK_PORT ||
  !process.env.BATON_E2E_DEMO_PORT ||
  !process.env.BATON_E2E_OIDC_PORT
) {
  const [mock, demo, oidc] = freePorts(3);
  process.env.BATON_E2E_MOCK_PORT = String(mock);
  process.env.BATON_E2E_DEMO_PORT = String(demo);
  process.env.BATON_E2E_OIDC_PORT = String(oidc);
}
const mockPort = process.env.BATON_E2E_MOCK_PORT;
const demoPort = process.env.BATON_E2E_DEMO_PORT;
const oidcPort = process.env.BATON_E2E_OIDC_PORT;

export default defineConfig({
  testDir: './tests',
  // One shared mock server (its stats are global): the tests run one after another.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    baseURL: `http://127.0.0.1:${demoPort}`,
    viewport: { width: 1280, height: 800 },
    // The demo then redraws its clocks once a second and animates nothing: with every tab of
    // headless Chromium visible, ten tabs redrawing four times a second kept two cores busy.
    reducedMotion: 'reduce',
    launchOptions,
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'pnpm demo',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    // Proxied by Vite to the mock: ready only once both servers answer (and the OpenID provider
    // too: `pnpm demo` starts the app only once the provider serves its discovery document).
    url: `http://127.0.0.1:${demoPort}/__mock/stats`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    // SIGTERM, not Playwright's default SIGKILL: `pnpm demo` then removes its build folder.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5000 },
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      MOCK_PORT: String(mockPort),
      DEMO_PORT: String(demoPort),
      OIDC_PORT: String(oidcPort),
      ACCESS_TTL: String(ACCESS_TTL),
      // The OpenID provider's own lifetime (oidc.spec.ts), apart from the mock's.
      OIDC_ACCESS_TTL: String(OIDC_ACCESS_TTL),
      REUSE_GRACE: '0',
      MOCK_LOG: '0',
      // DPoP on the mock's CIAM route and /api/me (dpop.spec.ts), optional: a request without a
      // proof still gets bearer tokens, as every other spec expects. Proofs must carry the
      // mock's nonce, so that the spec sees how often the tabs learn it.
      DPOP: 'optional',
      DPOP_NONCE: '1',
      // DPoP at the OpenID provider too (oidc.spec.ts, `?dialect=oidc&dpop=1`). Optional there as
      // well: oidc-provider binds the tokens of a request with a proof, and gives the bearer
      // pages bearer tokens. (`pnpm demo`'s default; said here, as the mock's are.)
      OIDC_DPOP: '1',
      // A production build of the demo (see scripts/demo.mjs): light enough for many tabs on two
      // cores, and no reloads if someone edits a package while the suite runs.
      DEMO_PREVIEW: '1',
    },
  },
});
