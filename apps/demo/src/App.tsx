import { type ReactNode, useSyncExternalStore } from 'react';
import { ApiPanel } from './ApiPanel.js';
import { ClaimsPanel } from './ClaimsPanel.js';
import { GuardedView, readView, subscribeHash } from './GuardedView.js';
import { MockStats } from './MockStats.js';
import { ProviderStats } from './ProviderStats.js';
import { SessionPanel } from './SessionPanel.js';
import { SettingsBar } from './SettingsBar.js';
import { CLIENTS, isMockDialect, OIDC_ISSUER, type Settings } from './settings.js';
import { TimelinePanel } from './TimelinePanel.js';
import type { Timeline } from './timeline.js';

export function App({ settings, timeline }: { settings: Settings; timeline: Timeline }): ReactNode {
  const client = CLIENTS[settings.dialect];
  const view = useSyncExternalStore(subscribeHash, readView);
  return (
    <div className="app">
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <div>
            <h1>Baton</h1>
            <p className="tagline">One refresh, every tab.</p>
          </div>
        </div>
        <SettingsBar settings={settings} />
      </header>

      <main className="grid">
        {view === '#private' ? <GuardedView settings={settings} /> : null}
        <SessionPanel settings={settings} />
        <ApiPanel settings={settings} timeline={timeline} />
        <ClaimsPanel />
        <TimelinePanel timeline={timeline} />
      </main>

      <footer className="notes">
        {isMockDialect(settings.dialect) ? (
          <MockStats dialect={settings.dialect} timeline={timeline} />
        ) : (
          <ProviderStats timeline={timeline} />
        )}
        {!isMockDialect(settings.dialect) ? (
          <p data-testid="secret-note">
            <strong>A real OpenID provider:</strong> panva's certified <code>oidc-provider</code> at{' '}
            <code>{OIDC_ISSUER}</code>, reached cross-origin. The page knows only its issuer and the
            public client <code>{client.clientId}</code> (no secret: PKCE); the endpoints come from
            its discovery document. Sign-out revokes the refresh token there and ends the provider's
            session too.
          </p>
        ) : settings.proxy ? (
          <p data-testid="secret-note">
            <strong>Through the token proxy:</strong> this page sends no client secret. Its token
            requests go to <code>/proxy/{settings.dialect}</code>, which checks the origin and the
            grant type, adds the secret of <code>{client.clientId}</code> on the server and passes
            the provider's answer through: the set-up a real single-page app should use.
          </p>
        ) : (
          <p data-testid="secret-note">
            <strong>Demo only:</strong> this page sends the secret of the demo client{' '}
            <code>{client.clientId}</code> from the browser, as the seeds do. A real single-page app
            keeps no secret: it calls a same-origin token proxy that adds it on the server (tick
            "Token proxy" above).
            {client.inUrl
              ? ' This endpoint also takes the refresh token in the URL, where logs and proxies can record it: another reason for a proxy.'
              : ''}
          </p>
        )}
        <p>
          Open this page in more tabs (same settings) and watch them share one session: only one tab
          refreshes, the others adopt its tokens. Tokens stay in memory; the timeline shows events
          only, never a token.
        </p>
      </footer>
    </div>
  );
}
