import { DIALECTS, type DialectName } from './clients.js';
import type { ProofFailure } from './dpop.js';

/** Counters, kept in total and per dialect. The first six are the fixed contract (DESIGN.md). */
export interface Counters {
  /** Successful rotations (grace replays are not rotations: see `graceReplays`). */
  refreshes: number;
  /** Successful password sign-ins and authorization code exchanges (each a new session family). */
  signIns: number;
  /** Spent refresh tokens presented again outside the grace window (each revoked a family). */
  reuseDetected: number;
  /** Refresh attempts rejected for a bad, expired, revoked, reused or foreign refresh token. */
  invalidGrant: number;
  /** `/api/me` answers 200. */
  apiOk: number;
  /** `/api/me` answers 401 (per dialect only when the token is one this server issued). */
  api401: number;
  /** Requests that reached a token route (faulted, dropped and junk ones included). */
  tokenRequests: number;
  /** Spent refresh tokens presented again inside the grace window, answered with the same tokens. */
  graceReplays: number;
  /** Wrong username or password (token routes and login page); authorization codes refused. */
  signInFailures: number;
  /** Token requests refused for a missing or wrong client id or secret. */
  invalidClient: number;
  /** Token requests refused as malformed: bad encoding, missing or repeated parameters, unknown grant, too large. */
  invalidRequest: number;
  /** Injected faults applied (a latency fault and an outcome fault on one request count twice). */
  faultsServed: number;
  /** Requests whose client went away during an injected delay: dropped, never processed. */
  droppedInFlight: number;
}

/** DPoP proofs (RFC 9449) on the token route and `/api/me`; all zero while `dpop` is `off`. */
export interface DpopCounters {
  /** Proofs that passed every check, key binding included. */
  proofsAccepted: number;
  /**
   * Proofs refused, by reason (`missing`, `htm`, `htu`, `iat`, `ath`, `key-mismatch`, `replay`…;
   * see `ProofFailure`). Nonce challenges are not refusals: see `nonceChallenges`.
   */
  proofsRejected: Partial<Record<ProofFailure, number>>;
  /** Proofs refused because their `jti` was already used (also in `proofsRejected.replay`). */
  replays: number;
  /** `use_dpop_nonce` answers: a proof without the current server nonce. */
  nonceChallenges: number;
  /** Distinct keys (JWK thumbprints) of the proofs accepted on token requests. */
  keys: number;
}

/** The counters in total, and for each dialect under `byDialect`. */
export interface MockStats extends Counters {
  /** The same counters, per dialect. */
  readonly byDialect: Record<DialectName, Counters>;
  readonly dpop: DpopCounters;
}

export type CounterName = keyof Counters;

function zero(): Counters {
  return {
    refreshes: 0,
    signIns: 0,
    reuseDetected: 0,
    invalidGrant: 0,
    apiOk: 0,
    api401: 0,
    tokenRequests: 0,
    graceReplays: 0,
    signInFailures: 0,
    invalidClient: 0,
    invalidRequest: 0,
    faultsServed: 0,
    droppedInFlight: 0,
  };
}

export class StatsRecorder {
  #total = zero();
  #byDialect = perDialect();
  #dpop = { proofsAccepted: 0, replays: 0, nonceChallenges: 0 };
  #dpopRejected: Partial<Record<ProofFailure, number>> = {};
  #dpopKeys = new Set<string>();

  /** Counts one event in total and, when the dialect is known, for that dialect. */
  count(name: CounterName, dialect?: DialectName): void {
    this.#total[name]++;
    if (dialect !== undefined) this.#byDialect[dialect][name]++;
  }

  /** A proof passed; `jkt` (token requests only) counts towards the distinct keys. */
  dpopAccepted(jkt: string | undefined): void {
    this.#dpop.proofsAccepted++;
    if (jkt !== undefined) this.#dpopKeys.add(jkt);
  }

  /** A proof refused, or `nonce`: a nonce challenge. */
  dpopRefused(reason: ProofFailure | 'nonce'): void {
    if (reason === 'nonce') {
      this.#dpop.nonceChallenges++;
      return;
    }
    if (reason === 'replay') this.#dpop.replays++;
    this.#dpopRejected[reason] = (this.#dpopRejected[reason] ?? 0) + 1;
  }

  snapshot(): MockStats {
    const byDialect = perDialect();
    for (const d of DIALECTS) Object.assign(byDialect[d], this.#byDialect[d]);
    const dpop: DpopCounters = {
      proofsAccepted: this.#dpop.proofsAccepted,
      proofsRejected: { ...this.#dpopRejected },
      replays: this.#dpop.replays,
      nonceChallenges: this.#dpop.nonceChallenges,
      keys: this.#dpopKeys.size,
    };
    return { ...this.#total, byDialect, dpop };
  }

  reset(): void {
    this.#total = zero();
    this.#byDialect = perDialect();
    this.#dpop = { proofsAccepted: 0, replays: 0, nonceChallenges: 0 };
    this.#dpopRejected = {};
    this.#dpopKeys.clear();
  }
}

function perDialect(): Record<DialectName, Counters> {
  return { ciam: zero(), eiam: zero(), uaa: zero(), chatroom: zero() };
}
