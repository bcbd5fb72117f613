#!/usr/bin/env node
// The doc test: every ```ts / ```tsx / ```typescript block of README.md, packages/*/README.md and
// docs/*.md is type-checked, each as a file of its own, in strict TypeScript, against the
// packages' published types (`dist`, so run `pnpm build` first), as an app that installed them
// would paste it. A block whose first line is a file name comment (`// src/auth.ts`) is written
// under that name, so that blocks of one page can import each other. A block that cannot be
// pasted on purpose says so: `<!-- doc-test: skip (why) -->` on the line before it.
//
// `node scripts/doc-test.mjs [page.md…]` (default: every page). Exit 1 on any error.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
// Inside the docs workspace package, so third-party imports (react, vitest, @playwright/test…)
// resolve from its node_modules, as in an app; node_modules keeps it out of git and Biome.
const project = join(root, 'docs/node_modules/.doc-test');
const LANGS = new Set(['ts', 'tsx', 'typescript']);
const SKIP = /^<!--\s*doc-test:\s*skip\b/;
const FILE_NAME = /^\/\/\s*((?:[\w.-]+\/)*[\w.-]+\.(?:ts|tsx|mts))\s*(?::|$)/;

const pages = process.argv.slice(2).length > 0 ? process.argv.slice(2) : defaultPages();

/** @typedef {{ page: string, line: number, file: string }} Block */
/** @type {Block[]} */
const blocks = [];
let skipped = 0;
rmSync(project, { recursive: true, force: true });
for (const page of pages) {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const dir = join(project, page.replace(/\.md$/, '').replaceAll('/', '__'));
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)(.*)$/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent, fence, lang = ''] = open;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !(lines[i] ?? '').trimStart().startsWith(fence); i++) {
      body.push((lines[i] ?? '').slice(indent?.length ?? 0));
    }
    if (!LANGS.has(lang)) continue;
    if (SKIP.test(previousText(lines, start)) || /\bignore\b/.test(open[4] ?? '')) {
      skipped++;
      continue;
    }
    const ext = lang === 'tsx' ? 'tsx' : 'ts';
    const named = FILE_NAME.exec(body[0] ?? '')?.[1];
    const file = join(dir, named ?? `line-${start + 1}.${ext}`);
    if (blocks.some((b) => b.file === file))
      throw new Error(`${page}:${start + 1}: ${named} twice`);
    mkdirSync(dirname(file), { recursive: true });
    // A module, as every file of an ESM app is: blocks never share a global scope.
    writeFileSync(file, `${body.join('\n')}\nexport {};\n`);
    blocks.push({ page, line: start + 2, file });
  }
}

const program = ts.createProgram(
  blocks.map((b) => b.file),
  compilerOptions(),
);
const diagnostics = ts.getPreEmitDiagnostics(program);
for (const d of diagnostics)
  console.error(where(d), ts.flattenDiagnosticMessageText(d.messageText, '\n'));

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const failed = new Set(diagnostics.map((d) => blockOf(d)?.file).filter(Boolean)).size;
console.log(
  `doc test: ${blocks.length} blocks in ${pages.length} pages type-checked, ${skipped} skipped, ` +
    `${failed} failing (${diagnostics.length} errors) in ${seconds} s`,
);
process.exit(diagnostics.length > 0 ? 1 : 0);

function defaultPages() {
  const md = (dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((f) => f.endsWith('.md'))
          .map((f) => join(dir, f))
      : [];
  const packages = readdirSync(join(root, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((p) => existsSync(join(root, p)));
  return ['README.md', ...packages, ...md('docs')];
}

function previousText(lines, index) {
  for (let j = index - 1; j >= 0; j--) if ((lines[j] ?? '').trim() !== '') return lines[j].trim();
  return '';
}

/**
 * The repository's strict settings, with every `@baton/*` import resolved to the types the
 * package publishes (`publishConfig.exports`, else `exports`): what a user's install sees.
 */
function compilerOptions() {
  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  /** @type {Record<string, string[]>} */
  const paths = {};
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const exports = pkg.publishConfig?.exports ?? pkg.exports ?? {};
    for (const [subpath, target] of Object.entries(exports)) {
      const types = typeof target === 'object' ? target.types : undefined;
      if (typeof types !== 'string') continue;
      const dts = join(root, 'packages', dir, types);
      if (!existsSync(dts)) {
        console.error(`doc test: ${relative(root, dts)} is missing: run pnpm build first`);
        process.exit(2);
      }
      paths[pkg.name + subpath.slice(1)] = [dts];
    }
  }
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    { ...base.config.compilerOptions, types: ['node'], noEmit: true, paths },
    project,
  );
  if (errors.length > 0)
    throw new Error(ts.flattenDiagnosticMessageText(errors[0].messageText, '\n'));
  return options;
}

function blockOf(d) {
  const name = d.file?.fileName;
  return name === undefined ? undefined : blocks.find((b) => b.file === name);
}

/** `page.md:line:` for an error in a block, the file's own place for any other. */
function where(d) {
  const code = `TS${d.code}`;
  if (d.file === undefined || d.start === undefined) return `${code}:`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const block = blockOf(d);
  if (block === undefined)
    return `${relative(root, d.file.fileName)}:${line + 1}:${character + 1} ${code}:`;
  return `${block.page}:${block.line + line}:${character + 1} ${code}:`;
}
