#!/usr/bin/env node
// `pnpm e2e`: the Playwright suite in real Chromium (installed with apt when missing, as root).
//
// The whole suite runs in two lanes at once, each a Playwright run with its own servers (mock,
// OpenID provider, demo) on its own ports and its own browser: most of a test's time is spent
// waiting for token lifetimes, not computing, and the tests of one lane share one mock, whose
// counts they read. E2E_LANES=1 runs them one after another. With arguments
// (`pnpm e2e session.spec.ts -g hand-off`) it is one Playwright run, as given.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { ensureChromium } from './chromium.mjs';

const dir = new URL('../playwright/tests', import.meta.url);
const specs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.spec.ts')) : [];
if (specs.length === 0) {
  console.log('e2e: no Playwright specs yet (playwright/tests is empty).');
  process.exit(0);
}
const chromium = ensureChromium();
const env = { ...process.env, ...(chromium ? { CHROMIUM_PATH: chromium } : {}) };
const playwright = ['--filter', '@baton/e2e', 'exec', 'playwright', 'test'];

const args = process.argv.slice(2);
if (args.length > 0 || process.env.E2E_LANES === '1') {
  const { status } = spawnSync('pnpm', [...playwright, ...args], {
    stdio: 'inherit',
    env,
    shell: true,
  });
  process.exit(status ?? 1);
}

// The first lane's specs, chosen by their measured times (a quiet clean-clone run: soak 168 s,
// matrix 156, proxy 29, bfcache 26, barrier 21 = 400 s; the rest 408 s). A new spec goes to the
// second lane by default.
const first = [
  'soak.spec.ts',
  'matrix.spec.ts',
  'proxy.spec.ts',
  'bfcache.spec.ts',
  'barrier.spec.ts',
];
const plan = [
  specs.filter((spec) => first.includes(spec)),
  specs.filter((spec) => !first.includes(spec)),
];

/** Free ports on 127.0.0.1, all probed at once (so that no two lanes get the same). */
async function freePorts(count) {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server.address().port));
        }),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

const ports = await freePorts(3 * plan.length);
const started = Date.now();
const runs = plan.map((files, i) => {
  const lane = i + 1;
  const [mock, demo, oidc] = ports.slice(3 * i, 3 * i + 3);
  const t0 = Date.now();
  const child = spawn(
    'pnpm',
    [...playwright, '--output', `test-results/lane-${lane}`, ...files.map((f) => `tests/${f}`)],
    {
      env: {
        ...env,
        BATON_E2E_MOCK_PORT: String(mock),
        BATON_E2E_DEMO_PORT: String(demo),
        BATON_E2E_OIDC_PORT: String(oidc),
      },
      shell: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // Each line as it comes, marked with its lane.
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) console.log(`[${lane}] ${line}`);
    });
    stream.on('end', () => rest && console.log(`[${lane}] ${rest}`));
  }
  console.log(`[${lane}] lane ${lane}: ${files.join(', ')}`);
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ lane, code, seconds: (Date.now() - t0) / 1000 })),
  );
});

const results = await Promise.all(runs);
for (const { lane, code, seconds } of results)
  console.log(
    `lane ${lane}: ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${seconds.toFixed(0)} s`,
  );
console.log(`e2e: ${((Date.now() - started) / 1000).toFixed(0)} s in ${plan.length} lanes`);
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
