/** The JSON answers the proxy makes itself: RFC 6749 §5.2 errors, never cached. */

export function oauthError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: jsonHeaders(headers),
  });
}

/** RFC 6749 §5.1: token answers are never cached. */
export function jsonHeaders(extra: Record<string, string>): Record<string, string> {
  return {
    'Content-Type': 'application/json;charset=UTF-8',
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Origin',
    ...extra,
  };
}
