export type { DemoClient, DemoUser, DialectName } from './clients.js';
export { DEMO_CLIENTS, DEMO_USERS, DIALECTS } from './clients.js';
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
export type { Counters, MockStats } from './stats.js';
