import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENTS,
  DIALECTS,
  type DialectName,
  type MockServer,
  startMockServer,
} from '../src/index.js';
import { answer, signIn } from './support.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/**
 * Each fuzz case is one real HTTP round trip, about 1 ms on an idle machine and several times
 * that on a loaded one: the timeout grows with the number of cases (20 s + 20 ms a case, so
 * 220 s for the 10,000-case run), as in the core's broadcastLock model test.
 */
const FUZZ_TIMEOUT_MS = 20_000 + FUZZ_RUNS * 20;

let server: MockServer;
let base: string;

beforeAll(async () => {
  server = await startMockServer();
  base = server.url;
});
afterAll(() => server.close());

/** The route's own error shape: `error` for the flat dialects, a non-zero `rc` for UAA. */
function isRouteError(dialect: DialectName, body: unknown): boolean {
  const b = body as Record<string, unknown> | undefined;
  if (dialect === 'uaa') return typeof b?.rc === 'number' && b.rc !== 0 && b.result === null;
  return typeof b?.error === 'string';
}

async function alive(): Promise<void> {
  expect((await fetch(`${base}/__mock/stats`)).status).toBe(200);
}

describe('bad input gets a 4xx in the route shape', () => {
  it.each(['ciam', 'eiam', 'chatroom'] as const)('%s: a 1 MB body is 413', async (dialect) => {
    const client = DEMO_CLIENTS[dialect];
    const a = await answer(
      await fetch(base + client.path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: `grant_type=password&x=${'a'.repeat(1024 * 1024)}`,
      }),
    );
    expect(a.status).toBe(413);
    expect(isRouteError(dialect, a.body)).toBe(true);
    await alive();
  });

  it.each(['ciam', 'chatroom'] as const)(
    '%s: wrong content type, non-UTF-8 bytes, bad escapes, repeats',
    async (dialect) => {
      const client = DEMO_CLIENTS[dialect];
      const valid = `grant_type=password&username=alice&password=alice-password&client_id=${client.clientId}&client_secret=${client.clientSecret}`;
      const bodies: [string, BodyInit][] = [
        ['application/json', JSON.stringify({ grant_type: 'password' })],
        ['text/plain', valid],
        ['application/x-www-form-urlencoded; charset=iso-8859-1', valid],
        ['application/x-www-form-urlencoded', new Uint8Array([0x67, 0x3d, 0xff, 0xfe, 0x80])],
        ['application/x-www-form-urlencoded', `${valid}&grant_type=refresh_token`],
        ['application/x-www-form-urlencoded', `${valid}&x=%E0%A4%A`],
        ['application/x-www-form-urlencoded', `${valid}&x=%FF`],
      ];
      for (const [type, body] of bodies) {
        const a = await answer(
          await fetch(base + client.path, {
            method: 'POST',
            headers: { 'Content-Type': type },
            body,
          }),
        );
        expect({ type, status: a.status }).toEqual({ type, status: 400 });
        expect(a.body).toMatchObject({ error: 'invalid_request' });
      }
      // A GET is the wrong method for a form route.
      const get = await answer(await fetch(base + client.path));
      expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
      expect(isRouteError(dialect, get.body)).toBe(true);
    },
  );

  it.each(['eiam', 'uaa'] as const)(
    '%s: repeated and badly escaped query parameters',
    async (dialect) => {
      const client = DEMO_CLIENTS[dialect];
      const q = new URLSearchParams({
        grant_type: 'password',
        username: 'alice',
        password: 'alice-password',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      });
      for (const extra of ['&username=bob', '&x=%FF', '&x=%zz', '&client_id=']) {
        const a = await answer(
          await fetch(`${base}${client.path}?${q}${extra}`, { method: client.method }),
        );
        expect({ extra, routeError: isRouteError(dialect, a.body) }).toEqual({
          extra,
          routeError: true,
        });
        expect(a.status).toBe(dialect === 'uaa' ? 200 : 400);
        if (dialect === 'uaa') expect((a.body as { rc: number }).rc).toBe(40000);
        else expect(a.body).toMatchObject({ error: 'invalid_request' });
      }
      // The same request without the junk signs in.
      expect((await fetch(`${base}${client.path}?${q}`, { method: client.method })).status).toBe(
        200,
      );
    },
  );

  it('survives raw protocol junk on the socket', async () => {
    const junk = [
      'GARBAGE\r\n\r\n',
      'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab', // then hang up
      'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \u00ff\u00fe\r\n\r\n',
      `GET /public/uaa/oauth2/token?\u00e9=1 HTTP/1.1\r\nHost: x\r\n\r\n`,
    ];
    for (const payload of junk) {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(server.port, '127.0.0.1');
        let data = '';
        socket.on('data', (d) => {
          data += d.toString('latin1');
        });
        socket.on('error', () => resolve(data));
        socket.on('close', () => resolve(data));
        socket.write(Buffer.from(payload, 'latin1'), () => setTimeout(() => socket.end(), 50));
      });
      expect(reply.startsWith('HTTP/1.1 5')).toBe(false);
    }
    await alive();
  });
});

describe('fuzz: random requests never get a 5xx and never stop the server', () => {
  const paramName = fc.oneof(
    fc.constantFrom(
      'grant_type',
      'client_id',
      'client_secret',
      'refresh_token',
      'username',
      'password',
      'scope',
    ),
    fc.string({ maxLength: 12 }),
  );
  const paramValue = fc.oneof(
    fc.constantFrom(
      'refresh_token',
      'password',
      'client_credentials',
      'alice',
      'alice-password',
      ...DIALECTS.flatMap((d) => [DEMO_CLIENTS[d].clientId, DEMO_CLIENTS[d].clientSecret]),
      '',
    ),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  const encodedParams = fc
    .array(fc.tuple(paramName, paramValue), { maxLength: 8 })
    .map((pairs) =>
      pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
    );
  // Raw strings too: stray %, +, & and = that no encoder would produce.
  const rawQuery = fc.oneof(
    encodedParams,
    fc.string({ maxLength: 60 }).map((s) => s.replace(/[#\s]/g, '%')),
  );
  const body = fc.oneof(
    encodedParams.map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
    fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  );
  // Header values a fetch client can actually send (no CR, LF, NUL; Latin-1 only).
  const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
  const headers = fc.record(
    {
      'content-type': fc.oneof(
        fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/x-www-form-urlencoded; charset=UTF-8',
          'application/json',
          'multipart/form-data; boundary=x',
        ),
        headerValue,
      ),
      authorization: fc.oneof(
        fc.constantFrom('Basic', 'Basic !!', 'Bearer', 'Bearer a.b.c'),
        headerValue.map((v) => `Basic ${Buffer.from(v).toString('base64')}`),
        headerValue.map((v) => `Bearer ${v}`),
        headerValue,
      ),
      origin: fc.constantFrom('http://localhost:5173', 'https://evil.example', 'null'),
    },
    { requiredKeys: [] },
  );
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');

  const routes = [...DIALECTS.map((d) => DEMO_CLIENTS[d].path), '/api/me'];

  it.each(routes)(
    '%s',
    async (path) => {
      await signIn(base, 'ciam'); // some live sessions around, so valid tokens exist
      await fc.assert(
        fc.asyncProperty(method, rawQuery, body, headers, async (m, q, b, h) => {
          const hasBody = m !== 'GET' && m !== 'HEAD';
          const r = await fetch(`${base}${path}${q === '' ? '' : `?${q}`}`, {
            method: m,
            headers: h,
            ...(hasBody && { body: b }),
          });
          const text = await r.text();
          expect(r.status, `${m} ${path}?${q} -> ${r.status} ${text}`).toBeGreaterThanOrEqual(200);
          expect(r.status, `${m} ${path}?${q} -> ${r.status} ${text}`).toBeLessThan(500);
          if (r.status >= 400 && m !== 'HEAD') {
            expect(() => JSON.parse(text), text).not.toThrow();
          }
        }),
        { numRuns: FUZZ_RUNS },
      );
      await alive();
    },
    FUZZ_TIMEOUT_MS,
  );
});
