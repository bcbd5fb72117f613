import { createTokenManager } from '@baton/core';
import { BatonProvider } from '@baton/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { channelName, createDialect, readSettings } from './settings.js';
import { installTestHook } from './testHook.js';
import { createTimeline, describeEvent } from './timeline.js';
import './styles.css';

const settings = readSettings(location.search);
const createdAt = Date.now();
// One manager for the page's life, created outside React (it outlives renders).
const manager = createTokenManager({
  dialect: createDialect(settings),
  channel: channelName(settings),
  lock: settings.lock,
});
const timeline = createTimeline(`${channelName(settings)}-timeline`, manager.tabId);
manager.onEvent((event) => {
  const entry = describeEvent(event);
  if (entry) timeline.record(entry);
});
installTestHook({ manager, timeline, settings, createdAt });

const queryClient = new QueryClient();
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <BatonProvider manager={manager}>
      <QueryClientProvider client={queryClient}>
        <App settings={settings} timeline={timeline} />
      </QueryClientProvider>
    </BatonProvider>
  </StrictMode>,
);
