import { DEMO_CLIENTS, type DialectName } from '../src/index.js';

/** A clock tests can move without sleeping. */
export class TestClock {
  t = Date.UTC(2030, 0, 1, 12, 0, 0);
  readonly now = (): number => this.t;
  advance(seconds: number): void {
    this.t += seconds * 1000;
  }
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  readonly body: unknown;
}

export async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/**
 * Sends a token request the way the seed documents it: form body for CIAM and chat-room, query
 * string for EIAM (POST) and UAA (GET). `secret: false` leaves the client secret out.
 */
export function tokenFetch(
  base: string,
  dialect: DialectName,
  params: Record<string, string>,
  init: { secret?: boolean | string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const client = DEMO_CLIENTS[dialect];
  const all = new URLSearchParams({ client_id: client.clientId });
  if (init.secret !== false) {
    all.set('client_secret', typeof init.secret === 'string' ? init.secret : client.clientSecret);
  }
  for (const [k, v] of Object.entries(params)) all.set(k, v);
  const signal = init.signal ? { signal: init.signal } : {};
  if (client.paramsIn === 'form') {
    return fetch(base + client.path, {
      method: client.method,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...init.headers },
      body: all.toString(),
      ...signal,
    });
  }
  return fetch(`${base}${client.path}?${all}`, {
    method: client.method,
    ...(init.headers && { headers: init.headers }),
    ...signal,
  });
}

export async function token(
  base: string,
  dialect: DialectName,
  params: Record<string, string>,
  init: Parameters<typeof tokenFetch>[3] = {},
): Promise<Answer> {
  return answer(await tokenFetch(base, dialect, params, init));
}

export interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

/** The tokens of a success body, wherever the dialect puts them. */
export function tokensOf(dialect: DialectName, body: unknown): Tokens {
  const b = (dialect === 'uaa' ? (body as { result: unknown }).result : body) as Record<
    string,
    unknown
  >;
  if (typeof b.access_token !== 'string' || typeof b.refresh_token !== 'string') {
    throw new Error(`no tokens in ${JSON.stringify(body)}`);
  }
  return { accessToken: b.access_token, refreshToken: b.refresh_token };
}

export async function signIn(
  base: string,
  dialect: DialectName,
  username = 'alice',
): Promise<Tokens & { body: unknown }> {
  const a = await token(base, dialect, {
    grant_type: 'password',
    username,
    password: `${username}-password`,
  });
  if (a.status !== 200) throw new Error(`sign-in failed: ${a.status} ${a.text}`);
  return { ...tokensOf(dialect, a.body), body: a.body };
}

export function refresh(base: string, dialect: DialectName, refreshToken: string): Promise<Answer> {
  return token(base, dialect, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** True when a token answer is the dialect's "this refresh token is dead" error. */
export function isInvalidGrant(dialect: DialectName, a: Answer): boolean {
  const body = a.body as Record<string, unknown> | undefined;
  if (dialect === 'uaa') return a.status === 200 && body?.rc === 40001;
  return a.status === 400 && body?.error === 'invalid_grant';
}

export async function me(base: string, accessToken: string | undefined): Promise<Answer> {
  return answer(
    await fetch(`${base}/api/me`, {
      headers: accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` },
    }),
  );
}

export function decodeJwt(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = jwt.split('.');
  const parse = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: parse(h), payload: parse(p) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
