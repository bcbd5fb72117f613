import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectMockServer,
  DIALECTS,
  type MockServer,
  mockEndpoints,
  startMockServer,
} from '../src/index.js';
import { signIn, tokenFetch } from './support.js';

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer();
});
afterAll(() => server.close());

describe('connectMockServer', () => {
  it('drives the server over HTTP as the server object does in-process', async () => {
    const client = connectMockServer(`${server.url}/ignored/path`);
    expect(client.url).toBe(server.url);
    await client.reset();
    await signIn(server.url, 'eiam');
    expect((await client.stats()).byDialect.eiam.signIns).toBe(1);
    expect(await client.stats()).toEqual(server.stats());

    const pending = await client.faults([{ route: 'token', status: 503 }, { latencyMs: 5 }]);
    expect(pending.map((f) => f.id)).toEqual(server.pendingFaults().map((f) => f.id));
    expect(await client.pendingFaults()).toHaveLength(2);
    await client.clearFaults();
    expect(server.pendingFaults()).toEqual([]);

    server.faults({ route: 'token', status: 503 });
    await client.reset();
    expect(server.pendingFaults()).toEqual([]);
    expect(server.stats().signIns).toBe(0);
  });

  it('rejects a fault spec the server refuses with a TypeError naming the key', async () => {
    const client = connectMockServer(server.url);
    await expect(
      client.faults({ route: 'token', status: 503, retryafter: 1 } as never),
    ).rejects.toThrow(
      new TypeError('mock server refused the fault: unknown or conflicting fault key: retryafter'),
    );
    expect(server.pendingFaults()).toEqual([]);
  });

  it('throws a TypeError at once for a URL that is not absolute', () => {
    expect(() => connectMockServer('127.0.0.1:4010/x')).toThrow(TypeError);
    expect(() => connectMockServer('/__mock')).toThrow(TypeError);
  });

  it('rejects when no server answers', async () => {
    const gone = await startMockServer();
    await gone.close();
    await expect(connectMockServer(gone.url).stats()).rejects.toThrow();
  });
});

describe('endpoints', () => {
  it('gives each dialect URLs that its demo client can use', async () => {
    for (const dialect of DIALECTS) {
      const e = server.endpoints(dialect);
      expect(e).toEqual(connectMockServer(server.url).endpoints(dialect));
      expect(e).toEqual(mockEndpoints(`${server.url}/`, dialect));
      expect(e.proxyUrl).toBe(`${server.url}/proxy/${dialect}`);
      expect(e.apiUrl).toBe(`${server.url}/api/me`);
      expect(e.authorizeUrl).toBe(`${server.url}/oauth2/authorize`);
      // The token URL is the route the demo client's requests go to.
      const response = await tokenFetch(server.url, dialect, { grant_type: 'password' });
      expect(response.url.split('?')[0]).toBe(e.tokenUrl);
    }
  });

  it('throws a TypeError for an unknown dialect', () => {
    expect(() => server.endpoints('okta' as never)).toThrow(TypeError);
  });
});
