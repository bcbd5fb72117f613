#!/usr/bin/env node
// Every check and every test: `pnpm test`. A step is a list of lanes run side by side; a lane is
// a list of [name, command] run one after another, stopping at its first failure. The first
// lane's output is live, the others' printed when their lane ends. Every lane of a step finishes
// and reports before a failure exits.
import { spawn } from 'node:child_process';

/**
 * On 2 cores the unit tests keep them ~65 % busy (most of their files wait on real timers), the
 * type check and the build lane fill the rest: measured, one after another, 35 + 17 + 4 + 7 + 35
 * + 73 s; side by side, see docs/reliability.md. The unit tests need no build (they import
 * sources); what reads the packed or built packages follows `pnpm build` in its lane.
 */
const steps = [
  [[['lint', 'biome check .']]],
  [
    [['unit and integration tests', 'vitest run']],
    [['typecheck', 'pnpm -r typecheck']],
    [
      ['build', 'pnpm build'],
      ['README code blocks type-check', 'node scripts/doc-test.mjs'],
      ['API reference (TypeDoc, warnings as errors)', 'pnpm docs:api'],
      ['size budgets', 'size-limit'],
      [
        'packed packages (publint, attw, scratch apps with React 18 and 19)',
        'node scripts/pack-check.mjs',
      ],
    ],
  ],
  [[['end-to-end tests (Chromium)', 'node scripts/e2e.mjs']]],
];

/** Runs one command: its output live, or collected (`live` false) to be printed later. */
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

/** Runs a lane's commands in turn until one fails; their results, in order. */
async function runLane(lane, live) {
  const results = [];
  for (const command of lane) {
    if (live) console.log(`\n━━ ${command[0]}: ${command[1]}`);
    const result = await run(command, live);
    results.push(result);
    if (result.status !== 0) break;
  }
  return results;
}

/** Prints a command's outcome (and, when it was not live, its output first); true when it passed. */
function report({ name, command, status, seconds, output }, live) {
  if (!live) console.log(`\n━━ ${name}: ${command}\n${output.trimEnd()}`);
  if (status === 0) console.log(`✓ ${name} (${seconds} s)`);
  else console.error(`\n✗ ${name} failed (exit ${status}) after ${seconds} s`);
  return status === 0;
}

const started = Date.now();
for (const [first, ...beside] of steps) {
  for (const lane of beside)
    console.log(`   (beside it: ${lane.map(([name]) => name).join(', then ')})`);
  const lanes = await Promise.all([
    runLane(first, true),
    ...beside.map((lane) => runLane(lane, false)),
  ]);
  let passed = true;
  lanes.forEach((results, index) => {
    for (const result of results) passed = report(result, index === 0) && passed;
  });
  if (!passed) process.exit(1);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
