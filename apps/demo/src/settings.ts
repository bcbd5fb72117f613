import type { Dialect, LockOption } from '@baton/core';
import { dialects } from '@baton/core/dialects';

/** The mock's four seed endpoints, then a real OpenID Connect provider (panva's oidc-provider). */
export const DIALECTS = ['ciam', 'eiam', 'uaa', 'chatroom', 'oidc'] as const;
export type DialectName = (typeof DIALECTS)[number];
/** The endpoints the mock server answers (the token proxy, the API and its stats are the mock's). */
export type MockDialectName = Exclude<DialectName, 'oidc'>;
export const isMockDialect = (dialect: DialectName): dialect is MockDialectName =>
  dialect !== 'oidc';

/** `http://127.0.0.1:<OIDC_PORT>`: a `define` of vite.config.ts; undeclared in unit tests. */
declare const __BATON_OIDC_ISSUER__: string | undefined;

/**
 * The issuer of `?dialect=oidc`: the test provider `pnpm demo` starts beside the mock
 * (`@baton/oidc-test-provider`, on OIDC_PORT, default 4020), reached cross-origin with no proxy,
 * as a real provider would be. vite.config.ts sets it from OIDC_PORT.
 */
export const OIDC_ISSUER: string =
  typeof __BATON_OIDC_ISSUER__ === 'string' ? __BATON_OIDC_ISSUER__ : 'http://127.0.0.1:4020';
/** The provider's one public client: PKCE, no secret. */
export const OIDC_CLIENT_ID = 'baton-spa';
export const OIDC_SCOPE = 'openid profile email';
/**
 * The `state` of the demo's RP-initiated logout: the provider hands it back to the post-logout
 * URI (this page), which then says where the user comes from.
 */
export const SIGNED_OUT_STATE = 'baton-demo-signed-out';
export const LOCKS = ['auto', 'broadcast', 'web-locks'] as const satisfies readonly LockOption[];
/** The locks the demo offers: the core's built-in ones (a `lock` option may also be a function). */
export type DemoLock = (typeof LOCKS)[number];

interface DemoClient {
  readonly label: string;
  /** The token endpoint, as the seed documents it (for `oidc`: where its endpoints come from). */
  readonly endpoint: string;
  readonly clientId: string;
  /**
   * As the seeds show it. A real single-page app keeps no secret: a token proxy adds it. None for
   * `oidc`, a public client (PKCE).
   */
  readonly clientSecret?: string;
  /** Where this endpoint wants the refresh token: the URL is a risk worth saying. */
  readonly inUrl: boolean;
}

/** The demo clients of the design (the mock accepts exactly these). */
export const CLIENTS: Readonly<Record<DialectName, DemoClient>> = {
  ciam: {
    label: 'CIAM',
    endpoint: 'POST /oauth2/token, form body',
    clientId: 'TENANT_CLIENT_ID',
    clientSecret: 'TENANT_CLIENT_SECRET',
    inUrl: false,
  },
  eiam: {
    label: 'EIAM',
    endpoint: 'POST /auth/oauth2/token, query string',
    clientId: 'eiam-demo-client',
    clientSecret: 'eiam-demo-secret+/=',
    inUrl: true,
  },
  uaa: {
    label: 'UAA',
    endpoint: 'GET /public/uaa/oauth2/token, query string',
    clientId: '35LF2FSLHX5IRQA4',
    clientSecret: 'uaa-demo-secret',
    inUrl: true,
  },
  chatroom: {
    label: 'Chat room',
    endpoint: 'POST /chatroom/api/token, form body',
    clientId: '000000',
    clientSecret: '999999',
    inUrl: false,
  },
  oidc: {
    label: 'OpenID Connect (oidc-provider)',
    endpoint: `discovery: ${OIDC_ISSUER}/.well-known/openid-configuration`,
    clientId: OIDC_CLIENT_ID,
    inUrl: false,
  },
};

export const DEMO_USER = { username: 'alice', password: 'alice-password' } as const;

export interface Settings {
  readonly dialect: DialectName;
  readonly lock: DemoLock;
  /**
   * Through the mock's token proxy (`/proxy/<dialect>`): no client secret in the page. Never for
   * `oidc` (a public client: there is no secret to hide).
   */
  readonly proxy: boolean;
  /**
   * DPoP (RFC 9449, `&dpop=1`): the tokens bound to a key no script can read. Only where the
   * server speaks it: CIAM against the mock (its standard route and `/api/me`, when the mock runs
   * with `DPOP=optional` or `required`; `pnpm demo` starts it so) and `oidc` (when the provider
   * runs with DPoP on, as `pnpm demo` starts it unless `OIDC_DPOP=0`). Never through the token
   * proxy, which does not forward the `DPoP` header: `dpop` turns `proxy` off.
   */
  readonly dpop: boolean;
}

/** The endpoints that can speak DPoP (see {@link Settings.dpop}). */
export const DPOP_DIALECTS: readonly DialectName[] = ['ciam', 'oidc'];
export const canDpop = (dialect: DialectName): boolean => DPOP_DIALECTS.includes(dialect);

const oneOf = <T extends string>(value: string | null, options: readonly T[], fallback: T): T =>
  options.find((option) => option === value) ?? fallback;

/**
 * `?dialect=ciam|eiam|uaa|chatroom|oidc` (ciam), `&lock=broadcast|web-locks|auto` (auto) and
 * `&proxy=1` (off; ignored for oidc) and `&dpop=1` (off; ciam and oidc only, and then no proxy).
 */
export function readSettings(search: string): Settings {
  const params = new URLSearchParams(search);
  const dialect = oneOf(params.get('dialect'), DIALECTS, 'ciam');
  const dpop = params.get('dpop') === '1' && canDpop(dialect);
  return {
    dialect,
    lock: oneOf(params.get('lock'), LOCKS, 'auto'),
    proxy: params.get('proxy') === '1' && isMockDialect(dialect) && !dpop,
    dpop,
  };
}

/** The page's URL for other settings. */
export function settingsHref({ dialect, lock, proxy, dpop }: Settings): string {
  const params = new URLSearchParams();
  const bound = dpop && canDpop(dialect);
  if (dialect !== 'ciam') params.set('dialect', dialect);
  if (lock !== 'auto') params.set('lock', lock);
  if (proxy && isMockDialect(dialect) && !bound) params.set('proxy', '1');
  if (bound) params.set('dpop', '1');
  const query = params.toString();
  return query ? `?${query}` : location.pathname;
}

/**
 * Where the provider sends the user back after a redirect sign-in: this page with its settings
 * (`?dialect=…&lock=…`), so that the callback lands on the same endpoint and lock, where this
 * tab's sign-in waits. The mock keeps the redirect URI's own query; the core strips only the
 * callback's parameters (`code`, `state`, `error`…) from the address bar afterwards. For `oidc`
 * it is also the post-logout URI, and `pnpm demo` registers exactly these with the provider
 * (`/?dialect=oidc`, with `&lock=broadcast` or `&lock=web-locks`, each also with `&dpop=1`): it
 * matches them exactly.
 */
export const redirectUri = (settings: Settings): string =>
  new URL(settingsHref(settings), location.href).href;

/**
 * The tabs of one dialect and lock share a session and a lock; other settings never do. DPoP
 * tabs have a session of their own (`-dpop`): a bearer tab cannot use a bound token, nor sign
 * its proofs.
 */
export const channelName = ({ dialect, lock, dpop }: Settings): string =>
  `baton-demo-${dialect}-${lock}${dpop ? '-dpop' : ''}`;

/** Where this page's token requests go (page-relative: Vite forwards both to the mock). */
export const tokenPath = ({ dialect, proxy }: Settings): string | undefined =>
  proxy ? `/proxy/${dialect}` : undefined;

export function createDialect(settings: Settings): Dialect {
  const { dialect } = settings;
  // A standard provider: every endpoint from its discovery document, read when first needed.
  if (!isMockDialect(dialect))
    return dialects.oidc({ issuer: OIDC_ISSUER, clientId: OIDC_CLIENT_ID, scope: OIDC_SCOPE });
  const { clientId, clientSecret } = CLIENTS[dialect];
  const tokenUrl = tokenPath(settings);
  // Without the proxy: the seed paths, with the secret as the seeds send it. With it: no secret.
  return dialects[dialect](
    tokenUrl ? { clientId, tokenUrl } : { clientId, ...(clientSecret && { clientSecret }) },
  );
}
