import { createHash, randomBytes } from 'node:crypto';
import type { DemoUser, DialectName } from './clients.js';
import { secretEquals } from './params.js';
import type {
  AccessCheck,
  AccessEntry,
  CodeEntry,
  CodeGrant,
  CodeOutcome,
  CodeRejection,
  Family,
  Issued,
  Mint,
  RefreshEntry,
  RefreshOutcome,
  RefreshRejection,
} from './sessionTypes.js';

export type {
  AccessCheck,
  CodeGrant,
  CodeOutcome,
  CodeRejection,
  Family,
  Issued,
  Mint,
  RefreshOutcome,
  RefreshRejection,
} from './sessionTypes.js';

/**
 * Session families, refresh-token rotation and reuse detection, as a strict provider does it
 * (RFC 9700 §4.14.2): every refresh rotates the refresh token, and a spent one presented again
 * revokes the whole family, unless it comes back within the reuse grace window.
 *
 * Lifetimes: an access token lives until its own `exp` (opaque ones: issue time + ACCESS_TTL);
 * each refresh token lives REFRESH_TTL from its own issue (sliding, like the UAA seed's
 * `refresh_expires_in` on every answer), so an active session never dies of old age.
 *
 * A family starts with a password sign-in or with an authorization code (single use, 60 s,
 * bound to its client, redirect URI and PKCE challenge).
 */

/** An authorization code lives this long, on the server clock. */
export const CODE_TTL_MS = 60_000;

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface SessionOptions {
  readonly now: () => number;
  /** Reuse grace window in ms; 0 means any reuse revokes the family. */
  readonly reuseGraceMs: number;
}

/**
 * Expired entries are swept every so many issues, so long soaks keep memory flat. The interval
 * grows with the store (a quarter of its size) so a sweep costs O(1) per issue on average.
 */
const SWEEP_EVERY = 512;

export class SessionStore {
  readonly #now: () => number;
  readonly #graceMs: number;
  #access = new Map<string, AccessEntry>();
  #refresh = new Map<string, RefreshEntry>();
  #codes = new Map<string, CodeEntry>();
  #nextFamily = 1;
  #issuedSinceSweep = 0;

  constructor(options: SessionOptions) {
    this.#now = options.now;
    this.#graceMs = options.reuseGraceMs;
  }

  /** A password sign-in: a new family, bound to `jkt` when the request had a DPoP proof. */
  async signIn(
    dialect: DialectName,
    clientId: string,
    user: DemoUser,
    mint: Mint,
    jkt?: string,
  ): Promise<Issued> {
    const family = this.#family(dialect, clientId, user, jkt);
    const issued = await mint(family);
    this.#register(family, issued);
    return issued;
  }

  /** A code for a user who signed in at the authorization endpoint: single use, `CODE_TTL_MS`. */
  issueCode(grant: CodeGrant): string {
    const code = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + CODE_TTL_MS;
    this.#codes.set(code, { ...grant, expiresAt, spent: false, family: undefined });
    return code;
  }

  /**
   * Redeems a code (RFC 6749 §4.1.3, RFC 7636 §4.6): bound to its client, its redirect URI and its
   * challenge. Any presentation spends it, so a wrong verifier cannot be tried again; a spent
   * code presented again revokes the family it started (RFC 6749 §4.1.2). Success: a new family,
   * bound to the proof's key `jkt`, which must be the code's `dpopJkt` if it has one.
   */
  async exchangeCode(
    code: string,
    dialect: DialectName,
    clientId: string,
    redirectUri: string,
    codeVerifier: string,
    mint: (family: Family, grant: CodeGrant) => Promise<Issued>,
    jkt?: string,
  ): Promise<CodeOutcome> {
    const entry = this.#codes.get(code);
    const reject = (reason: CodeRejection): CodeOutcome => ({ kind: 'rejected', reason });
    if (entry === undefined) return reject('unknown');
    if (entry.spent) {
      if (entry.family !== undefined) entry.family.revoked = true;
      return reject('reused');
    }
    entry.spent = true;
    if (entry.dialect !== dialect || entry.clientId !== clientId) return reject('wrong-client');
    if (this.#now() >= entry.expiresAt) return reject('expired');
    if (redirectUri !== entry.redirectUri) return reject('redirect_uri');
    const challenge = createHash('sha256').update(codeVerifier).digest('base64url');
    if (!VERIFIER.test(codeVerifier) || !secretEquals(challenge, entry.codeChallenge)) {
      return reject('code_verifier');
    }
    if (entry.dpopJkt !== undefined && entry.dpopJkt !== jkt) {
      return reject(jkt === undefined ? 'dpop-missing' : 'dpop-key');
    }
    const family = this.#family(dialect, clientId, entry.user, jkt);
    entry.family = family;
    const issued = await mint(family, entry);
    this.#register(family, issued);
    return { kind: 'signed-in', issued };
  }

  /**
   * Spends a refresh token. `invalidatePreviousAccess` is for dialects whose refresh kills the
   * previous access token (EIAM, seed 001); elsewhere it lives until it expires. A DPoP-bound
   * family's token needs a proof by its key, `jkt` (RFC 9449 §5): checked before reuse, so a thief
   * without the key cannot even revoke the family.
   */
  refresh(
    dialect: DialectName,
    clientId: string,
    refreshToken: string,
    invalidatePreviousAccess: boolean,
    mint: Mint,
    jkt?: string,
  ): Promise<RefreshOutcome> {
    const entry = this.#refresh.get(refreshToken);
    if (entry === undefined) return rejected('unknown');
    const { family } = entry;
    // A refresh token is bound to the client it was issued to (RFC 6749 §6).
    if (family.dialect !== dialect || family.clientId !== clientId) return rejected('wrong-client');
    if (family.revoked) return rejected('revoked');
    const now = this.#now();
    // An expired token is simply dead: checked before reuse, so a stale tab that wakes up long
    // after does not revoke the session other tabs are still using.
    if (now >= entry.expiresAt) return rejected('expired');
    if (family.jkt !== undefined && family.jkt !== jkt) {
      return rejected(jkt === undefined ? 'dpop-missing' : 'dpop-key');
    }

    if (entry.rotation !== undefined) {
      if (this.#graceMs > 0 && now - entry.rotation.at <= this.#graceMs) {
        return entry.rotation.result.then((issued) => ({ kind: 'replayed', issued }));
      }
      family.revoked = true;
      return rejected('reused');
    }

    if (invalidatePreviousAccess && family.currentAccess !== undefined) {
      family.currentAccess.superseded = true;
    }
    family.jkt ??= jkt;
    const result = mint(family).then((issued) => {
      this.#register(family, issued);
      return issued;
    });
    entry.rotation = { at: now, result };
    return result.then((issued) => ({ kind: 'rotated', issued }));
  }

  /** Whether the server accepts this access token now (its signature is checked elsewhere). */
  checkAccess(token: string): AccessCheck {
    const entry = this.#access.get(token);
    if (entry === undefined) return { ok: false, reason: 'unknown' };
    const { family, jkt } = entry;
    const dialect = family.dialect;
    if (family.revoked) return { ok: false, reason: 'revoked', dialect, jkt };
    if (entry.superseded) return { ok: false, reason: 'superseded', dialect, jkt };
    // Server time is authoritative, whatever the token itself claims.
    if (this.#now() >= entry.expiresAt) return { ok: false, reason: 'expired', dialect, jkt };
    return { ok: true, dialect, sub: entry.sub, user: family.user, jkt: entry.jkt };
  }

  /** The dialect a known access token belongs to, for fault matching and counters. */
  dialectOfAccess(token: string): DialectName | undefined {
    return this.#access.get(token)?.family.dialect;
  }

  reset(): void {
    this.#access.clear();
    this.#refresh.clear();
    this.#codes.clear();
    this.#issuedSinceSweep = 0;
  }

  get size(): { access: number; refresh: number } {
    return { access: this.#access.size, refresh: this.#refresh.size };
  }

  #family(dialect: DialectName, clientId: string, user: DemoUser, jkt?: string): Family {
    const id = this.#nextFamily++;
    return { id, dialect, clientId, user, revoked: false, jkt, currentAccess: undefined };
  }

  #register(family: Family, issued: Issued): void {
    const access: AccessEntry = {
      family,
      expiresAt: issued.accessExpiresAt,
      sub: issued.sub,
      jkt: family.jkt,
      superseded: false,
    };
    this.#access.set(issued.accessToken, access);
    family.currentAccess = access;
    this.#refresh.set(issued.refreshToken, {
      family,
      expiresAt: issued.refreshExpiresAt,
      rotation: undefined,
    });
    const size = this.#access.size + this.#refresh.size;
    if (++this.#issuedSinceSweep >= Math.max(SWEEP_EVERY, size / 4)) this.#sweep();
  }

  /** Forgets expired tokens: once expired they are rejected the same way as unknown ones. */
  #sweep(): void {
    this.#issuedSinceSweep = 0;
    const now = this.#now();
    for (const [token, entry] of this.#access)
      if (now >= entry.expiresAt) this.#access.delete(token);
    for (const [token, entry] of this.#refresh) {
      if (now >= entry.expiresAt) this.#refresh.delete(token);
    }
    for (const [code, entry] of this.#codes) if (now >= entry.expiresAt) this.#codes.delete(code);
  }
}

function rejected(reason: RefreshRejection): Promise<RefreshOutcome> {
  return Promise.resolve({ kind: 'rejected', reason });
}
