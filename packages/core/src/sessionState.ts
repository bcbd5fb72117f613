import type { BatonError } from './errors.js';
import { createListeners } from './events.js';
import { decodeJwtClaims } from './jwt.js';
import type { JwtClaims, Snapshot, TokenSet } from './types.js';

/**
 * The one state of a session in this tab (zustand's lesson): its tokens, the newest generation
 * seen, the error that matters now, and whether a refresh is in flight. The snapshot is derived
 * from it, and is a new object only when something in it changed, so that
 * `useSyncExternalStore` re-renders only then.
 *
 * Generations order everything across tabs: each new TokenSet of a session is one higher, and a
 * sign-out takes a generation too, which kills every one up to it. An older TokenSet never
 * replaces a newer one.
 */
export function createSessionState() {
  let tokens: TokenSet | undefined;
  let generation = 0;
  let error: BatonError | undefined;
  let refreshing = false;
  let ready = false;
  // The profile of the last ID token seen: decoded once per token, so the snapshot stays the
  // same object while the token does.
  let idToken: string | undefined;
  let profile: JwtClaims | undefined;
  const profileOf = (token: string | undefined) => {
    if (token !== idToken) {
      idToken = token;
      profile = token === undefined ? undefined : decodeJwtClaims(token);
    }
    return profile;
  };
  const changes = createListeners<void>();

  const read = (): Snapshot => ({
    status: !tokens
      ? 'signed-out'
      : refreshing
        ? 'refreshing'
        : Date.now() < tokens.expiresAt
          ? 'valid'
          : error
            ? 'error'
            : 'expired',
    accessToken: tokens?.accessToken,
    expiresAt: tokens?.expiresAt,
    generation,
    claims: tokens?.claims,
    profile: profileOf(tokens?.idToken),
    error,
    ready,
  });
  let snapshot = read();

  return {
    get tokens() {
      return tokens;
    },
    /** The newest generation seen here: of tokens, or of a sign-out. */
    get generation() {
      return generation;
    },
    get error() {
      return error;
    },

    /**
     * Whether `next` would replace the tokens here: a newer generation, or the same one to fill
     * in a refresh token this tab lacks (it came from storage), or when two tabs started a
     * session at once: then the same one (the greater token) wins in every tab.
     */
    isNewer(next: TokenSet): boolean {
      if (next.generation !== generation) return next.generation > generation;
      if (!tokens) return false;
      return (
        (!tokens.refreshToken && !!next.refreshToken) ||
        (!!next.refreshToken && next.accessToken > tokens.accessToken)
      );
    },
    /** Takes `next` and clears the error. Check {@link isNewer} first. */
    take(next: TokenSet): void {
      tokens = next;
      generation = next.generation;
      error = undefined;
    },
    /** Ends the session here, up to generation `upTo`; `cause` is the error that ended it. */
    end(upTo: number, cause?: BatonError): void {
      generation = Math.max(generation, upTo);
      tokens = undefined;
      error = cause;
    },
    /** A sign-out in another tab, of a session this tab no longer has: no older session may come back. */
    see(upTo: number): void {
      generation = Math.max(generation, upTo);
    },
    setError(next: BatonError | undefined): void {
      error = next;
    },
    setRefreshing(next: boolean): void {
      refreshing = next;
    },
    /** The start-up is over: storage was read and the other tabs were asked. */
    setReady(): void {
      ready = true;
    },

    /** Publishes a new snapshot when (and only when) something in it changed. */
    update(): void {
      const next = read();
      const prev = snapshot;
      if (Object.keys(next).some((k) => next[k as keyof Snapshot] !== prev[k as keyof Snapshot])) {
        snapshot = next;
        changes.emit();
      }
    },
    getSnapshot: (): Snapshot => snapshot,
    subscribe: changes.subscribe,
  };
}

export type SessionState = ReturnType<typeof createSessionState>;
