/**
 * `@baton/core/broadcast-lock`: the BroadcastChannel lock, for a `lock` option of your own
 * (`lock: 'broadcast'` and `'auto'` without Web Locks load it by themselves).
 */
export type { BroadcastLockOptions } from '../broadcastLock.js';
export { broadcastLock } from '../broadcastLock.js';
