/** The four seed dialects the mock speaks (see shared/seeds/). */
export const DIALECTS = ['ciam', 'eiam', 'uaa', 'chatroom'] as const;
/** One of {@link DIALECTS}. */
export type DialectName = (typeof DIALECTS)[number];

/** True for one of {@link DIALECTS}. */
export function isDialectName(value: unknown): value is DialectName {
  return typeof value === 'string' && (DIALECTS as readonly string[]).includes(value);
}

/** One demo client: the only client each route accepts, and where its parameters go. */
export interface DemoClient {
  /** The dialect whose route accepts it. */
  readonly dialect: DialectName;
  /** The token route's method. */
  readonly method: 'GET' | 'POST';
  /** The token route's path. */
  readonly path: string;
  /** Where the token request's parameters travel, as the seed documents it. */
  readonly paramsIn: 'form' | 'query';
  /** The only client id the route accepts. */
  readonly clientId: string;
  /** Demo data, printed at start: a mock has nothing to hide. */
  readonly clientSecret: string;
}

/** Fixed by DESIGN.md ("The demo contract"): the mock accepts exactly these. */
export const DEMO_CLIENTS: Readonly<Record<DialectName, DemoClient>> = {
  ciam: {
    dialect: 'ciam',
    method: 'POST',
    path: '/oauth2/token',
    paramsIn: 'form',
    clientId: 'TENANT_CLIENT_ID',
    clientSecret: 'TENANT_CLIENT_SECRET',
  },
  eiam: {
    dialect: 'eiam',
    method: 'POST',
    path: '/auth/oauth2/token',
    paramsIn: 'query',
    clientId: 'eiam-demo-client',
    // The special characters are deliberate: the seed says the secret must be URL-encoded.
    clientSecret: 'eiam-demo-secret+/=',
  },
  uaa: {
    dialect: 'uaa',
    method: 'GET',
    path: '/public/uaa/oauth2/token',
    paramsIn: 'query',
    clientId: '35LF2FSLHX5IRQA4',
    clientSecret: 'uaa-demo-secret',
  },
  chatroom: {
    dialect: 'chatroom',
    method: 'POST',
    path: '/chatroom/api/token',
    paramsIn: 'form',
    clientId: '000000',
    clientSecret: '999999',
  },
};

/** A user every route and the login page accept. */
export interface DemoUser {
  /** The sign-in name. */
  readonly username: string;
  /** The password (demo data). */
  readonly password: string;
  /** Opaque user id (UAA's `result.user_id`, chat-room's `sub`). */
  readonly userId: string;
  /** Small numeric id (UAA's `sub` and `user-id` claims, as in the seed). */
  readonly numericId: number;
}

/** `alice` / `alice-password` and `bob` / `bob-password`. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'alice', password: 'alice-password', userId: '10000001', numericId: 1 },
  { username: 'bob', password: 'bob-password', userId: '10000002', numericId: 2 },
];
