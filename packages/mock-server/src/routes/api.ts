import type { Context } from 'hono';
import type { AppEnv, Deps } from '../context.js';
import { defaultErrorCode } from '../dialects/dialect.js';
import type { RequestTraits } from '../faults.js';
import { json } from '../http.js';
import type { FaultAnswers } from '../inject.js';
import { withFaults } from '../inject.js';
import type { AccessCheck } from '../sessions.js';
import { INVALID_TOKEN_CHALLENGES, resourceProof, withNonce } from './dpopGate.js';

/** RFC 6750 §3 challenge, exactly as the mock server contract fixes it (DPoP off). */
const BEARER_CHALLENGE = 'Bearer error="invalid_token"';

/** RFC 6750 §2.1 `b64token`, the only shape a bearer credential can have. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** With DPoP on, also the `DPoP` scheme (RFC 9449 §7.1), same credential syntax. */
const BEARER_OR_DPOP = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

interface Credential {
  readonly scheme: 'bearer' | 'dpop';
  readonly token: string;
}

function credential(header: string, dpop: boolean): Credential | undefined {
  if (!dpop) {
    const token = BEARER.exec(header)?.[1];
    return token === undefined ? undefined : { scheme: 'bearer', token };
  }
  const match = BEARER_OR_DPOP.exec(header);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'dpop' : 'bearer', token: match[2] };
}

/**
 * `GET /api/me`: the protected resource. 200 for a live token of any dialect, else 401 with the
 * `invalid_token` challenge, missing and malformed credentials included (the contract says 401
 * unless valid, so there is no RFC 6750 400 invalid_request here). With the `dpop` option, a
 * DPoP-bound token must come with the `DPoP` scheme and a proof (RFC 9449 §7.1): a bad proof is
 * 401 `invalid_dpop_proof`, a missing nonce 401 `use_dpop_nonce`, a bound token sent as Bearer
 * 401 `invalid_token`.
 */
export function apiRoute(deps: Deps) {
  const dpop = deps.settings.dpop !== 'off';
  const challenge = { 'WWW-Authenticate': dpop ? INVALID_TOKEN_CHALLENGES : BEARER_CHALLENGE };
  const unauthorized = (description: string) =>
    json(401, { error: 'invalid_token', error_description: description }, challenge);
  const answers: FaultAnswers = {
    status: (status, error) => ({
      status,
      body: { error: error ?? (status === 401 ? 'invalid_token' : defaultErrorCode(status)) },
      // A 401 from a protected resource always carries the challenge; clients key off it.
      ...(status === 401 && { headers: challenge }),
    }),
    sampleBody: { ok: true, sub: 'alice', dialect: 'ciam', username: 'alice' },
    wrongTypesBody: { ok: 'true', sub: 1, dialect: null, username: [] },
  };

  return async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return json(
        405,
        { error: 'invalid_request', error_description: 'method must be GET' },
        { Allow: 'GET, HEAD' },
      );
    }
    const cred = credential(c.req.header('authorization') ?? '', dpop);
    const token = cred?.token;
    const dialect = token === undefined ? undefined : deps.store.dialectOfAccess(token);
    c.set('note', dialect ?? '');
    const traits: RequestTraits = { route: 'api', dialect, grant: undefined };
    const response = await withFaults(c, deps, traits, answers, async () => {
      const { stats, store, keys } = deps;
      if (cred === undefined) {
        stats.count('api401');
        return unauthorized('missing or malformed bearer token');
      }
      // A JWT must carry our signature; the lookup then decides whether it is still alive.
      const signed = !cred.token.includes('.') || (await keys.verify(cred.token));
      const check: AccessCheck = signed
        ? store.checkAccess(cred.token)
        : { ok: false, reason: 'unknown' };
      if (dpop && (cred.scheme === 'dpop' || check.jkt !== undefined)) {
        // RFC 9449 §7.2: a bound token presented as a bearer one is refused as such.
        const refused =
          cred.scheme === 'bearer'
            ? unauthorized('DPoP-bound access token sent with the Bearer scheme')
            : await resourceProof(c, deps, cred.token, check.jkt);
        if (refused !== undefined) {
          stats.count('api401', check.dialect);
          return refused;
        }
        if (check.ok && check.jkt === undefined) {
          stats.count('api401', check.dialect);
          return unauthorized('access token is not DPoP-bound: use the Bearer scheme');
        }
      }
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
    return dpop ? withNonce(deps, response) : response;
  };
}
