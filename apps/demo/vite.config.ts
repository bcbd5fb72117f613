import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const mockPort = Number(process.env.MOCK_PORT ?? 4010);
const demoPort = Number(process.env.DEMO_PORT ?? 5173);
const oidcPort = Number(process.env.OIDC_PORT ?? 4020);
const mock = `http://127.0.0.1:${mockPort}`;
/** `?dialect=oidc`'s provider (scripts/demo.mjs starts it): the page calls it cross-origin. */
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
/** `DEMO_HMR=0` (the end-to-end tests): no file watching, no reloads when a package is edited. */
const hmr = process.env.DEMO_HMR !== '0';
const source = (path: string) => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));

const toMock: ProxyOptions = {
  target: mock,
  configure(proxy) {
    // Vite's own handler would log the request URL, where EIAM and UAA carry the refresh token,
    // and answer 502. Instead: log the path only, and drop the browser's connection, as a
    // production network would when the server drops its own (an injected fault).
    const emit = proxy.emit.bind(proxy) as (event: string | symbol, ...args: unknown[]) => boolean;
    proxy.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'error') return emit(event, ...args);
      const [error, request, response] = args as [
        NodeJS.ErrnoException,
        { url?: string } | undefined,
        { destroy(): void } | undefined,
      ];
      const path = (request?.url ?? '').split('?')[0];
      console.warn(`[demo proxy] ${path}: ${error.code ?? error.message}; connection dropped`);
      response?.destroy();
      return true;
    }) as typeof proxy.emit;
  },
};

/**
 * The provider's counters for the demo's footer, read-only: `GET /__oidc/stats` is its
 * `GET /__test/stats`, which answers no cross-origin request. Nothing else of the provider goes
 * through Vite: `?dialect=oidc` talks to it cross-origin, as to any real provider, and its other
 * test routes (reset, revoke every grant) stay out of the page's reach.
 */
const toProviderStats: ProxyOptions = {
  target: oidcIssuer,
  rewrite: () => '/__test/stats',
  bypass: (request) => (request.method === 'GET' ? undefined : false),
  configure(proxy) {
    // The test routes refuse a foreign Origin; this is the demo's own server asking.
    proxy.on('proxyReq', (proxyRequest) => proxyRequest.removeHeader('origin'));
    proxy.on('error', (_error, _request, response) => {
      if ('destroy' in response) response.destroy();
    });
  },
};

/** Everything the app calls goes to the mock through Vite: the app stays same-origin. */
const proxied = [
  '/oauth2/authorize', // the login page of redirect sign-in (every dialect), and its form
  '/proxy', // the token proxy in front of the token routes (?proxy=1)
  '/oauth2/token', // CIAM
  '/auth/oauth2/token', // EIAM
  '/public/uaa/oauth2/token', // UAA
  '/chatroom/api/token', // chat-room
  '/api/',
  '/__mock/',
];

export default defineConfig({
  plugins: [react()],
  define: { __BATON_OIDC_ISSUER__: JSON.stringify(oidcIssuer) },
  resolve: {
    // The workspace packages from source: the demo runs without building them first.
    alias: [
      { find: /^@baton\/core\/(.*)$/, replacement: `${source('core/src/entries/')}$1.ts` },
      { find: /^@baton\/core$/, replacement: source('core/src/index.ts') },
      { find: /^@baton\/react\/query$/, replacement: source('react/src/reactQuery.ts') },
      { find: /^@baton\/react$/, replacement: source('react/src/index.ts') },
    ],
    // One React and one QueryClient context, whichever package imports them.
    dedupe: ['react', 'react-dom', '@tanstack/react-query'],
  },
  // Bundled at start, so that no dependency discovered later reloads the open tabs.
  optimizeDeps: {
    include: [
      'react',
      'react/jsx-runtime',
      'react/jsx-dev-runtime',
      'react-dom',
      'react-dom/client',
      '@tanstack/react-query',
    ],
  },
  server: {
    host: '127.0.0.1',
    port: demoPort,
    strictPort: true,
    open: false,
    ...(hmr ? {} : { hmr: false, watch: null }),
    proxy: {
      ...Object.fromEntries(proxied.map((path) => [path, toMock])),
      '/__oidc/stats': toProviderStats,
    },
  },
  preview: { host: '127.0.0.1', port: demoPort, strictPort: true },
  build: { target: 'es2022' },
});
