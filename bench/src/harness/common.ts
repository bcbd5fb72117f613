/** Shared by the harness pages. */
export const now = (): number => performance.timeOrigin + performance.now();

let offset: number | undefined;
/**
 * How far this page's `now()` runs ahead of the system clock, in ms. Each renderer process derives
 * `performance.timeOrigin` on its own, and two processes can disagree by a few ms: too much for
 * delays of a few ms between tabs. `Date.now()` reads the one system clock, but in whole ms: over
 * 20 ms of samples, `now() - Date.now()` averages the offset plus half a millisecond.
 */
export function clockOffset(): number {
  if (offset === undefined) {
    let sum = 0;
    let count = 0;
    const end = performance.now() + 20;
    while (performance.now() < end) {
      sum += now() - Date.now();
      count += 1;
    }
    offset = sum / count - 0.5;
  }
  return offset;
}

export const query = new URLSearchParams(location.search);

export function param(name: string): string {
  const value = query.get(name);
  if (value === null) throw new Error(`missing ?${name}=`);
  return value;
}

export const CLIENT = { id: 'TENANT_CLIENT_ID', secret: 'TENANT_CLIENT_SECRET' } as const;

/** GET /api/me with a token: is the session still alive at the server? */
export async function probe(mock: string, token: string | undefined) {
  if (!token) return 'signed-out' as const;
  const res = await fetch(`${mock}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? ('ok' as const) : ('rejected' as const);
}

/** The payload of a JWT (no verification: the peers read claims the same way). */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))) as Record<
    string,
    unknown
  >;
}
