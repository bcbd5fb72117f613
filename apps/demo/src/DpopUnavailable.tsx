import type { ReactNode } from 'react';
import { type Settings, settingsHref } from './settings.js';

/**
 * `&dpop=1` where the browser cannot keep a non-extractable key (no IndexedDB or WebCrypto:
 * Safari's Lockdown Mode, old browsers): the demo says so instead of using bearer tokens.
 */
export function DpopUnavailable({ settings, why }: { settings: Settings; why: string }): ReactNode {
  return (
    <div className="app">
      <section className="card" aria-labelledby="dpop-unavailable-title">
        <h2 id="dpop-unavailable-title">DPoP is not available in this browser</h2>
        <p className="warn" role="alert" data-testid="dpop-unavailable">
          dpop_unavailable: {why}
        </p>
        <p className="muted small">
          The demo does not fall back to bearer tokens by itself.{' '}
          <a href={settingsHref({ ...settings, dpop: false })}>Use bearer tokens instead</a>.
        </p>
      </section>
    </div>
  );
}
