#!/usr/bin/env node
// The published packages as people install them: `node scripts/pack-check.mjs` (after `pnpm build`).
//
// 1. `pnpm pack` every published package (packages/* that are not private) into a temp dir.
// 2. In the background: attw on each tarball, and `npm install` of two scratch apps OUTSIDE the
//    workspace (os.tmpdir()), one with React 18 and one with React 19, from the tarballs and the
//    npm registry.
// 3. Each tarball: what it ships (LICENSE, README, every file a shipped file points at), the doc
//    comments of its declarations against its sources, publint --strict.
// 4. The apps, which use every entry as the READMEs show: `tsc` (strict; bundler, node10, Node
//    without the DOM lib, and the oldest TypeScript the packages state), `vite build`, and
//    `require()` of every entry from CommonJS.
//
// Only the npm registry is used. Works with an empty HOME: npm's cache and logs go under
// os.tmpdir()/baton-pack-check (the cache is kept between runs; a run's own dir is removed when it
// passes). `--keep` keeps it; `--no-apps` leaves the apps out.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDocs } from './pack-check/docs.mjs';
import { appFiles } from './pack-check/scratchApp.mjs';
import { checkShippedFiles } from './pack-check/shippedFiles.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const BASE = join(tmpdir(), 'baton-pack-check');
const WORK = join(BASE, `run-${process.pid}`);
const NPM_CACHE = join(BASE, 'npm-cache');

/** The scratch apps' versions: the oldest and newest React the packages promise. */
const REACT_VARIANTS = {
  react18: {
    react: '^18.3.1',
    'react-dom': '^18.3.1',
    '@types/react': '^18.3.0',
    '@types/react-dom': '^18.3.0',
  },
  react19: {
    react: '^19.2.0',
    'react-dom': '^19.2.0',
    '@types/react': '^19.2.0',
    '@types/react-dom': '^19.2.0',
  },
};

const started = Date.now();
const summary = [];
const failures = [];

/** Runs a command; resolves with its exit code and output (never rejects). */
function run(command, commandArgs, options = {}) {
  return new Promise((done) => {
    const child = spawn(command, commandArgs, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => done({ code: -1, output: `${output}${error.message}` }));
    child.on('close', (code) => done({ code, output }));
  });
}

/** Prints and counts one result; returns whether it passed. */
function record(name, seconds, problems) {
  const ok = problems.length === 0;
  const line = `${ok ? '✓' : '✗'} ${name} (${seconds.toFixed(1)} s)`;
  summary.push(line);
  console.log([line, ...problems.map(indent)].join('\n'));
  if (!ok) failures.push(name);
  return ok;
}

/** Times one named check; a failure is recorded (with its output) and the run goes on. */
async function step(name, action) {
  const t0 = Date.now();
  let problems;
  try {
    problems = (await action()) ?? [];
  } catch (error) {
    problems = [error instanceof Error ? (error.stack ?? error.message) : String(error)];
  }
  return record(name, (Date.now() - t0) / 1000, problems);
}

const indent = (text) =>
  String(text)
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

/** A command that must exit 0: its output (last 60 lines) is the problem otherwise. */
async function must(command, commandArgs, options) {
  const { code, output } = await run(command, commandArgs, options);
  if (code === 0) return [];
  const tail = output.trimEnd().split('\n').slice(-60).join('\n');
  return [`${command} ${commandArgs.join(' ')} exited ${code}:\n${tail}`];
}

/** The workspace's published packages: packages/* without `private`. */
function publishedPackages() {
  return readdirSync(join(ROOT, 'packages'))
    .map((name) => join(ROOT, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private);
}

// ── 1. pack ────────────────────────────────────────────────────────────────────────────────────
rmSync(WORK, { recursive: true, force: true });
mkdirSync(join(WORK, 'tarballs'), { recursive: true });
const packages = publishedPackages();
for (const { dir, manifest } of packages) {
  if (!existsSync(join(dir, 'dist'))) {
    console.error(`✗ ${manifest.name} has no dist/: run \`pnpm build\` first`);
    process.exit(1);
  }
}
/** name → { tarball, unpacked, dir } */
const packed = new Map();
await step(`pnpm pack ${packages.map(({ manifest }) => manifest.name).join(', ')}`, async () => {
  const problems = [];
  for (const { dir, manifest } of packages) {
    const before = new Set(readdirSync(join(WORK, 'tarballs')));
    const { code, output } = await run(
      'pnpm',
      ['pack', '--pack-destination', join(WORK, 'tarballs')],
      { cwd: dir },
    );
    const tarball = readdirSync(join(WORK, 'tarballs')).find((file) => !before.has(file));
    if (code !== 0 || !tarball) {
      problems.push(`${manifest.name}: pnpm pack exited ${code}\n${output}`);
      continue;
    }
    const unpacked = join(WORK, 'unpacked', manifest.name);
    mkdirSync(unpacked, { recursive: true });
    const untar = await must('tar', ['-xzf', join(WORK, 'tarballs', tarball), '-C', unpacked]);
    problems.push(...untar);
    packed.set(manifest.name, {
      tarball: join(WORK, 'tarballs', tarball),
      unpacked: join(unpacked, 'package'),
      dir,
    });
  }
  return problems;
});

// ── 2. in the background: attw on each tarball, and the scratch apps' installs ─────────────────────
// attw's node16 (from CJS) column is TypeScript 5.6's Node 16, where `require()` of an ES module
// fails: it reports `cjs-resolves-to-esm` for every ESM-only package. Node 20.19+ and 22.12+
// `require()` ES modules, TypeScript 5.8+ (`module: nodenext`) types it, and step 4 runs such a
// `require()` of every entry. Every other rule stays on (`--profile strict`).
const ATTW = ['--profile', 'strict', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'];
const ATTW_BIN = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');
const timed = async (promise) => {
  const t0 = Date.now();
  const result = await promise;
  return { ...result, seconds: (Date.now() - t0) / 1000 };
};
// One after another: attw starts TypeScript, and the installs run beside it.
const attwRuns = (async () => {
  const results = [];
  for (const [name, { tarball }] of packed)
    results.push({ name, ...(await timed(run(process.execPath, [ATTW_BIN, tarball, ...ATTW]))) });
  return results;
})();

/** The oldest TypeScript the packages state (`peerDependencies.typescript`). */
const minTypeScript = (() => {
  const ranges = [...packed.values()].map(
    ({ unpacked }) =>
      JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')).peerDependencies?.typescript,
  );
  const versions = ranges.map((range) => range?.match(/^>=(\d+\.\d+)$/)?.[1]);
  return versions.every((v) => v && v === versions[0]) ? versions[0] : undefined;
})();

const withApps = !args.has('--no-apps');
const apps = withApps
  ? Object.entries(REACT_VARIANTS).map(([variant, react]) => {
      const dir = join(WORK, `app-${variant}`);
      const tarballs = Object.fromEntries(
        [...packed].map(([name, { tarball }]) => [name, `file:${tarball}`]),
      );
      const files = appFiles({ tarballs, react, minTypeScript: minTypeScript ?? '5.9' });
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      const npmEnv = {
        npm_config_cache: NPM_CACHE,
        npm_config_logs_dir: join(BASE, 'npm-logs'),
        npm_config_update_notifier: 'false',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
      };
      // Both installs at once: they share the cache, and most of their time is the network.
      const install = timed(
        run(
          'npm',
          [
            'install',
            '--no-package-lock',
            '--ignore-scripts',
            '--prefer-offline',
            '--loglevel=error',
          ],
          {
            cwd: dir,
            env: npmEnv,
          },
        ),
      );
      return { variant, dir, install };
    })
  : [];

// ── 3. each tarball: what it ships, its doc comments, publint ───────────────────────────────────────
const { publint } = await import('publint');
const { formatMessage } = await import('publint/utils');
for (const [name, { unpacked, dir }] of packed) {
  await step(`${name}: shipped files (LICENSE, README, every reference resolves)`, () =>
    checkShippedFiles(unpacked),
  );
  await step(`${name}: doc comments of the shipped declarations`, () =>
    checkDocs(name, unpacked, dir),
  );
  await step(`${name}: publint --strict`, async () => {
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
    const { messages } = await publint({ pkgDir: unpacked, pack: false, strict: true });
    return messages.map(
      (message) => `${message.type}: ${formatMessage(message, pkg) ?? message.code}`,
    );
  });
}
await step(
  'the stated minimum TypeScript (peerDependencies.typescript ">=X.Y", the same in each)',
  () =>
    minTypeScript
      ? []
      : ['every published package must state the same `peerDependencies.typescript: ">=X.Y"`'],
);
for (const { name, code, output, seconds } of await attwRuns)
  record(`${name}: attw ${ATTW.slice(0, 4).join(' ')}`, seconds, code === 0 ? [] : [output]);

// ── 4. the scratch apps, outside the workspace ────────────────────────────────────────────────────
const installed = [];
for (const { variant, dir, install } of apps) {
  const { code, output, seconds } = await install;
  const tail = output.trimEnd().split('\n').slice(-40).join('\n');
  if (
    record(`${variant}: npm install (beside the checks above)`, seconds, code === 0 ? [] : [tail])
  )
    installed.push({ variant, dir });
}

/** What each app checks; the two run at once (one per core). */
const CHECKS = {
  react18: ['bundler', 'node10', 'min', 'vite', 'require'],
  react19: ['bundler', 'min-libs', 'node', 'vite', 'require'],
};
await Promise.all(
  installed.map(async ({ variant, dir }) => {
    const tsc = (config, ts = 'typescript') =>
      must(process.execPath, [join(dir, 'node_modules', ts, 'bin/tsc'), '-p', config], {
        cwd: dir,
      });
    const checks = {
      bundler: [
        'tsc strict, moduleResolution bundler (TypeScript 5.9)',
        () => tsc('tsconfig.json'),
      ],
      node10: [
        'tsc strict, moduleResolution node10 (subpaths by typesVersions)',
        () => tsc('tsconfig.node10.json'),
      ],
      min: [
        `tsc, TypeScript ${minTypeScript} (the app; skipLibCheck as Vite's template)`,
        () => tsc('tsconfig.min.json', 'typescript-min'),
      ],
      'min-libs': [
        `tsc, TypeScript ${minTypeScript} (every entry but react/query; declarations checked)`,
        () => tsc('tsconfig.min-libs.json', 'typescript-min'),
      ],
      node: [
        'tsc strict for Node (lib ES2022, no DOM; nodenext; import = require())',
        () => tsc('tsconfig.node.json'),
      ],
      vite: [
        'vite build',
        () =>
          must(
            process.execPath,
            [join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
            { cwd: dir },
          ),
      ],
      require: [
        `require() of every entry from CommonJS (Node ${process.versions.node})`,
        () => must(process.execPath, ['require.cjs'], { cwd: dir }),
      ],
    };
    for (const check of CHECKS[variant]) {
      const [name, action] = checks[check];
      await step(`${variant}: ${name}`, action);
    }
  }),
);

if (failures.length === 0 && !args.has('--keep')) rmSync(WORK, { recursive: true, force: true });
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\npack-check: ${summary.length - failures.length} passed, ${failures.length} failed`);
console.log(`pack-check took ${seconds} s`);
if (failures.length > 0 || args.has('--keep')) console.log(`The run's files are in ${WORK}`);
process.exit(failures.length > 0 ? 1 : 0);
