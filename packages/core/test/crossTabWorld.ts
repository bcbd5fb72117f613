import { randomUUID } from 'node:crypto';
import { type MockServerOptions, startMockServer } from '@baton/mock-server';
import type { BatonEvent, TokenManager, TokenManagerOptions } from '../src/index.js';
import { signInWithPassword } from '../src/password.js';
import { PROTOCOL_VERSION } from '../src/tabChannel.js';
import { ALICE, CIAM, ciamManager, eventually, until } from './support.js';

/**
 * Many tabs against the real mock server. Each manager on one channel name is a simulated tab:
 * Node's BroadcastChannel is real between the instances of one process, and Node has no
 * `navigator.locks`, so the refresh lock is the BroadcastChannel lease lock.
 */

export type Stamped = BatonEvent & { readonly at: number };

export async function world(server: MockServerOptions = {}) {
  const mock = await startMockServer({ port: 0, accessTtl: 30, reuseGrace: 0, ...server });
  const channel = `cross-${randomUUID()}`;
  const tabs: TokenManager[] = [];
  const logs = new Map<TokenManager, Stamped[]>();
  const open = (options: Partial<TokenManagerOptions> = {}) => {
    const tab = ciamManager(mock, { channel, lock: 'broadcast', ...options });
    const log: Stamped[] = [];
    tab.onEvent((event) => log.push({ ...event, at: performance.now() }));
    logs.set(tab, log);
    tabs.push(tab);
    return tab;
  };
  const raw = new BroadcastChannel(channel);
  return {
    mock,
    channel,
    tabs,
    open,
    /** Opens `count` tabs, signs in on the first, and waits until all have the session. */
    async signedIn(count: number, options: Partial<TokenManagerOptions> = {}) {
      const opened = Array.from({ length: count }, () => open(options));
      await Promise.all(opened.map((t) => t.ready));
      await signInWithPassword(opened[0]!, ALICE);
      await until(
        () => opened.every((t) => t.getSnapshot().generation === 1),
        2000,
        'session everywhere',
      );
      return opened;
    },
    log: (tab: TokenManager) => logs.get(tab) ?? [],
    count: (tab: TokenManager, type: BatonEvent['type']) =>
      (logs.get(tab) ?? []).filter((e) => e.type === type).length,
    /** Posts as an outsider on the app's channel (anything: junk or well-formed). */
    post: (message: unknown) => raw.postMessage(message),
    /**
     * Resolves once `to` have handled everything `from` (a tab's channel; default the outsider's)
     * posted before: a junk witness it posts after, which each of them rejects. One sender's
     * messages arrive in order.
     */
    async witness(to: readonly TokenManager[], from: BroadcastChannel = raw) {
      const before = to.map((t) => this.count(t, 'message-rejected'));
      from.postMessage({ witness: true });
      await until(
        () => to.every((t, i) => this.count(t, 'message-rejected') > before[i]!),
        2000,
        'the witness',
      );
    },
    envelope: { v: PROTOCOL_VERSION, app: channel, from: 'outsider' },
    /** A raw token response of a password grant, as a page would get it some other way. */
    async passwordGrant(user: 'alice' | 'bob' = 'alice'): Promise<Record<string, unknown>> {
      const res = await fetch(`${mock.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa(`${CIAM.clientId}:${CIAM.clientSecret}`)}`,
        },
        body: new URLSearchParams({
          grant_type: 'password',
          username: user,
          password: `${user}-password`,
        }).toString(),
      });
      return (await res.json()) as Record<string, unknown>;
    },
    async api(token: string | undefined) {
      const res = await fetch(`${mock.url}/api/me`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return res.status;
    },
    async close() {
      for (const tab of tabs) tab.destroy();
      raw.close();
      await mock.close();
    },
  };
}

export const generations = (tabs: readonly TokenManager[]) =>
  tabs.map((t) => t.getSnapshot().generation);
export const converged = (tabs: readonly TokenManager[]) => {
  const [first, ...rest] = tabs.map((t) => t.getSnapshot());
  return (
    first !== undefined &&
    first.status === 'valid' &&
    rest.every((s) => s.generation === first.generation && s.accessToken === first.accessToken)
  );
};
export { outcome } from './support.js';
export const ms = (n: number) => `${Math.round(n)} ms`;

/** `tab.refresh()` once the shared backoff ends: until then it is refused with `code`, sending nothing. */
export const afterBackoff = (tab: TokenManager, code: string) =>
  eventually(
    () => tab.refresh(),
    (error) => (error as { code?: string }).code === code,
    3000,
    'the end of the backoff',
  );

/** A fetch the test can cut, as closing a tab cuts its requests. */
export function cuttableFetch() {
  const cut = new AbortController();
  const wrapped: typeof fetch = (input, init) =>
    fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, cut.signal]) : cut.signal,
    });
  return { fetch: wrapped, cut: () => cut.abort() };
}
