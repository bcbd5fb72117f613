import type { TokenManager } from '@baton/core';
import type { Settings } from './settings.js';
import type { Timeline, TimelineEntry } from './timeline.js';

/**
 * What Playwright reads (`window.__baton`). The manager is there for `getSnapshot()`,
 * `lockKind` and `tabId`; tests must never print a token, and the app never logs one.
 */
export interface BatonTestHook {
  readonly manager: TokenManager;
  readonly settings: Settings;
  /** Wall-clock ms just before the manager was created (hand-off times count from it). */
  readonly createdAt: number;
  /** This tab's own events, oldest first (no tokens in them). */
  events(): readonly TimelineEntry[];
  /**
   * Every tab's events this tab has seen on the demo's timeline, its own included, oldest first:
   * what a tab that navigated away (to a provider's logout page) recorded before it left.
   */
  timeline(): readonly TimelineEntry[];
  /** Every `pageshow` of this page load: `persisted` is true after a back/forward-cache restore. */
  readonly pageshows: { readonly at: number; readonly persisted: boolean }[];
}

declare global {
  interface Window {
    __baton?: BatonTestHook;
  }
}

export function installTestHook(options: {
  manager: TokenManager;
  timeline: Timeline;
  settings: Settings;
  createdAt: number;
}): void {
  const pageshows: { at: number; persisted: boolean }[] = [];
  window.addEventListener('pageshow', (event) =>
    pageshows.push({ at: Date.now(), persisted: event.persisted }),
  );
  window.__baton = {
    manager: options.manager,
    settings: options.settings,
    createdAt: options.createdAt,
    events: () => options.timeline.own(),
    timeline: () => options.timeline.getSnapshot().entries,
    pageshows,
  };
}
