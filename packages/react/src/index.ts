export type { BatonProviderProps } from './context.js';
export { BatonProvider, useTokenManager } from './context.js';
export type { AccessTokenState } from './useAccessToken.js';
export { useAccessToken } from './useAccessToken.js';
export type { AuthState } from './useAuth.js';
export { useAuth } from './useAuth.js';
export { useAuthFetch } from './useAuthFetch.js';
export { useSuspenseAccessToken } from './useSuspenseAccessToken.js';
