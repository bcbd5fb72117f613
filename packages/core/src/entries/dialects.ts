/** `@baton/core/dialects`: the built-in endpoints; import one by name to keep the others out. */

export type { DialectOptions } from '../dialect.js';
export { chatroom, ciam, dialects, eiam, oauth2, oidc, uaa } from '../dialects/index.js';
export type { StandardDialectOptions } from '../dialects/standard.js';
export type { MetadataKind, ProviderMetadata } from '../discovery.js';
export { discover, metadataUrl } from '../discovery.js';
