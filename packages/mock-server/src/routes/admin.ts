import type { Context } from 'hono';
import type { AppEnv, Deps } from '../context.js';
import { parseFaultSpec } from '../faults.js';
import { json } from '../http.js';
import { decodeUtf8, readBody } from '../params.js';

/**
 * Forgets every session, counter, pending fault and DPoP `jti` seen; keys (and the DPoP nonce)
 * stay (tokens die with their sessions).
 */
export function resetAll(deps: Deps): void {
  deps.store.reset();
  deps.dpop.reset();
  deps.stats.reset();
  deps.faults.clear();
}

export const statsRoute = (deps: Deps) => (c: Context<AppEnv>) =>
  c.req.method === 'GET' ? json(200, deps.stats.snapshot()) : methodNotAllowed('GET');

export const resetRoute = (deps: Deps) => (c: Context<AppEnv>) => {
  if (c.req.method !== 'POST') return methodNotAllowed('POST');
  resetAll(deps);
  return json(200, { ok: true });
};

/** `GET` lists, `POST` adds (one spec or an array, all or nothing), `DELETE` clears. */
export const faultsRoute = (deps: Deps) => async (c: Context<AppEnv>) => {
  switch (c.req.method) {
    case 'GET':
      return json(200, { pending: deps.faults.list() });
    case 'DELETE':
      deps.faults.clear();
      return json(200, { pending: [] });
    case 'POST': {
      const body = await readBody(c.env.incoming, deps.settings.bodyLimit);
      if (body.kind !== 'ok')
        return json(413, { error: 'invalid_fault', error_description: 'too large' });
      let specs: unknown;
      try {
        specs = JSON.parse(decodeUtf8(body.bytes) ?? '');
      } catch {
        return json(400, { error: 'invalid_fault', error_description: 'body is not JSON' });
      }
      try {
        const parsed = (Array.isArray(specs) ? specs : [specs]).map(parseFaultSpec);
        const added = parsed.map((spec) => deps.faults.add(spec));
        return json(200, { added, pending: deps.faults.list() });
      } catch (error) {
        const description = error instanceof Error ? error.message : 'invalid fault';
        return json(400, { error: 'invalid_fault', error_description: description });
      }
    }
    default:
      return methodNotAllowed('GET, POST, DELETE');
  }
};

function methodNotAllowed(allow: string): Response {
  return json(405, { error: 'method_not_allowed' }, { Allow: allow });
}
