/**
 * Benchmark 5: what Baton adds to a request, in Node (the mock in its own process).
 * - `authFetch` vs bare `fetch` (with the same bearer header) of the mock's `/api/me`, warm token,
 *   keep-alive: tinybench, alternating rounds, the ratio of medians per round.
 * - The same pair against a stub `fetch` that answers at once: authFetch's own CPU cost.
 * - `getAccessToken()` on a warm token: ns per call, minus an `await` of a resolved promise.
 */
import { Bench } from 'tinybench';
import { createAuthFetch } from '../../packages/core/src/authFetch.js';
import { ciam } from '../../packages/core/src/dialects/index.js';
import { createTokenManager } from '../../packages/core/src/index.js';
import { signInWithPassword } from '../../packages/core/src/password.js';
import { CIAM, scale } from './config.js';
import { startMock } from './mock.js';
import { type Summary, summarize } from './stats.js';

export interface PairResult {
  /** Median latency per call, µs, per round. */
  readonly fetchUs: Summary;
  readonly authFetchUs: Summary;
  /** authFetch / fetch, per round. */
  readonly ratio: Summary;
}

export interface OverheadResults {
  readonly http: PairResult;
  readonly stub: PairResult & { readonly addedUs: Summary };
  readonly getAccessToken: {
    /** ns per call, per round, and the same for `await Promise.resolve(token)`. */
    readonly ns: Summary;
    readonly awaitNs: Summary;
  };
}

async function pair(
  rounds: number,
  time: number,
  bare: () => Promise<unknown>,
  wrapped: () => Promise<unknown>,
): Promise<PairResult> {
  const f: number[] = [];
  const a: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time, warmupTime: Math.min(300, time / 2), throws: true });
    // Alternate which goes first, so that drift within a round does not favour one.
    if (round % 2 === 0) bench.add('fetch', bare).add('authFetch', wrapped);
    else bench.add('authFetch', wrapped).add('fetch', bare);
    await bench.run();
    const p50 = (name: string) => {
      const result = bench.tasks.find((t) => t.name === name)?.result;
      if (!result || !('latency' in result)) throw new Error(`${name}: no result`);
      return result.latency.p50 * 1000;
    };
    f.push(p50('fetch'));
    a.push(p50('authFetch'));
  }
  return {
    fetchUs: summarize(f),
    authFetchUs: summarize(a),
    ratio: summarize(a.map((v, i) => v / (f[i] ?? Number.NaN))),
  };
}

/** ns per `await call()`, over `n` calls. */
async function perCall(n: number, call: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call();
  return Number(process.hrtime.bigint() - started) / n;
}

export async function runOverhead(): Promise<OverheadResults> {
  const rounds = scale(6, 2);
  const time = scale(1500, 400);
  const mock = await startMock({ accessTtl: 3600, reuseGrace: 0 });
  const manager = createTokenManager({
    dialect: ciam({
      clientId: CIAM.clientId,
      clientSecret: CIAM.clientSecret,
      tokenUrl: `${mock.url}${CIAM.path}`,
    }),
    channel: false, // Node: no other tabs
  });
  try {
    await manager.ready;
    await signInWithPassword(manager, { username: CIAM.username, password: CIAM.password });
    const token = await manager.getAccessToken();
    const url = `${mock.url}/api/me`;
    const headers = { authorization: `Bearer ${token}` };
    const authFetch = createAuthFetch(manager, { allowedOrigins: [mock.url] });
    const read = async (res: Response) => {
      if (res.status !== 200) throw new Error(`/api/me: ${res.status}`);
      await res.arrayBuffer();
    };
    const http = await pair(
      rounds,
      time,
      () => fetch(url, { headers }).then(read),
      () => authFetch(url).then(read),
    );

    const body = JSON.stringify({ ok: true });
    const stubFetch = async (_input: RequestInfo | URL, _init?: RequestInit) =>
      new Response(body, { status: 200 });
    const stubAuthFetch = createAuthFetch(manager, {
      allowedOrigins: [mock.url],
      fetch: stubFetch,
    });
    const stub = await pair(
      rounds,
      time,
      () => stubFetch(url, { headers }).then(read),
      () => stubAuthFetch(url).then(read),
    );

    const n = scale(200_000, 50_000);
    const ns: number[] = [];
    const awaitNs: number[] = [];
    await perCall(n, () => manager.getAccessToken()); // warm-up
    for (let round = 0; round < rounds; round++) {
      ns.push(await perCall(n, () => manager.getAccessToken()));
      awaitNs.push(await perCall(n, () => Promise.resolve(token)));
    }

    return {
      http,
      stub: {
        ...stub,
        addedUs: summarize(
          stub.authFetchUs.n === 0 ? [] : [stub.authFetchUs.median - stub.fetchUs.median],
        ),
      },
      getAccessToken: { ns: summarize(ns), awaitNs: summarize(awaitNs) },
    };
  } finally {
    manager.destroy();
    await mock.close();
  }
}
