/** `@baton/core/redirect`: sign-in by redirect (authorization code + PKCE). */
export type { SignInWithRedirectOptions } from '../redirect.js';
export { handleRedirectCallback, signInWithRedirect } from '../redirect.js';
