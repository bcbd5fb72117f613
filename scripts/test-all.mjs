#!/usr/bin/env node
// Every check and every test, in the order a failure is cheapest to find: `pnpm test`.
import { spawnSync } from 'node:child_process';

const steps = [
  ['lint', 'biome check .'],
  ['typecheck', 'pnpm -r typecheck'],
  ['build', 'pnpm build'],
  ['README code blocks type-check', 'node scripts/doc-test.mjs'],
  ['API reference (TypeDoc, warnings as errors)', 'pnpm docs:api'],
  ['unit and integration tests', 'vitest run'],
  ['size budgets', 'size-limit'],
  [
    'packed packages (publint, attw, scratch apps with React 18 and 19)',
    'node scripts/pack-check.mjs',
  ],
  ['end-to-end tests (Chromium)', 'node scripts/e2e.mjs'],
];

const started = Date.now();
for (const [name, command] of steps) {
  const t0 = Date.now();
  console.log(`\n━━ ${name}: ${command}`);
  const { status } = spawnSync(command, { shell: true, stdio: 'inherit' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${status}) after ${seconds} s`);
    process.exit(status ?? 1);
  }
  console.log(`✓ ${name} (${seconds} s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
