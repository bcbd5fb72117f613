import type { Context } from 'hono';
import type { AppEnv, Deps } from '../context.js';
import { defaultErrorCode } from '../dialects/dialect.js';
import { json } from '../http.js';
import type { FaultAnswers } from '../inject.js';
import { withFaults } from '../inject.js';

/** RFC 6750 §3 challenge, exactly as the mock server contract fixes it. */
const CHALLENGE = { 'WWW-Authenticate': 'Bearer error="invalid_token"' } as const;

/** RFC 6750 §2.1 `b64token`, the only shape a bearer credential can have. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function unauthorized(description: string): Response {
  return json(401, { error: 'invalid_token', error_description: description }, CHALLENGE);
}

const answers: FaultAnswers = {
  status: (status, error) => ({
    status,
    body: { error: error ?? (status === 401 ? 'invalid_token' : defaultErrorCode(status)) },
    // A 401 from a protected resource always carries the challenge; clients key off it.
    ...(status === 401 && { headers: CHALLENGE }),
  }),
  sampleBody: { ok: true, sub: 'alice', dialect: 'ciam', username: 'alice' },
  wrongTypesBody: { ok: 'true', sub: 1, dialect: null, username: [] },
};

/**
 * `GET /api/me`: the protected resource. 200 for a live bearer token of any dialect, else 401
 * with the `invalid_token` challenge, missing and malformed credentials included (the contract
 * says 401 unless valid, so there is no RFC 6750 400 invalid_request here).
 */
export function apiRoute(deps: Deps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return json(
        405,
        { error: 'invalid_request', error_description: 'method must be GET' },
        { Allow: 'GET, HEAD' },
      );
    }
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    const dialect = token === undefined ? undefined : deps.store.dialectOfAccess(token);
    c.set('note', dialect ?? '');
    return withFaults(c, deps, { route: 'api', dialect, grant: undefined }, answers, async () => {
      const { stats, store, keys } = deps;
      if (token === undefined) {
        stats.count('api401');
        return unauthorized('missing or malformed bearer token');
      }
      // A JWT must carry our signature; the lookup then decides whether it is still alive.
      const signed = !token.includes('.') || (await keys.verify(token));
      const check = signed ? store.checkAccess(token) : ({ ok: false, reason: 'unknown' } as const);
      if (!check.ok) {
        stats.count('api401', check.dialect);
        c.set('note', `${check.dialect ?? ''} ${check.reason}`.trim());
        return unauthorized(
          `access token ${check.reason === 'unknown' ? 'invalid' : check.reason}`,
        );
      }
      stats.count('apiOk', check.dialect);
      return json(200, {
        ok: true,
        sub: check.sub,
        dialect: check.dialect,
        username: check.user.username,
      });
    });
  };
}
