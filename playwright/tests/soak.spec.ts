import { soakTest } from '../soak/chaos.js';

// The chaos soak's CI version (`pnpm e2e`): SOAK_S seconds, 30 by default. The long run is
// `pnpm soak` (playwright/soak, docs/reliability.md).
soakTest(30);
