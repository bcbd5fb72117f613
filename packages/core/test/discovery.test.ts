import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { oauth2, oidc } from '../src/dialects/standard.js';
import { discover, metadataUrl } from '../src/discovery.js';
import { BatonError } from '../src/errors.js';
import { requestTokens } from '../src/tokenEndpoint.js';
import { routes } from './httpStub.js';

let provider: Awaited<ReturnType<typeof routes>>;
beforeAll(async () => {
  provider = await routes();
});
afterEach(() => provider.reset());
afterAll(() => provider.close());

const WELL_KNOWN = '/.well-known/openid-configuration';
const metadata = (issuer = provider.url) => ({
  issuer,
  token_endpoint: `${issuer}/token`,
  authorization_endpoint: `${issuer}/authorize`,
  revocation_endpoint: `${issuer}/revoke`,
  end_session_endpoint: `${issuer}/logout`,
});
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (e: unknown) => e as BatonError,
  );

describe('metadataUrl', () => {
  it('appends to the issuer for OpenID Connect (Discovery §4) and inserts for RFC 8414 (§3.1)', () => {
    expect(metadataUrl('https://id.example/realms/app', 'openid-configuration')).toBe(
      'https://id.example/realms/app/.well-known/openid-configuration',
    );
    expect(metadataUrl('https://id.example/', 'openid-configuration')).toBe(
      'https://id.example/.well-known/openid-configuration',
    );
    expect(metadataUrl('https://id.example/tenant1', 'oauth-authorization-server')).toBe(
      'https://id.example/.well-known/oauth-authorization-server/tenant1',
    );
    expect(metadataUrl('https://id.example', 'oauth-authorization-server')).toBe(
      'https://id.example/.well-known/oauth-authorization-server',
    );
  });
});

describe('discover', () => {
  it('reads the document and keeps its other fields', async () => {
    provider.json(WELL_KNOWN, { ...metadata(), scopes_supported: ['openid'] });
    const read = await discover(provider.url);
    expect(read.token_endpoint).toBe(`${provider.url}/token`);
    expect(read.scopes_supported).toEqual(['openid']);
    expect(provider.seen).toEqual([{ method: 'GET', path: WELL_KNOWN, body: '' }]);
  });

  it.each([
    [
      'another issuer',
      () => provider.json(WELL_KNOWN, metadata('https://evil.example')),
      /names issuer https:\/\/evil.example, not http/,
    ],
    ['a 404', () => {}, /answered 404/],
    ['HTML', () => provider.json(WELL_KNOWN, '<html>sign in</html>'), /not a JSON object/],
    [
      'no token endpoint',
      () => provider.json(WELL_KNOWN, { issuer: provider.url }),
      /token_endpoint is not an absolute URL/,
    ],
    [
      'a relative endpoint',
      () => provider.json(WELL_KNOWN, { ...metadata(), end_session_endpoint: '/logout' }),
      /end_session_endpoint/,
    ],
  ])('refuses %s with invalid_metadata (transient)', async (_what, arrange, message) => {
    arrange();
    const error = await failure(discover(provider.url));
    expect(error).toBeInstanceOf(BatonError);
    expect(error.code).toBe('invalid_metadata');
    expect(error.terminal).toBe(false);
    expect(error.message).toMatch(message);
  });

  it('refuses an issuer that is not a URL, and says network when nothing answers', async () => {
    expect((await failure(discover('id.example'))).code).toBe('invalid_metadata');
    const closed = await routes();
    await closed.close();
    expect((await failure(discover(closed.url))).code).toBe('network');
  });

  it('reads RFC 8414 metadata for a plain OAuth 2.0 server', async () => {
    provider.json(
      '/.well-known/oauth-authorization-server/tenant',
      metadata(`${provider.url}/tenant`),
    );
    const read = await discover(`${provider.url}/tenant`, 'oauth-authorization-server');
    expect(read.issuer).toBe(`${provider.url}/tenant`);
  });
});

describe('the standard dialects', () => {
  it('discover once for every caller, then know every endpoint', async () => {
    provider.json(WELL_KNOWN, metadata());
    const dialect = oidc({ issuer: provider.url, clientId: 'spa' });
    expect(dialect.tokenUrl).toBe('');
    expect(() => dialect.buildTokenRequest({ type: 'refresh_token', refreshToken: 'r' })).toThrow(
      TypeError,
    );
    await Promise.all([dialect.discover?.(), dialect.discover?.(), dialect.discover?.()]);
    await dialect.discover?.();
    expect(provider.seen).toHaveLength(1);
    expect(dialect.tokenUrl).toBe(`${provider.url}/token`);
    expect(dialect.authorizeUrl).toBe(`${provider.url}/authorize`);
    expect(dialect.endSessionUrl).toBe(`${provider.url}/logout`);
    expect(dialect.buildRevocationRequest?.('rt', 'refresh_token')).toEqual({
      method: 'POST',
      url: `${provider.url}/revoke`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'token=rt&token_type_hint=refresh_token&client_id=spa',
    });
    expect(dialect.scope).toBe('openid');
    expect(dialect.oidc).toBe(true);
  });

  it('ask again after a failure, and a caller that aborts does not spoil it for the others', async () => {
    provider.json(WELL_KNOWN, {}, 503);
    const dialect = oidc({ issuer: provider.url, clientId: 'spa' });
    expect((await failure(dialect.discover?.() ?? Promise.resolve())).code).toBe(
      'invalid_metadata',
    );
    provider.json(WELL_KNOWN, metadata());
    const gone = new AbortController();
    const leaving = failure(dialect.discover?.({ signal: gone.signal }) ?? Promise.resolve());
    gone.abort();
    expect((await leaving).code).toBe('aborted');
    await dialect.discover?.();
    expect(dialect.tokenUrl).toBe(`${provider.url}/token`);
    expect(provider.seen).toHaveLength(2);
  });

  it('let explicit endpoints win over the document', async () => {
    provider.json(WELL_KNOWN, metadata());
    const dialect = oidc({
      issuer: provider.url,
      clientId: 'spa',
      tokenUrl: 'https://proxy.example/token',
      endSessionUrl: 'https://id.example/bye',
    });
    await dialect.discover?.();
    expect(dialect.tokenUrl).toBe('https://proxy.example/token');
    expect(dialect.endSessionUrl).toBe('https://id.example/bye');
    expect(dialect.authorizeUrl).toBe(`${provider.url}/authorize`);
  });

  it('refresh at the discovered token endpoint without a scope (RFC 6749 §6)', async () => {
    provider.json(WELL_KNOWN, metadata());
    provider.json('/token', {
      access_token: 'at2',
      token_type: 'Bearer',
      expires_in: 60,
      scope: 'openid',
    });
    const dialect = oauth2({ issuer: provider.url, clientId: 'spa', scope: 'openid profile' });
    provider.json('/.well-known/oauth-authorization-server', metadata());
    const answer = await requestTokens(dialect, { type: 'refresh_token', refreshToken: 'rt1' });
    expect(answer.result).toMatchObject({ accessToken: 'at2', scope: 'openid' });
    const token = provider.seen.find((s) => s.path === '/token');
    expect(Object.fromEntries(new URLSearchParams(token?.body))).toEqual({
      client_id: 'spa',
      grant_type: 'refresh_token',
      refresh_token: 'rt1',
    });
    expect(dialect.oidc).toBe(false);
  });

  it('need an issuer and a client id (TypeError)', () => {
    expect(() => oidc({ clientId: 'spa' } as never)).toThrow(TypeError);
    expect(() => oidc(undefined as never)).toThrow(TypeError);
  });
});
