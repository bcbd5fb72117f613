import { DIALECTS, type DialectName } from './clients.js';

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

/** The counters in total, and for each dialect under `byDialect`. */
export interface MockStats extends Counters {
  /** The same counters, per dialect. */
  readonly byDialect: Record<DialectName, Counters>;
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

  /** Counts one event in total and, when the dialect is known, for that dialect. */
  count(name: CounterName, dialect?: DialectName): void {
    this.#total[name]++;
    if (dialect !== undefined) this.#byDialect[dialect][name]++;
  }

  snapshot(): MockStats {
    const byDialect = perDialect();
    for (const d of DIALECTS) Object.assign(byDialect[d], this.#byDialect[d]);
    return { ...this.#total, byDialect };
  }

  reset(): void {
    this.#total = zero();
    this.#byDialect = perDialect();
  }
}

function perDialect(): Record<DialectName, Counters> {
  return { ciam: zero(), eiam: zero(), uaa: zero(), chatroom: zero() };
}
