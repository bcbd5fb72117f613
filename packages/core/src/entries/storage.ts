/** `@baton/core/storage`: keeps the session across reloads in web storage. */
export type { StorageAdapter, WebStorageOptions } from '../webStorage.js';
export { webStorage } from '../webStorage.js';
