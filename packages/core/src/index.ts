export type { AuthFetch, AuthFetchOptions } from './authFetch.js';
export { createAuthFetch } from './authFetch.js';
export type { DialectOptions, DialectSpec, ProviderError, TokenField } from './dialect.js';
export { defineDialect } from './dialect.js';
/** The four built-in endpoints; import one by name to keep the others out of your bundle. */
export { chatroom, ciam, dialects, eiam, uaa } from './dialects/index.js';
export type { BatonErrorOptions } from './errors.js';
export { BatonError, ErrorCode, isBatonError, isTerminalCode } from './errors.js';
export type { BatonEvent, RefreshReason, SignOutReason, WakeSource } from './events.js';
export type { LockOption } from './lock.js';
export type { StorageAdapter, StorageOption } from './storage.js';
export type {
  GetAccessTokenOptions,
  RefreshOptions,
  RetryOptions,
  TokenInput,
  TokenManager,
  TokenManagerOptions,
} from './tokenManager.js';
export { createTokenManager } from './tokenManager.js';
export type {
  Dialect,
  JwtClaims,
  SessionStatus,
  Snapshot,
  TokenGrant,
  TokenGrantResult,
  TokenRequest,
  TokenResponse,
  TokenSet,
} from './types.js';
