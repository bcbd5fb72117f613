/**
 * A page for the DPoP benchmark (`src/dpop.ts`): two managers on the same mock, one with
 * `dpop()` (channel `?channel=`) and one without (bearer tokens, channel `<channel>-bearer`), each
 * with its authFetch; and the DPoP module's own parts (the proof, the key store, the proving
 * fetch) timed one call at a time. The page is served cross-origin isolated (COOP + COEP), so
 * that `performance.now()` is precise to a few µs rather than 100 µs: a proof takes well under a
 * millisecond.
 */
import { createTokenManager } from '@baton/core';
import { createAuthFetch } from '@baton/core/auth-fetch';
import { ciam } from '@baton/core/dialects';
import { dpop } from '@baton/core/dpop';
import { signInWithPassword } from '@baton/core/password';
// The proof and the key, as `dpop()` makes them (not exported by the package: internal).
import { createDpopProof, generateDpopKey } from '../../../packages/core/src/dpopProof.js';
import { CLIENT, param } from './common.js';
import type { DpopPage, RequestVariant } from './types.js';

const mock = param('mock');
const channel = param('channel');
const api = `${mock}/api/me`;
const tokenUrl = `${mock}/oauth2/token`;
const dialect = () => ciam({ clientId: CLIENT.id, clientSecret: CLIENT.secret, tokenUrl });
const withDpop = createTokenManager({ dialect: dialect(), channel, dpop: dpop() });
const bearer = createTokenManager({ dialect: dialect(), channel: `${channel}-bearer` });
const fetchWithDpop = createAuthFetch(withDpop, { allowedOrigins: [mock] });
const fetchWithBearer = createAuthFetch(bearer, { allowedOrigins: [mock] });
/** The DPoP module's nonce store of the DPoP manager (see `nonceStore` in core's dpop.ts). */
const nonceKey = `baton:${channel}:dpop-nonces`;

const user = { username: 'alice', password: 'alice-password' };

/** A `fetch` that answers at once: what the proving fetch costs on its own. */
const stubFetch = async (_input: RequestInfo | URL, _init?: RequestInit) =>
  new Response('{"ok":true}', { status: 200 });

/** ms taken by `run`, on the page's monotonic clock. */
async function time(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/** One GET of `/api/me` the given way, its body read; the status. */
function request(variant: RequestVariant): Promise<number> {
  const send =
    variant === 'dpop'
      ? fetchWithDpop(api)
      : variant === 'bearer'
        ? fetchWithBearer(api)
        : fetch(api, { headers: { authorization: `Bearer ${bearer.getSnapshot().accessToken}` } });
  return send.then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });
}

/** The smallest step of `performance.now()` seen over a few ms (ms). */
function resolution(): number {
  let smallest = Number.POSITIVE_INFINITY;
  const end = performance.now() + 20;
  let last = performance.now();
  while (last < end) {
    const next = performance.now();
    if (next > last) {
      smallest = Math.min(smallest, next - last);
      last = next;
    }
  }
  return smallest;
}

const page: DpopPage = {
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  resolutionMs: resolution,
  async signIn() {
    await Promise.all([withDpop.ready, bearer.ready]);
    await Promise.all([signInWithPassword(withDpop, user), signInWithPassword(bearer, user)]);
    return { dpop: withDpop.getSnapshot().status, bearer: bearer.getSnapshot().status };
  },
  async ready() {
    await withDpop.ready;
    return withDpop.getSnapshot().status;
  },
  async proofs(n, kind) {
    const key = await generateDpopKey();
    const token = withDpop.getSnapshot().accessToken ?? 'a'.repeat(600);
    const claims =
      kind === 'token'
        ? { method: 'POST', url: tokenUrl }
        : { method: 'GET', url: api, accessToken: token };
    const ms: number[] = [];
    let length = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const proof = await createDpopProof(key, claims);
      ms.push(performance.now() - t0);
      length = proof.length;
    }
    return { ms, length };
  },
  async provingFetch(n) {
    const keys = dpop()(`${channel}-stub`);
    const jkt = await keys.create();
    const token = withDpop.getSnapshot().accessToken ?? 'a'.repeat(600);
    const proved = keys.fetch(jkt, stubFetch, token);
    const stub: number[] = [];
    const withProof: number[] = [];
    for (let i = 0; i < n; i++) {
      stub.push(
        await time(() => stubFetch(api, { headers: { authorization: `Bearer ${token}` } })),
      );
      withProof.push(await time(() => proved(api)));
    }
    await keys.remove(jkt);
    return { stub, dpop: withProof };
  },
  async createKey(name) {
    const keys = dpop()(name);
    let jkt = '';
    const createMs = await time(async () => {
      jkt = await keys.create();
    });
    return { createMs, jkt };
  },
  generateKey: () => time(() => generateDpopKey()),
  async firstProof(name, jkt) {
    const proved = dpop()(name).fetch(jkt, stubFetch, 'a'.repeat(600));
    const firstMs = await time(() => proved(api));
    const nextMs = await time(() => proved(api));
    return { firstMs, nextMs };
  },
  async sequential(variant, n) {
    const ms: number[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      statuses.push(await request(variant));
      ms.push(performance.now() - t0);
    }
    return { ms, statuses };
  },
  async interleaved(n) {
    const ms = { dpop: [] as number[], bearer: [] as number[], fetch: [] as number[] };
    const statuses: number[] = [];
    const ways = ['dpop', 'bearer', 'fetch'] as const;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < ways.length; j++) {
        // The order turns each time, so that no way always follows the same one.
        const variant = ways[(i + j) % ways.length]!;
        const t0 = performance.now();
        statuses.push(await request(variant));
        ms[variant].push(performance.now() - t0);
      }
    return { ...ms, statuses };
  },
  async concurrent(variant, n) {
    const t0 = performance.now();
    const each = await Promise.all(
      Array.from({ length: n }, async () => {
        const status = await request(variant);
        return { status, ms: performance.now() - t0 };
      }),
    );
    return {
      totalMs: performance.now() - t0,
      ms: each.map((e) => e.ms),
      statuses: each.map((e) => e.status),
    };
  },
  async staleNonce(n) {
    const known: number[] = [];
    const stale: number[] = [];
    const origin = new URL(mock).origin;
    for (let i = 0; i < n; i++) {
      const old = i % 2 === 1;
      // A nonce the server no longer takes (it rotated): stored for every tab, read before memory.
      if (old) localStorage.setItem(nonceKey, JSON.stringify({ [origin]: `stale-${i}` }));
      const t0 = performance.now();
      const status = await request('dpop');
      (old ? stale : known).push(performance.now() - t0);
      if (status !== 200) throw new Error(`staleNonce: ${status}`);
    }
    return { known, stale };
  },
  async firstBurst(dropNonce, n) {
    await withDpop.ready;
    if (dropNonce) localStorage.removeItem(nonceKey);
    return page.concurrent('dpop', n);
  },
  async firstRequest(dropNonce) {
    await withDpop.ready;
    // The nonce this origin's tabs learnt, forgotten: this tab then knows none.
    if (dropNonce) localStorage.removeItem(nonceKey);
    const t0 = performance.now();
    const status = await request('dpop');
    const firstMs = performance.now() - t0;
    const t1 = performance.now();
    await request('dpop');
    return { firstMs, nextMs: performance.now() - t1, status };
  },
};

window.dpopBench = page;
window.harnessReady = true;
