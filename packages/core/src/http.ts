import { abortError, bounded } from './abort.js';
import { BatonError, isBatonError } from './errors.js';
import type { TokenRequest, TokenResponse } from './types.js';

/** How {@link send} sends: the app's `fetch`, a bound and the caller's signal. */
export interface SendOptions {
  /** Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch | undefined;
  /** Bounds the whole exchange, body included. Default 10 s. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Keeps secrets out of the `network` error's description. */
  readonly redact?: ((text: string) => string) | undefined;
  /** What the errors call the other end (`Token endpoint`). */
  readonly what: string;
}

/**
 * Sends one request to a provider's endpoint (page-relative URLs resolve against the page) and
 * reads the whole answer as text. No cookies, no HTTP cache.
 *
 * Rejects only with a {@link BatonError}: `aborted` (the caller's signal; nothing is sent when it
 * fired before), `timeout`, or `network` (no answer, or the body could not be read).
 */
export async function send(request: TokenRequest, options: SendOptions): Promise<TokenResponse> {
  const { signal, timeoutMs = 10_000, redact = (t: string) => t, what } = options;
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (signal?.aborted) throw abortError();
  // setTimeout fires at once above 2^31-1 ms.
  const bound = bounded(Math.min(timeoutMs, 2 ** 31 - 1), signal);
  // The race also stops a fetch that ignores its signal.
  const stopped = new Promise<never>((_, reject) => {
    bound.signal.addEventListener('abort', () => reject(new Error('stopped')));
  });
  try {
    const base = globalThis.location?.href;
    const res = await Promise.race([
      fetchFn(base ? new URL(request.url, base).href : request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined && { body: request.body }),
        credentials: 'omit',
        cache: 'no-store',
        signal: bound.signal,
      }),
      stopped,
    ]);
    return {
      status: res.status,
      headers: res.headers,
      body: await Promise.race([res.text(), stopped]),
    };
  } catch (e) {
    if (isBatonError(e)) throw e; // from a fetch of Baton's own (DPoP's: the key is gone)
    if (bound.timedOut())
      throw new BatonError('timeout', `${what} did not answer within ${timeoutMs} ms`);
    if (bound.signal.aborted || signal?.aborted) throw abortError();
    const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
    throw new BatonError('network', `${what} could not be reached`, {
      description: redact(`${e instanceof Error ? e.message : 'fetch failed'}${cause}`).slice(
        0,
        200,
      ),
    });
  } finally {
    bound.done();
  }
}
