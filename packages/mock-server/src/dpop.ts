import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, importJWK, type JWK } from 'jose';
import { DpopNonce } from './dpopNonce.js';
import { ReplayCache } from './replayCache.js';

/**
 * DPoP proof verification (RFC 9449 §4.3), for the token endpoint and `/api/me`. A proof is a
 * JWT the client signs with its own key for each request; checking it here is what makes a
 * stolen token useless without that key.
 */

/** `off`: no DPoP (the default); `optional`: proofs checked when sent; `required`: always. */
export type DpopMode = 'off' | 'optional' | 'required';

/** The only proof algorithm accepted (and advertised): what WebCrypto's P-256 keys sign. */
export const DPOP_ALGS = ['ES256'] as const;

/** How far a proof's `iat` may be from the server clock, seconds, either way (§4.3 check 11). */
export const IAT_WINDOW_S = 60;

/** Why a proof was refused: the keys of `stats().dpop.proofsRejected`. */
export type ProofFailure =
  | 'missing'
  | 'multiple'
  | 'malformed'
  | 'typ'
  | 'alg'
  | 'jwk'
  | 'signature'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'jti'
  | 'ath'
  | 'key-mismatch'
  | 'replay';

export interface ProofInput {
  /** The `DPoP` header values, one per header line (§4.3 check 1: exactly one). */
  readonly proofs: readonly string[];
  readonly method: string;
  /** The URLs the client may have called this request by, see {@link normaliseHtu}. */
  readonly urls: readonly string[];
  /** At a resource (§7.1): the access token presented, which `ath` must hash. */
  readonly accessToken?: string | undefined;
  /** The key the token or code is bound to: the proof must be signed by it (§5, §7.1, §10). */
  readonly expectJkt?: string | undefined;
}

export type ProofResult =
  | { readonly ok: true; readonly jkt: string }
  | { readonly ok: false; readonly reason: ProofFailure; readonly description: string }
  /** Valid but for the nonce (§8, §9): the answer is `use_dpop_nonce` with the current one. */
  | { readonly ok: false; readonly reason: 'nonce'; readonly description: string };

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** JWK members that only a private (or symmetric) key has (RFC 7518 §6.2.2, §6.3.2, §6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The URL a proof's `htu` is compared by (§4.3 check 9): scheme, host and path, with the query
 * and fragment dropped, the scheme and host lower-cased and a default port removed (WHATWG URL
 * parsing). `undefined` for anything but an absolute http(s) URL without user info.
 */
export function normaliseHtu(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    if (!web || url.username !== '' || url.password !== '') return undefined;
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** RFC 9449 §4.2 `ath`: base64url(SHA-256(ASCII access token)). */
export const accessTokenHash = (token: string) =>
  createHash('sha256').update(token, 'ascii').digest('base64url');

/** Checks proofs against one server's replay cache and nonce. Counts nothing: callers do. */
export class DpopVerifier {
  readonly #now: () => number;
  readonly #nonce: DpopNonce | undefined;
  readonly #replays = new ReplayCache();

  constructor(options: { readonly now: () => number; readonly nonce: boolean }) {
    this.#now = options.now;
    this.#nonce = options.nonce ? new DpopNonce(options.now) : undefined;
  }

  /** The nonce proofs must carry now, when server nonces are on. */
  nonce(): string | undefined {
    return this.#nonce?.current();
  }

  /** Forgets the `jti`s seen (the mock's reset). */
  reset(): void {
    this.#replays.clear();
  }

  /**
   * Verifies one request's proof: structure, key and signature first, then the claims binding it
   * to this request (`htm`, `htu`, `iat`, `ath`), then the key binding, the replay cache and the
   * nonce. An accepted proof's `jti` is remembered; a refused one's is not.
   */
  async verify(input: ProofInput): Promise<ProofResult> {
    const fail = (reason: ProofFailure, description: string): ProofResult => ({
      ok: false,
      reason,
      description,
    });
    if (input.proofs.length === 0) return fail('missing', 'DPoP proof required');
    const jwt = (input.proofs[0] ?? '').trim();
    // A JWS has no comma: one means several values joined into one line (by fetch, a proxy).
    if (input.proofs.length > 1 || jwt.includes(',')) {
      return fail('multiple', 'more than one DPoP header');
    }
    if (!COMPACT.test(jwt)) return fail('malformed', 'DPoP proof is not a compact JWS');
    const [rawHeader = '', rawPayload = ''] = jwt.split('.');
    const header = parseSegment(rawHeader);
    const payload = parseSegment(rawPayload);
    if (header === undefined || payload === undefined) {
      return fail('malformed', 'DPoP proof header or payload is not a JSON object');
    }
    // §4.3 checks 4-7: the explicit type keeps other JWTs from passing as proofs; an asymmetric
    // algorithm (no `none`, no HMAC) and a public key, since the point is proving its private half.
    if (header.typ !== 'dpop+jwt') return fail('typ', 'typ must be dpop+jwt');
    if (header.alg !== 'ES256') return fail('alg', 'alg must be ES256');
    const jwk = publicEcJwk(header.jwk);
    if (typeof jwk === 'string') return fail('jwk', jwk);
    try {
      await compactVerify(jwt, await importJWK(jwk, 'ES256'), { algorithms: [...DPOP_ALGS] });
    } catch {
      return fail('signature', 'signature does not verify with the jwk');
    }
    // §4.3 checks 8-12: the proof is for this request, now, with this token.
    if (payload.htm !== input.method) return fail('htm', `htm must be ${input.method}`);
    const htu = typeof payload.htu === 'string' ? normaliseHtu(payload.htu) : undefined;
    if (htu === undefined || !input.urls.includes(htu)) {
      return fail('htu', 'htu does not match the request URL');
    }
    const now = this.#now();
    const { iat } = payload;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return fail('iat', 'iat missing');
    if (Math.abs(now / 1000 - iat) > IAT_WINDOW_S) {
      return fail('iat', `iat more than ${IAT_WINDOW_S} s from the server clock`);
    }
    const { jti } = payload;
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
      return fail('jti', 'jti missing');
    }
    if (input.accessToken !== undefined && payload.ath !== accessTokenHash(input.accessToken)) {
      return fail('ath', 'ath does not match the access token');
    }
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    if (input.expectJkt !== undefined && jkt !== input.expectJkt) {
      return fail('key-mismatch', 'proof key is not the key the token is bound to');
    }
    // §11.1: a proof is single use while its iat is acceptable.
    if (this.#replays.has(jti)) return fail('replay', 'jti already used');
    const nonce = this.#nonce?.current();
    if (nonce !== undefined && payload.nonce !== nonce) {
      const description = payload.nonce === undefined ? 'nonce required' : 'nonce is stale';
      return { ok: false, reason: 'nonce', description };
    }
    this.#replays.add(jti, Math.max(iat * 1000, now) + IAT_WINDOW_S * 1000, now);
    return { ok: true, jkt };
  }
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The proof's `jwk` reduced to its public P-256 members, or why it is not one. */
function publicEcJwk(value: unknown): JWK | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'jwk header missing';
  }
  const jwk = value as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) return 'jwk must be a public key';
  const { kty, crv, x, y } = jwk;
  if (kty !== 'EC' || crv !== 'P-256') return 'jwk must be an EC P-256 key';
  if (
    typeof x !== 'string' ||
    typeof y !== 'string' ||
    !COORDINATE.test(x) ||
    !COORDINATE.test(y)
  ) {
    return 'jwk coordinates malformed';
  }
  return { kty, crv, x, y };
}
