import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { DIALECTS, type DialectName, isDialectName } from './clients.js';
import type { AppEnv, Deps, Settings } from './context.js';
import { DIALECT_SPECS } from './dialects/index.js';
import { type DpopMode, DpopVerifier } from './dpop.js';
import { type MockEndpoints, mockEndpoints } from './endpoints.js';
import { FaultQueue, type FaultSpec, type PendingFault, parseFaultSpec } from './faults.js';
import { json } from './http.js';
import { createKeys } from './jwt.js';
import { faultsRoute, resetAll, resetRoute, statsRoute } from './routes/admin.js';
import { apiRoute } from './routes/api.js';
import { AUTHORIZE_PATH, authorizeRoute } from './routes/authorize.js';
import { jwksRoute, openidConfigurationRoute } from './routes/discovery.js';
import { proxyRoute } from './routes/proxy.js';
import { tokenRoute } from './routes/token.js';
import { SessionStore } from './sessions.js';
import { type MockStats, StatsRecorder } from './stats.js';

/** Options of {@link startMockServer}; every one has a default. */
export interface MockServerOptions {
  /** Default 0: a free port (the CLI uses 4010). */
  readonly port?: number | undefined;
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** Access token lifetime, seconds. Default 300 (the CIAM seed's). */
  readonly accessTtl?: number | undefined;
  /** Refresh token lifetime from its own issue, seconds. Default 86400. */
  readonly refreshTtl?: number | undefined;
  /** Seconds during which a spent refresh token gets the same answer again. Default 0. */
  readonly reuseGrace?: number | undefined;
  /** `true`: one line a request on stdout; a function: receives the lines. Default: quiet. */
  readonly log?: boolean | ((line: string) => void) | undefined;
  /** Server clock, ms since the epoch (default `Date.now`): lets tests move time. */
  readonly now?: (() => number) | undefined;
  /**
   * Dialects whose route sits behind a token proxy that adds the client secret: requests there
   * may omit `client_secret` (a wrong one is still refused).
   */
  readonly proxiedRoutes?: readonly DialectName[] | undefined;
  /** Largest request body, bytes. Default 64 kB; larger ones get 413. */
  readonly bodyLimit?: number | undefined;
  /**
   * DPoP (RFC 9449) on the standard (CIAM) token route `/oauth2/token` and on `/api/me`:
   * `'off'` (default: nothing changes), `'optional'` (a token request with a proof gets
   * DPoP-bound tokens, one without gets Bearer ones) or `'required'` (a proof on every CIAM
   * token request). The other dialects' routes never use DPoP.
   */
  readonly dpop?: DpopMode | undefined;
  /** With `dpop` on: proofs must carry the server's current nonce (`use_dpop_nonce`). Default false. */
  readonly dpopNonce?: boolean | undefined;
}

/** A running mock server, in this process. Another process drives it with `connectMockServer`. */
export interface MockServer {
  /** `http://host:port`, no trailing slash. Also the JWT issuer. */
  readonly url: string;
  /** The port it listens on: the free one it was given with `port: 0`. */
  readonly port: number;
  /** The URLs and demo client of one dialect on this server. */
  endpoints(dialect: DialectName): MockEndpoints;
  /** A copy of the counters. */
  stats(): MockStats;
  /** Zeroes the counters, forgets every session and pending fault. */
  reset(): void;
  /**
   * Queues faults, all or none (validated like `POST /__mock/faults`: a `TypeError` names a
   * wrong key); returns every pending one.
   */
  faults(spec: FaultSpec | readonly FaultSpec[]): PendingFault[];
  /** The pending faults, as `GET /__mock/faults` lists them. */
  pendingFaults(): PendingFault[];
  /** Drops the pending faults. */
  clearFaults(): void;
  /** Stops listening and drops open connections (and injected delays) at once. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Paths the log may name; anything else is logged anonymously (a path could carry a token). */
const KNOWN_PATHS = new Set<string>([
  ...DIALECTS.map((d) => DIALECT_SPECS[d].client.path),
  ...DIALECTS.map((d) => `/proxy/${d}`),
  '/api/me',
  AUTHORIZE_PATH,
  '/.well-known/jwks.json',
  '/.well-known/openid-configuration',
  '/__mock/stats',
  '/__mock/reset',
  '/__mock/faults',
]);

const LOCAL_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Any port on 127.0.0.1, localhost or [::1] (the demo, Playwright, Vite on any port). */
function localOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return web && LOCAL_HOSTNAMES.has(url.hostname) && url.origin === origin ? origin : null;
  } catch {
    return null;
  }
}

/**
 * Starts a mock provider speaking the four dialects, on 127.0.0.1 and a free port by default.
 * Resolves once it listens. Throws a `RangeError` for a setting out of range.
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const settings = resolveSettings(options);
  const now = options.now ?? Date.now;
  const log = resolveLog(options.log);
  const closing = new AbortController();
  let url = '';
  const deps: Deps = {
    settings,
    now,
    issuer: () => url,
    keys: await createKeys(),
    store: new SessionStore({ now, reuseGraceMs: settings.reuseGrace * 1000 }),
    stats: new StatsRecorder(),
    faults: new FaultQueue(),
    dpop: new DpopVerifier({ now, nonce: settings.dpop !== 'off' && settings.dpopNonce }),
    closing: closing.signal,
  };

  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // The server's clock (injectable), so clients measuring skew from `Date` see the same time
    // as the tokens' iat/exp.
    c.res.headers.set('Date', new Date(now()).toUTCString());
    if (log !== undefined) {
      const path = KNOWN_PATHS.has(c.req.path) ? c.req.path : '(unknown path)';
      const status = c.res.headers.has('x-hono-already-sent') ? 'DROP' : String(c.res.status);
      const ms = (performance.now() - started).toFixed(1);
      // Method, path (never the query: EIAM and UAA carry secrets there), status, timing, note.
      log(
        `${new Date().toISOString()} ${c.req.method} ${path} ${status} ${ms}ms ${c.get('note') ?? ''}`.trimEnd(),
      );
    }
  });
  app.use(
    '*',
    cors({
      origin: localOrigin,
      allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
      // Date is not CORS-safelisted, and Baton reads it to measure clock skew. (Request headers,
      // DPoP included, are allowed by reflecting the preflight's Access-Control-Request-Headers.)
      exposeHeaders: [
        'Date',
        'Retry-After',
        'WWW-Authenticate',
        ...(settings.dpop === 'off' ? [] : ['DPoP-Nonce']),
      ],
      maxAge: 600,
    }),
  );
  for (const dialect of DIALECTS) {
    const spec = DIALECT_SPECS[dialect];
    app.all(spec.client.path, tokenRoute(spec, deps));
  }
  // A token proxy in front of the token routes: no client secret from the browser (README).
  app.all('/proxy/:dialect', proxyRoute(deps));
  app.all(AUTHORIZE_PATH, authorizeRoute(deps));
  app.all('/api/me', apiRoute(deps));
  app.get('/.well-known/jwks.json', jwksRoute(deps));
  app.get('/.well-known/openid-configuration', openidConfigurationRoute(deps));
  app.all('/__mock/stats', statsRoute(deps));
  app.all('/__mock/reset', resetRoute(deps));
  app.all('/__mock/faults', faultsRoute(deps));
  app.notFound(() => json(404, { error: 'not_found' }));
  app.onError((error) => {
    // A bug, not a client's fault: say so loudly (errors here never hold token values).
    console.error('[mock-server] internal error:', error);
    return json(500, { error: 'server_error' });
  });

  // Keep the global Request/Response untouched: tests and apps share this process.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : settings.port);
    });
  });
  url = `http://${urlHost(settings.host)}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    endpoints: (dialect) => mockEndpoints(url, dialect),
    stats: () => deps.stats.snapshot(),
    reset: () => resetAll(deps),
    faults(spec) {
      const specs = (Array.isArray(spec) ? spec : [spec]) as readonly FaultSpec[];
      for (const parsed of specs.map(parseFaultSpec)) deps.faults.add(parsed);
      return deps.faults.list();
    },
    pendingFaults: () => deps.faults.list(),
    clearFaults: () => deps.faults.clear(),
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function resolveSettings(options: MockServerOptions): Settings & { port: number; host: string } {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError('port: 0..65535');
  const accessTtl = positiveInt(options.accessTtl ?? 300, 'accessTtl');
  const refreshTtl = positiveInt(options.refreshTtl ?? 86_400, 'refreshTtl');
  const reuseGrace = options.reuseGrace ?? 0;
  if (!Number.isFinite(reuseGrace) || reuseGrace < 0) {
    throw new RangeError('reuseGrace: seconds, 0 or more');
  }
  const bodyLimit = positiveInt(options.bodyLimit ?? DEFAULT_BODY_LIMIT, 'bodyLimit');
  const dpop = options.dpop ?? 'off';
  if (dpop !== 'off' && dpop !== 'optional' && dpop !== 'required') {
    throw new RangeError("dpop: 'off', 'optional' or 'required'");
  }
  const proxied = options.proxiedRoutes ?? [];
  for (const d of proxied) {
    if (!isDialectName(d)) throw new RangeError(`proxiedRoutes: unknown dialect ${String(d)}`);
  }
  return {
    port,
    host: options.host ?? '127.0.0.1',
    accessTtl,
    refreshTtl,
    reuseGrace,
    bodyLimit,
    proxiedRoutes: new Set(proxied),
    dpop,
    dpopNonce: options.dpopNonce === true,
  };
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name}: a whole number, 1 or more`);
  return value;
}

function resolveLog(log: MockServerOptions['log']): ((line: string) => void) | undefined {
  if (typeof log === 'function') return log;
  return log === true ? (line) => console.log(line) : undefined;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
