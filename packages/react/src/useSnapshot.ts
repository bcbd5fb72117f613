import type { Snapshot } from '@baton/core';
import { useSyncExternalStore } from 'react';
import { type Baton, useBaton } from './context.js';

/** @internal The manager's snapshot: a render only when it is a new object. */
export function useSnapshot(): [Snapshot, Baton] {
  const baton = useBaton();
  return [useSyncExternalStore(baton.subscribe, baton.getSnapshot, baton.getServerSnapshot), baton];
}
