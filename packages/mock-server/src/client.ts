import type { DialectName } from './clients.js';
import { type MockEndpoints, mockEndpoints } from './endpoints.js';
import type { FaultSpec, PendingFault } from './faults.js';
import type { MockStats } from './stats.js';

/**
 * A mock server running in another process (a Playwright `webServer`, a Vitest `globalSetup`,
 * `pnpm mock`), driven over its `/__mock/*` routes: the calls of {@link MockServer}, awaited.
 */
export interface MockServerClient {
  /** The server's URL, no trailing slash. */
  readonly url: string;
  /** The URLs and demo client of one dialect on this server. */
  endpoints(dialect: DialectName): MockEndpoints;
  /** A copy of the counters (`GET /__mock/stats`). */
  stats(): Promise<MockStats>;
  /** Zeroes the counters, forgets every session and pending fault (`POST /__mock/reset`). */
  reset(): Promise<void>;
  /**
   * Queues faults, all or none (`POST /__mock/faults`); resolves to every pending one. Rejects
   * with a `TypeError` naming the key when the server refuses a spec.
   */
  faults(spec: FaultSpec | readonly FaultSpec[]): Promise<PendingFault[]>;
  /** The pending faults (`GET /__mock/faults`). */
  pendingFaults(): Promise<PendingFault[]>;
  /** Drops the pending faults (`DELETE /__mock/faults`). */
  clearFaults(): Promise<void>;
}

/** Options of {@link connectMockServer}. */
export interface ConnectMockServerOptions {
  /** What sends the requests; default the global `fetch`. */
  readonly fetch?: typeof fetch | undefined;
}

/**
 * Connects to a mock server at `url` (e.g. `http://127.0.0.1:4010`, or what its CLI printed).
 * Nothing is sent until a method is called.
 */
export function connectMockServer(
  url: string,
  options: ConnectMockServerOptions = {},
): MockServerClient {
  let base: string;
  try {
    base = new URL(url).origin;
  } catch {
    throw new TypeError(`connectMockServer: url must be absolute, e.g. http://127.0.0.1:4010`);
  }
  const send = options.fetch ?? ((input, init) => fetch(input, init));

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await send(base + path, {
      method,
      ...(body !== undefined && {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
    });
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed;
    const description = (parsed as { error_description?: unknown } | undefined)?.error_description;
    if (response.status === 400 && typeof description === 'string') {
      throw new TypeError(`mock server refused the fault: ${description}`);
    }
    throw new Error(`mock server: ${method} ${path} answered ${response.status}`);
  }

  const pending = async (method: string, body?: unknown) =>
    ((await call(method, '/__mock/faults', body)) as { pending: PendingFault[] }).pending;

  return {
    url: base,
    endpoints: (dialect) => mockEndpoints(base, dialect),
    stats: async () => (await call('GET', '/__mock/stats')) as MockStats,
    reset: async () => {
      await call('POST', '/__mock/reset');
    },
    faults: (spec) => pending('POST', spec),
    pendingFaults: () => pending('GET'),
    clearFaults: async () => {
      await pending('DELETE');
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
