import type { TokenManager } from '@baton/core';
import { type SignInWithRedirectOptions, signInWithRedirect } from '@baton/core/redirect';
import {
  createElement,
  Fragment,
  type ReactElement,
  type ReactNode,
  useEffect,
  useState,
} from 'react';
import { useTokenManager } from './context.js';
import { exchangeOf } from './redirectExchange.js';
import { useAuth } from './useAuth.js';

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  readonly children?: ReactNode;
  /** Rendered until there is a session: while loading, and while leaving for the provider. */
  readonly fallback?: ReactNode;
  /**
   * `signInWithRedirect`'s options (`redirectUri`, `scope`, `extraParams`). Its app state is
   * `{ returnTo }`: this page's path, query and hash, which `useRedirectCallback`'s
   * `onRedirectCallback` gets back.
   */
  readonly signInOptions?: Omit<SignInWithRedirectOptions, 'state'>;
}

/** The managers whose redirect has started: one, however many guards and effects ask. */
const leaving = new WeakSet<TokenManager>();

/** A redirect callback in the address bar (`?state=…&code=…` or `…&error=…`). */
const isCallback = (search: string): boolean =>
  /[?&]state=/.test(search) && /[?&](code|error)=/.test(search);

/**
 * Renders `children` only with a session. Renders `fallback` while the start-up looks for one
 * (`isLoading`); signed out after it, starts `signInWithRedirect(manager, { state: { returnTo
 * } })` once (StrictMode's double effects and several guards included). It does not leave while
 * a redirect callback is handled on this page, nor after one failed (no loop on "Deny"). A
 * redirect that cannot start (e.g. no `authorizeUrl`) is thrown to the nearest error boundary.
 */
export function RequireAuth(props: RequireAuthProps): ReactElement {
  const { children, fallback, signInOptions } = props;
  const manager = useTokenManager();
  const { isLoading, isAuthenticated } = useAuth();
  const [failure, setFailure] = useState<{ error: unknown }>();
  const signedOut = !isLoading && !isAuthenticated;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the options are read when leaving; a new object each render must not leave again
  useEffect(() => {
    // Signed in: a later sign-out (in any tab) may leave again.
    const callback = exchangeOf(manager);
    if (!signedOut) leaving.delete(manager);
    else if (
      !leaving.has(manager) &&
      (!callback || callback.done) &&
      !isCallback(location.search)
    ) {
      leaving.add(manager);
      const { pathname, search, hash } = location;
      signInWithRedirect(manager, {
        ...signInOptions,
        state: { returnTo: pathname + search + hash },
      }).catch((error: unknown) => {
        leaving.delete(manager);
        setFailure({ error });
      });
    }
  }, [signedOut, manager]);
  if (failure) throw failure.error;
  return createElement(Fragment, null, isAuthenticated ? children : fallback);
}
