/**
 * What each harness page exposes on `window`, for the benchmarks to drive with `page.evaluate`.
 * Times are `performance.timeOrigin + performance.now()` of the page: ms since the epoch. To
 * compare them across pages, subtract each page's `clockOffset()` (see harness/common.ts).
 */

/**
 * `?longTaskMs=`: the pause between a page's long tasks is drawn uniformly from this range (ms).
 * Here rather than in harness/baton.ts, so that the report can say how busy the pages were.
 */
export const LONG_TASK_PAUSE_MS = { min: 200, max: 800 } as const;

/** A manager event as recorded in the page (never a token). */
export interface EventMark {
  readonly t: number;
  readonly type: string;
  readonly generation?: number;
  readonly waitedMs?: number;
  readonly durationMs?: number;
  readonly reason?: string;
  readonly code?: string;
}

/** A change of the page's session: generation or status. */
export interface ChangeMark {
  readonly t: number;
  readonly generation: number;
  readonly status: string;
}

/** Whether a page's current access token is accepted by the mock's `/api/me`. */
export type ProbeResult = 'ok' | 'rejected' | 'signed-out';

export interface RawTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
  readonly id_token?: string;
  readonly scope?: string;
  readonly token_type?: string;
}

export interface BatonPage {
  readonly timeOrigin: number;
  clockOffset(): number;
  /** When `createTokenManager` was called (at script start) and when `ready` settled. */
  readonly createdAt: number;
  readyAt(): number | undefined;
  readonly lockKind: string;
  signIn(): Promise<void>;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
  snapshot(): { generation: number; status: string };
  events(): EventMark[];
  changes(): ChangeMark[];
  clear(): void;
  probe(): Promise<ProbeResult>;
  /** `n` concurrent `getAccessToken()` on the given session made expired; ms until all resolve. */
  burst(n: number, tokens: RawTokens): Promise<{ ms: number; distinct: number; renewed: boolean }>;
  /** One refresh request sent by hand with `fetch` (no Baton): ms until its body is read. */
  bareRefresh(refreshToken: string): Promise<number>;
  /** Starts a session from raw tokens (valid for their `expires_in`). */
  setTokens(tokens: RawTokens): void;
  /** `n` concurrent authFetch GETs of `/api/me`: ms until all resolve, and their statuses. */
  authFetchBurst(n: number): Promise<{ ms: number; statuses: number[] }>;
  /** The same with bare `fetch` and the current token set by hand: the baseline. */
  fetchBurst(n: number): Promise<{ ms: number; statuses: number[] }>;
}

export interface PeerPage {
  /** Writes the session to localStorage, where every tab of the peer reads it. */
  seed(tokens: RawTokens): Promise<void>;
  /** Starts the peer's own renewal in this tab. */
  start(): Promise<void>;
  probe(): Promise<ProbeResult>;
  /** Renewal failures this tab saw. */
  failures(): number;
}

export interface LockSample {
  readonly requested: number;
  readonly acquired: number;
  readonly released: number;
}

export interface LockPage {
  readonly kind: string;
  clockOffset(): number;
  /** At `startAt` (epoch ms), acquires and releases the lock `count` times, holding it `holdMs`. */
  loop(startAt: number, count: number, holdMs: number): Promise<LockSample[]>;
  /** Acquires the lock and never releases it; resolves once held. */
  hold(): Promise<number>;
  /** Asks for the lock (in the background); `acquiredAt()` tells when it came. */
  request(): number;
  acquiredAt(): number | undefined;
}

/** How `/api/me` is requested on the DPoP page: authFetch with DPoP or bearer, or bare fetch. */
export type RequestVariant = 'dpop' | 'bearer' | 'fetch';

/** The DPoP benchmark's page (harness/dpop.ts). Durations in ms, each call timed on its own. */
export interface DpopPage {
  /** Whether the page is cross-origin isolated (then `performance.now()` is precise to µs). */
  readonly crossOriginIsolated: boolean;
  /** The smallest step of `performance.now()` seen (ms). */
  resolutionMs(): number;
  /** Password sign-in of both managers: the DPoP one (bound tokens) and the bearer one. */
  signIn(): Promise<{ dpop: string; bearer: string }>;
  /** Waits for the DPoP manager's `ready` (a session handed over by another tab); its status. */
  ready(): Promise<string>;
  /** `n` proofs one after another with one key: a token request's, or a resource's with `ath`. */
  proofs(n: number, kind: 'token' | 'resource'): Promise<{ ms: number[]; length: number }>;
  /** `n` requests through the DPoP module's proving fetch over a stub fetch, and the stub alone. */
  provingFetch(n: number): Promise<{ stub: number[]; dpop: number[] }>;
  /** `dpop()(name).create()`: a new key, generated and stored in IndexedDB. */
  createKey(name: string): Promise<{ createMs: number; jkt: string }>;
  /** `generateKey` + the thumbprint alone, nothing stored. */
  generateKey(): Promise<number>;
  /** A new `dpop()(name)`'s first proved request (the key read from IndexedDB) and its second. */
  firstProof(name: string, jkt: string): Promise<{ firstMs: number; nextMs: number }>;
  /** `n` GETs of `/api/me` one after another: each one's time (body read) and status. */
  sequential(variant: RequestVariant, n: number): Promise<{ ms: number[]; statuses: number[] }>;
  /**
   * `n` times one GET each way, one after another (the order turning): each request's time, by
   * way, the i-th of each taken side by side; and all statuses.
   */
  interleaved(n: number): Promise<Record<RequestVariant, number[]> & { statuses: number[] }>;
  /** `n` GETs at once: each one's time from the start, the whole burst's, the statuses. */
  concurrent(
    variant: RequestVariant,
    n: number,
  ): Promise<{ totalMs: number; ms: number[]; statuses: number[] }>;
  /**
   * This tab's first DPoP authFetch (after `ready`), with the nonce the origin's tabs learnt, or
   * with it forgotten (`dropNonce`); and the request after it.
   */
  firstRequest(dropNonce: boolean): Promise<{ firstMs: number; nextMs: number; status: number }>;
  /**
   * `n` DPoP authFetch GETs one after another in this tab, every other one with a stale nonce
   * stored for the origin (refused once, sent again): the times with the current and the stale one.
   */
  staleNonce(n: number): Promise<{ known: number[]; stale: number[] }>;
  /** The same with `n` DPoP authFetch GETs at once as this tab's first requests. */
  firstBurst(
    dropNonce: boolean,
    n: number,
  ): Promise<{ totalMs: number; ms: number[]; statuses: number[] }>;
}

declare global {
  interface Window {
    harnessReady?: boolean;
    baton?: BatonPage;
    peer?: PeerPage;
    lockBench?: LockPage;
    dpopBench?: DpopPage;
  }
}
