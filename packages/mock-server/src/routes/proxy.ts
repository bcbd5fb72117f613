import { createTokenProxy, type TokenProxyHandler } from '@baton/token-proxy';
import type { Context } from 'hono';
import { DEMO_CLIENTS, type DialectName, isDialectName } from '../clients.js';
import type { AppEnv, Deps } from '../context.js';
import { json } from '../http.js';

const LOCAL_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The mock's CORS rule (see server.ts): any port on 127.0.0.1, localhost or [::1]. */
function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    return web && LOCAL_HOSTNAMES.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

/**
 * `/proxy/<dialect>`: the real `@baton/token-proxy` in front of this server's own token route, so
 * a browser app can run with no client secret at all. The proxy adds the demo client's secret
 * and calls the route over real HTTP, in the seed's shape (CIAM and chat-room: POST form body;
 * EIAM: POST query string; UAA: GET query string), so faults and stats apply to that call as to
 * any other. It forwards the refresh, password and authorization-code grants.
 */
export function proxyRoute(deps: Deps) {
  const proxies = new Map<DialectName, TokenProxyHandler>();
  // Built on first use: the server's URL (the upstream) is known only once it listens.
  const proxyFor = (dialect: DialectName): TokenProxyHandler => {
    let proxy = proxies.get(dialect);
    if (proxy === undefined) {
      const client = DEMO_CLIENTS[dialect];
      proxy = createTokenProxy({
        upstream: `${deps.issuer()}${client.path}`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        allowedOrigins: isLocalOrigin,
        grantTypes: ['refresh_token', 'password', 'authorization_code'],
        method: client.method,
        params: client.paramsIn === 'form' ? 'body' : 'query',
      });
      proxies.set(dialect, proxy);
    }
    return proxy;
  };

  return async (c: Context<AppEnv>): Promise<Response> => {
    const dialect = c.req.param('dialect');
    if (!isDialectName(dialect)) return json(404, { error: 'not_found' });
    c.set('note', `proxy ${dialect}`);
    const response = await proxyFor(dialect)(c.req.raw);
    // The server's CORS middleware adds its own Vary: Origin.
    response.headers.delete('Vary');
    return response;
  };
}
