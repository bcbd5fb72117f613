/** `BENCH_QUICK=1`: a smoke run of every benchmark with few repetitions (about a minute). */
export const QUICK = process.env.BENCH_QUICK === '1';

/** Picks the full or the quick value. */
export const scale = <T>(full: T, quick: T): T => (QUICK ? quick : full);

/** The demo client and user of the mock's CIAM route (`POST /oauth2/token`). */
export const CIAM = {
  clientId: 'TENANT_CLIENT_ID',
  clientSecret: 'TENANT_CLIENT_SECRET',
  path: '/oauth2/token',
  username: 'alice',
  password: 'alice-password',
} as const;
