export type { AuthFetch, AuthFetchOptions } from './authFetch.js';
export { createAuthFetch } from './authFetch.js';
export { defineDialect } from './dialect.js';
export { dialects } from './dialects/index.js';
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
