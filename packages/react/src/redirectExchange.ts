import type { JsonValue, TokenManager } from '@baton/core';
import { handleRedirectCallback } from '@baton/core/redirect';

/** @internal The code exchange of a page load, and how far it got. */
export interface Exchange {
  readonly promise: Promise<{ state?: JsonValue | undefined }>;
  /** Set once it succeeded: until then, and for good after a refusal, `<RequireAuth>` stays. */
  done?: true;
  /** Whether `onRedirectCallback` was called: once per exchange, whoever mounts. */
  delivered?: boolean;
}

// One exchange per manager (a page load handles one callback): StrictMode's double effects and
// re-mounts share it. The exchange cleans the address bar at once, so the URL is no key.
const exchanges = new WeakMap<TokenManager, Exchange>();

/** @internal This page load's exchange for `manager`, if one started. */
export const exchangeOf = (manager: TokenManager): Exchange | undefined => exchanges.get(manager);

/** @internal Starts the exchange once per manager (`handleRedirectCallback`), or returns it. */
export function exchange(manager: TokenManager): Exchange {
  const known = exchanges.get(manager);
  if (known) return known;
  const promise = handleRedirectCallback(manager);
  const started: Exchange = { promise };
  promise.then(
    () => {
      started.done = true;
    },
    () => {}, // the hook reports it
  );
  exchanges.set(manager, started);
  return started;
}
