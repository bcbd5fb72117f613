/** `@baton/core/auth-fetch`: `fetch` with the session's bearer token, for allowed origins only. */
export type { AuthFetch, AuthFetchOptions } from '../authFetch.js';
export { createAuthFetch } from '../authFetch.js';
