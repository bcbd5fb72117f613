import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type MockServer, type MockServerOptions, startMockServer } from '@baton/mock-server';
import { onTestFinished } from 'vitest';
import { dialects } from '../src/dialects/index.js';
import {
  type BatonEvent,
  createTokenManager,
  type TokenManager,
  type TokenManagerOptions,
} from '../src/index.js';
import type { ReceivedMessage, TabChannel } from '../src/tabChannel.js';
import type { SessionStoreFactory, TokenSet } from '../src/types.js';
import type { StorageAdapter } from '../src/webStorage.js';

export const CIAM = { clientId: 'TENANT_CLIENT_ID', clientSecret: 'TENANT_CLIENT_SECRET' };
export const ALICE = { username: 'alice', password: 'alice-password' };

/** Starts a real mock server on a free 127.0.0.1 port for one test file. */
export function mockServer(options: MockServerOptions = {}) {
  let server: MockServer | undefined;
  return {
    async start() {
      server = await startMockServer({ port: 0, ...options });
      return server;
    },
    get server(): MockServer {
      if (!server) throw new Error('mock server not started');
      return server;
    },
    async stop() {
      await server?.close();
    },
  };
}

/** A manager speaking the CIAM dialect to `server`. */
export function ciamManager(
  server: MockServer,
  options: Partial<TokenManagerOptions> = {},
): TokenManager {
  return createTokenManager({
    dialect: dialects.ciam({ tokenUrl: `${server.url}/oauth2/token`, ...CIAM }),
    channel: false,
    ...options,
  });
}

/** Resolves once `predicate` holds, polling every 5 ms, failing after `ms` (bounded). */
export async function until(
  predicate: () => boolean,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Resolves with `attempt()` once it succeeds, trying again every 5 ms while it fails in a way
 * `retryIf` accepts (any other failure is thrown at once); failing after `ms`. For a state the
 * code does not announce (a backoff's end), tried with a call that has no side effect meanwhile.
 */
export async function eventually<T>(
  attempt: () => Promise<T>,
  retryIf: (error: unknown) => boolean,
  ms = 5000,
  what = 'success',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!retryIf(error)) throw error;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/**
 * Waits a fixed time. Never synchronisation (wait for an event: `until`, `nextEvent`, `heard`):
 * only a delay that is the point of the test (a slow task, a dead token's expiry, a start time).
 */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The machine's share of a measured wait. Call it where the wait starts; `late(steps)` is then
 * `steps` times the longest delay this thread's event loop saw since (a timer that fired late,
 * a message handled late). An upper bound on a real-time wait made of `steps` timers and messages
 * in a row is the code's own constants plus `late(steps)`: tight on an idle machine (a few ms),
 * and no failure when another process held the cores.
 */
export function lateness(): (steps: number) => number {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  onTestFinished(() => {
    loop.disable();
  });
  return (steps) => (steps * loop.max) / 1e6;
}

/** What a promise came to: `'ok'`, or the error's code. */
export const outcome = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

/**
 * The horizon of an absence check, not a synchronisation: waits `ms`, longer than any timer the
 * code could have set for what must not happen (a retry within `maxDelayMs`). Node fires timers
 * in deadline order, so such a timer has fired, and its synchronous events (`refresh-start`) are
 * logged, before this resolves, however busy the machine.
 */
export const outlast = (ms: number) => sleep(ms);

type EventOf<T extends BatonEvent['type']> = Extract<BatonEvent, { type: T }>;

/**
 * Resolves with `manager`'s next event of `type` that `match` accepts, failing after `ms`.
 * Call it before the action that causes the event (it listens from the call on).
 */
export function nextEvent<T extends BatonEvent['type']>(
  manager: TokenManager,
  type: T,
  ms = 5000,
  match: (event: EventOf<T>) => boolean = () => true,
): Promise<EventOf<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for a ${type} event`));
    }, ms);
    const off = manager.onEvent((event) => {
      if (event.type !== type || !match(event as EventOf<T>)) return;
      clearTimeout(timer);
      off();
      resolve(event as EventOf<T>);
    });
  });
}

/**
 * Records every message `channel` delivers from now on. Subscribed after the channel's other
 * listeners (a lock's, a manager's), so a message recorded here has been handled by them.
 */
export function heard(channel: TabChannel): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  channel.subscribe((message) => messages.push(message));
  return messages;
}

/**
 * Creates a manager while BroadcastChannel is wrapped, to get at its channel: so that a test can
 * cut it (a tab that dies without a word), stop delivery to it (a frozen tab) or delay or drop
 * its messages.
 */
export function withChannel(make: () => TokenManager) {
  const Real = globalThis.BroadcastChannel;
  const created: BroadcastChannel[] = [];
  globalThis.BroadcastChannel = class extends Real {
    constructor(name: string) {
      super(name);
      created.push(this);
    }
  };
  try {
    const tab = make();
    const [channel] = created;
    if (!channel || created.length !== 1) throw new Error('expected one channel per manager');
    return { tab, channel };
  } finally {
    globalThis.BroadcastChannel = Real;
  }
}

/**
 * Records what `channel` (a tab's, from `withChannel`) receives from now on: after its tab has
 * handled each message, when the tab listens (its `onmessage` was set first).
 */
export function listen(channel: BroadcastChannel): ReceivedMessage[] {
  const messages: ReceivedMessage[] = [];
  channel.addEventListener('message', (event) => messages.push(event.data as ReceivedMessage));
  return messages;
}

/** A `StorageAdapter` over a Map, whose contents a test can read and corrupt. */
export function mapStorage(): StorageAdapter & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: (k) => data.get(k),
    set: (k, v) => void data.set(k, v),
    remove: (k) => void data.delete(k),
  };
}

/**
 * A session store that keeps the last TokenSet saved: where a test reads the tokens (the refresh
 * token, the key's thumbprint) an app's own storage would see.
 */
export function lastSaved() {
  let saved: TokenSet | undefined;
  const storage: SessionStoreFactory = (name) => ({
    key: name,
    load: () => undefined,
    save: (tokens) => {
      saved = tokens;
    },
    clear: () => {},
  });
  return { storage, saved: () => saved };
}

/** sessionStorage's methods over a Map: where a redirect sign-in keeps its transaction. */
export function memoryTransactions() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}
