import type { BatonError, JsonValue } from '@baton/core';
import { useEffect, useRef, useState } from 'react';
import { useTokenManager } from './context.js';
import { exchange } from './redirectExchange.js';

/** Where the redirect callback stands: `done` carries the app state passed to sign-in. */
export type RedirectCallbackState =
  | { readonly status: 'pending' }
  | { readonly status: 'done'; readonly state: JsonValue | undefined }
  | { readonly status: 'error'; readonly error: BatonError };

/** Options of {@link useRedirectCallback}. */
export interface RedirectCallbackOptions {
  /**
   * Called once when the code exchange succeeded (not again on a re-mount or StrictMode's second
   * effect): navigate here. `appState` is the `state` given to `signInWithRedirect`; `returnTo`
   * is `<RequireAuth>`'s return-to path, when the app state is its `{ returnTo }` and that is a
   * path on this origin (`/…`, never `//host`).
   */
  readonly onRedirectCallback?: (
    appState: JsonValue | undefined,
    returnTo: string | undefined,
  ) => void;
}

/** `{ returnTo: '/path' }`'s path; anything else (another origin included) is no return-to. */
const returnToOf = (state: JsonValue | undefined): string | undefined => {
  const to = (state as { returnTo?: unknown } | null | undefined)?.returnTo;
  return typeof to === 'string' && /^\/(?![/\\])/.test(to) ? to : undefined;
};

/**
 * On the redirect URI's page: exchanges the code once (`handleRedirectCallback(manager)` from
 * `@baton/core/redirect`), renders its outcome and calls `onRedirectCallback` once. The session
 * then reaches every tab.
 */
export function useRedirectCallback(options?: RedirectCallbackOptions): RedirectCallbackState {
  const manager = useTokenManager();
  const [result, setResult] = useState<RedirectCallbackState>({ status: 'pending' });
  // The newest callback, without restarting the effect when the app passes a new function.
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    const current = exchange(manager);
    let live = true;
    current.promise.then(
      ({ state }) => {
        if (!live) return;
        setResult({ status: 'done', state });
        if (current.delivered) return;
        current.delivered = true;
        latest.current?.onRedirectCallback?.(state, returnToOf(state));
      },
      (error: BatonError) => live && setResult({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [manager]);
  return result;
}
