/**
 * Benchmark 7: what DPoP (RFC 9449, `dpop()` from `@baton/core/dpop`) costs, in Chromium pages
 * (harness/dpop.ts, cross-origin isolated for µs timers) against the mock with `dpop: 'optional'`:
 * one mock, one token route and one `/api/me` for a manager with DPoP (bound tokens, a proof on
 * every request) and one without (bearer tokens), so that the two differ by DPoP alone.
 * - Proofs: the time of one proof, a token request's and a resource request's (with `ath`), one
 *   after another with one key; the DPoP module's proving fetch over a stub fetch (a request's
 *   whole client-side DPoP cost: Request copy, nonce lookup, proof, headers) beside the stub alone.
 * - Keys: `create()` (generateKey + thumbprint + IndexedDB put) into a new database (created
 *   too) and again into the same one; generateKey alone; a new tab's first proof (the key read
 *   from IndexedDB) and its second.
 * - Requests: `/api/me` with a warm token, through authFetch with DPoP, through authFetch with a
 *   bearer token, and bare fetch: one after another, the three taking turns request by request
 *   (so that the machine's load drifts alike for all three; each DPoP request is compared with
 *   the bearer one beside it), and N at once, each way in turn: each request's time.
 * - Nonces: a second mock with `dpopNonce`; a new tab's first DPoP request with the nonce the
 *   other tabs learnt, and with it forgotten (the server refuses once, the request goes again);
 *   the same with N requests at once as the tab's first.
 */
import type { BrowserContext } from 'playwright-core';
import type { Lab } from './browser.js';
import { scale } from './config.js';
import type { RequestVariant } from './harness/types.js';
import { type Mock, startMock } from './mock.js';
import { type Summary, summarize } from './stats.js';

export interface DpopResults {
  /** The mock's DPoP mode for the proofs and requests (the nonce part adds `dpopNonce`). */
  readonly mockDpop: 'optional';
  /** Seconds each part of this benchmark took (most of it opening tabs and waiting on requests). */
  readonly seconds?: Record<string, number>;
  readonly crossOriginIsolated: boolean;
  /** The smallest step of the page's `performance.now()`, ms. */
  readonly timerResolutionMs: number;
  readonly proofs: {
    /** Proofs timed per kind (after `warmup` of each, untimed). */
    readonly n: number;
    readonly warmup: number;
    /** A token request's proof (`htm` POST, no `ath`), ms. */
    readonly token: Summary;
    /** A resource request's proof with `ath` (SHA-256 of the access token), ms. */
    readonly resource: Summary;
    /** Length of each proof (characters of the `DPoP` header). */
    readonly tokenBytes: number;
    readonly resourceBytes: number;
  };
  /** `dpop()`'s proving fetch over a stub fetch that answers at once, and the stub alone, ms. */
  readonly provingFetch: { readonly n: number; readonly stub: Summary; readonly dpop: Summary };
  readonly keys: {
    /** Repetitions, one sample each. */
    readonly reps: number;
    /** `create()` where the IndexedDB database does not exist yet (created, then the key stored), ms. */
    readonly createNewDb: Summary;
    /** `create()` again in the same page, the database there (opened again: a new `dpop()`), ms. */
    readonly createOpenDb: Summary;
    /** generateKey + export + thumbprint alone, nothing stored, ms. */
    readonly generate: Summary;
    /** A new tab's first proved request over a stub: database opened, key read, proof, ms. */
    readonly firstProofNewTab: Summary;
    /** The same tab's second (key in memory), ms. */
    readonly nextProof: Summary;
  };
  readonly requests: {
    /** Requests per series. */
    readonly n: number;
    readonly rounds: number;
    /**
     * Each request's time (body read), one after another, the three ways taking turns request by
     * request, ms.
     */
    readonly sequential: Record<RequestVariant, Summary>;
    /** The i-th DPoP request less the i-th bearer one (taken side by side), and bearer less fetch, ms. */
    readonly paired?: { readonly dpopOverBearer: Summary; readonly bearerOverFetch: Summary };
    /** Each request's time from the start of its burst of `n` at once, ms. */
    readonly concurrent: Record<RequestVariant, Summary>;
    /** The whole burst, ms. */
    readonly burstMs: Record<RequestVariant, Summary>;
    /** Requests not answered 200, all variants. */
    readonly failed: number;
    /** DPoP requests sent (timed and warm-up), and the mock's proofs accepted and refused meanwhile. */
    readonly dpopRequests: number;
    readonly proofsAccepted: number;
    readonly proofsRejected: number;
  };
  readonly nonce: {
    /** New tabs per case. */
    readonly reps: number;
    /** A new tab's first DPoP authFetch, the origin's nonce known (in localStorage), ms. */
    readonly withNonce: Summary;
    /** The same with the nonce forgotten: refused with `use_dpop_nonce`, sent again, ms. */
    readonly withoutNonce: Summary;
    /** The request after the first, in the same tabs (key loaded, nonce known), ms. */
    readonly next: Summary;
    /** The mock's `use_dpop_nonce` answers to the first requests of each case. */
    readonly challenges: { readonly withNonce: number; readonly withoutNonce: number };
    /** Samples left out: a case that did not get the challenges it was meant to (0, and 1). */
    readonly excluded: number;
    readonly failed: number;
    /**
     * In one warm tab, requests one after another, every other one with a stale nonce (refused
     * with `use_dpop_nonce`, sent again with the new one): the cost of one nonce retry.
     */
    readonly retry?: {
      readonly knownMs: Summary;
      readonly staleMs: Summary;
      /** The mock's `use_dpop_nonce` answers over the series (one per stale request expected). */
      readonly challenges: number;
    };
    /** A new tab's first `burst` requests at once, with the nonce known and forgotten. */
    readonly burst: {
      readonly requests: number;
      readonly reps: number;
      /** The whole burst, ms. */
      readonly withNonceMs: Summary;
      readonly withoutNonceMs: Summary;
      /** The mock's `use_dpop_nonce` answers, per burst. */
      readonly challengesWithNonce: number[];
      readonly challengesWithoutNonce: number[];
      readonly failed: number;
    };
  };
}

const VARIANTS: readonly RequestVariant[] = ['dpop', 'bearer', 'fetch'];
const REQUESTS = 50;

const rotate = <T>(xs: readonly T[], by: number): T[] =>
  xs.map((_, i) => xs[(i + by) % xs.length] as T);

async function openPage(lab: Lab, context: BrowserContext, mock: Mock, channel: string) {
  const [page] = await lab.openPages(context, 'dpop', 1, { mock: mock.url, channel });
  return page!;
}

async function proofsAndRequests(lab: Lab, mock: Mock) {
  const context = await lab.newContext();
  try {
    const tab = await openPage(lab, context, mock, 'dpop-bench');
    const signed = await tab.evaluate(() => window.dpopBench!.signIn());
    if (signed.dpop !== 'valid' || signed.bearer !== 'valid')
      throw new Error(`dpop bench: sign-in failed (${JSON.stringify(signed)})`);
    const crossOriginIsolated = await tab.evaluate(() => window.dpopBench!.crossOriginIsolated);
    const timerResolutionMs = await tab.evaluate(() => window.dpopBench!.resolutionMs());

    // Proofs: rounds of each kind in alternating order, after a warm-up of each.
    const warmup = 50;
    const perRound = 100;
    const proofRounds = scale(5, 1);
    const proofMs = { token: [] as number[], resource: [] as number[] };
    const bytes = { token: 0, resource: 0 };
    const kinds = ['token', 'resource'] as const;
    for (const kind of kinds)
      await tab.evaluate(([n, k]) => window.dpopBench!.proofs(n, k), [warmup, kind] as const);
    for (let round = 0; round < proofRounds; round++)
      for (const kind of rotate(kinds, round)) {
        const r = await tab.evaluate(([n, k]) => window.dpopBench!.proofs(n, k), [
          perRound,
          kind,
        ] as const);
        proofMs[kind].push(...r.ms);
        bytes[kind] = r.length;
      }
    const provingN = scale(500, 100);
    await tab.evaluate((n) => window.dpopBench!.provingFetch(n), warmup);
    const proving = await tab.evaluate((n) => window.dpopBench!.provingFetch(n), provingN);

    // Requests: warm-up (connections, CORS preflights of both header sets), then rounds.
    const rounds = scale(5, 2);
    const seq = { dpop: [], bearer: [], fetch: [] } as Record<RequestVariant, number[]>;
    const conc = { dpop: [], bearer: [], fetch: [] } as Record<RequestVariant, number[]>;
    const burst = { dpop: [], bearer: [], fetch: [] } as Record<RequestVariant, number[]>;
    let failed = 0;
    let dpopRequests = 0;
    const before = (await mock.stats()).dpop;
    const count = (variant: RequestVariant, statuses: number[]) => {
      failed += statuses.filter((s) => s !== 200).length;
      if (variant === 'dpop') dpopRequests += statuses.length;
    };
    for (const variant of VARIANTS) {
      count(
        variant,
        (await tab.evaluate(([v, n]) => window.dpopBench!.sequential(v, n), [variant, 20] as const))
          .statuses,
      );
      count(
        variant,
        (
          await tab.evaluate(([v, n]) => window.dpopBench!.concurrent(v, n), [
            variant,
            REQUESTS,
          ] as const)
        ).statuses,
      );
    }
    for (let round = 0; round < rounds; round++) {
      const r = await tab.evaluate((n) => window.dpopBench!.interleaved(n), REQUESTS);
      for (const variant of VARIANTS) seq[variant].push(...r[variant]);
      failed += r.statuses.filter((status) => status !== 200).length;
      dpopRequests += r.dpop.length;
      for (const variant of rotate(VARIANTS, round)) {
        const r = await tab.evaluate(([v, n]) => window.dpopBench!.concurrent(v, n), [
          variant,
          REQUESTS,
        ] as const);
        conc[variant].push(...r.ms);
        burst[variant].push(r.totalMs);
        count(variant, r.statuses);
      }
    }
    const after = (await mock.stats()).dpop;
    const rejected = (c: typeof after) =>
      Object.values(c.proofsRejected).reduce((a: number, b) => a + (b ?? 0), 0);
    const bySummary = (m: Record<RequestVariant, number[]>) =>
      Object.fromEntries(VARIANTS.map((v) => [v, summarize(m[v])])) as Record<
        RequestVariant,
        Summary
      >;

    return {
      crossOriginIsolated,
      timerResolutionMs,
      proofs: {
        n: proofMs.token.length,
        warmup,
        token: summarize(proofMs.token),
        resource: summarize(proofMs.resource),
        tokenBytes: bytes.token,
        resourceBytes: bytes.resource,
      },
      provingFetch: { n: provingN, stub: summarize(proving.stub), dpop: summarize(proving.dpop) },
      requests: {
        n: REQUESTS,
        rounds,
        sequential: bySummary(seq),
        paired: {
          dpopOverBearer: summarize(seq.dpop.map((v, i) => v - (seq.bearer[i] ?? Number.NaN))),
          bearerOverFetch: summarize(seq.bearer.map((v, i) => v - (seq.fetch[i] ?? Number.NaN))),
        },
        concurrent: bySummary(conc),
        burstMs: bySummary(burst),
        failed,
        dpopRequests,
        proofsAccepted: after.proofsAccepted - before.proofsAccepted,
        proofsRejected: rejected(after) - rejected(before),
      },
    };
  } finally {
    await context.close();
  }
}

/**
 * Key creation and a new tab's first proof, in one browser context: each repetition creates its
 * key in a database of its own (so the first `create()` creates the database), and opens a new
 * tab that proves with it.
 */
async function keys(lab: Lab, mock: Mock): Promise<DpopResults['keys']> {
  const reps = scale(8, 3);
  const newDb: number[] = [];
  const openDb: number[] = [];
  const generate: number[] = [];
  const first: number[] = [];
  const next: number[] = [];
  const context = await lab.newContext();
  try {
    const tab = await openPage(lab, context, mock, 'keys');
    for (let i = 0; i < reps; i++) {
      const name = `bench-keys-${i}`;
      const created = await tab.evaluate((n) => window.dpopBench!.createKey(n), name);
      newDb.push(created.createMs);
      openDb.push((await tab.evaluate((n) => window.dpopBench!.createKey(n), name)).createMs);
      generate.push(await tab.evaluate(() => window.dpopBench!.generateKey()));
      const other = await openPage(lab, context, mock, 'keys');
      const proof = await other.evaluate(([n, jkt]) => window.dpopBench!.firstProof(n, jkt), [
        name,
        created.jkt,
      ] as const);
      await other.close();
      first.push(proof.firstMs);
      next.push(proof.nextMs);
    }
  } finally {
    await context.close();
  }
  return {
    reps,
    createNewDb: summarize(newDb),
    createOpenDb: summarize(openDb),
    generate: summarize(generate),
    firstProofNewTab: summarize(first),
    nextProof: summarize(next),
  };
}

/** A new tab's first request, with and without the origin's nonce (a mock with `dpopNonce`). */
async function nonces(lab: Lab): Promise<DpopResults['nonce']> {
  const reps = scale(6, 3);
  const mock = await startMock({
    accessTtl: 3600,
    reuseGrace: 0,
    dpop: 'optional',
    dpopNonce: true,
  });
  const context = await lab.newContext();
  try {
    const channel = 'dpop-nonce';
    const home = await openPage(lab, context, mock, channel);
    const signed = await home.evaluate(() => window.dpopBench!.signIn());
    if (signed.dpop !== 'valid')
      throw new Error(`dpop bench: sign-in with nonces failed (${JSON.stringify(signed)})`);
    // In this warm tab: a stale nonce every other request.
    await home.evaluate(() => window.dpopBench!.staleNonce(10)); // warm-up
    const beforeSeries = (await mock.stats()).dpop.nonceChallenges;
    const series = await home.evaluate((n) => window.dpopBench!.staleNonce(n), scale(60, 20));
    const seriesChallenges = (await mock.stats()).dpop.nonceChallenges - beforeSeries;
    const samples = { with: [] as number[], without: [] as number[] };
    const challenges = { with: 0, without: 0 };
    const next: number[] = [];
    let excluded = 0;
    let failed = 0;
    for (let i = 0; i < reps; i++)
      for (const drop of rotate([false, true], i)) {
        const tab = await openPage(lab, context, mock, channel);
        if ((await tab.evaluate(() => window.dpopBench!.ready())) !== 'valid')
          throw new Error('dpop bench: a new tab did not get the session');
        const before = (await mock.stats()).dpop.nonceChallenges;
        const r = await tab.evaluate((d) => window.dpopBench!.firstRequest(d), drop);
        const seen = (await mock.stats()).dpop.nonceChallenges - before;
        await tab.close();
        if (r.status !== 200) failed += 1;
        challenges[drop ? 'without' : 'with'] += seen;
        // The mock rotates its nonce now and then: a tab that met a rotation is another case.
        if (seen !== (drop ? 1 : 0)) excluded += 1;
        else samples[drop ? 'without' : 'with'].push(r.firstMs);
        next.push(r.nextMs);
      }
    // The same, N requests at once: none of them knows the nonce before the first answer.
    const burstReps = scale(2, 1);
    const burstMs = { with: [] as number[], without: [] as number[] };
    const burstChallenges = { with: [] as number[], without: [] as number[] };
    let burstFailed = 0;
    for (let i = 0; i < burstReps; i++)
      for (const drop of rotate([false, true], i)) {
        const tab = await openPage(lab, context, mock, channel);
        await tab.evaluate(() => window.dpopBench!.ready());
        const before = (await mock.stats()).dpop.nonceChallenges;
        const r = await tab.evaluate(([d, n]) => window.dpopBench!.firstBurst(d, n), [
          drop,
          REQUESTS,
        ] as const);
        burstChallenges[drop ? 'without' : 'with'].push(
          (await mock.stats()).dpop.nonceChallenges - before,
        );
        await tab.close();
        burstMs[drop ? 'without' : 'with'].push(r.totalMs);
        burstFailed += r.statuses.filter((s) => s !== 200).length;
      }
    return {
      reps,
      withNonce: summarize(samples.with),
      withoutNonce: summarize(samples.without),
      next: summarize(next),
      challenges: { withNonce: challenges.with, withoutNonce: challenges.without },
      excluded,
      failed,
      retry: {
        knownMs: summarize(series.known),
        staleMs: summarize(series.stale),
        challenges: seriesChallenges,
      },
      burst: {
        requests: REQUESTS,
        reps: burstReps,
        withNonceMs: summarize(burstMs.with),
        withoutNonceMs: summarize(burstMs.without),
        challengesWithNonce: burstChallenges.with,
        challengesWithoutNonce: burstChallenges.without,
        failed: burstFailed,
      },
    };
  } finally {
    await context.close();
    await mock.close();
  }
}

export async function runDpop(lab: Lab): Promise<DpopResults> {
  const mock = await startMock({ accessTtl: 3600, reuseGrace: 0, dpop: 'optional' });
  try {
    const seconds: Record<string, number> = {};
    const timed = async <T>(part: string, run: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      const result = await run();
      seconds[part] = (Date.now() - t0) / 1000;
      return result;
    };
    const measured = await timed('proofs and requests', () => proofsAndRequests(lab, mock));
    const k = await timed('keys', () => keys(lab, mock));
    const nonce = await timed('nonces', () => nonces(lab));
    return { mockDpop: 'optional', ...measured, keys: k, nonce, seconds };
  } finally {
    await mock.close();
  }
}
