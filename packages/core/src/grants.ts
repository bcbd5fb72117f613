import { invalid } from './dialect.js';
import { BatonError } from './errors.js';
import { requestTokens } from './tokenEndpoint.js';
import { createTokenSet } from './tokenSet.js';
import type { Dialect, DpopKeys, TokenGrant, TokenSet } from './types.js';

/** How a manager asks its token endpoint. */
export interface GrantsOptions {
  readonly fetch: typeof fetch | undefined;
  readonly timeoutMs: number;
  readonly dpop: DpopKeys | undefined;
  /** The newest generation this tab has seen: a new session is stamped after it. */
  readonly generation: () => number;
}

/**
 * The manager's grants: `send` asks the token endpoint (with the session's DPoP key when the
 * manager has DPoP), `stamp` makes the answer a {@link TokenSet} of the next generation.
 */
export function createGrants(dialect: Dialect, options: GrantsOptions) {
  const { dpop } = options;
  const send = async (
    grant: TokenGrant,
    signal: AbortSignal | undefined,
    jkt: string | undefined,
  ) => {
    // A session without a key cannot prove it: refreshing it as a bearer one would downgrade.
    if (dpop && !jkt) throw new BatonError('dpop_unavailable', 'No DPoP key');
    const sent = await requestTokens(dialect, grant, {
      timeoutMs: options.timeoutMs,
      signal,
      fetch: options.fetch,
      prove: dpop && jkt ? (fetchFn) => dpop.fetch(jkt, fetchFn) : undefined,
    });
    // Never a silent downgrade: a bearer token where a key-bound one was asked for is refused.
    if (dpop && sent.result.tokenType.toLowerCase() !== 'dpop')
      throw invalid('token_type is not DPoP');
    return sent;
  };

  /** A token response, stamped as the generation after `base` (or after all seen). */
  const stamp = (
    sent: Awaited<ReturnType<typeof send>>,
    base: TokenSet | undefined,
    jkt = base?.jkt,
  ): TokenSet =>
    createTokenSet(sent.result, {
      sentAt: sent.sentAt,
      serverDate: sent.serverDate,
      generation: (base?.generation ?? options.generation()) + 1,
      previous: base,
      jkt,
    });

  return { send, stamp };
}
