/**
 * Benchmark 1: bundle size, min + gzip. esbuild bundles and minifies each entry for the browser
 * (ES2022, production), all runtime dependencies included except the externals named; gzip at
 * level 9. Baton is bundled from its source. Beside it, the peers installed in this package.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { dialects } from '../../packages/core/src/dialects/index.js';
import { coreFromSource } from './browser.js';

const REACT_SOURCE = fileURLToPath(new URL('../../packages/react/src/index.ts', import.meta.url));
const REACT_QUERY_SOURCE = fileURLToPath(
  new URL('../../packages/react/src/reactQuery.ts', import.meta.url),
);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REACT = ['react', 'react-dom', 'react/jsx-runtime', 'scheduler'];

export interface SizeCase {
  readonly id: string;
  readonly label: string;
  /** `baton` or the peer's package name. */
  readonly library: string;
  readonly entry: string;
  readonly external?: readonly string[];
}

export interface SizeResult extends SizeCase {
  readonly minified: number;
  readonly gzip: number;
  readonly version?: string;
}

export interface ModuleBytes {
  readonly module: string;
  /** Minified bytes this module puts in the bundle. */
  readonly bytes: number;
}

export interface SizeResults {
  readonly cases: SizeResult[];
  /** The factories of the `dialects` object, in its order (what `core-dialects` keeps). */
  readonly dialects?: string[];
  /** Where the bytes of `@baton/core` (everything) go, largest first. */
  readonly batonModules: ModuleBytes[];
}

const whole = (pkg: string) => `import * as ns from '${pkg}';\nexport { ns };`;

/** Every subpath of `@baton/core` (its `exports` map): what an app opts into by importing it. */
const CORE_SUBPATHS = Object.keys(
  (
    JSON.parse(
      readFileSync(new URL('../../packages/core/package.json', import.meta.url), 'utf8'),
    ) as {
      exports: Record<string, unknown>;
    }
  ).exports,
)
  .filter((key) => key !== '.' && key !== './package.json')
  .map((key) => key.slice(2));

export const CASES: readonly SizeCase[] = [
  {
    id: 'core-all',
    library: 'baton',
    label: '@baton/core and every subpath, everything (`import * as`)',
    entry: [
      "import * as core from '@baton/core';",
      ...CORE_SUBPATHS.map((sub, i) => `import * as sub${i} from '@baton/core/${sub}';`),
      `export { core, ${CORE_SUBPATHS.map((_, i) => `sub${i}`).join(', ')} };`,
    ].join('\n'),
  },
  {
    id: 'core-dialects',
    library: 'baton',
    label: '@baton/core `{ createTokenManager }` + /dialects `{ dialects }`',
    entry:
      "export { createTokenManager } from '@baton/core';\n" +
      "export { dialects } from '@baton/core/dialects';",
  },
  {
    id: 'core-ciam',
    library: 'baton',
    label: '@baton/core `{ createTokenManager }` + /dialects `{ ciam }`',
    entry:
      "export { createTokenManager } from '@baton/core';\n" +
      "export { ciam } from '@baton/core/dialects';",
  },
  {
    id: 'core-ciam-redirect',
    library: 'baton',
    label:
      '@baton/core `{ createTokenManager }` + /dialects `{ ciam }` + /redirect `{ signInWithRedirect, handleRedirectCallback }`',
    entry:
      "export { createTokenManager } from '@baton/core';\n" +
      "export { ciam } from '@baton/core/dialects';\n" +
      "export { handleRedirectCallback, signInWithRedirect } from '@baton/core/redirect';",
  },
  {
    id: 'core-app',
    library: 'baton',
    label:
      '@baton/core `{ createTokenManager }` + /dialects `{ ciam }` + /redirect `{ signInWithRedirect, handleRedirectCallback }` + /auth-fetch `{ createAuthFetch }`',
    entry:
      "export { createTokenManager } from '@baton/core';\n" +
      "export { ciam } from '@baton/core/dialects';\n" +
      "export { handleRedirectCallback, signInWithRedirect } from '@baton/core/redirect';\n" +
      "export { createAuthFetch } from '@baton/core/auth-fetch';",
  },
  {
    id: 'core-app-dpop',
    library: 'baton',
    label: 'the same app import + /dpop `{ dpop }` (DPoP)',
    entry:
      "export { createTokenManager } from '@baton/core';\n" +
      "export { ciam } from '@baton/core/dialects';\n" +
      "export { handleRedirectCallback, signInWithRedirect } from '@baton/core/redirect';\n" +
      "export { createAuthFetch } from '@baton/core/auth-fetch';\n" +
      "export { dpop } from '@baton/core/dpop';",
  },
  {
    id: 'core-dpop',
    library: 'baton',
    label:
      '@baton/core/dpop `{ dpop }` alone (with the helpers it shares with the core: BatonError, base64url)',
    entry: "export { dpop } from '@baton/core/dpop';",
  },
  {
    id: 'core-broadcast-lock',
    library: 'baton',
    label:
      "@baton/core/broadcast-lock `{ broadcastLock }` alone (the chunk `lock: 'auto'` loads without Web Locks)",
    entry: "export { broadcastLock } from '@baton/core/broadcast-lock';",
  },
  {
    id: 'react',
    library: 'baton',
    label: '@baton/react, everything (react and core external)',
    entry: whole('@baton/react'),
    external: [...REACT, '@baton/core', '@tanstack/react-query'],
  },
  {
    id: 'react-query',
    library: 'baton',
    label: '@baton/react/query (react, core, react-query external)',
    entry: whole('@baton/react/query'),
    external: [...REACT, '@baton/core', '@tanstack/react-query'],
  },
  ...(
    [
      ['@auth0/auth0-spa-js', '{ createAuth0Client }'],
      ['@okta/okta-auth-js', '{ OktaAuth }'],
      ['@supabase/auth-js', '{ GoTrueClient }'],
      ['oidc-client-ts', '{ UserManager }'],
      ['@azure/msal-browser', '{ PublicClientApplication }'],
      ['keycloak-js', 'default'],
    ] as const
  ).flatMap(([pkg, named]): SizeCase[] => [
    { id: `${pkg}-all`, library: pkg, label: `${pkg}, everything`, entry: whole(pkg) },
    {
      id: `${pkg}-named`,
      library: pkg,
      label: `${pkg} \`${named === 'default' ? 'default (Keycloak)' : named}\``,
      entry:
        named === 'default'
          ? `export { default } from '${pkg}';`
          : `export ${named} from '${pkg}';`,
    },
  ]),
  {
    id: 'react-oidc-context',
    library: 'react-oidc-context',
    label: 'react-oidc-context, everything (react and oidc-client-ts external)',
    entry: whole('react-oidc-context'),
    external: [...REACT, 'oidc-client-ts'],
  },
  {
    id: '@azure/msal-react',
    library: '@azure/msal-react',
    label: '@azure/msal-react, everything (react and msal-browser external)',
    entry: whole('@azure/msal-react'),
    external: [...REACT, '@azure/msal-browser'],
  },
];

async function bundle(c: SizeCase): Promise<{ code: Uint8Array; metafile: Metafile }> {
  const result = await build({
    stdin: {
      contents: c.entry,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: 'out.js',
    external: [...(c.external ?? [])],
    // Baton from source; an external stays external (esbuild would resolve an alias or a
    // plugin first). Where the entry does not import the BroadcastChannel lock, the core's lazy
    // import of it stays out: the bundle is what a page loads at first.
    plugins: c.external?.includes('@baton/core')
      ? []
      : [
          coreFromSource({
            lazyBroadcastLockExternal: !c.entry.includes('@baton/core/broadcast-lock'),
          }),
        ],
    alias: Object.fromEntries(
      Object.entries({
        '@baton/react/query': REACT_QUERY_SOURCE,
        '@baton/react': REACT_SOURCE,
      }).filter(([name]) => !c.external?.includes(name)),
    ),
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`${c.id}: no output`);
  return { code: out.contents, metafile: result.metafile };
}

/** `node_modules/.pnpm/jwt-decode@4.0.0/node_modules/jwt-decode/build/esm/index.js` → `jwt-decode`. */
function moduleName(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(path)?.[1];
  return pkg ?? path;
}

/** The installed version (read from disk: not every package exports its package.json). */
async function version(pkg: string): Promise<string | undefined> {
  try {
    const file = fileURLToPath(new URL(`../node_modules/${pkg}/package.json`, import.meta.url));
    return (JSON.parse(await readFile(file, 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export async function runSize(): Promise<SizeResults> {
  const cases: SizeResult[] = [];
  let batonModules: ModuleBytes[] = [];
  for (const c of CASES) {
    const { code, metafile } = await bundle(c);
    const v = c.library === 'baton' ? undefined : await version(c.library);
    cases.push({
      ...c,
      minified: code.byteLength,
      gzip: gzipSync(code, { level: 9 }).byteLength,
      ...(v && { version: v }),
    });
    if (c.id === 'core-all') {
      const inputs = Object.values(metafile.outputs)[0]?.inputs ?? {};
      const bytes = new Map<string, number>();
      for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
        const name = moduleName(path);
        bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
      }
      batonModules = [...bytes]
        .map(([module, n]) => ({ module, bytes: n }))
        .filter((m) => m.bytes > 0)
        .sort((a, b) => b.bytes - a.bytes);
    }
  }
  return { cases, batonModules, dialects: Object.keys(dialects) };
}
