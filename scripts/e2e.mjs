#!/usr/bin/env node
// `pnpm e2e`: the Playwright suite in real Chromium (installed with apt when missing, as root).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { ensureChromium } from './chromium.mjs';

const dir = new URL('../playwright/tests', import.meta.url);
const specs = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.spec.ts')) : [];
if (specs.length === 0) {
  console.log('e2e: no Playwright specs yet (playwright/tests is empty).');
  process.exit(0);
}
const chromium = ensureChromium();
const env = { ...process.env, ...(chromium ? { CHROMIUM_PATH: chromium } : {}) };
const { status } = spawnSync(
  'pnpm',
  ['--filter', '@baton/e2e', 'exec', 'playwright', 'test', ...process.argv.slice(2)],
  { stdio: 'inherit', env, shell: true },
);
process.exit(status ?? 1);
