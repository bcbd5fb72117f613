import type { Context } from 'hono';
import type { AppEnv, Deps } from '../context.js';
import { DPOP_ALGS, normaliseHtu, type ProofResult } from '../dpop.js';
import { json, NO_STORE } from '../http.js';

/**
 * DPoP (RFC 9449) at the HTTP edge of the two routes that use it, the CIAM token route and
 * `/api/me`: which proof and URL a request carries, the answers refusing it, and the counters.
 */

/** `algs` of every DPoP challenge (RFC 9449 §7.1): what a client may sign its proofs with. */
const ALGS = `algs="${DPOP_ALGS.join(' ')}"`;

/**
 * `/api/me`'s `invalid_token` challenge when DPoP is on. Both schemes, since the resource takes
 * both (bearer tokens of the other dialects, or of `optional` sign-ins without a proof); both say
 * `invalid_token`, so a client that refreshes on it (Baton's authFetch) still does.
 */
export const INVALID_TOKEN_CHALLENGES = `DPoP error="invalid_token", ${ALGS}, Bearer error="invalid_token"`;

/** The `DPoP` header lines, kept apart (RFC 9449 §4.3 check 1: exactly one). */
export function proofHeaders(c: Context<AppEnv>): string[] {
  return c.env.incoming.headersDistinct.dpop ?? [];
}

/**
 * The URLs the client may have called this request by, for `htu` (RFC 9449 §4.3 check 9): the
 * mock sits behind the demo's Vite proxy and Playwright's base URL, so the URL the client saw is
 * its `Host` (or a proxy's `X-Forwarded-Host`), with `X-Forwarded-Proto` (else `http`) and the
 * path as received. Both sides are compared normalised ({@link normaliseHtu}).
 */
export function requestUrls(c: Context<AppEnv>): string[] {
  const raw = c.env.incoming.url ?? '/';
  const path = raw.startsWith('/') ? (raw.split('?')[0] ?? '/') : safePath(raw);
  const proto =
    first(c.req.header('x-forwarded-proto'))?.toLowerCase() === 'https' ? 'https' : 'http';
  const hosts = [first(c.req.header('x-forwarded-host')), c.req.header('host')];
  const urls = hosts.map((host) => (host ? normaliseHtu(`${proto}://${host}${path}`) : undefined));
  return urls.filter((url): url is string => url !== undefined);
}

const first = (value: string | undefined) => value?.split(',')[0]?.trim() || undefined;

function safePath(absolute: string): string {
  try {
    return new URL(absolute).pathname;
  } catch {
    return '/';
  }
}

/** Sets the current server nonce on an answer, when nonces are on (RFC 9449 §8.2, §9). */
export function withNonce(deps: Deps, response: Response): Response {
  const nonce = deps.dpop.nonce();
  if (nonce !== undefined) response.headers.set('DPoP-Nonce', nonce);
  return response;
}

/** A token request's proof: the key it proved (none: a request without one, `optional` only). */
export interface TokenProof {
  readonly jkt: string | undefined;
}

export const NO_PROOF: TokenProof = { jkt: undefined };

/** The store refused the grant's DPoP binding (RFC 9449 §5, §10): another key, or none. */
export interface DpopBindingRefusal {
  readonly kind: 'dpop_binding';
  readonly reason: 'key-mismatch' | 'missing';
}

export const bindingRefusal = (reason: 'dpop-key' | 'dpop-missing'): DpopBindingRefusal => ({
  kind: 'dpop_binding',
  reason: reason === 'dpop-key' ? 'key-mismatch' : 'missing',
});

/** RFC 9449 §5 / §8: a token endpoint refuses with 400 and the error in the body. */
const tokenError = (error: 'invalid_dpop_proof' | 'use_dpop_nonce', description: string) =>
  json(400, { error, error_description: description }, NO_STORE);

/**
 * The proof of a token request (RFC 9449 §4.3, §5), or the 400 refusing it. With `optional`,
 * a request without a proof passes (Bearer tokens); with `required` it is refused. Acceptance is
 * counted later, by {@link settleTokenProof}, once the grant's binding is known.
 */
export async function tokenProof(c: Context<AppEnv>, deps: Deps): Promise<TokenProof | Response> {
  const proofs = proofHeaders(c);
  if (proofs.length === 0 && deps.settings.dpop === 'optional') return NO_PROOF;
  const result = await deps.dpop.verify({ proofs, method: c.req.method, urls: requestUrls(c) });
  if (result.ok) return { jkt: result.jkt };
  refused(c, deps, result);
  return result.reason === 'nonce'
    ? tokenError('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof')
    : tokenError('invalid_dpop_proof', result.description);
}

/** Counts the token request's proof once the grant ran; a binding refusal is its answer. */
export function settleTokenProof(
  c: Context<AppEnv>,
  deps: Deps,
  proof: TokenProof,
  binding: DpopBindingRefusal | undefined,
): Response | undefined {
  if (binding === undefined) {
    if (proof.jkt !== undefined) deps.stats.dpopAccepted(proof.jkt);
    return undefined;
  }
  const description =
    binding.reason === 'missing'
      ? 'DPoP proof required: the grant is DPoP-bound'
      : 'proof key is not the key the grant is bound to';
  refused(c, deps, { ok: false, reason: binding.reason, description });
  return tokenError('invalid_dpop_proof', description);
}

/**
 * `/api/me` with a DPoP-bound token or the `DPoP` scheme (RFC 9449 §7.1): the proof must be for
 * this request and this token (`ath`), by the token's key (`jkt`, when the token is known). An
 * answer is the 401 refusing it; `undefined`: accepted.
 */
export async function resourceProof(
  c: Context<AppEnv>,
  deps: Deps,
  accessToken: string,
  jkt: string | undefined,
): Promise<Response | undefined> {
  const result = await deps.dpop.verify({
    proofs: proofHeaders(c),
    method: c.req.method,
    urls: requestUrls(c),
    accessToken,
    expectJkt: jkt,
  });
  if (result.ok) {
    deps.stats.dpopAccepted(undefined);
    return undefined;
  }
  refused(c, deps, result);
  const error = result.reason === 'nonce' ? 'use_dpop_nonce' : 'invalid_dpop_proof';
  return json(
    401,
    { error, error_description: result.description },
    { 'WWW-Authenticate': `DPoP error="${error}", ${ALGS}` },
  );
}

function refused(c: Context<AppEnv>, deps: Deps, result: Extract<ProofResult, { ok: false }>) {
  deps.stats.dpopRefused(result.reason);
  c.set('note', `${c.get('note') ?? ''} dpop ${result.reason}`.trim());
}
