import { randomUUID } from 'node:crypto';
import { type MockServer, type MockServerOptions, startMockServer } from '@baton/mock-server';
import { expect, vi } from 'vitest';
import type { BatonEvent, TokenManager, TokenManagerOptions } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { ALICE, CIAM, ciamManager, outlast, until } from './support.js';

/**
 * The fault matrix's harness (docs/reliability.md; `faults*.test.ts`): each test runs against the
 * real mock server, and tabs are managers sharing one BroadcastChannel name (Node's
 * BroadcastChannel is real between the instances of one process).
 */

export interface World {
  readonly mock: MockServer;
  readonly channel: string;
  readonly tabs: TokenManager[];
  open(options?: Partial<TokenManagerOptions>): TokenManager;
  signedIn(count: number, options?: Partial<TokenManagerOptions>): Promise<TokenManager[]>;
  log(tab: TokenManager): BatonEvent[];
  count(tab: TokenManager, type: BatonEvent['type']): number;
  close(): Promise<void>;
}

const worlds: World[] = [];

export async function world(server: MockServerOptions = {}): Promise<World> {
  const mock = await startMockServer({ port: 0, accessTtl: 30, reuseGrace: 0, ...server });
  const channel = `faults-${randomUUID()}`;
  const tabs: TokenManager[] = [];
  const logs = new Map<TokenManager, BatonEvent[]>();
  const w: World = {
    mock,
    channel,
    tabs,
    open(options = {}) {
      const tab = ciamManager(mock, { channel, lock: 'broadcast', ...options });
      const log: BatonEvent[] = [];
      tab.onEvent((event) => log.push(event));
      logs.set(tab, log);
      tabs.push(tab);
      return tab;
    },
    async signedIn(count, options = {}) {
      const opened = Array.from({ length: count }, () => w.open(options));
      await Promise.all(opened.map((t) => t.ready));
      await signInWithPassword(opened[0]!, ALICE);
      await until(() => opened.every((t) => t.getSnapshot().generation === 1), 2000, 'session');
      return opened;
    },
    log: (tab) => logs.get(tab) ?? [],
    count: (tab, type) => (logs.get(tab) ?? []).filter((e) => e.type === type).length,
    async close() {
      for (const tab of tabs) tab.destroy();
      await mock.close();
    },
  };
  worlds.push(w);
  return w;
}

/** For `afterEach`: closes every world a test opened and lifts the stubbed globals. */
export async function closeWorlds(): Promise<void> {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  for (const w of worlds.splice(0)) await w.close();
}

/** Short retries, so that an absence check outlasts any retry: see {@link quiet}. */
export const FAST = { baseDelayMs: 200, maxDelayMs: 400 };

/**
 * Checks that `tabs` start no refresh (and send nothing) for twice FAST's longest retry: an
 * absence over a timer horizon (see `outlast`), after the event the test waited for.
 */
export async function quiet(w: World, tabs: readonly TokenManager[]): Promise<void> {
  const starts = tabs.map((t) => w.count(t, 'refresh-start'));
  const requests = w.mock.stats().tokenRequests;
  await outlast(2 * FAST.maxDelayMs);
  expect(tabs.map((t) => w.count(t, 'refresh-start'))).toEqual(starts);
  expect(w.mock.stats().tokenRequests).toBe(requests);
}

/** Every tab shows `status`. */
export const all = (tabs: readonly TokenManager[], status: string) =>
  tabs.every((t) => t.getSnapshot().status === status);

/** A fetch that records the grants it sends (to learn a refresh token the test may replay). */
export function recordingFetch() {
  const sent: { at: number; grant: string | null; refreshToken: string | null }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    sent.push({
      at: performance.now(),
      grant: body.get('grant_type'),
      refreshToken: body.get('refresh_token'),
    });
    return fetch(input, init);
  };
  return { fetch: wrapped, sent };
}

/** Posts a CIAM grant as an outsider (not a tab): to replay a spent refresh token. */
export async function ciamGrant(mock: MockServer, params: Record<string, string>): Promise<number> {
  const res = await fetch(`${mock.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      ...params,
      client_id: CIAM.clientId,
      client_secret: CIAM.clientSecret,
    }).toString(),
  });
  await res.text();
  return res.status;
}

/** A minimal window and document, so that wake-up events (visibility, pageshow) reach managers. */
export function fakePage() {
  const doc = Object.assign(new EventTarget(), {
    visibilityState: 'hidden' as DocumentVisibilityState,
  });
  const win = Object.assign(new EventTarget(), { document: doc });
  vi.stubGlobal('window', win);
  vi.stubGlobal('document', doc);
  return {
    show() {
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
    },
    restoreFromBfcache() {
      win.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    },
  };
}
