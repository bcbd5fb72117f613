import type { Snapshot, TokenManager } from '@baton/core';
import type { AuthFetchOptions } from '@baton/core/auth-fetch';
import {
  createContext,
  createElement,
  type ReactElement,
  type ReactNode,
  useContext,
  useMemo,
} from 'react';

/**
 * What server rendering shows when the app gives no `serverSnapshot`: nobody is signed in, and
 * the browser has not looked yet (`ready: false`), so the page renders its loading state.
 */
const SIGNED_OUT: Snapshot = {
  status: 'signed-out',
  accessToken: undefined,
  expiresAt: undefined,
  generation: 0,
  claims: undefined,
  profile: undefined,
  error: undefined,
  ready: false,
};

/** @internal What the hooks share: the manager and its store, bound once per provider. */
export interface Baton {
  readonly manager: TokenManager;
  readonly subscribe: (listener: () => void) => () => void;
  readonly getSnapshot: () => Snapshot;
  readonly getServerSnapshot: () => Snapshot;
  readonly authFetchOptions: AuthFetchOptions | undefined;
}

const BatonContext = createContext<Baton | null>(null);

/** Props of {@link BatonProvider}. */
export interface BatonProviderProps {
  /** The app's one `createTokenManager(...)`, created outside React (it outlives renders). */
  readonly manager: TokenManager;
  /** What server rendering and hydration show (default: signed out). */
  readonly serverSnapshot?: Snapshot;
  /** Defaults for every `useAuthFetch()` below, e.g. `{ allowedOrigins: [...] }`: set them once. */
  readonly authFetchOptions?: AuthFetchOptions;
  readonly children?: ReactNode;
}

/**
 * Makes a {@link TokenManager} available to the hooks below it. Returns a `ReactElement` (not a
 * `ReactNode`): TypeScript before 5.1 accepts only that as a JSX component.
 */
export function BatonProvider(props: BatonProviderProps): ReactElement {
  const { manager, serverSnapshot = SIGNED_OUT, authFetchOptions } = props;
  const value = useMemo<Baton>(
    () => ({
      manager,
      // Called through the manager: it may be a class instance, not only the core's closure.
      subscribe: (listener) => manager.subscribe(listener),
      getSnapshot: () => manager.getSnapshot(),
      getServerSnapshot: () => serverSnapshot,
      authFetchOptions,
    }),
    [manager, serverSnapshot, authFetchOptions],
  );
  // createElement, not JSX: the package then needs no react/jsx-runtime import.
  return createElement(BatonContext.Provider, { value }, props.children);
}

/** @internal The provider's value; throws a clear error outside of one. */
export function useBaton(): Baton {
  const baton = useContext(BatonContext);
  if (!baton) throw new Error('Baton: no <BatonProvider> above this hook');
  return baton;
}

/** The provider's {@link TokenManager}, for what the hooks do not cover. */
export function useTokenManager(): TokenManager {
  return useBaton().manager;
}
