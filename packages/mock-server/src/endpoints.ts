import { DEMO_CLIENTS, type DialectName, isDialectName } from './clients.js';
import { AUTHORIZE_PATH } from './routes/authorize.js';

/** Where an app under test sends one dialect's requests, and the demo client it sends. */
export interface MockEndpoints {
  readonly dialect: DialectName;
  /** The dialect's token route, in the provider's shape: send `clientSecret` with it. */
  readonly tokenUrl: string;
  /** The mock's token proxy in front of that route: the app sends no client secret. */
  readonly proxyUrl: string;
  /** The login page of sign-in by redirect (one for every dialect). */
  readonly authorizeUrl: string;
  /** `GET /api/me`, the protected resource: 200 with a live bearer token, else 401. */
  readonly apiUrl: string;
  readonly clientId: string;
  /** Demo data: the only secret the token route accepts. */
  readonly clientSecret: string;
}

/**
 * The URLs and demo client of one dialect on the mock at `url`, e.g. for
 * `ciam({ clientId, tokenUrl: proxyUrl })` from `@baton/core/dialects`.
 */
export function mockEndpoints(url: string, dialect: DialectName): MockEndpoints {
  if (!isDialectName(dialect)) {
    throw new TypeError(`dialect: one of ciam, eiam, uaa, chatroom (got ${String(dialect)})`);
  }
  const base = url.replace(/\/+$/, '');
  const client = DEMO_CLIENTS[dialect];
  return {
    dialect,
    tokenUrl: base + client.path,
    proxyUrl: `${base}/proxy/${dialect}`,
    authorizeUrl: base + AUTHORIZE_PATH,
    apiUrl: `${base}/api/me`,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
  };
}
