import type { TokenManager } from '@baton/core';
import type { Settings } from './settings.js';
import { signingKey } from './signingKey.js';
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
  /**
   * DPoP (`&dpop=1`): the key each generation this tab held was bound to, as its access token
   * says (`cnf.jkt`, RFC 9449 §6.1: a public thumbprint, no secret), one entry per generation,
   * oldest first. Empty without DPoP or with opaque tokens.
   */
  bindings(): readonly Binding[];
  /**
   * DPoP: the thumbprint of the key this tab last signed a proof with (the session's
   * `TokenSet.jkt`, which an opaque access token does not show); `undefined` before its first.
   */
  signingKey(): string | undefined;
}

export interface Binding {
  readonly generation: number;
  /** The access token's `cnf.jkt`; `undefined` for a token bound to no key (a bearer token). */
  readonly jkt: string | undefined;
}

/** The `cnf.jkt` of an access token's claims (RFC 9449 §6.1), if it has one. */
export function boundTo(claims: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const cnf = claims?.cnf;
  if (typeof cnf !== 'object' || cnf === null) return undefined;
  const { jkt } = cnf as { jkt?: unknown };
  return typeof jkt === 'string' ? jkt : undefined;
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
  const bindings: Binding[] = [];
  const bind = () => {
    const { generation, claims, status } = options.manager.getSnapshot();
    if (status === 'signed-out' || generation === 0) return;
    const jkt = boundTo(claims);
    const last = bindings.at(-1);
    if (last?.generation === generation && last.jkt === jkt) return;
    bindings.push({ generation, jkt });
  };
  options.manager.subscribe(bind);
  bind();
  window.__baton = {
    manager: options.manager,
    settings: options.settings,
    createdAt: options.createdAt,
    events: () => options.timeline.own(),
    timeline: () => options.timeline.getSnapshot().entries,
    pageshows,
    bindings: () => [...bindings],
    signingKey,
  };
}
