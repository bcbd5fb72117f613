import type { Config } from './options.js';

/** Who may call the proxy (`Origin`, `Sec-Fetch-Site`), and the CORS answers it gets. */

/**
 * `false`: refused. `undefined`: accepted, no CORS needed (same-origin, or no Origin allowed).
 * A string: an allowed cross-origin caller, to name in `Access-Control-Allow-Origin`.
 */
export function checkOrigin(
  config: Config,
  origin: string | null,
  fetchSite: string | null,
): string | undefined | false {
  if (origin === null || origin === 'null') {
    // The browser's own word (a forbidden header: no page can set it).
    if (fetchSite === 'same-origin') return undefined;
    return origin === null && config.allowNoOrigin ? undefined : false;
  }
  return config.isAllowedOrigin(origin) ? origin : false;
}

export function corsHeaders(origin: string | undefined): Record<string, string> {
  return origin === undefined
    ? {}
    : {
        'Access-Control-Allow-Origin': origin,
        // Baton reads Date to measure clock skew, and Retry-After to back off.
        'Access-Control-Expose-Headers': 'Date, Retry-After',
      };
}

export function preflight(cors: Record<string, string>): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...cors,
      ...(cors['Access-Control-Allow-Origin'] !== undefined && {
        'Access-Control-Allow-Methods': 'POST, GET',
        'Access-Control-Allow-Headers': 'Accept, Content-Type',
        'Access-Control-Max-Age': '600',
      }),
      Allow: 'POST, GET, OPTIONS',
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'Cache-Control': 'no-store',
    },
  });
}
