/**
 * A page running Baton as an app would: the manager is created when the script starts, with the
 * options in the query string (`mock`, `lock`, `channel`, `minRefreshMs`).
 */
import { createTokenManager, isBatonError, type LockOption } from '@baton/core';
import { createAuthFetch } from '@baton/core/auth-fetch';
import { ciam } from '@baton/core/dialects';
import { signInWithPassword } from '@baton/core/password';
import { CLIENT, clockOffset, now, param, probe, query } from './common.js';
import { type BatonPage, type ChangeMark, type EventMark, LONG_TASK_PAUSE_MS } from './types.js';

const mock = param('mock');
const minRefreshMs = query.get('minRefreshMs');
const manager = createTokenManager({
  dialect: ciam({
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    tokenUrl: `${mock}/oauth2/token`,
  }),
  lock: (query.get('lock') ?? 'auto') as LockOption,
  channel: query.get('channel') ?? 'baton',
  ...(minRefreshMs !== null && { minRefreshIntervalMs: Number(minRefreshMs) }),
});
const createdAt = now();

/**
 * `?longTaskMs=N`: the page's main thread is busy for N ms at random moments (a pause drawn from
 * `LONG_TASK_PAUSE_MS` between them), as an app's own long tasks make it; messages to and from
 * this tab wait that long.
 */
const longTaskMs = Number(query.get('longTaskMs') ?? 0);
if (longTaskMs > 0) {
  const busy = () => {
    const end = performance.now() + longTaskMs;
    while (performance.now() < end) {}
    const { min, max } = LONG_TASK_PAUSE_MS;
    setTimeout(busy, min + Math.random() * (max - min));
  };
  setTimeout(busy, Math.random() * LONG_TASK_PAUSE_MS.max);
}
const authFetch = createAuthFetch(manager, { allowedOrigins: [mock] });

const events: EventMark[] = [];
const changes: ChangeMark[] = [];
let readyAt: number | undefined;
let last = manager.getSnapshot();

manager.subscribe(() => {
  const next = manager.getSnapshot();
  if (next.generation !== last.generation || next.status !== last.status)
    changes.push({ t: now(), generation: next.generation, status: next.status });
  last = next;
});
manager.onEvent((event) => {
  const t = now();
  const mark: EventMark = { t, type: event.type };
  if ('generation' in event) Object.assign(mark, { generation: event.generation });
  if (event.type === 'lock-acquired') Object.assign(mark, { waitedMs: event.waitedMs });
  if (event.type === 'refresh-success') Object.assign(mark, { durationMs: event.durationMs });
  if (event.type === 'refresh-start' || event.type === 'signed-out')
    Object.assign(mark, { reason: event.reason });
  if (event.type === 'refresh-failure') Object.assign(mark, { code: event.error.code });
  events.push(mark);
});
manager.ready.then(() => {
  readyAt = now();
});

const rawToInput = (raw: Parameters<BatonPage['setTokens']>[0], expiresAt: number) => ({
  accessToken: raw.access_token,
  refreshToken: raw.refresh_token,
  expiresAt,
  ...(raw.id_token && { idToken: raw.id_token }),
});

const api: BatonPage = {
  timeOrigin: performance.timeOrigin,
  clockOffset,
  createdAt,
  readyAt: () => readyAt,
  lockKind: manager.lockKind,
  signIn: () => signInWithPassword(manager, { username: 'alice', password: 'alice-password' }),
  async refresh() {
    await manager.refresh();
  },
  signOut: () => manager.signOut(),
  snapshot: () => {
    const { generation, status } = manager.getSnapshot();
    return { generation, status };
  },
  events: () => events,
  changes: () => changes,
  clear() {
    events.length = 0;
    changes.length = 0;
  },
  probe: () => probe(mock, manager.getSnapshot().accessToken),
  setTokens(raw) {
    manager.setTokens(rawToInput(raw, Date.now() + raw.expires_in * 1000));
  },
  async bareRefresh(refreshToken) {
    const started = now();
    const res = await fetch(`${mock}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
      }),
    });
    await res.text();
    return now() - started;
  },
  async burst(n, raw) {
    // A session whose access token has already expired (a tab back from sleep, say).
    manager.setTokens(rawToInput(raw, Date.now() - 1000));
    const started = now();
    const tokens = await Promise.all(Array.from({ length: n }, () => manager.getAccessToken()));
    const ms = now() - started;
    return { ms, distinct: new Set(tokens).size, renewed: tokens[0] !== raw.access_token };
  },
  authFetchBurst: (n) => timed(n, () => authFetch(`${mock}/api/me`)),
  fetchBurst(n) {
    const headers = { authorization: `Bearer ${manager.getSnapshot().accessToken}` };
    return timed(n, () => fetch(`${mock}/api/me`, { headers }));
  },
};

/** Sends `n` requests at once; the time until all bodies are read, and the statuses. */
async function timed(n: number, send: () => Promise<Response>) {
  const started = now();
  const statuses = await Promise.all(
    Array.from({ length: n }, () =>
      send().then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        (error: unknown) => (isBatonError(error) ? -1 : -2),
      ),
    ),
  );
  return { ms: now() - started, statuses };
}

window.baton = api;
window.harnessReady = true;
