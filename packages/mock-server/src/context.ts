import type { HttpBindings } from '@hono/node-server';
import type { DialectName } from './clients.js';
import type { DpopMode, DpopVerifier } from './dpop.js';
import type { FaultQueue } from './faults.js';
import type { Keys } from './jwt.js';
import type { SessionStore } from './sessions.js';
import type { StatsRecorder } from './stats.js';

/** Hono environment: the Node request/response, and what a handler tells the request log. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    /** A few words for the log line, e.g. `ciam refresh_token rotated`. Never a token or secret. */
    note: string;
  };
}

/** Resolved settings (seconds for lifetimes, as the environment variables give them). */
export interface Settings {
  readonly accessTtl: number;
  readonly refreshTtl: number;
  readonly reuseGrace: number;
  readonly bodyLimit: number;
  readonly proxiedRoutes: ReadonlySet<DialectName>;
  /** DPoP (RFC 9449) on the CIAM token route and `/api/me`. */
  readonly dpop: DpopMode;
  /** Proofs must carry the server's current nonce (RFC 9449 §8, §9). */
  readonly dpopNonce: boolean;
}

/** What every route needs, built once per server. */
export interface Deps {
  readonly settings: Settings;
  readonly now: () => number;
  /** The server's own URL, known once it listens: the JWT issuer. */
  readonly issuer: () => string;
  readonly keys: Keys;
  readonly store: SessionStore;
  readonly stats: StatsRecorder;
  readonly faults: FaultQueue;
  /** DPoP proof checks: replay cache and nonce (used only when `settings.dpop` is not `off`). */
  readonly dpop: DpopVerifier;
  /** Aborted when the server closes, so injected delays end at once. */
  readonly closing: AbortSignal;
}
