import type { BatonError, JsonValue, TokenManager } from '@baton/core';
import { handleRedirectCallback } from '@baton/core/redirect';
import { useEffect, useState } from 'react';
import { useTokenManager } from './context.js';

/** Where the redirect callback stands: `done` carries the app state passed to sign-in. */
export type RedirectCallbackState =
  | { readonly status: 'pending' }
  | { readonly status: 'done'; readonly state: JsonValue | undefined }
  | { readonly status: 'error'; readonly error: BatonError };

// One exchange per manager (a page load handles one callback): StrictMode's double effects and
// re-mounts share it. The exchange cleans the address bar at once, so the URL is no key.
const exchanges = new WeakMap<TokenManager, ReturnType<typeof handleRedirectCallback>>();

/**
 * On the redirect URI's page: exchanges the code once (`handleRedirectCallback(manager)` from
 * `@baton/core/redirect`) and renders its outcome. The session then reaches every tab.
 */
export function useRedirectCallback(): RedirectCallbackState {
  const manager = useTokenManager();
  const [result, setResult] = useState<RedirectCallbackState>({ status: 'pending' });
  useEffect(() => {
    const exchange = exchanges.get(manager) ?? handleRedirectCallback(manager);
    exchanges.set(manager, exchange);
    let live = true;
    exchange.then(
      ({ state }) => live && setResult({ status: 'done', state }),
      (error: BatonError) => live && setResult({ status: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [manager]);
  return result;
}
