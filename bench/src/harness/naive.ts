/**
 * The naive wrapper many apps write: the session in localStorage, and in every tab a timer that
 * refreshes `skew` seconds before expiry with the refresh token it reads from localStorage then.
 * No lock, no messages between tabs.
 */
import { CLIENT, param, probe, query } from './common.js';
import type { PeerPage, RawTokens } from './types.js';

const mock = param('mock');
const skewMs = Number(query.get('skew') ?? 60) * 1000;
const KEY = 'naive-session';

interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: number;
}

const read = (): Session | undefined => {
  const raw = localStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as Session) : undefined;
};
const write = (raw: RawTokens, sentAt: number) =>
  localStorage.setItem(
    KEY,
    JSON.stringify({
      accessToken: raw.access_token,
      refreshToken: raw.refresh_token,
      expiresAt: sentAt + raw.expires_in * 1000,
    } satisfies Session),
  );

let failures = 0;
let signedOut = false;
let timer: ReturnType<typeof setTimeout> | undefined;

function schedule(session: Session | undefined): void {
  clearTimeout(timer);
  if (!session || signedOut) return;
  timer = setTimeout(refresh, Math.max(0, session.expiresAt - skewMs - Date.now()));
}

async function refresh(): Promise<void> {
  const session = read();
  if (!session) return;
  const sentAt = Date.now();
  const res = await fetch(`${mock}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: session.refreshToken,
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
    }),
  });
  if (!res.ok) {
    failures += 1;
    signedOut = true; // the refresh token was refused: this tab's session is over
    return;
  }
  write((await res.json()) as RawTokens, sentAt);
  schedule(read());
}

const api: PeerPage = {
  async seed(raw) {
    write(raw, Date.now());
  },
  async start() {
    schedule(read());
  },
  probe: () => probe(mock, signedOut ? undefined : read()?.accessToken),
  failures: () => failures,
};

window.peer = api;
window.harnessReady = true;
