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

declare global {
  interface Window {
    harnessReady?: boolean;
    baton?: BatonPage;
    peer?: PeerPage;
    lockBench?: LockPage;
  }
}
