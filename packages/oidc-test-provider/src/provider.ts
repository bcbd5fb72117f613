import { generateKeyPair, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import Provider, {
  type Account,
  type Configuration,
  errors,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { MemoryStore } from './store.js';

/**
 * A real OpenID provider (panva's certified `oidc-provider`) for Baton's own tests and demo: Baton
 * is tested against the mock's dialects, and this checks that it also speaks standard OAuth 2.0 /
 * OpenID Connect to a provider that does not bend (PKCE S256, rotating refresh tokens with reuse
 * detection, RFC 7009 revocation, RP-initiated logout).
 */

/** How {@link startOidcProvider} sets the provider up. Every field has a test-friendly default. */
export interface OidcProviderOptions {
  /** Port on 127.0.0.1 (the host is fixed: the provider is for tests). Default 0: a free port. */
  port?: number;
  /** Access-token lifetime in seconds. Default 8: short, so tests see tokens expire. */
  accessTtl?: number;
  /** Lifetime of each refresh token, rotated ones included, in seconds. Default 3600. */
  refreshTtl?: number;
  /** The one public client's id. Default `'baton-spa'`. */
  clientId?: string;
  /**
   * The client's registered redirect URIs, matched exactly (http://127.0.0.1:… is allowed).
   * Their origins are also the only origins allowed to call /token and /token/revocation
   * cross-origin. Default: the demo's page, `['http://127.0.0.1:5173/']`.
   */
  redirectUris?: string[];
  /** The client's `post_logout_redirect_uris`. Default: the redirect URIs. */
  postLogoutRedirectUris?: string[];
  /**
   * Turn on `features.dPoP` (RFC 9449; oidc-provider 9 has it on by default, off here unless asked:
   * the CLI's `DPOP=1`). Optional per request: a token request with a proof gets bound tokens.
   */
  dpop?: boolean;
}

/** Counters, reset by {@link RunningOidcProvider.reset}; what tests assert about the traffic. */
export interface OidcProviderStats {
  /** Every POST to the token endpoint, failed ones included (CORS preflights are not). */
  tokenRequests: number;
  /** Successful authorization_code grants. */
  codeExchanges: number;
  /** Successful refresh_token grants. */
  refreshes: number;
  /** Failed refresh_token grants, by OAuth error code (`invalid_grant`…). */
  refreshErrors: Record<string, number>;
  /**
   * A consumed (rotated) refresh token presented again: the provider destroys it, revokes its
   * grant and answers invalid_grant. What Baton's one-refresh-across-tabs must never cause.
   */
  refreshTokenReuse: number;
  /** Grants revoked: oidc-provider's `grant.revoked` events, plus those ended by `revokeAllGrants`. */
  grantsRevoked: number;
  /** RFC 7009 revocation requests answered 200 (the RFC answers 200 for unknown tokens too). */
  revocations: number;
  /** Completed RP-initiated logouts (`end_session.success`). */
  endSessions: number;
  /** GET /.well-known/openid-configuration requests. */
  discoveryRequests: number;
  /** DPoP (RFC 9449; only with {@link OidcProviderOptions.dpop}): what the provider bound. */
  dpop: OidcProviderDpopStats;
}

/** What a provider with DPoP on did with proofs and bound tokens. Thumbprints are public values. */
export interface OidcProviderDpopStats {
  /** Successful grants whose access token is DPoP-bound (`token_type: DPoP`). */
  boundGrants: number;
  /** Successful grants whose refresh token is bound to the key too (a public client's, §5). */
  boundRefreshTokens: number;
  /** Successful grants whose access token is a bearer one (no proof came with the request). */
  bearerGrants: number;
  /** The RFC 7638 thumbprints (`jkt`) the access tokens were bound to: distinct, first seen first. */
  jkts: string[];
  /**
   * Refresh grants refused because the refresh token is bound to a key and the request carried
   * no proof of that key (oidc-provider's `failed jkt verification`): a stolen one, replayed.
   */
  refreshesWithoutKey: number;
  /** Userinfo answered 200 to a DPoP-bound access token, its proof checked. */
  boundUserinfo: number;
}

/** A started provider. Its test routes are also on HTTP, for Playwright: see {@link TEST_ROUTES}. */
export interface RunningOidcProvider {
  /** `http://127.0.0.1:PORT`, no trailing slash: what discovery answers as `issuer`. */
  issuer: string;
  /** The public client's id. */
  clientId: string;
  /** A copy of the counters. */
  stats(): OidcProviderStats;
  /** Zeroes the counters (grants, tokens and sessions stay). */
  reset(): void;
  /** As an admin would: every grant and every token issued under it dies (sessions stay). */
  revokeAllGrants(): Promise<void>;
  /** Stops the server and drops open connections: the port is free when it resolves. */
  close(): Promise<void>;
}

/**
 * Test-control routes on the provider's own server, for tests that only speak HTTP (Playwright).
 * They send no CORS headers and refuse any request whose Origin is not the issuer's, so a page
 * under test can neither read nor trigger them.
 */
export const TEST_ROUTES = {
  stats: '/__test/stats',
  reset: '/__test/reset',
  revokeGrants: '/__test/revoke-grants',
} as const;

const HOST = '127.0.0.1';
const DEFAULT_REDIRECT_URIS = ['http://127.0.0.1:5173/'];
const DAY = 24 * 60 * 60;
/** oidc-provider's own wording of a rotated refresh token presented again (refresh_token.js). */
const REUSE_DETAIL = 'refresh token already used';
/** Its wording of a key-bound refresh token presented without a proof of that key (refresh_token.js). */
const UNPROVEN_DETAIL = 'failed jkt verification';

function zeroStats(): OidcProviderStats {
  return {
    tokenRequests: 0,
    codeExchanges: 0,
    refreshes: 0,
    refreshErrors: {},
    refreshTokenReuse: 0,
    grantsRevoked: 0,
    revocations: 0,
    endSessions: 0,
    discoveryRequests: 0,
    dpop: {
      boundGrants: 0,
      boundRefreshTokens: 0,
      bearerGrants: 0,
      jkts: [],
      refreshesWithoutKey: 0,
      boundUserinfo: 0,
    },
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive integer (seconds), got ${value}`);
  }
  return value;
}

function originOf(uri: string, name: string): string {
  const url = URL.parse(uri);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TypeError(`${name}: not an http(s) URL: ${uri}`);
  }
  return url.origin;
}

const escapeHtml = (value: unknown): string =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const page = (title: string, body: string): string =>
  `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
  <div class="container">
${body}
  </div>
</body>
</html>`;

/** An RS256 signing key, made at start-up: no development keys, nothing on disk. */
async function signingKey(): Promise<JWK> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), use: 'sig', alg: 'RS256' };
}

/** The value of a request's single grant_type, when its parameters were read. */
function grantType(ctx: KoaContextWithOIDC): unknown {
  return ctx.oidc?.params?.grant_type;
}

/** Reads a small urlencoded body (the end-session POST bridge). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Starts the provider on 127.0.0.1 with one public client: PKCE S256 required, a rotating refresh
 * token with every code grant, opaque access tokens, revocation and RP-initiated logout on, and
 * oidc-provider's own login and consent pages (any login, any password).
 *
 * As oidc-provider does by default, the tokens of a grant without `offline_access` are bound to
 * the provider's login session: a logout there (or its session ending) ends them too.
 */
export async function startOidcProvider(
  options: OidcProviderOptions = {},
): Promise<RunningOidcProvider> {
  const accessTtl = positiveInteger(options.accessTtl ?? 8, 'accessTtl');
  const refreshTtl = positiveInteger(options.refreshTtl ?? 3600, 'refreshTtl');
  const clientId = options.clientId ?? 'baton-spa';
  const redirectUris = [...(options.redirectUris ?? DEFAULT_REDIRECT_URIS)];
  const postLogoutRedirectUris = [...(options.postLogoutRedirectUris ?? redirectUris)];
  if (redirectUris.length === 0) throw new TypeError('redirectUris must not be empty');
  // clientBasedCORS: exactly the origins of the redirect URIs, where the SPA runs.
  const corsOrigins = new Set(redirectUris.map((uri) => originOf(uri, 'redirectUris')));
  for (const uri of postLogoutRedirectUris) originOf(uri, 'postLogoutRedirectUris');

  let stats = zeroStats();
  const store = new MemoryStore();
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else sendJson(res, 503, { error: 'starting' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });

  try {
    const { port } = server.address() as AddressInfo;
    const issuer = `http://${HOST}:${port}`;

    const configuration: Configuration = {
      adapter: store.factory,
      clients: [
        {
          client_id: clientId,
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          redirect_uris: redirectUris,
          post_logout_redirect_uris: postLogoutRedirectUris,
        },
      ],
      responseTypes: ['code'],
      scopes: ['openid', 'offline_access', 'profile', 'email'],
      claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
      findAccount: (_ctx, sub): Account => ({
        accountId: sub,
        claims: () => ({ sub, name: sub, email: sub.includes('@') ? sub : `${sub}@example.test` }),
      }),
      pkce: { required: () => true },
      // A refresh token for every code grant of a client allowed the refresh_token grant: no need
      // for offline_access + prompt=consent (which the default policy requires).
      issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
      rotateRefreshToken: true,
      // One process, one clock: lifetimes are exact (with the default 15 s tolerance an 8 s
      // access token would pass for 23 s; the store above also drops artifacts on time).
      clockTolerance: 0,
      ttl: {
        AccessToken: accessTtl,
        AuthorizationCode: 60,
        IdToken: 3600,
        RefreshToken: refreshTtl,
        Interaction: 3600,
        Session: 14 * DAY,
        Grant: 14 * DAY,
      },
      jwks: { keys: [await signingKey()] },
      cookies: {
        keys: [randomBytes(32).toString('base64url')],
        long: { httpOnly: true, sameSite: 'lax' },
        short: { httpOnly: true, sameSite: 'lax' },
      },
      clientBasedCORS: (_ctx, origin, client) =>
        client.clientId === clientId && corsOrigins.has(origin),
      features: {
        devInteractions: { enabled: true },
        dPoP: { enabled: options.dpop ?? false },
        revocation: {
          enabled: true,
          // The default policy, without its "you should change this" notice: a client revokes
          // only its own tokens; a public client's foreign token is silently ignored.
          allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
        },
        rpInitiatedLogout: {
          enabled: true,
          // The default pages' markup (same form id, button names and texts), without the notice.
          logoutSource: (ctx, form) => {
            ctx.type = 'html';
            ctx.body = page(
              'Logout Request',
              `    <h1>Do you want to sign-out from ${escapeHtml(ctx.host)}?</h1>
    ${form}
    <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
    <button type="submit" form="op.logoutForm">No, stay signed in</button>`,
            );
          },
          postLogoutSuccessSource: (ctx) => {
            ctx.type = 'html';
            ctx.body = page(
              'Sign-out Success',
              '    <h1>Sign-out Success</h1>\n    <p>Your sign-out was successful.</p>',
            );
          },
        },
      },
      renderError: (ctx, out) => {
        ctx.type = 'html';
        ctx.body = page(
          'oops! something went wrong',
          `    <h1>oops! something went wrong</h1>\n${Object.entries(out)
            .map(
              ([key, value]) =>
                `    <pre><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</pre>`,
            )
            .join('\n')}`,
        );
      },
    };

    const provider = new Provider(issuer, configuration);
    const routes = {
      token: new URL(provider.urlFor('token')).pathname,
      revocation: new URL(provider.urlFor('revocation')).pathname,
      endSession: new URL(provider.urlFor('end_session')).pathname,
      discovery: '/.well-known/openid-configuration',
      userinfo: new URL(provider.urlFor('userinfo')).pathname,
    };

    // Counted by path: oidc-provider emits no success event for revocation or discovery.
    provider.use(async (ctx, next) => {
      if (ctx.method === 'POST' && ctx.path === routes.token) stats.tokenRequests += 1;
      if (ctx.method === 'GET' && ctx.path === routes.discovery) stats.discoveryRequests += 1;
      await next();
      if (ctx.method === 'POST' && ctx.path === routes.revocation && ctx.status === 200) {
        stats.revocations += 1;
      }
      // The access token was found and its proof checked (a bound one without its proof is 401).
      if (ctx.path === routes.userinfo && ctx.status === 200 && ctx.oidc?.entities.AccessToken?.jkt)
        stats.dpop.boundUserinfo += 1;
    });

    provider.on('grant.success', (ctx) => {
      const type = grantType(ctx);
      if (type === 'authorization_code') stats.codeExchanges += 1;
      else if (type === 'refresh_token') stats.refreshes += 1;
      const { AccessToken: issued, RefreshToken: refreshToken } = ctx.oidc.entities;
      const jkt = issued?.jkt;
      if (typeof jkt === 'string') {
        stats.dpop.boundGrants += 1;
        if (!stats.dpop.jkts.includes(jkt)) stats.dpop.jkts.push(jkt);
        if (refreshToken?.jkt === jkt) stats.dpop.boundRefreshTokens += 1;
      } else if (issued) stats.dpop.bearerGrants += 1;
    });
    const refreshFailed = (ctx: KoaContextWithOIDC, error: Error): void => {
      if (grantType(ctx) !== 'refresh_token') return;
      const code = error instanceof errors.OIDCProviderError ? error.error : 'server_error';
      stats.refreshErrors[code] = (stats.refreshErrors[code] ?? 0) + 1;
      // refresh_token.js, on a consumed token: destroy it, revoke the grant, then
      // `throw new InvalidGrant('refresh token already used')` (the detail is not sent).
      if (error instanceof errors.InvalidGrant && error.error_detail === REUSE_DETAIL) {
        stats.refreshTokenReuse += 1;
      }
      if (error instanceof errors.InvalidGrant && error.error_detail === UNPROVEN_DETAIL) {
        stats.dpop.refreshesWithoutKey += 1;
      }
    };
    provider.on('grant.error', refreshFailed);
    provider.on('server_error', (ctx, error) => {
      if (ctx.oidc?.route === 'token') refreshFailed(ctx, error);
      console.error('[oidc-test-provider] server error:', error);
    });
    provider.on('grant.revoked', () => {
      stats.grantsRevoked += 1;
    });
    provider.on('end_session.success', () => {
      stats.endSessions += 1;
    });

    const revokeAllGrants = async (): Promise<void> => {
      stats.grantsRevoked += store.revokeAllGrants();
    };

    const app = provider.callback();
    handler = (req, res) => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname.startsWith('/__test/')) {
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== issuer) {
          sendJson(res, 403, { error: 'forbidden', error_description: 'test routes: no CORS' });
          return;
        }
        const route = `${req.method} ${url.pathname}`;
        if (route === `GET ${TEST_ROUTES.stats}`) sendJson(res, 200, structuredClone(stats));
        else if (route === `POST ${TEST_ROUTES.reset}`) {
          stats = zeroStats();
          sendJson(res, 200, { ok: true });
        } else if (route === `POST ${TEST_ROUTES.revokeGrants}`) {
          void revokeAllGrants().then(() => sendJson(res, 200, { ok: true }));
        } else sendJson(res, 404, { error: 'not_found' });
        return;
      }
      // oidc-provider 9 takes POST at end_session only with enableHttpPostMethods, which it allows
      // only with a SameSite=None session cookie (so Secure: unusable over http). RP-Initiated
      // Logout requires POST: a form POST is answered with a 303 to the GET with the same
      // parameters, which the provider then handles as its own.
      if (
        req.method === 'POST' &&
        url.pathname === routes.endSession &&
        (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ) {
        readForm(req).then(
          (form) => {
            const target = new URL(routes.endSession, issuer);
            target.search = form.toString();
            res.writeHead(303, { location: target.href, 'cache-control': 'no-store' });
            res.end();
          },
          () => sendJson(res, 413, { error: 'invalid_request' }),
        );
        return;
      }
      void app(req, res);
    };

    return {
      issuer,
      clientId,
      stats: () => structuredClone(stats),
      reset: () => {
        stats = zeroStats();
      },
      revokeAllGrants,
      close: () =>
        new Promise<void>((resolve, reject) => {
          server.close((error) => {
            store.clear();
            if (error) reject(error);
            else resolve();
          });
          server.closeAllConnections();
        }),
    };
  } catch (error) {
    server.close();
    server.closeAllConnections();
    throw error;
  }
}
