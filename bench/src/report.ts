/** Renders the results as markdown: bench/RESULTS.md, and the table printed at the end of a run. */
import type { BurstResults } from './burst.js';
import type { CoreDefaults } from './coreDefaults.js';
import type { DpopResults } from './dpop.js';
import type { LockResults } from './lock.js';
import type { OverheadResults } from './overhead.js';
import type { PropagationResults, Spread } from './propagation.js';
import type { RefreshResults, RefreshRun } from './refreshes.js';
import type { SizeResults } from './size.js';
import { fmtMs, type Summary } from './stats.js';

export interface Results {
  readonly meta: {
    readonly date: string;
    readonly quick: boolean;
    readonly commit: string;
    readonly node: string;
    readonly chromium: string;
    readonly cpus: string;
    readonly memoryGiB: number;
    readonly durationSeconds: number;
    /** 1-minute load average at the start and the end: other work on the machine. */
    readonly loadAverage?: { readonly start: number; readonly end: number };
    readonly benchSeconds: Record<string, number>;
    /** The core's default timings in the code measured (read from its source at the start). */
    readonly coreDefaults?: CoreDefaults;
    /**
     * Benchmarks run again on their own since (`BENCH_WRITE=1 pnpm bench <names>`): their figures
     * replaced this run's; oldest first, each naming only the parts that are still its own.
     */
    readonly updates?: readonly PartialRun[];
  };
  size?: SizeResults;
  refreshes?: RefreshResults;
  burst?: BurstResults;
  propagation?: PropagationResults;
  overhead?: OverheadResults;
  lock?: LockResults;
  dpop?: DpopResults;
}

/** A run of some benchmarks only, written over a full run's results (see `meta.updates`). */
export interface PartialRun {
  readonly parts: readonly string[];
  readonly date: string;
  readonly quick: boolean;
  readonly commit: string;
  readonly chromium: string;
  readonly durationSeconds: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly benchSeconds: Record<string, number>;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
/** `12.3 (p95 15.0)`. */
const med = (s: Summary, f = f1) => (s.n === 0 ? 'n/a' : `${f(s.median)} (p95 ${f(s.p95)})`);
/** `12.3 (11.0–15.0)`. */
const range = (s: Summary, f = f1) =>
  s.n === 0 ? 'n/a' : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
/** `+104.4 ms`: the difference of two medians. */
const over = (s: Summary, base: Summary) =>
  s.n === 0 || base.n === 0
    ? 'n/a'
    : `${s.median >= base.median ? '+' : '−'}${f1(Math.abs(s.median - base.median))} ms`;
/** `` (150 ms)``, or nothing when the value is unknown. */
const inMs = (v: number | undefined) => (v === undefined ? '' : ` (${v} ms)`);
/** `, 150 ms`, or nothing when the value is unknown. */
const commaMs = (v: number | undefined) => (v === undefined ? '' : `, ${v} ms`);
/** `2 × `, or `a multiple of ` when unknown. */
const times = (v: number | undefined) => (v === undefined ? 'a multiple of ' : `${v} × `);
const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;
const kb = (n: number) => `${(n / 1000).toFixed(2)} kB`;

/** A markdown table with its columns padded, so that it reads as well in a terminal. */
function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows].map((row) => row.map(String));
  const widths = head.map((_, i) => Math.max(3, ...cells.map((row) => [...(row[i] ?? '')].length)));
  const line = (row: string[]) =>
    `| ${row.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  const [first, ...rest] = cells;
  return [line(first!), line(widths.map((w) => '-'.repeat(w))), ...rest.map(line)].join('\n');
}

function sizeSection(r: SizeResults): string {
  const core = r.cases.find((c) => c.id === 'core-all')!;
  const total = r.batonModules.reduce((a, m) => a + m.bytes, 0);
  const dialects = r.cases.find((c) => c.id === 'core-dialects')!;
  const ciam = r.cases.find((c) => c.id === 'core-ciam')!;
  const names = r.dialects ?? ['ciam', 'eiam', 'uaa', 'chatroom'];
  return [
    '## 1. Bundle size (esbuild bundle + minify, ES2022, then gzip -9; runtime dependencies included)',
    '',
    table(
      ['bundle', 'version', 'min', 'min + gzip'],
      r.cases.map((c) => [c.label, c.version ?? 'source', bytes(c.minified), `**${kb(c.gzip)}**`]),
    ),
    '',
    // Results from before the names were recorded had the four seed dialects.
    `\`dialects\` is one object holding all ${count(names.length)} factories, so importing it keeps all ${count(names.length)}: ` +
      `${bytes(dialects.gzip)} gzip against ${bytes(ciam.gzip)} with the named \`ciam\` import ` +
      `(${bytes(dialects.gzip - ciam.gzip)} gzip, ${bytes(dialects.minified - ciam.minified)} min for ` +
      `${others(names.filter((n) => n !== 'ciam'))}). A bundler cannot drop unused properties of an object.`,
    ...dpopSizeNote(r),
    '',
    `Where the bytes of \`@baton/core\` (everything, ${bytes(core.minified)} min) go, minified bytes per source module (esbuild metafile):`,
    '',
    table(
      ['module', 'min', 'share'],
      r.batonModules.map((m) => [
        m.module,
        bytes(m.bytes),
        `${((m.bytes / total) * 100).toFixed(1)} %`,
      ]),
    ),
  ].join('\n');
}

const COUNTS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const count = (n: number) => COUNTS[n] ?? String(n);
/** `a, b and c`. */
const others = (xs: readonly string[]) =>
  xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;

/** What `@baton/core/dpop` adds to an app (results from before DPoP have neither case). */
function dpopSizeNote(r: SizeResults): string[] {
  const app = r.cases.find((c) => c.id === 'core-app');
  const withDpop = r.cases.find((c) => c.id === 'core-app-dpop');
  const alone = r.cases.find((c) => c.id === 'core-dpop');
  if (!app || !withDpop || !alone) return [];
  return [
    '',
    `DPoP (\`@baton/core/dpop\`) adds **${bytes(withDpop.gzip - app.gzip)} gzip** ` +
      `(${bytes(withDpop.minified - app.minified)} min) to the app import above; only an app that imports ` +
      `it pays for it. Bundled alone it is ${bytes(alone.gzip)} gzip (${bytes(alone.minified)} min), ` +
      'the helpers it shares with the core included.',
  ];
}

function refreshSection(r: RefreshResults, meta: Results['meta']): string {
  const window = r.runs[0]?.windowSeconds ?? 0;
  const grace = r.reuseGrace === undefined ? '' : ` REUSE_GRACE=${r.reuseGrace},`;
  return [
    `## 2. Refreshes per access-token lifetime (Chromium tabs of one context, mock${grace} ACCESS_TTL=${r.accessTtl} s, ${f1(window)} s window)`,
    '',
    'A lifetime is one generation of the session: one refresh token, spendable once. "Per lifetime" is ' +
      'refresh requests / distinct refresh tokens presented (browser request log); the limit is exactly 1. ' +
      '"Signed out": tabs whose access token `/api/me` refused (or that had none) at the end.',
    '',
    table(
      [
        'implementation',
        'tabs',
        'refresh requests',
        'lifetimes',
        'per lifetime (mean / max)',
        'rotations',
        'reuseDetected',
        'invalid_grant',
        'tabs signed out',
        'Baton: lock wait ms p50 (p95)',
        'Baton: time a tab held an expired token',
      ],
      r.runs.map((x) => [
        runLabel(x),
        x.tabs,
        x.requests,
        x.lifetimes,
        `**${f2(x.perLifetimeMean)}** / ${x.perLifetimeMax}`,
        x.rotations,
        x.reuseDetected,
        x.invalidGrant,
        `**${x.signedOutTabs}** / ${x.tabs}`,
        x.lockWaitMs ? med(x.lockWaitMs) : '',
        x.expiredMs === undefined ? '' : `${x.expiredMs.toFixed(0)} ms`,
      ]),
    ),
    ...refreshSpeed(r),
    '',
    `Peers renew ${r.peerSkew === undefined ? 'shortly' : `${r.peerSkew} s`} before expiry (Baton, by default, ` +
      `${batonLead(r, meta.coreDefaults ?? {})}). ` +
      "oidc-client-ts: `UserManager` with `automaticSilentRenew`, the mock's discovery " +
      'document, the session in localStorage for all tabs, signed in with `storeUser(new User(...))` from a ' +
      "password grant. Naive: each tab's own timer refreshes with the refresh token it reads from " +
      'localStorage. Once a refresh token is reused the mock revokes the family and every tab is out.' +
      longTaskNote(r, meta),
  ].join('\n');
}

const runLabel = (x: RefreshRun) =>
  x.longTaskMs ? `${x.impl}, ${x.longTaskMs} ms long tasks in every tab` : x.impl;

/**
 * The Baton rows again: how long the refresh took in the refreshing tab, beside the bare request
 * measured in the same run (older results have neither: then nothing).
 */
function refreshSpeed(r: RefreshResults): string[] {
  const rows = r.runs.filter((x) => x.refreshMs && x.bareRefreshMs);
  if (rows.length === 0) return [];
  return [
    '',
    "Refresh at network speed, the Baton rows above: the refreshing tab's refresh-start → refresh-success " +
      "(the manager's own `durationMs`, lock wait included; every refresh of the window, all tabs), beside the " +
      'same refresh request (`POST` of a valid refresh grant to the same token URL) sent by hand with `fetch` ' +
      'from a tab of the same run, before its session started. Those requests are not counted above.',
    '',
    table(
      [
        'implementation',
        'tabs',
        'refreshes',
        'Baton refresh ms p50 (p95)',
        'bare request ms p50 (p95)',
        'over bare (p50)',
      ],
      rows.map((x) => [
        runLabel(x),
        x.tabs,
        x.refreshMs!.n,
        med(x.refreshMs!),
        med(x.bareRefreshMs!),
        `**${over(x.refreshMs!, x.bareRefreshMs!)}**`,
      ]),
    ),
  ];
}

/**
 * How long before expiry Baton refreshes the run's tokens: `refreshSkewMs`, or a third of a
 * shorter lifetime (refreshPolicy.ts). The CIAM answer says `expires_in: ACCESS_TTL - 1`.
 */
function batonLead(r: RefreshResults, d: CoreDefaults): string {
  const lifetime = r.accessTtl - 1;
  if (d.refreshSkewMs === undefined) return 'a third of a short lifetime before it';
  const skew = d.refreshSkewMs / 1000;
  return skew < lifetime / 3
    ? `${f1(skew)} s before it`
    : `a third of a short lifetime before it: ${f1(lifetime / 3)} s of the ${lifetime} s here`;
}

/** What the long-task rows (and any Baton reuse) say about the broadcast lock's assumption. */
function longTaskNote(r: RefreshResults, meta: Results['meta']): string {
  const failed = r.runs.filter((x) => x.impl.startsWith('baton') && x.reuseDetected > 0);
  const stressed = r.runs.filter((x) => x.longTaskMs > 0);
  if (stressed.length === 0 && failed.length === 0) return '';
  const list = failed.map(
    (x) =>
      `${x.impl} with ${x.tabs} tabs${x.longTaskMs ? ` and ${x.longTaskMs} ms long tasks` : ''}`,
  );
  const d = meta.coreDefaults ?? {};
  const cores = /^(\d+) ×/.exec(meta.cpus)?.[1];
  const worst = stressed[0];
  const pause = r.longTaskPauseMs;
  // A long task, then a pause drawn uniformly from the range: the share of time a page is busy.
  const busyShare =
    worst && pause
      ? worst.longTaskMs / (worst.longTaskMs + (pause.min + pause.max) / 2)
      : undefined;
  const busy = worst
    ? ` (the long-task rows: every page busy for ${worst.longTaskMs} ms at random moments` +
      (pause
        ? `, ${pause.min}–${pause.max} ms apart: ${Math.round((busyShare ?? 0) * 100)} % of the time`
        : '') +
      ')'
    : '';
  return (
    '\n\nThe BroadcastChannel lock holds only while every message crosses between tabs within ' +
    `W (\`claimWindowMs\`${commaMs(d.claimWindowMs)} by default, more while the tabs see more lag): ` +
    `a claimant listens for ${times(d.claimFactor)}W, a round trip, and then holds. ` +
    `With ${worst?.tabs ?? 'many'} tabs on ${cores ?? 'few'} cores whose main threads are often busy${busy}, ` +
    'delivery takes longer, several tabs that woke together ' +
    'hear no competitor in time and all hold the lock, and the double-check inside it cannot help: ' +
    'they ask each other at the same moment and nobody has news yet. Web Locks do not depend on ' +
    'timing. ' +
    (failed.length > 0
      ? `**In this run Baton spent a refresh token twice: ${list.join('; ')}.**`
      : 'In this run no refresh token was spent twice.')
  );
}

function burstSection(r: BurstResults, d: CoreDefaults): string {
  const g = r.getAccessToken;
  const exact = (xs: number[]) =>
    `${Math.min(...xs)}–${Math.max(...xs)}${xs.every((x) => x === 1) ? ' (always 1)' : ''}`;
  return [
    '## 3. Burst (one Chromium tab, lock auto = Web Locks)',
    '',
    table(
      ['figure', 'ms p50 (p95)', 'network refreshes per burst', 'limit'],
      [
        [
          `${r.callers} concurrent \`getAccessToken()\`, token expired`,
          med(g.ms),
          exact(g.refreshesPerBurst),
          1,
        ],
        ['… of which the refresh (refresh-start to refresh-success)', med(g.refreshMs), '', ''],
        ['one refresh request sent by hand with fetch (baseline)', med(g.bareRequestMs), '', ''],
        [
          `${r.requests} concurrent authFetch, all answered 401 then replayed`,
          med(r.authFetch401.ms),
          exact(r.authFetch401.refreshesPerBurst),
          1,
        ],
        [`${r.requests} concurrent authFetch, warm token`, med(r.authFetchWarm.ms), 0, ''],
        [`${r.requests} concurrent bare fetch, warm token (baseline)`, med(r.fetchWarm.ms), 0, ''],
      ],
    ),
    '',
    `Refresh in a lone tab: ${fmtMs(g.refreshMs)} against ${fmtMs(g.bareRequestMs)} for the bare ` +
      `request: **${over(g.refreshMs, g.bareRequestMs)} over bare** (p50).`,
    '',
    `${r.requests} concurrent 401s through authFetch against the same ${r.requests} with a warm token: ` +
      `401 burst / warm burst = **${f2(r.authFetch401.ms.median / r.authFetchWarm.ms.median)}×** (p50).`,
    '',
    `All ${r.callers} callers got the one new token: ${g.allGotTheNewToken ? 'yes' : '**no**'}. ` +
      `authFetch requests not ending in 200: ${r.authFetch401.failed}.`,
    '',
    `With default options, \`setTokens()\` of a session whose access token has already expired, then ` +
      `\`getAccessToken()\`: ${r.expiredSetTokensRefreshesByDefault ? 'refreshes' : `**returns the expired token** (no refresh for \`minRefreshIntervalMs\`${commaMs(d.minRefreshIntervalMs)}; the burst above sets it to 0)`}.`,
  ].join('\n');
}

function propagationSection(r: PropagationResults): string {
  const row = (name: string, s: Spread) => [name, med(s.allTabs, f2), med(s.perTab, f2)];
  return [
    `## 4. Propagation (${r.tabs} Chromium tabs; times on the system clock, each page's offset calibrated)`,
    '',
    table(
      ['event', 'until every other tab has it, ms p50 (p95)', 'per tab, ms p50 (p95)'],
      [
        row(
          `rotation (refresh-success in the refreshing tab → other tabs' snapshot), n=${r.rotation.allTabs.n}`,
          r.rotation,
        ),
        row(`sign-out, n=${r.signOut.allTabs.n}`, r.signOut),
        row(`sign-in, n=${r.signIn.allTabs.n}`, r.signIn),
      ],
    ),
    '',
    table(
      ['hand-off to a newly opened tab', 'ms p50 (p95)'],
      [
        [
          `navigation start → session adopted (n=${r.handOff.loadToSession.n})`,
          med(r.handOff.loadToSession),
        ],
        ['… of which navigation start → script running', med(r.handOff.loadToScript)],
        ['`createTokenManager` → `manager.ready`, other tabs open', med(r.handOff.ready)],
        [
          '`createTokenManager` → `manager.ready`, no other tab (nobody answers)',
          med(r.readyAlone),
        ],
      ],
    ),
  ].join('\n');
}

function overheadSection(r: OverheadResults): string {
  return [
    '## 5. Overhead (Node, mock in its own process; tinybench, medians per round, rounds alternate order)',
    '',
    table(
      ['figure', 'fetch µs', 'authFetch µs', 'ratio authFetch / fetch'],
      [
        [
          'GET /api/me over HTTP (keep-alive), warm token',
          range(r.http.fetchUs),
          range(r.http.authFetchUs),
          range(r.http.ratio, f2),
        ],
        [
          'same, against a stub fetch that answers at once',
          range(r.stub.fetchUs),
          range(r.stub.authFetchUs),
          range(r.stub.ratio, f2),
        ],
      ],
    ),
    '',
    `\`getAccessToken()\` on a warm token: **${range(r.getAccessToken.ns, (n) => n.toFixed(0))} ns** per call ` +
      `(an \`await\` of a resolved promise in the same loop: ${range(r.getAccessToken.awaitNs, (n) => n.toFixed(0))} ns). ` +
      'Median (min–max) over rounds.',
  ].join('\n');
}

/** `+1.2` / `−0.3`: the difference of two figures, signed. */
const signed = (a: number, b: number) =>
  Number.isFinite(a - b) ? `${a >= b ? '+' : '−'}${f2(Math.abs(a - b))}` : 'n/a';
/** `+1.20 (p95 +3.40)`: the difference of two summaries' medians, and of their p95s. */
const diff = (s: Summary, base: Summary) =>
  s.n === 0 || base.n === 0
    ? 'n/a'
    : `${signed(s.median, base.median)} (p95 ${signed(s.p95, base.p95)})`;
/** `0.12 (p95 0.45), n=500`. */
const medN = (s: Summary) => (s.n === 0 ? 'n/a' : `${med(s, f2)}, n=${s.n}`);

/** The nonce figures (a mock with `dpopNonce`) as a table; older results lack some rows. */
function nonceTable(nonce: DpopResults['nonce']): string[] {
  const rows: string[][] = [];
  const r = nonce.retry;
  if (r)
    rows.push([
      'a warm tab, one request after another, every other one with a stale nonce stored (as after the server rotated it)',
      medN(r.knownMs),
      medN(r.staleMs),
      `**${diff(r.staleMs, r.knownMs)}**`,
      `${r.challenges} for ${r.staleMs.n} stale`,
    ]);
  rows.push([
    "a new tab's first DPoP `authFetch` (after `ready`; the key read from IndexedDB)",
    medN(nonce.withNonce),
    medN(nonce.withoutNonce),
    `**${diff(nonce.withoutNonce, nonce.withNonce)}**`,
    `${nonce.challenges.withNonce} / ${nonce.challenges.withoutNonce}`,
  ]);
  const b = nonce.burst;
  if (b)
    rows.push([
      `${b.requests} at once as a new tab's first requests, the whole burst (n=${b.reps} tabs each)`,
      range(b.withNonceMs, f2),
      range(b.withoutNonceMs, f2),
      `**${over(b.withoutNonceMs, b.withNonceMs)}**`,
      `${b.challengesWithNonce.join(', ')} / ${b.challengesWithoutNonce.join(', ')}`,
    ]);
  const many = b && Math.max(...b.challengesWithoutNonce) > 1;
  return [
    table(
      [
        'nonces (a second mock with `dpopNonce`), ms',
        'nonce known',
        'stale or none',
        'difference',
        '`use_dpop_nonce` answers',
      ],
      rows,
    ),
    '',
    'Without the current nonce the request is refused and sent again with a new proof: one more round trip. ' +
      'A new tab "without" is one whose origin\'s nonce was removed from localStorage, where the tabs share it. ' +
      `The next request in those new tabs: ${fmtMs(nonce.next, 2)}.` +
      (r &&
      nonce.withoutNonce.median - nonce.withNonce.median < (r.staleMs.median - r.knownMs.median) / 2
        ? " Here a new tab's first request varied by more than a retry costs (its renderer is new, its key is " +
          'read from IndexedDB): the warm tab gives the cost of the retry.'
        : '') +
      (many
        ? ' In a burst from a tab without the nonce, every request sent before the first refusal brought it back is refused, and sent again.'
        : '') +
      (nonce.excluded > 0
        ? ` ${nonce.excluded} new tab${nonce.excluded > 1 ? 's' : ''} left out: the mock rotated its nonce meanwhile.`
        : '') +
      ` Requests not answered 200: ${nonce.failed + (b?.failed ?? 0)}.`,
  ];
}

function dpopSection(r: DpopResults): string {
  const q = r.requests;
  const k = r.keys;
  const p = r.proofs;
  const nonce = r.nonce;
  const row = (label: string, pick: (x: DpopResults['requests']) => Record<string, Summary>) => {
    const m = pick(q);
    return [
      label,
      med(m.fetch!, f2),
      med(m.bearer!, f2),
      med(m.dpop!, f2),
      `**${diff(m.dpop!, m.bearer!)}**`,
      diff(m.bearer!, m.fetch!),
    ];
  };
  const clientMs = r.provingFetch.dpop.median - r.provingFetch.stub.median;
  // Paired differences where recorded: each DPoP request against the bearer one beside it.
  const addedMs = q.paired
    ? q.paired.dpopOverBearer.median
    : q.sequential.dpop.median - q.sequential.bearer.median;
  return [
    `## 7. DPoP (\`dpop()\` from \`@baton/core/dpop\`; one Chromium tab, mock with DPoP '${r.mockDpop}')`,
    '',
    `The page is ${r.crossOriginIsolated ? 'cross-origin isolated (COOP + COEP)' : '**not** cross-origin isolated'}, ` +
      `so its \`performance.now()\` steps by ${f2(r.timerResolutionMs * 1000)} µs; every figure is one call timed on its own. ` +
      `Proofs: ${p.n} of each kind after ${p.warmup} untimed, in rounds of alternating order.` +
      (r.seconds
        ? ` Time taken: ${Object.entries(r.seconds)
            .map(([part, sec]) => `${part} ${sec.toFixed(0)} s`)
            .join(', ')}.`
        : ''),
    '',
    table(
      ['figure', 'ms p50 (p95)'],
      [
        [
          `one proof, token request (\`htm\` POST, no \`ath\`; a ${p.tokenBytes}-character \`DPoP\` header)`,
          `**${medN(p.token)}**`,
        ],
        [
          `one proof, resource request with \`ath\` (SHA-256 of the access token; ${p.resourceBytes} characters)`,
          `**${medN(p.resource)}**`,
        ],
        [
          "a request through the DPoP module's proving fetch over a stub fetch that answers at once " +
            '(Request copy, nonce lookup, proof, headers)',
          medN(r.provingFetch.dpop),
        ],
        ['… the stub fetch alone', medN(r.provingFetch.stub)],
        [
          "a sign-in's key, `create()`, the IndexedDB database not there yet: database created, generateKey, thumbprint, key stored",
          medN(k.createNewDb),
        ],
        ['`create()` again, the database there (a new `dpop()` opens it)', medN(k.createOpenDb)],
        ['… of which generateKey + export + thumbprint (nothing stored)', medN(k.generate)],
        [
          "a new tab's first proof: database opened, key read from IndexedDB, proof (over the stub)",
          medN(k.firstProofNewTab),
        ],
        ["… that tab's second proof (key in memory)", medN(k.nextProof)],
      ],
    ),
    '',
    `\`GET /api/me\` with a warm token, ${q.rounds} rounds, ms p50 (p95): ${q.n} requests each way one after another ` +
      `(${q.paired ? 'the three ways taking turns request by request' : 'each way in a series of its own'}), and ${q.n} at once ` +
      '(each way a burst of its own, in rotating order):',
    '',
    table(
      [
        'figure',
        'bare fetch (floor)',
        'authFetch, bearer',
        'authFetch, DPoP',
        'DPoP over bearer',
        'bearer over bare fetch',
      ],
      [
        row(
          `one after another${q.paired ? ', the three taking turns' : ''}, each request (n=${q.sequential.dpop.n} each)`,
          (x) => x.sequential,
        ),
        row(`${q.n} at once, each request from the burst's start`, (x) => x.concurrent),
        row(`${q.n} at once, the whole burst (n=${q.burstMs.dpop.n})`, (x) => x.burstMs),
      ],
    ),
    '',
    (q.paired
      ? `One after another, the three ways taking turns request by request, DPoP adds **${signed(addedMs, 0)} ms** ` +
        `per request to a bearer authFetch: the median of each DPoP request less the bearer request beside it ` +
        `(p95 ${signed(q.paired.dpopOverBearer.p95, 0)}); a bearer authFetch adds ${signed(q.paired.bearerOverFetch.median, 0)} ms ` +
        `to bare fetch the same way (p95 ${signed(q.paired.bearerOverFetch.p95, 0)}). `
      : `One after another, DPoP adds **${signed(addedMs, 0)} ms** per request (p50) to a bearer authFetch. `) +
      `The client's part, the proving fetch over the stub less the stub, is ${f2(clientMs)} ms` +
      (addedMs > clientMs
        ? `; the other ${f2(addedMs - clientMs)} ms are the mock verifying the proof (a Node process on the ` +
          'same cores: ES256 signature, thumbprint, `jti` replay cache, `ath`) and the larger request: a ' +
          "resource server's own cost, not Baton's. "
        : ': the difference measured here is smaller, within the noise of this run. ') +
      `The mock accepted ${q.proofsAccepted} proofs for ${q.dpopRequests} DPoP requests (warm-up included) ` +
      `and refused ${q.proofsRejected}; requests not answered 200: ${q.failed}.`,
    '',
    ...nonceTable(nonce),
  ].join('\n');
}

function lockSection(r: LockResults, d: CoreDefaults): string {
  return [
    '## 6. Lock (Chromium tabs; each tab acquires and releases in a loop, all start together)',
    '',
    table(
      [
        'lock',
        'tabs',
        'acquisitions',
        'wait ms p50 (p95)',
        'hand-off ms p50 (p95)',
        'acquisitions/s',
        'overlapping holds',
      ],
      r.contention.map((c) => [
        c.kind,
        c.tabs,
        c.acquisitions,
        med(c.waitMs, f2),
        med(c.handoffMs, f2),
        c.perSecond.toFixed(0),
        c.overlaps,
      ]),
    ),
    '',
    table(
      ['take-over after the holder…', 'web-locks ms', 'broadcast ms'],
      (['close', 'crash'] as const).map((how) => [
        how === 'close' ? 'page closed (pagehide runs)' : 'renderer crashed (nothing runs)',
        ...(['web-locks', 'broadcast'] as const).map((kind) => {
          const t = r.takeover.find((x) => x.kind === kind && x.how === how);
          return t ? range(t.ms) : 'n/a';
        }),
      ]),
    ),
    '',
    "Wait: request to grant. Hand-off: one tab's release to the next waiting tab's grant. " +
      'Take-over: median (min–max) over repetitions.',
    ...unfair(r, d),
  ].join('\n');
}

/** The broadcast lock's long tail under back-to-back contention, when the run shows one. */
function unfair(r: LockResults, d: CoreDefaults): string[] {
  const worst = r.contention
    .filter((c) => c.kind === 'broadcast' && c.tabs > 1)
    .sort((a, b) => b.waitMs.p95 - a.waitMs.p95)[0];
  if (!worst || worst.waitMs.p95 < 5 * worst.handoffMs.median) return [];
  const handOver =
    d.quietFactor === undefined || d.claimFactor === undefined
      ? 'a quiet period and a claim round'
      : `${d.quietFactor + d.claimFactor}W (a quiet period of ${d.quietFactor}W, then a claim round of ${d.claimFactor}W)`;
  return [
    '',
    `The broadcast lock's waits have a long tail under back-to-back contention (p95 wait ${f1(worst.waitMs.p95)} ms ` +
      `with ${worst.tabs} tabs). A tab that releases a contended hold does not claim again at once: it keeps quiet ` +
      `${times(d.quietFactor)}W like the tabs that heard the last claim, so the waiters go first ` +
      `(W: \`claimWindowMs\`${commaMs(d.claimWindowMs)} by default). But each hand-over takes up to ${handOver}, ` +
      'and the waiters take turns by ticket (a Lamport clock, equal tickets to the lowest tab id), so the ' +
      'last of many waits for every turn before its own. Mutual exclusion held (no overlapping hold). ' +
      'A tab refreshes once per lifetime, so Baton itself rarely meets this.',
  ];
}

/**
 * What the redirect sign-in adds to the app import: it is a subpath (`@baton/core/redirect`), in
 * the bundle only of an app that imports it.
 */
function redirectNote(r: SizeResults): string {
  const ciam = r.cases.find((c) => c.id === 'core-ciam');
  const redirect = r.cases.find((c) => c.id === 'core-ciam-redirect');
  if (!ciam || !redirect) return '';
  return (
    ` The redirect sign-in (\`@baton/core/redirect\`) is ${bytes(redirect.gzip - ciam.gzip)} gzip ` +
    `(${bytes(redirect.minified - ciam.minified)} min) of the app import above; an app that signs ` +
    'in otherwise does not import it, and does not pay for it.'
  );
}

/** Where Baton loses to a peer, with the figures of this run. */
function lossesSection(r: Results): string {
  const out: string[] = [];
  const d = r.meta.coreDefaults ?? {};
  if (r.size) {
    const app = r.size.cases.find((c) => c.id === 'core-app')!;
    const all = r.size.cases.find((c) => c.id === 'core-all')!;
    const smaller = r.size.cases.filter(
      (c) => c.library !== 'baton' && c.id.endsWith('-named') && c.gzip < app.gzip,
    );
    for (const peer of smaller)
      out.push(
        `- **Size: ${peer.library} is smaller.** ${peer.label}: ${kb(peer.gzip)} gzip, against ${kb(app.gzip)} for a ` +
          `Baton app import (manager + one dialect + redirect sign-in + authFetch; ${kb(all.gzip)} for everything). keycloak-js ` +
          'renews in one tab only: no cross-tab lock, no channel protocol, one provider. Baton pays for ' +
          'the cross-tab lock and the tab protocol (lock, webLocks, tabChannel, tabSync; the BroadcastChannel lock ' +
          'is a chunk loaded only without Web Locks), the dialect machinery ' +
          '(dialect.ts) and error redaction (tokenEndpoint.ts): see the table of modules above.' +
          redirectNote(r.size),
      );
  }
  const b = r.burst?.getAccessToken;
  // A loss only when Baton's median refresh is slower than 95 % of the bare requests.
  if (b && b.refreshMs.n > 0 && b.refreshMs.median > b.bareRequestMs.p95) {
    const gap = b.refreshMs.median - b.bareRequestMs.median;
    const sync = d.syncTimeoutMs;
    const web = (r.refreshes?.runs ?? []).filter(
      (x) => x.impl === 'baton web-locks' && !x.longTaskMs && x.refreshMs && x.bareRefreshMs,
    );
    out.push(
      `- **Latency of one refresh in a lone tab.** Baton's refresh took ${f1(b.refreshMs.median)} ms ` +
        `(p50) where the request alone takes ${f1(b.bareRequestMs.median)} ms (${over(b.refreshMs, b.bareRequestMs)}); ` +
        'oidc-client-ts and the naive wrapper send the request at once.' +
        (web.length > 0
          ? ` With Web Locks and ${web.map((x) => `${x.tabs} tab${x.tabs > 1 ? 's' : ''} ${over(x.refreshMs!, x.bareRefreshMs!)}`).join(', ')} over the bare request (section 2).`
          : '') +
        (sync !== undefined && gap >= sync
          ? ' Inside the lock Baton first asks the other tabs whether one already refreshed ' +
            `(up to \`syncTimeoutMs\` = ${sync} ms) unless it already knows a newer generation, and a lone ` +
            `tab hears no answer, so it waits the full ${sync} ms. That is the price of never spending a ` +
            "refresh token twice when news of another tab's refresh is still in flight; it falls on the " +
            'first caller after expiry only (the proactive timer hides it).'
          : ''),
    );
  }
  if (r.propagation)
    out.push(
      `- **A new tab with no other tab open waits ${f1(r.propagation.readyAlone.median)} ms for \`ready\`** ` +
        `(${times(d.readySyncFactor)}\`syncTimeoutMs\`${inMs(d.syncTimeoutMs)}, for answers that never come), and with the default memory storage it has no ` +
        'session at all: peers that keep the session in localStorage (oidc-client-ts as set up here, the ' +
        'naive wrapper) read it at once and survive a reload of the last tab. Baton can too ' +
        "(`storage: webStorage('local', { persistRefreshToken: true })` from `@baton/core/storage`), by choice.",
    );
  if (r.lock) {
    const crash = r.lock.takeover.find((t) => t.kind === 'broadcast' && t.how === 'crash');
    const one = r.lock.contention.find((c) => c.kind === 'broadcast' && c.tabs === 1);
    if (crash && one)
      out.push(
        `- **Baton's own broadcast lock against Web Locks** (no peer has a cross-tab lock to compare): ` +
          `${f1(one.waitMs.median)} ms to acquire uncontended (a claim listens for a round trip, ${times(d.claimFactor)}W; W: \`claimWindowMs\`${commaMs(d.claimWindowMs)} by default), ` +
          `and ${f1(crash.ms.median)} ms to take over from a crashed holder (its lease, \`leaseMs\`${commaMs(d.leaseMs)}, must run out) where ` +
          "Web Locks are released by the browser at once. `lock: 'auto'` uses Web Locks wherever they exist.",
      );
  }
  if (out.length === 0) return '';
  return ['## Where Baton loses, and why', '', ...out].join('\n');
}

/** A sentence on benchmarks run again on their own after the full run. */
function updateNote(u: PartialRun): string {
  return (
    ` **${u.parts.join(', ')}: from a later run of ${u.parts.length > 1 ? 'these' : 'this'} alone**` +
    `${u.quick ? ' (BENCH_QUICK=1)' : ''} on ${u.date.slice(0, 10)}, commit ${u.commit}, Chromium ${u.chromium} ` +
    `(${u.parts.map((part) => `${part} ${(u.benchSeconds[part] ?? Number.NaN).toFixed(0)} s`).join(', ')}; ` +
    `load average ${u.loadAverage.start.toFixed(1)} at the start, ${u.loadAverage.end.toFixed(1)} at the end).`
  );
}

export function renderMarkdown(r: Results): string {
  const m = r.meta;
  return [
    '# Baton benchmarks',
    '',
    `\`pnpm bench\`${m.quick ? ' (BENCH_QUICK=1: a smoke run, few repetitions)' : ''} on ${m.date.slice(0, 10)}, commit ${m.commit}: ` +
      `${m.cpus}, ${m.memoryGiB} GiB, Node ${m.node}, Chromium ${m.chromium}. Whole run: ${f1(m.durationSeconds)} s ` +
      `(${Object.entries(m.benchSeconds)
        .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
        .join(', ')}). ` +
      (m.loadAverage
        ? `Load average (1 min) ${m.loadAverage.start.toFixed(1)} at the start, ${m.loadAverage.end.toFixed(1)} at the end: other work shared the 2 cores. `
        : '') +
      'Raw figures: results.json. Timings are medians with p95 or (min–max); ratios come from the same run.' +
      (m.updates ?? []).map(updateNote).join(''),
    '',
    r.size ? sizeSection(r.size) : '',
    r.refreshes ? refreshSection(r.refreshes, m) : '',
    r.burst ? burstSection(r.burst, m.coreDefaults ?? {}) : '',
    r.propagation ? propagationSection(r.propagation) : '',
    r.overhead ? overheadSection(r.overhead) : '',
    r.lock ? lockSection(r.lock, m.coreDefaults ?? {}) : '',
    r.dpop ? dpopSection(r.dpop) : '',
    lossesSection(r),
  ]
    .filter((s) => s !== '')
    .join('\n\n')
    .concat('\n');
}
