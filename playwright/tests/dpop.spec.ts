import type { Page } from '@playwright/test';
import { ACCESS_TTL } from './env.js';
import {
  callApi,
  expect,
  expectStatus,
  load,
  mock,
  nth,
  openTabs,
  runSession,
  type Settings,
  type Stats,
  signIn,
  statusOf,
  test,
} from './support.js';

/**
 * DPoP (RFC 9449) in real Chromium tabs against the mock, which runs with `DPOP=optional
 * DPOP_NONCE=1` (playwright.config.ts): the demo's `?dialect=ciam&dpop=1` binds its tokens to one
 * non-extractable key in IndexedDB, shared by every tab. Nothing here prints a token or a proof:
 * the headers captured in (b) stay in this process's memory.
 */

const SETTINGS: Settings = { dialect: 'ciam', dpop: true };

/** The mock's DPoP counters (packages/mock-server/README.md, "DPoP"). */
interface DpopCounters {
  readonly proofsAccepted: number;
  readonly proofsRejected: Partial<Record<string, number>>;
  readonly replays: number;
  readonly nonceChallenges: number;
  readonly keys: number;
}

const dpopStats = async (): Promise<Stats & { readonly dpop: DpopCounters }> =>
  (await mock.stats()) as Stats & { readonly dpop: DpopCounters };

interface Binding {
  readonly generation: number;
  readonly jkt: string | undefined;
}

/** The key each generation of this tab was bound to (the demo's test hook: `cnf.jkt`). */
const bindings = (page: Page): Promise<Binding[]> =>
  page.evaluate(() => {
    const hook = window.__baton as unknown as { bindings(): Binding[] } | undefined;
    if (!hook) throw new Error('no test hook');
    return [...hook.bindings()];
  });

/** The `cnf.jkt` of the access token this tab holds now. */
const currentJkt = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => {
    const cnf = window.__baton?.manager.getSnapshot() as unknown as {
      claims?: { cnf?: { jkt?: unknown } };
    };
    const jkt = cnf.claims?.cnf?.jkt;
    return typeof jkt === 'string' ? jkt : undefined;
  });

interface StoredKey {
  /** Records in the app's key store. */
  readonly records: number;
  readonly found: boolean;
  readonly isCryptoKey?: boolean;
  readonly extractable?: boolean;
  readonly algorithm?: string;
  readonly usages?: string[];
  /** What `crypto.subtle.exportKey('jwk', privateKey)` did: the error's name, or `resolved`. */
  readonly exported?: string;
  /** Whether the stored public JWK carries a private member (`d`). */
  readonly jwkHasPrivate?: boolean;
}

/**
 * From the page: the app's key store (`baton:<channel>:dpop`, object store `keys`), the record of
 * `jkt`, and what WebCrypto lets a script do with its private key. Nothing of the key leaves the
 * page but these facts.
 */
const storedKey = (page: Page, jkt: string): Promise<StoredKey> =>
  page.evaluate(async (jkt) => {
    const manager = window.__baton?.manager as { channelName?: string } | undefined;
    const name = `baton:${manager?.channelName}:dpop`;
    const asPromise = <T>(request: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    const db = await asPromise(indexedDB.open(name));
    try {
      const store = db.transaction('keys', 'readonly').objectStore('keys');
      const [records, record] = await Promise.all([
        asPromise(store.count()),
        asPromise(store.get(jkt)) as Promise<
          { privateKey?: CryptoKey; jwk?: Record<string, unknown> } | undefined
        >,
      ]);
      if (!record?.privateKey) return { records, found: false };
      const key = record.privateKey;
      let exported = 'resolved';
      try {
        await crypto.subtle.exportKey('jwk', key);
      } catch (error) {
        exported = error instanceof Error ? error.name : 'rejected';
      }
      return {
        records,
        found: true,
        isCryptoKey: key instanceof CryptoKey,
        extractable: key.extractable,
        algorithm: `${key.algorithm.name}/${(key.algorithm as EcKeyAlgorithm).namedCurve}`,
        usages: [...key.usages],
        exported,
        jwkHasPrivate: record.jwk !== undefined && 'd' in record.jwk,
      };
    } finally {
      db.close();
    }
  }, jkt);

const figure = (line: string) => console.log(`[dpop] ${line}`);

test('ciam + DPoP: 5 tabs, one key, one refresh per lifetime, proofs accepted, replays refused, key unreadable', async ({
  context,
  baseURL,
}) => {
  // 5 page loads (seconds each on a loaded machine), 3 lifetimes of calls, a 6th tab, (b) and (c).
  test.setTimeout(240_000);
  const t0 = Date.now();
  const phases: string[] = [];
  const phase = (name: string) => phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const tabs = await openTabs(context, 5, SETTINGS);
  phase('5 tabs open');
  for (const tab of tabs) await expect(statusOf(tab)).toHaveText('signed-out');

  // (a) Password sign-in in tab 1, then 3 lifetimes of API calls from random tabs: the shared
  // scenario's checks (every call ok, one refresh per generation, every tab on the newest one).
  const run = await runSession(tabs, 'ciam');
  phase('session run');
  figure(
    `5 tabs, ${run.seconds.toFixed(1)} s of calls: ${run.refreshes} refreshes = ${run.perLifetime.toFixed(2)} ` +
      `per ${ACCESS_TTL}-s lifetime (generation ${run.generation}); ${run.calls} API calls, all ok`,
  );
  const afterRun = await dpopStats();

  // One key for all tabs: every generation every tab held was bound to the same thumbprint.
  const seen = await Promise.all(tabs.map(bindings));
  const jkts = new Set(seen.flat().map((b) => b.jkt));
  expect([...jkts], 'the keys the tabs\u2019 tokens were bound to').toHaveLength(1);
  const [jkt] = jkts;
  expect(jkt, 'a bound token (cnf.jkt), not a bearer one').toMatch(/^[\w-]{43}$/);
  if (!jkt) throw new Error('no cnf.jkt');
  // Every generation from sign-in on was seen, and every tab holds the newest (a refresh may have
  // landed since the run ended: the newest is read here).
  const generations = [...new Set(seen.flat().map((b) => b.generation))].sort((a, b) => a - b);
  const newest = generations.at(-1) ?? 0;
  expect(newest).toBeGreaterThanOrEqual(run.generation);
  expect(generations).toEqual(Array.from({ length: newest }, (_, i) => i + 1));
  for (const [i, list] of seen.entries())
    expect(list.at(-1)?.generation, `tab ${i + 1}'s last generation`).toBeGreaterThanOrEqual(
      run.generation,
    );
  await Promise.all(tabs.map((tab) => expect(tab.getByTestId('dpop-jkt')).toHaveText(jkt)));

  // At the mock: one key, proofs accepted, none refused, the nonce learnt about once.
  expect(afterRun.dpop.keys, 'distinct keys of the proofs on token requests').toBe(1);
  expect(afterRun.dpop.proofsRejected).toEqual({});
  expect(afterRun.dpop.replays).toBe(0);
  // Every answered API call and every granted token request took an accepted proof.
  const { apiOk, refreshes, signIns } = afterRun.byDialect.ciam;
  expect(afterRun.dpop.proofsAccepted).toBeGreaterThanOrEqual(apiOk + refreshes + signIns);
  // Once for all tabs, then at most once per rotation of the mock's nonce (every 60 s of its
  // clock): 1 or 2 on a loaded machine, never one per tab.
  const rotations = Math.floor((Date.now() - t0) / 60_000) + 1;
  expect(
    afterRun.dpop.nonceChallenges,
    'use_dpop_nonce answers, all tabs together',
  ).toBeLessThanOrEqual(1 + rotations);

  // A new tab: from its load to its first authFetch answered (the key loaded from IndexedDB,
  // the nonce read from localStorage: no challenge).
  const started = Date.now();
  const late = await context.newPage();
  const sent: Promise<Record<string, string>>[] = [];
  // (A request still going out when the test ends cannot be read any more: no headers, rather
  // than a rejection nobody awaits, which Playwright counts as the test's failure.)
  late.on('request', (request) => sent.push(request.allHeaders().catch(() => ({}))));
  await load(late, SETTINGS);
  const lateResult = await callApi(late);
  const lateMs = Date.now() - started;
  phase('6th tab');
  expect(lateResult).toContain('ok');
  expect(await currentJkt(late)).toBe(jkt);
  // Its first proof already carried the server's nonce, which the other tabs had learnt (shared
  // in localStorage): the tab was not refused for want of it. (Only the `nonce` claim of the
  // proof is read, in this process; nothing is printed.)
  const firstProof = (await Promise.all(sent)).find((headers) => headers.dpop)?.dpop ?? '';
  const claims = JSON.parse(
    Buffer.from(firstProof.split('.')[1] ?? '', 'base64url').toString() || '{}',
  ) as { nonce?: unknown };
  expect(typeof claims.nonce, "the new tab's first proof has the nonce").toBe('string');
  const afterLate = await dpopStats();
  expect(afterLate.dpop.proofsAccepted).toBeGreaterThan(afterRun.dpop.proofsAccepted);

  // (c) The key: in IndexedDB by the session's thumbprint, alone there, not extractable.
  const key = await storedKey(nth(tabs, 4), jkt);
  expect(key).toEqual({
    records: 1,
    found: true,
    isCryptoKey: true,
    extractable: false,
    algorithm: 'ECDSA/P-256',
    usages: ['sign'],
    exported: 'InvalidAccessError',
    jwkHasPrivate: false,
  });

  phase('key checked');
  // (b) A replayed proof, and the token without its proof, from outside the browser. The headers
  // of one accepted /api/me request stay in this process (never printed).
  const tab = nth(tabs, 1);
  const accepted = tab.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/me' && r.status() === 200,
  );
  expect(await callApi(tab)).toContain('ok');
  const headers = await (await accepted).request().allHeaders();
  const authorization = headers.authorization ?? '';
  const proof = headers.dpop ?? '';
  expect(authorization.startsWith('DPoP '), 'authFetch uses the DPoP scheme').toBe(true);
  expect(proof.split('.'), 'a compact JWS').toHaveLength(3);
  const token = authorization.slice('DPoP '.length);
  const api = new URL('/api/me', baseURL).href;
  const send = async (init: Record<string, string>) => {
    const response = await fetch(api, { headers: init });
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    return { status: response.status, error: body.error };
  };
  const before = (await dpopStats()).dpop;
  const replayed = await send({ authorization, dpop: proof });
  const bearer = await send({ authorization: `Bearer ${token}` });
  const unproven = await send({ authorization: `DPoP ${token}` });
  const after = (await dpopStats()).dpop;
  expect(replayed, 'the same proof again (same jti)').toEqual({
    status: 401,
    error: 'invalid_dpop_proof',
  });
  expect(after.replays - before.replays, 'replays the mock refused').toBe(1);
  expect(bearer, 'the bound token as a bearer token').toEqual({
    status: 401,
    error: 'invalid_token',
  });
  expect(unproven, 'the bound token with the DPoP scheme and no proof').toEqual({
    status: 401,
    error: 'invalid_dpop_proof',
  });
  expect(after.proofsRejected.replay ?? 0).toBe((before.proofsRejected.replay ?? 0) + 1);
  expect(after.proofsRejected.missing ?? 0).toBe((before.proofsRejected.missing ?? 0) + 1);
  // The tabs are none the worse.
  expect(await callApi(nth(tabs, 0))).toContain('ok');

  figure(`one key: mock keys=${afterRun.dpop.keys}, every tab's every generation bound to it`);
  figure(
    `proofs accepted ${afterRun.dpop.proofsAccepted} (token requests ${afterRun.byDialect.ciam.tokenRequests}, ` +
      `/api/me ok ${afterRun.byDialect.ciam.apiOk}), rejected ${JSON.stringify(afterRun.dpop.proofsRejected)}, ` +
      `nonce challenges ${afterRun.dpop.nonceChallenges} for 5 tabs`,
  );
  phase('replays checked');
  figure(`phases (from the start): ${phases.join(', ')}`);
  figure(
    `a 6th tab: load to first authFetch answered ${lateMs} ms (${lateResult}); its first proof ` +
      `carried the shared nonce; nonce challenges after it ${afterLate.dpop.nonceChallenges}`,
  );
  figure(
    `replayed proof ${replayed.status} ${replayed.error}; Bearer ${bearer.status} ${bearer.error}; ` +
      `DPoP without proof ${unproven.status} ${unproven.error}; end of test: ${JSON.stringify(after)}`,
  );
});

test('ciam + DPoP: sign-out in one tab deletes the key everywhere; a new sign-in makes a new key', async ({
  context,
}) => {
  const tabs = await openTabs(context, 3, SETTINGS);
  const [first, second, third] = tabs;
  if (!first || !second || !third) throw new Error('three tabs');
  await signIn(first);
  const jkt = await currentJkt(first);
  if (!jkt) throw new Error('no cnf.jkt after sign-in');
  await expect.poll(() => Promise.all(tabs.map(currentJkt))).toEqual([jkt, jkt, jkt]);
  expect((await storedKey(third, jkt)).found).toBe(true);

  // (d) Sign-out in tab 2: every tab signs out, and the key is gone (seen from tab 3).
  await second.getByTestId('sign-out').click();
  await expectStatus(tabs, 'signed-out');
  await expect
    .poll(() => storedKey(third, jkt), { timeout: 5000, intervals: [50, 100, 200] })
    .toEqual({ records: 0, found: false });

  // A new sign-in (tab 3): another key, bound on every tab, the old one still gone.
  await signIn(third);
  const next = await currentJkt(third);
  expect(next).toMatch(/^[\w-]{43}$/);
  expect(next).not.toBe(jkt);
  await expect.poll(() => Promise.all(tabs.map(currentJkt))).toEqual([next, next, next]);
  const stored = await storedKey(first, next ?? '');
  expect({ records: stored.records, found: stored.found, extractable: stored.extractable }).toEqual(
    {
      records: 1,
      found: true,
      extractable: false,
    },
  );
  expect(await callApi(first)).toContain('ok');
  const { dpop, byDialect } = await dpopStats();
  expect(dpop.keys, 'two sign-ins, two keys').toBe(2);
  expect(dpop.proofsRejected).toEqual({});
  expect(byDialect.ciam.signIns).toBe(2);
  figure(
    `sign-out deleted the key in every tab; new sign-in, new key; mock: keys ${dpop.keys}, ` +
      `nonce challenges ${dpop.nonceChallenges}, proofs accepted ${dpop.proofsAccepted}`,
  );
});
