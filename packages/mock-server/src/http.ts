/** JSON answer with the seeds' content type. */
export function json(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json;charset=UTF-8', ...headers },
  });
}

/** RFC 6749 §5.1: token answers must not be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * Tells @hono/node-server that the connection was dealt with (here: dropped on purpose) and that
 * it must write nothing. Its own `RESPONSE_ALREADY_SENT` is one shared instance that middleware
 * would mutate, so each drop builds its own.
 */
export function alreadySent(): Response {
  return new Response(null, { headers: { 'x-hono-already-sent': 'true' } });
}
