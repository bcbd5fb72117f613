/** `@baton/core/password`: the password grant, for demos and first-party apps. */
export type { PasswordCredentials } from '../password.js';
export { signInWithPassword } from '../password.js';
