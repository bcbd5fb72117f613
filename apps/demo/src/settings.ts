import type { Dialect, LockOption } from '@baton/core';
import { dialects } from '@baton/core/dialects';

export const DIALECTS = ['ciam', 'eiam', 'uaa', 'chatroom'] as const;
export type DialectName = (typeof DIALECTS)[number];
export const LOCKS = ['auto', 'broadcast', 'web-locks'] as const satisfies readonly LockOption[];
/** The locks the demo offers: the core's built-in ones (a `lock` option may also be a function). */
export type DemoLock = (typeof LOCKS)[number];

interface DemoClient {
  readonly label: string;
  /** The token endpoint, as the seed documents it. */
  readonly endpoint: string;
  readonly clientId: string;
  /** As the seeds show it. A real single-page app keeps no secret: a token proxy adds it. */
  readonly clientSecret: string;
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
};

export const DEMO_USER = { username: 'alice', password: 'alice-password' } as const;

export interface Settings {
  readonly dialect: DialectName;
  readonly lock: DemoLock;
  /** Through the mock's token proxy (`/proxy/<dialect>`): no client secret in the page. */
  readonly proxy: boolean;
}

const oneOf = <T extends string>(value: string | null, options: readonly T[], fallback: T): T =>
  options.find((option) => option === value) ?? fallback;

/**
 * `?dialect=ciam|eiam|uaa|chatroom` (ciam), `&lock=broadcast|web-locks|auto` (auto) and
 * `&proxy=1` (off).
 */
export function readSettings(search: string): Settings {
  const params = new URLSearchParams(search);
  return {
    dialect: oneOf(params.get('dialect'), DIALECTS, 'ciam'),
    lock: oneOf(params.get('lock'), LOCKS, 'auto'),
    proxy: params.get('proxy') === '1',
  };
}

/** The page's URL for other settings. */
export function settingsHref({ dialect, lock, proxy }: Settings): string {
  const params = new URLSearchParams();
  if (dialect !== 'ciam') params.set('dialect', dialect);
  if (lock !== 'auto') params.set('lock', lock);
  if (proxy) params.set('proxy', '1');
  const query = params.toString();
  return query ? `?${query}` : location.pathname;
}

/**
 * Where the provider sends the user back after a redirect sign-in: this page with its settings
 * (`?dialect=…&lock=…`), so that the callback lands on the same endpoint and lock, where this
 * tab's sign-in waits. The mock keeps the redirect URI's own query; the core strips only the
 * callback's parameters (`code`, `state`, `error`…) from the address bar afterwards.
 */
export const redirectUri = (settings: Settings): string =>
  new URL(settingsHref(settings), location.href).href;

/** The tabs of one dialect and lock share a session and a lock; other settings never do. */
export const channelName = ({ dialect, lock }: Settings): string => `baton-demo-${dialect}-${lock}`;

/** Where this page's token requests go (page-relative: Vite forwards both to the mock). */
export const tokenPath = ({ dialect, proxy }: Settings): string | undefined =>
  proxy ? `/proxy/${dialect}` : undefined;

export function createDialect(settings: Settings): Dialect {
  const { clientId, clientSecret } = CLIENTS[settings.dialect];
  const tokenUrl = tokenPath(settings);
  // Without the proxy: the seed paths, with the secret as the seeds send it. With it: no secret.
  return dialects[settings.dialect](tokenUrl ? { clientId, tokenUrl } : { clientId, clientSecret });
}
