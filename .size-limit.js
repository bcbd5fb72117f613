// min+gzip, every runtime dependency (jwt-decode) included. Issue 14's budgets are 5.0 kB (core +
// ciam), 6.0 kB (+ redirect), 9.0 kB (everything) and 1.0 kB (react): the limits below are what
// is measured now, tightened as the bytes come down. Issue 16 (standard providers) added 40 B to
// every app (the endpoints' shared request helper, discovery awaited where a dialect has it) and
// 1.2 kB to an app that imports `oidc` and `@baton/core/sign-out`. Issue 17 (DPoP) added 310 B
// to every app (the session's key thumbprint, the proving fetch hook, the key's end at
// sign-out) and 1.3 kB to an app that imports `@baton/core/dpop`. Issue 19 added 2 B to the
// BroadcastChannel lock (its claim-window rule, exported so that its tests read it, not repeat it).
// `lock: 'auto'` loads the BroadcastChannel lock only where Web Locks are missing, as a chunk of
// its own (`import()`): the first three budgets are what every app downloads, and the lazy chunk
// is measured on its own below.
import { readFileSync } from 'node:fs';

/** Every entry point of @baton/core, from its `exports` map (`.` is `index`). */
const CORE_ENTRIES = Object.keys(
  JSON.parse(readFileSync('packages/core/package.json', 'utf8')).exports,
)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'index' : key.slice(2)));

const lazyBroadcastLock = (config) => ({
  ...config,
  plugins: [
    ...(config.plugins ?? []),
    {
      name: 'lazy-broadcast-lock',
      setup(build) {
        build.onResolve({ filter: /broadcastLock-[\w-]+\.js$/ }, (args) =>
          args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
        );
      },
    },
  ],
});

const core = (name, limit) => ({
  name,
  gzip: true,
  limit,
  modifyEsbuildConfig: lazyBroadcastLock,
});

export default [
  {
    ...core('@baton/core: { createTokenManager } + ciam', '9.63 kB'),
    import: {
      'packages/core/dist/index.js': '{ createTokenManager }',
      'packages/core/dist/dialects.js': '{ ciam }',
    },
  },
  {
    ...core('@baton/core: the same + redirect sign-in', '10.89 kB'),
    import: {
      'packages/core/dist/index.js': '{ createTokenManager }',
      'packages/core/dist/dialects.js': '{ ciam }',
      'packages/core/dist/redirect.js': '{ signInWithRedirect, handleRedirectCallback }',
    },
  },
  {
    ...core(
      '@baton/core: an OpenID Connect app (oidc, redirect sign-in, provider sign-out)',
      '12.07 kB',
    ),
    import: {
      'packages/core/dist/index.js': '{ createTokenManager }',
      'packages/core/dist/dialects.js': '{ oidc }',
      'packages/core/dist/redirect.js': '{ signInWithRedirect, handleRedirectCallback }',
      'packages/core/dist/sign-out.js': '{ signOut }',
    },
  },
  {
    ...core('@baton/core: the OpenID Connect app with DPoP', '13.4 kB'),
    import: {
      'packages/core/dist/index.js': '{ createTokenManager }',
      'packages/core/dist/dialects.js': '{ oidc }',
      'packages/core/dist/redirect.js': '{ signInWithRedirect, handleRedirectCallback }',
      'packages/core/dist/sign-out.js': '{ signOut }',
      'packages/core/dist/dpop.js': '{ dpop }',
    },
  },
  {
    ...core('@baton/core: everything, every subpath', '15.39 kB'),
    import: Object.fromEntries(
      await Promise.all(
        CORE_ENTRIES.map(async (file) => {
          const path = `packages/core/dist/${file}.js`;
          const names = Object.keys(await import(`./${path}`));
          return [path, `{ ${names.join(', ')} }`];
        }),
      ),
    ),
  },
  {
    name: '@baton/core/broadcast-lock (the lazy chunk, with what it shares with the core)',
    import: { 'packages/core/dist/broadcast-lock.js': '{ broadcastLock }' },
    gzip: true,
    limit: '1.5 kB',
  },
  {
    // Issue 18 added useAuth's isLoading/isAuthenticated/error/profile, <RequireAuth> and
    // onRedirectCallback: 1000 B before, 1464 B measured after.
    name: '@baton/react (without react and the core)',
    import: { 'packages/react/dist/index.js': '*' },
    ignore: ['react', '@baton/core'],
    gzip: true,
    limit: '1.47 kB',
  },
  {
    name: '@baton/react: provider and hooks, no redirect (an app without <RequireAuth>)',
    import: {
      'packages/react/dist/index.js': '{ BatonProvider, useAuth, useAccessToken, useAuthFetch }',
    },
    ignore: ['react', '@baton/core'],
    gzip: true,
    limit: '620 B',
  },
  {
    name: '@baton/react/query (without react, the core and React Query)',
    import: { 'packages/react/dist/query.js': '*' },
    ignore: ['react', '@baton/core', '@tanstack/react-query'],
    gzip: true,
    limit: '620 B',
  },
];
