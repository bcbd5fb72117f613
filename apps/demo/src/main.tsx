import { createTokenManager, isBatonError, type TokenManager } from '@baton/core';
import { dpop } from '@baton/core/dpop';
import { BatonProvider } from '@baton/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { DpopUnavailable } from './DpopUnavailable.js';
import { channelName, createDialect, readSettings } from './settings.js';
import { trackSigningKey } from './signingKey.js';
import { installTestHook } from './testHook.js';
import { createTimeline, describeEvent } from './timeline.js';
import './styles.css';

const settings = readSettings(location.search);
const createdAt = Date.now();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

/**
 * One manager for the page's life, created outside React (it outlives renders). With `&dpop=1`
 * where this browser has no IndexedDB or WebCrypto, `dpop()` throws `dpop_unavailable`: the page
 * says so and stops there, rather than fall back to bearer tokens.
 */
function createManager(): TokenManager | { readonly unavailable: string } {
  try {
    return createTokenManager({
      dialect: createDialect(settings),
      channel: channelName(settings),
      lock: settings.lock,
      ...(settings.dpop && { dpop: trackSigningKey(dpop()) }),
    });
  } catch (error) {
    if (isBatonError(error) && error.code === 'dpop_unavailable')
      return { unavailable: error.message };
    throw error;
  }
}

const manager = createManager();
if ('unavailable' in manager) {
  createRoot(root).render(
    <StrictMode>
      <DpopUnavailable settings={settings} why={manager.unavailable} />
    </StrictMode>,
  );
} else {
  const timeline = createTimeline(`${channelName(settings)}-timeline`, manager.tabId);
  manager.onEvent((event) => {
    const entry = describeEvent(event);
    if (entry) timeline.record(entry);
  });
  installTestHook({ manager, timeline, settings, createdAt });

  const queryClient = new QueryClient();
  createRoot(root).render(
    <StrictMode>
      <BatonProvider manager={manager}>
        <QueryClientProvider client={queryClient}>
          <App settings={settings} timeline={timeline} />
        </QueryClientProvider>
      </BatonProvider>
    </StrictMode>,
  );
}
