// What a tarball ships: its licence and README, and no file that points at a file it lacks.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Every file under `dir`, as paths relative to it. */
export function listFiles(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

/** Every string target of an `exports` (or `typesVersions`) value. */
const targets = (value) =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(targets)
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(targets)
        : [];

// Relative specifiers of `import … from`, `export … from`, `import()` and `import x = require()`.
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;
const MAP_COMMENT = /^\/\/# sourceMappingURL=(\S+)\s*$/m;

/**
 * Checks the unpacked package at `pkgDir` (the tarball's `package/`); returns its problems.
 * A declaration file's `./x.js` is `./x.d.ts` (TypeScript's rule); a source map's `sources` need
 * not exist when the map embeds them (`sourcesContent`).
 */
export function checkShippedFiles(pkgDir) {
  const problems = [];
  const files = listFiles(pkgDir);
  const has = (path) => existsSync(join(pkgDir, path));

  const license = has('LICENSE') ? readFileSync(join(pkgDir, 'LICENSE'), 'utf8') : '';
  if (!/^MIT License/.test(license) || !license.includes('Copyright (c) 2026 Baton contributors'))
    problems.push('LICENSE: missing, or not the MIT licence of "Baton contributors"');
  if (!has('README.md') || readFileSync(join(pkgDir, 'README.md'), 'utf8').trim() === '')
    problems.push('README.md: missing or empty');

  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (manifest.license !== 'MIT')
    problems.push(`package.json: license is ${manifest.license}, not MIT`);
  for (const field of ['main', 'module', 'types', 'typings'])
    if (manifest[field] && !has(manifest[field]))
      problems.push(`package.json ${field}: ${manifest[field]} is not shipped`);
  for (const [field, value] of [
    ['exports', manifest.exports],
    ['typesVersions', manifest.typesVersions],
  ])
    for (const target of targets(value))
      if (!target.includes('*') && !has(target))
        problems.push(`package.json ${field}: ${target} is not shipped`);

  for (const file of files) {
    const path = join(pkgDir, file);
    const isDeclaration = /\.d\.[cm]?ts$/.test(file);
    if (/\.(?:[cm]?js|d\.[cm]?ts)$/.test(file)) {
      const text = readFileSync(path, 'utf8');
      for (const [, specifier] of text.matchAll(SPECIFIER)) {
        const target = join(dirname(file), specifier);
        const wanted = isDeclaration ? target.replace(/\.([cm]?)js$/, '.d.$1ts') : target;
        if (!has(wanted))
          problems.push(`${file}: imports ${specifier}, but ${wanted} is not shipped`);
      }
      const map = text.match(MAP_COMMENT)?.[1];
      if (map && !map.startsWith('data:') && !has(join(dirname(file), map)))
        problems.push(`${file}: points at ${map}, which is not shipped`);
    }
    if (file.endsWith('.map')) {
      const { sources = [], sourcesContent = [] } = JSON.parse(readFileSync(path, 'utf8'));
      sources.forEach((source, i) => {
        if (typeof sourcesContent[i] !== 'string' && !has(join(dirname(file), source)))
          problems.push(`${file}: source ${source} is neither shipped nor embedded`);
      });
    }
  }
  return problems;
}
