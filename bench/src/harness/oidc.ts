/**
 * A page running oidc-client-ts 3 the way its docs set up renewal with a refresh token:
 * `UserManager` with `automaticSilentRenew`, the mock's discovery document (`authority`), and the
 * session in localStorage so that every tab shares it. Each tab's own timer renews the token
 * `skew` seconds before expiry; nothing coordinates the tabs.
 */
import { User, UserManager, type UserManagerSettings, WebStorageStateStore } from 'oidc-client-ts';
import { CLIENT, jwtClaims, param, probe, query } from './common.js';
import type { PeerPage } from './types.js';

const mock = param('mock');
const settings: UserManagerSettings = {
  authority: mock,
  client_id: CLIENT.id,
  client_secret: CLIENT.secret,
  redirect_uri: location.href,
  scope: 'openid',
  loadUserInfo: false,
  monitorSession: false,
  userStore: new WebStorageStateStore({ store: localStorage }),
  accessTokenExpiringNotificationTimeInSeconds: Number(query.get('skew') ?? 60),
};
let manager: UserManager | undefined;
let failures = 0;

const api: PeerPage = {
  async seed(raw) {
    const user = new User({
      access_token: raw.access_token,
      refresh_token: raw.refresh_token,
      token_type: raw.token_type ?? 'Bearer',
      scope: raw.scope ?? 'openid',
      profile: raw.id_token
        ? (jwtClaims(raw.id_token) as User['profile'])
        : ({} as User['profile']),
      expires_at: Math.floor(Date.now() / 1000) + raw.expires_in,
      ...(raw.id_token && { id_token: raw.id_token }),
    });
    await new UserManager({ ...settings, automaticSilentRenew: false }).storeUser(user);
  },
  async start() {
    manager = new UserManager({ ...settings, automaticSilentRenew: true });
    manager.events.addSilentRenewError(() => {
      failures += 1;
    });
    await manager.getUser();
  },
  async probe() {
    const user = await manager?.getUser();
    return probe(mock, user?.access_token);
  },
  failures: () => failures,
};

window.peer = api;
window.harnessReady = true;
