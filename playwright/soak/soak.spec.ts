import { soakTest } from './chaos.js';

// `pnpm soak`: the long chaos soak, SOAK_S seconds (default 180). Not part of `pnpm test`.
soakTest(180);
