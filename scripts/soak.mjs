#!/usr/bin/env node
// `pnpm soak`: the chaos soak in real Chromium (playwright/soak; docs/reliability.md). SOAK_S
// sets its length in seconds (default 180), SOAK_SEED its random choices, SOAK_LOCK the lock
// (auto, broadcast or web-locks). Exits non-zero on an unexplained refresh-token reuse or a
// spurious sign-out. Extra arguments go to `playwright test`.
import { spawnSync } from 'node:child_process';
import { ensureChromium } from './chromium.mjs';

const chromium = ensureChromium();
const env = {
  ...process.env,
  SOAK_S: process.env.SOAK_S ?? '180',
  ...(chromium ? { CHROMIUM_PATH: chromium } : {}),
};
const args = [
  'playwright',
  'test',
  '--config',
  'soak/playwright.config.ts',
  ...process.argv.slice(2),
];
const { status } = spawnSync('pnpm', ['--filter', '@baton/e2e', 'exec', ...args], {
  stdio: 'inherit',
  env,
  shell: true,
});
process.exit(status ?? 1);
