/** `@baton/core/dialects`: the four built-in endpoints; import one by name to keep the others out. */

export type { DialectOptions } from '../dialect.js';
export { chatroom, ciam, dialects, eiam, uaa } from '../dialects/index.js';
