import type { TokenManagerOptions } from '@baton/core';
import { useSyncExternalStore } from 'react';

type DpopKeysFactory = NonNullable<TokenManagerOptions['dpop']>;

/**
 * DPoP: the key this tab's manager last signed a proof with, by thumbprint. The core picks it by
 * the session's own `TokenSet.jkt` for every token request and `authFetch` call, so it is the key
 * the session is bound to. A JWT access token says so itself (`cnf.jkt`); an opaque one (the
 * OpenID provider's) does not, and this is how the page can still show it. A public value.
 */
let current: string | undefined;
const listeners = new Set<() => void>();
const set = (next: string | undefined) => {
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener();
};

/** `factory` (`dpop()`), noting the key of every proof it is asked for. */
export function trackSigningKey(factory: DpopKeysFactory): DpopKeysFactory {
  return (name) => {
    const keys = factory(name);
    return {
      create: () => keys.create(),
      fetch(jkt, fetchFn, accessToken) {
        set(jkt);
        return keys.fetch(jkt, fetchFn, accessToken);
      },
      remove(jkt) {
        if (jkt === current) set(undefined);
        return keys.remove(jkt);
      },
    };
  };
}

/** The thumbprint of the key this tab last signed with; `undefined` before its first proof. */
export const signingKey = (): string | undefined => current;

export function useSigningKey(): string | undefined {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signingKey,
    signingKey,
  );
}
