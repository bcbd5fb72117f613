import { chatroom } from './chatroom.js';
import { ciam } from './ciam.js';
import { eiam } from './eiam.js';
import { uaa } from './uaa.js';

export { chatroom, ciam, eiam, uaa };

/** The built-in dialects, one factory per seed endpoint: `dialects.ciam({ clientId })`. */
export const dialects = { ciam, eiam, uaa, chatroom } as const;
