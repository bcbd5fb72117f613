#!/usr/bin/env node
// Every check and every test, in the order a failure is cheapest to find: `pnpm test`.
import { spawn } from 'node:child_process';

/** A step is [name, command]; a list of steps runs at once (the first one's output live). */
const steps = [
  ['lint', 'biome check .'],
  ['typecheck', 'pnpm -r typecheck'],
  ['build', 'pnpm build'],
  ['README code blocks type-check', 'node scripts/doc-test.mjs'],
  ['API reference (TypeDoc, warnings as errors)', 'pnpm docs:api'],
  ['size budgets', 'size-limit'],
  // Side by side: the unit tests mostly wait on real timers, the pack check on npm and tsc
  // (measured on 2 cores: 71 s and 33 s one after the other).
  [
    ['unit and integration tests', 'vitest run'],
    [
      'packed packages (publint, attw, scratch apps with React 18 and 19)',
      'node scripts/pack-check.mjs',
    ],
  ],
  ['end-to-end tests (Chromium)', 'node scripts/e2e.mjs'],
];

/** Prints a step's outcome; true when it passed. */
function report({ name, status, seconds }) {
  if (status === 0) console.log(`✓ ${name} (${seconds} s)`);
  else console.error(`\n✗ ${name} failed (exit ${status}) after ${seconds} s`);
  return status === 0;
}

/** Runs a step: its output live, or collected (`live` false) to be printed once it ends. */
function run([name, command], live) {
  const since = Date.now();
  const child = spawn(command, {
    shell: true,
    stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output += chunk;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      const seconds = ((Date.now() - since) / 1000).toFixed(1);
      resolve({ name, command, status, seconds, output });
    }),
  );
}

const started = Date.now();
for (const step of steps) {
  const [first, ...beside] = typeof step[0] === 'string' ? [step] : step;
  console.log(`\n━━ ${first[0]}: ${first[1]}`);
  for (const [name, command] of beside) console.log(`   (beside it: ${name}: ${command})`);
  const [main, ...others] = await Promise.all([
    run(first, true),
    ...beside.map((other) => run(other, false)),
  ]);
  let passed = report(main);
  for (const other of others) {
    console.log(`\n━━ ${other.name}: ${other.command}\n${other.output.trimEnd()}`);
    passed = report(other) && passed;
  }
  if (!passed) process.exit(1);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
