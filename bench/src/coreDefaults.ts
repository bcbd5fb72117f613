/**
 * The core's default timings, imported from its source, so that the prose of the report states
 * the values of the code measured and never a number typed in by hand.
 */
import {
  CLAIM_ROUNDS,
  DEFAULT_CLAIM_WINDOW_MS,
  DEFAULT_LEASE_MS,
  QUIET_ROUNDS,
} from '../../packages/core/src/broadcastLock.js';
import { DEFAULT_MS, HAND_OFF_FACTOR } from '../../packages/core/src/options.js';

export interface CoreDefaults {
  /** BroadcastChannel lock: W, the time a claim listens for a competitor (`claimWindowMs`). */
  readonly claimWindowMs?: number | undefined;
  /** BroadcastChannel lock: a claim listens this many × W (a round trip). */
  readonly claimFactor?: number | undefined;
  /** BroadcastChannel lock: a tab that heard a claim keeps quiet this many × W. */
  readonly quietFactor?: number | undefined;
  /** BroadcastChannel lock: how long a silent holder's claim stands (`leaseMs`). */
  readonly leaseMs?: number | undefined;
  /** How long a tab waits for the other tabs' news (`syncTimeoutMs`). */
  readonly syncTimeoutMs?: number | undefined;
  /** `ready` waits this many × `syncTimeoutMs` for a tab to hand the session over. */
  readonly readySyncFactor?: number | undefined;
  /** No refresh sooner than this after the last one (`minRefreshIntervalMs`). */
  readonly minRefreshIntervalMs?: number | undefined;
  /** Refresh this long before expiry, or a third of a shorter token's life (`refreshSkewMs`). */
  readonly refreshSkewMs?: number | undefined;
}

export function readCoreDefaults(): CoreDefaults {
  return {
    claimWindowMs: DEFAULT_CLAIM_WINDOW_MS,
    claimFactor: CLAIM_ROUNDS,
    quietFactor: QUIET_ROUNDS,
    leaseMs: DEFAULT_LEASE_MS,
    syncTimeoutMs: DEFAULT_MS.syncTimeoutMs,
    readySyncFactor: HAND_OFF_FACTOR,
    minRefreshIntervalMs: DEFAULT_MS.minRefreshIntervalMs,
    refreshSkewMs: DEFAULT_MS.refreshSkewMs,
  };
}
