/** `@baton/core/sign-out`: sign-out at the provider too (RFC 7009 revocation, RP-Initiated Logout). */
export type { EndSessionRequest, SignOutOptions, SignOutResult } from '../signOut.js';
export { createEndSessionRequest, revokeToken, signOut } from '../signOut.js';
