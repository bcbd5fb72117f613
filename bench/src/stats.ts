/** Summary statistics of repeated measurements. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    n,
    median:
      n % 2 === 1
        ? (sorted[(n - 1) / 2] ?? Number.NaN)
        : ((sorted[n / 2 - 1] ?? Number.NaN) + (sorted[n / 2] ?? Number.NaN)) / 2,
    p95: quantile(sorted, 0.95),
    min: sorted[0] ?? Number.NaN,
    max: sorted[n - 1] ?? Number.NaN,
    mean: n === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / n,
  };
}

/** `12.3 ms (p95 15.1)`, or with `range`: `12.3 ms (11.0–15.1)`. */
export function fmtMs(s: Summary, digits = 1, range = false): string {
  if (s.n === 0) return 'n/a';
  const f = (v: number) => v.toFixed(digits);
  return range
    ? `${f(s.median)} ms (${f(s.min)}–${f(s.max)})`
    : `${f(s.median)} ms (p95 ${f(s.p95)})`;
}

export const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns true, at most `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}
