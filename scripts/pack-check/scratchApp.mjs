// The scratch app of scripts/pack-check.mjs: a Vite + React + TypeScript app that uses the
// packages as their READMEs show, a Node server file (the token proxy, and the core without the
// DOM lib), and CommonJS `require()`s. Files by path.

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** The strict options of the project's own code (tsconfig.base.json), for the app's too. */
const STRICT = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  // Our declarations are library files too: they must type-check, not be skipped.
  skipLibCheck: false,
};

/** The core, as its README shows it. */
const CORE = `import { BatonError, createTokenManager, ErrorCode, isBatonError } from '@baton/core';
import { createAuthFetch } from '@baton/core/auth-fetch';
import { ciam } from '@baton/core/dialects';
import { handleRedirectCallback, signInWithRedirect } from '@baton/core/redirect';
import { webStorage } from '@baton/core/storage';

// One manager for the app, created outside React.
export const manager = createTokenManager({
  dialect: ciam({ clientId: 'TENANT_CLIENT_ID', tokenUrl: '/token-proxy/ciam' }),
  storage: webStorage('session'),
});
manager.onEvent((event) => {
  if (event.type === 'refresh-failure') console.debug(event.error.code, event.retryInMs);
});

export async function start(): Promise<void> {
  await manager.ready;
  if (new URLSearchParams(location.search).has('code')) await handleRedirectCallback(manager);
  else if (manager.getSnapshot().status === 'signed-out') await signInWithRedirect(manager);
  const authFetch = createAuthFetch(manager, { allowedOrigins: ['https://api.example.com'] });
  try {
    const response: Response = await authFetch('https://api.example.com/me');
    const token = await manager.getAccessToken({ minValidityMs: 1000 });
    // The token goes into a header, never into a log.
    await fetch('https://api.example.com/ping', { headers: { Authorization: \`Bearer \${token}\` } });
    console.log(response.status);
  } catch (error) {
    if (isBatonError(error, ErrorCode.SignedOut)) console.log('signed out');
    else if (error instanceof BatonError && error.terminal) console.log(error.code);
  }
}
`;

/** The React app, as @baton/react's README shows it. */
const MAIN = `import { signInWithRedirect } from '@baton/core/redirect';
import {
  BatonProvider,
  useAccessToken,
  useAuth,
  useAuthFetch,
  useRedirectCallback,
  useSuspenseAccessToken,
  useTokenManager,
} from '@baton/react';
import { authQueryFn, shouldRetry, useClearQueriesOnSignOut } from '@baton/react/query';
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { manager, start } from './core.js';

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: shouldRetry } } });

function Profile() {
  const { status, generation, refresh } = useAccessToken();
  const { claims, signOut } = useAuth();
  useClearQueriesOnSignOut();
  const authFetch = useAuthFetch();
  const me = useQuery({ queryKey: ['/api/me'], queryFn: authQueryFn<{ name: string }>(authFetch) });
  if (status === 'signed-out')
    return (
      <button type="button" onClick={() => signInWithRedirect(manager)}>
        Sign in
      </button>
    );
  return (
    <p>
      {claims?.sub} · token #{generation} · {me.data?.name ?? '…'}
      <button type="button" onClick={refresh}>Refresh</button>
      <button type="button" onClick={signOut}>Sign out</button>
    </p>
  );
}

function Callback() {
  const callback = useRedirectCallback();
  return <p>{callback.status}</p>;
}

function Token() {
  const token = useSuspenseAccessToken();
  const tokenManager = useTokenManager();
  return <p>{token.length} {tokenManager.getSnapshot().status}</p>;
}

export const App = () => (
  <BatonProvider manager={manager} authFetchOptions={{ allowedOrigins: ['https://api.example.com'] }}>
    <QueryClientProvider client={queryClient}>
      <Profile />
      <Callback />
      <Suspense fallback="…">
        <Token />
      </Suspense>
    </QueryClientProvider>
  </BatonProvider>
);

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
void start();
`;

/**
 * Every entry but \`@baton/react/query\` (React Query's own types need TypeScript 5.4), for the
 * oldest TypeScript the packages state, with their declarations checked too.
 */
const ENTRIES = `export * as core from '@baton/core';
export * as authFetch from '@baton/core/auth-fetch';
export * as broadcastLock from '@baton/core/broadcast-lock';
export * as dialects from '@baton/core/dialects';
export * as dpop from '@baton/core/dpop';
export * as password from '@baton/core/password';
export * as redirect from '@baton/core/redirect';
export * as signOut from '@baton/core/sign-out';
export * as storage from '@baton/core/storage';
export * as react from '@baton/react';
export * as tokenProxy from '@baton/token-proxy';
`;

/** A Node server: the token proxy, and the core typed without the DOM lib. */
const SERVER = `import { type BatonEvent, createTokenManager } from '@baton/core';
import { type AuthFetch, createAuthFetch } from '@baton/core/auth-fetch';
import { ciam } from '@baton/core/dialects';
import { createTokenProxy } from '@baton/token-proxy';

const ciamProxy = createTokenProxy({
  upstream: 'https://sample.portal.tencentciam.com/oauth2/token',
  clientId: 'TENANT_CLIENT_ID',
  clientSecret: process.env.CIAM_CLIENT_SECRET ?? '',
  allowedOrigins: ['https://app.example.com'],
});
export const handle: (request: Request) => Promise<Response> = ciamProxy;

const manager = createTokenManager({
  dialect: ciam({ clientId: 'TENANT_CLIENT_ID', tokenUrl: 'http://127.0.0.1:4010/oauth2/token' }),
});
export const authFetch: AuthFetch = createAuthFetch(manager);
export const describe = (event: BatonEvent): string => event.type;

// Every entry of the core, read without the DOM lib.
export * as core from '@baton/core';
export * as authFetchEntry from '@baton/core/auth-fetch';
export * as broadcastLock from '@baton/core/broadcast-lock';
export * as dialects from '@baton/core/dialects';
export * as dpop from '@baton/core/dpop';
export * as password from '@baton/core/password';
export * as redirect from '@baton/core/redirect';
export * as signOut from '@baton/core/sign-out';
export * as storage from '@baton/core/storage';
`;

/** CommonJS TypeScript: \`import x = require()\` of an ES module (TypeScript 5.8+, nodenext). */
const REQUIRE_CTS = `import core = require('@baton/core');
import dialects = require('@baton/core/dialects');

export const manager: import('@baton/core').TokenManager = core.createTokenManager({
  dialect: dialects.ciam({ clientId: 'TENANT_CLIENT_ID', tokenUrl: 'http://127.0.0.1:4010/oauth2/token' }),
});
`;

/** CommonJS at run time: every entry of every package, by \`require()\` (Node 20.19+, 22.12+). */
const REQUIRE_CJS = `const assert = require('node:assert/strict');
for (const name of ['@baton/core', '@baton/react', '@baton/token-proxy']) {
  const { exports } = require(\`\${name}/package.json\`);
  for (const subpath of Object.keys(exports).filter((key) => !key.endsWith('.json'))) {
    const id = subpath === '.' ? name : \`\${name}/\${subpath.slice(2)}\`;
    const entry = require(id);
    const functions = Object.values(entry).filter((value) => typeof value === 'function');
    assert.ok(functions.length > 0, \`require('\${id}') has no functions\`);
  }
}
assert.equal(typeof require('@baton/core').createTokenManager, 'function');
console.log('require() works for every entry');
`;

/**
 * The app's files. `tarballs`: package name → `file:` spec; `react`: the React 18 or 19
 * dependencies; `minTypeScript`: the oldest TypeScript the packages state (`5.1`).
 */
export function appFiles({ tarballs, react, minTypeScript }) {
  const { react: reactVersion, 'react-dom': reactDom, ...reactTypes } = react;
  return {
    'package.json': json({
      name: 'baton-scratch-app',
      private: true,
      type: 'module',
      dependencies: {
        ...tarballs,
        '@tanstack/react-query': '^5.108.0',
        react: reactVersion,
        'react-dom': reactDom,
      },
      devDependencies: {
        ...reactTypes,
        '@types/node': '^20.19.0',
        typescript: '~5.9.3',
        'typescript-min': `npm:typescript@~${minTypeScript}.0`,
        vite: '^8.4.0',
      },
    }),
    'index.html':
      '<!doctype html>\n<div id="root"></div>\n<script type="module" src="/src/main.tsx"></script>\n',
    'src/core.ts': CORE,
    'src/main.tsx': MAIN,
    'src/entries.ts': ENTRIES,
    'src/server.ts': SERVER,
    'src/require.cts': REQUIRE_CTS,
    'require.cjs': REQUIRE_CJS,
    // The browser app, as Vite's React + TypeScript template has it (and strict).
    'tsconfig.json': json({
      compilerOptions: {
        ...STRICT,
        target: 'ES2022',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        types: [],
        module: 'ESNext',
        moduleResolution: 'bundler',
        jsx: 'react-jsx',
        isolatedModules: true,
        verbatimModuleSyntax: true,
      },
      include: ['src/main.tsx'],
    }),
    // Older set-ups: no `exports`; subpaths resolve through `typesVersions`.
    'tsconfig.node10.json': json({
      extends: './tsconfig.json',
      compilerOptions: { moduleResolution: 'node', verbatimModuleSyntax: false },
    }),
    // A Node server: no DOM lib, Node's own types; nodenext lets CommonJS require() ESM.
    'tsconfig.node.json': json({
      compilerOptions: {
        ...STRICT,
        target: 'ES2022',
        lib: ['ES2022'],
        types: ['node'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
      },
      include: ['src/server.ts', 'src/require.cts'],
    }),
    // The oldest TypeScript stated: the app as a Vite template has it (libraries' types skipped)…
    'tsconfig.min.json': json({
      extends: './tsconfig.json',
      compilerOptions: { skipLibCheck: true },
    }),
    // …and our declarations themselves, checked.
    'tsconfig.min-libs.json': json({ extends: './tsconfig.json', include: ['src/entries.ts'] }),
  };
}
