/**
 * `@baton/core`: the token manager, its cross-tab lock (Web Locks) and tab sync, and what a
 * dialect is made of. Everything else an app opts into by subpath, and pays for only then:
 * `@baton/core/dialects`, `/redirect`, `/password`, `/auth-fetch`, `/storage`, `/broadcast-lock`.
 */
export type { DialectSpec, ProviderError, TokenField } from './dialect.js';
export { defineDialect } from './dialect.js';
export type { BatonErrorOptions } from './errors.js';
export { BatonError, ErrorCode, isBatonError, isTerminalCode } from './errors.js';
export type { BatonEvent, RefreshReason, SignOutReason, WakeSource } from './events.js';
export type { LockFactory, LockOption } from './lock.js';
export type { RetryOptions } from './retryer.js';
export type { ReceivedMessage, TabChannel, TabMessage } from './tabChannel.js';
export { createTokenManager } from './tokenManager.js';
export type {
  GetAccessTokenOptions,
  RefreshOptions,
  SignInWithGrantOptions,
  TokenManager,
  TokenManagerOptions,
} from './tokenManagerTypes.js';
export type { TokenInput } from './tokenSet.js';
export type {
  Dialect,
  JsonValue,
  JwtClaims,
  LockRunOptions,
  RefreshLock,
  SessionStatus,
  SessionStore,
  SessionStoreFactory,
  Snapshot,
  TokenGrant,
  TokenGrantResult,
  TokenRequest,
  TokenResponse,
  TokenSet,
} from './types.js';
