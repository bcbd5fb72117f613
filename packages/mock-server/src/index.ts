/**
 * `@baton/mock-server`: a strict OAuth 2.0 provider speaking Baton's four dialects, for an app's
 * own Vitest and Playwright tests: start it on a free port, inject faults, read its counters.
 */

export type { ConnectMockServerOptions, MockServerClient } from './client.js';
export { connectMockServer } from './client.js';
export type { DemoClient, DemoUser, DialectName } from './clients.js';
export { DEMO_CLIENTS, DEMO_USERS, DIALECTS } from './clients.js';
export type { DpopMode } from './dpop.js';
export type { MockEndpoints } from './endpoints.js';
export { mockEndpoints } from './endpoints.js';
export type {
  DropFault,
  FaultMatch,
  FaultSpec,
  LatencyFault,
  MalformedFault,
  PendingFault,
  StatusFault,
} from './faults.js';
export type { MockServer, MockServerOptions } from './server.js';
export { startMockServer } from './server.js';
export type { Counters, DpopCounters, MockStats } from './stats.js';
