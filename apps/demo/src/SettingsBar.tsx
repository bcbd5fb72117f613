import { useTokenManager } from '@baton/react';
import type { ReactNode } from 'react';
import {
  CLIENTS,
  canDpop,
  type DemoLock,
  DIALECTS,
  type DialectName,
  isMockDialect,
  LOCKS,
  type Settings,
  settingsHref,
} from './settings.js';

const LOCK_LABELS: Record<DemoLock, string> = {
  auto: 'auto',
  broadcast: 'BroadcastChannel lease',
  'web-locks': 'Web Locks',
};

/** Endpoint, lock and proxy pickers: each choice is a page of its own (`?dialect=…&lock=…&proxy=1`). */
export function SettingsBar({ settings }: { settings: Settings }): ReactNode {
  const manager = useTokenManager();
  const go = (next: Settings) => location.assign(settingsHref(next));
  return (
    <div className="settings">
      <label>
        <span>Endpoint</span>
        <select
          data-testid="dialect-select"
          value={settings.dialect}
          onChange={(e) => go({ ...settings, dialect: e.target.value as DialectName })}
        >
          {DIALECTS.map((d) => (
            <option key={d} value={d}>
              {CLIENTS[d].label}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Lock</span>
        <select
          data-testid="lock-select"
          value={settings.lock}
          onChange={(e) => go({ ...settings, lock: e.target.value as DemoLock })}
        >
          {LOCKS.map((l) => (
            <option key={l} value={l}>
              {LOCK_LABELS[l]}
            </option>
          ))}
        </select>
      </label>
      <label
        className="toggle"
        title={
          isMockDialect(settings.dialect)
            ? "Token requests through the mock's token proxy, which adds the client secret on the server"
            : 'A public client has no secret to hide: no token proxy'
        }
      >
        <input
          type="checkbox"
          data-testid="proxy-toggle"
          disabled={!isMockDialect(settings.dialect) || settings.dpop}
          checked={settings.proxy}
          onChange={(e) => go({ ...settings, proxy: e.target.checked })}
        />
        <span>Token proxy</span>
      </label>
      <label
        className="toggle"
        title={
          canDpop(settings.dialect)
            ? 'DPoP (RFC 9449): tokens bound to a key no script can read, one for all tabs'
            : 'DPoP: CIAM (the mock) and OpenID Connect only'
        }
      >
        <input
          type="checkbox"
          data-testid="dpop-toggle"
          disabled={!canDpop(settings.dialect)}
          checked={settings.dpop}
          onChange={(e) => go({ ...settings, dpop: e.target.checked })}
        />
        <span>DPoP</span>
      </label>
      <span className="chip" title="The lock this tab really uses">
        in use: <b data-testid="lock-kind">{manager.lockKind}</b>
      </span>
      {/* This page's settings, never its address: a redirect's callback may still be there. */}
      <a className="button ghost" href={settingsHref(settings)} target="_blank" rel="noopener">
        Open another tab ↗
      </a>
    </div>
  );
}
