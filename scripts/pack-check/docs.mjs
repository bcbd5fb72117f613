// The doc comments people see on hover: every one the sources have must survive the declaration
// bundler. tsdown 0.21 (rolldown-plugin-dts 0.23) moves a one-line doc comment inside an object
// type onto the previous member's line, where TypeScript no longer reads it as that member's doc.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** Where each published entry's source is, by package and subpath. */
const SOURCES = {
  '@baton/core': (subpath) =>
    subpath === '.' ? 'src/index.ts' : `src/entries/${subpath.slice(2)}.ts`,
  '@baton/react': (subpath) => ({ '.': 'src/index.ts', './query': 'src/reactQuery.ts' })[subpath],
  '@baton/token-proxy': (subpath) => ({ '.': 'src/index.ts', './form': 'src/form.ts' })[subpath],
  '@baton/mock-server': (subpath) => (subpath === '.' ? 'src/index.ts' : undefined),
};

/** The declaration entries of a manifest's `exports`: subpath → types file. */
function typesEntries(manifest) {
  return Object.entries(manifest.exports ?? {})
    .filter(([, value]) => typeof value === 'object' && value?.types)
    .map(([subpath, value]) => [subpath, value.types]);
}

/**
 * Every doc comment an entry's exports carry, by key: `Name`, `Name.member` and, for a member of
 * one kind of a union (`BatonEvent`), `Name[type=refresh-failure].member`. Only members declared
 * in `ownDir` count (not React's or the DOM's).
 */
function docsOf(program, entryFile, ownDir) {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entryFile);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${entryFile}: not a module`);
  const docs = new Map();
  const docOf = (symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
  const own = (symbol) =>
    symbol.declarations?.some(
      (d) => !relative(ownDir, d.getSourceFile().fileName).startsWith('..'),
    );
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    docs.set(exported.name, docOf(symbol));
    const types = [];
    if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class))
      types.push(checker.getDeclaredTypeOfSymbol(symbol));
    if (symbol.flags & ts.SymbolFlags.Variable) types.push(checker.getTypeOfSymbol(symbol));
    for (const type of types) {
      for (const kind of type.isUnion() ? type.types : [type]) {
        const tag = kind.getProperty('type');
        const tagType = tag && checker.getTypeOfSymbol(tag);
        const where = tagType?.isStringLiteral() ? `[type=${tagType.value}]` : '';
        for (const member of checker.getPropertiesOfType(kind))
          if (own(member)) docs.set(`${exported.name}${where}.${member.name}`, docOf(member));
      }
    }
  }
  return docs;
}

/**
 * Parsed files shared by every program of this run: the DOM lib and React's types are most of a
 * program's cost, and each package's two programs read the same ones.
 */
const parsed = new Map();
function sharedHost(options) {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (fileName, version, ...rest) => {
    const key = `${fileName}\0${JSON.stringify(version)}`;
    if (!parsed.has(key)) parsed.set(key, read.call(host, fileName, version, ...rest));
    return parsed.get(key);
  };
  return host;
}

const COMPILER_OPTIONS = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  strict: true,
  noEmit: true,
  skipLibCheck: true,
};

/**
 * Checks the declarations of the unpacked package `name` at `pkgDir` against its sources in
 * `srcDir` (the workspace package); returns the problems.
 */
export function checkDocs(name, pkgDir, srcDir) {
  const problems = [];
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const sourceOf = SOURCES[name];
  if (!sourceOf)
    return [`${name}: say in scripts/pack-check/docs.mjs where its entries' sources are`];

  // A doc comment that follows code on its line is lost to editors, whatever it documents.
  for (const file of readdirSync(join(pkgDir, 'dist')).filter((f) => /\.d\.[cm]?ts$/.test(f))) {
    readFileSync(join(pkgDir, 'dist', file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const at = line.indexOf('/**');
        if (at > 0 && line.slice(0, at).trim() !== '')
          problems.push(
            `dist/${file}:${i + 1}: a doc comment after code: ${line.trim().slice(0, 100)}`,
          );
      });
  }

  const entries = typesEntries(manifest).map(([subpath, types]) => ({
    subpath,
    shipped: join(pkgDir, types),
    source: sourceOf(subpath) && join(srcDir, sourceOf(subpath)),
  }));
  for (const { subpath, source } of entries)
    if (!source) problems.push(`${name}: no source known for ${subpath}`);

  const config = ts.getParsedCommandLineOfConfigFile(
    join(srcDir, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) =>
        problems.push(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  );
  const sourceOptions = { ...config?.options, noEmit: true };
  const sources = ts.createProgram({
    rootNames: entries.map((e) => e.source).filter(Boolean),
    options: sourceOptions,
    host: sharedHost(sourceOptions),
  });
  const shipped = ts.createProgram({
    rootNames: entries.map((e) => e.shipped),
    options: COMPILER_OPTIONS,
    host: sharedHost(COMPILER_OPTIONS),
  });
  for (const { subpath, shipped: shippedFile, source } of entries) {
    if (!source) continue;
    const want = docsOf(sources, source, join(srcDir, 'src'));
    const got = docsOf(shipped, shippedFile, pkgDir);
    for (const [key, doc] of want)
      if (doc && !got.get(key))
        problems.push(
          `${name}${subpath === '.' ? '' : subpath.slice(1)}: ${key} has no doc comment in ${relative(pkgDir, shippedFile)} (the source has one)`,
        );
  }

  // Named by the issue: every ErrorCode member documented, as shipped.
  if (name === '@baton/core') {
    const got = docsOf(shipped, join(pkgDir, manifest.exports['.'].types), pkgDir);
    const members = [...got].filter(([key]) => key.startsWith('ErrorCode.'));
    if (members.length < 18)
      problems.push(`ErrorCode: ${members.length} members found, 18 expected at least`);
    for (const [key, doc] of members) if (!doc) problems.push(`${key}: no doc comment as shipped`);
  }
  return problems;
}
