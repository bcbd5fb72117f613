/**
 * `pnpm bench`: every benchmark, one after another, on this machine. Prints the results as
 * markdown tables, writes the raw figures to bench/results.json and the tables to bench/RESULTS.md.
 * `BENCH_QUICK=1` for a smoke run (about a minute); `pnpm bench size lock` runs only the named
 * benchmarks. Those two only print, unless BENCH_WRITE=1 (named benchmarks then replace only
 * their own figures in the saved results.json). `pnpm bench --render` rewrites RESULTS.md from
 * results.json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startLab } from './browser.js';
import { runBurst } from './burst.js';
import { QUICK } from './config.js';
import { readCoreDefaults } from './coreDefaults.js';
import { runDpop } from './dpop.js';
import { runLock } from './lock.js';
import { runOverhead } from './overhead.js';
import { runPropagation } from './propagation.js';
import { runRefreshes } from './refreshes.js';
import { type PartialRun, type Results, renderMarkdown } from './report.js';
import { runSize } from './size.js';

const NAMES = ['size', 'refreshes', 'burst', 'propagation', 'overhead', 'lock', 'dpop'] as const;
const out = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Writes RESULTS.md; returns its text. */
function writeMarkdown(markdown: string): string {
  writeFileSync(out('RESULTS.md'), markdown);
  return markdown;
}

// `pnpm bench --render`: RESULTS.md again from results.json (after a change of wording only).
if (process.argv[2] === '--render') {
  const saved = JSON.parse(readFileSync(out('results.json'), 'utf8')) as Results;
  console.log(writeMarkdown(renderMarkdown(saved)));
  process.exit(0);
}

const only = process.argv.slice(2);
for (const name of only)
  if (!(NAMES as readonly string[]).includes(name))
    throw new Error(`unknown benchmark ${name}: one of ${NAMES.join(', ')}`);
const wanted = (name: (typeof NAMES)[number]) => only.length === 0 || only.includes(name);

function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    const sha = git('rev-parse', '--short', 'HEAD').trim();
    const dirty = git('status', '--porcelain', '--', 'packages').trim();
    return dirty ? `${sha} + uncommitted changes in packages/` : sha;
  } catch {
    return 'unknown';
  }
}

const started = Date.now();
// Taken before anything is bundled: the code measured is the working tree at this moment.
const measured = commit();
const coreDefaults = readCoreDefaults();
const loadAtStart = loadavg()[0] ?? 0;
const benchSeconds: Record<string, number> = {};
async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  console.log(`▶ ${name}`);
  const result = await run();
  benchSeconds[name] = (Date.now() - t0) / 1000;
  console.log(`✓ ${name} (${benchSeconds[name].toFixed(1)} s)`);
  return result;
}

const lab = await startLab();
const results: Omit<Results, 'meta'> & Partial<Pick<Results, 'meta'>> = {};
try {
  if (wanted('size')) results.size = await timed('size', runSize);
  if (wanted('refreshes')) results.refreshes = await timed('refreshes', () => runRefreshes(lab));
  if (wanted('burst')) results.burst = await timed('burst', () => runBurst(lab));
  if (wanted('propagation'))
    results.propagation = await timed('propagation', () => runPropagation(lab));
  if (wanted('overhead')) results.overhead = await timed('overhead', runOverhead);
  if (wanted('lock')) results.lock = await timed('lock', () => runLock(lab));
  if (wanted('dpop')) results.dpop = await timed('dpop', () => runDpop(lab));
} finally {
  await lab.close().catch(() => {});
}

const cpu = cpus();
const full: Results = {
  meta: {
    date: new Date().toISOString(),
    quick: QUICK,
    commit: measured,
    node: process.version,
    chromium: lab.browser.version(),
    cpus: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    durationSeconds: (Date.now() - started) / 1000,
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    benchSeconds,
    coreDefaults,
  },
  ...results,
};
/**
 * A subset written with BENCH_WRITE=1 goes into the saved results of the last full run: its parts
 * replace theirs, the rest stays, and `meta.updates` says which parts come from which run.
 */
function merged(run: Results): Results {
  let saved: Results;
  try {
    saved = JSON.parse(readFileSync(out('results.json'), 'utf8')) as Results;
  } catch {
    return run; // nothing saved yet: this run alone
  }
  const { meta, ...parts } = run;
  const update: PartialRun = {
    parts: only,
    date: meta.date,
    quick: meta.quick,
    commit: meta.commit,
    chromium: meta.chromium,
    durationSeconds: meta.durationSeconds,
    loadAverage: meta.loadAverage ?? { start: Number.NaN, end: Number.NaN },
    benchSeconds: meta.benchSeconds,
  };
  const earlier = (saved.meta.updates ?? [])
    .map((u) => ({ ...u, parts: u.parts.filter((part) => !only.includes(part)) }))
    .filter((u) => u.parts.length > 0);
  return { ...saved, ...parts, meta: { ...saved.meta, updates: [...earlier, update] } };
}

// A smoke run or a subset never overwrites the committed figures of a full run, unless asked.
if ((only.length === 0 && !QUICK) || process.env.BENCH_WRITE === '1') {
  const written = only.length === 0 ? full : merged(full);
  writeFileSync(out('results.json'), `${JSON.stringify(written, null, 2)}\n`);
  console.log(`\n${writeMarkdown(renderMarkdown(written))}`);
  console.log(
    `Wrote bench/results.json and bench/RESULTS.md${only.length > 0 ? ` (${only.join(', ')} merged into the saved results)` : ''}`,
  );
} else console.log(`\n${renderMarkdown(full)}`);
console.log(`pnpm bench: ${full.meta.durationSeconds.toFixed(1)} s${QUICK ? ' (quick)' : ''}`);
