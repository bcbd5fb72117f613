import type { TokenManager } from './tokenManagerTypes.js';

export interface PasswordCredentials {
  readonly username: string;
  readonly password: string;
  /** Default: the dialect's scope. */
  readonly scope?: string;
  readonly signal?: AbortSignal;
}

/**
 * Signs in with the resource owner password grant (RFC 6749 §4.3) and starts the session in every
 * tab. For demos and first-party apps only: the app sees the user's password, and OAuth 2.0
 * Security BCP (RFC 9700 §2.4) says not to use this grant. Prefer `signInWithRedirect`.
 */
export function signInWithPassword(
  manager: TokenManager,
  { username, password, scope, signal }: PasswordCredentials,
): Promise<void> {
  return manager.signInWithGrant(
    { type: 'password', username, password, ...(scope ? { scope } : {}) },
    signal ? { signal } : {},
  );
}
