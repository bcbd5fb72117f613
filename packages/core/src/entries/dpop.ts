/** `@baton/core/dpop`: DPoP (RFC 9449), tokens bound to a key no script can read. */
export { dpop } from '../dpop.js';
