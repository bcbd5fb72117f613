import type { BatonEvent } from '@baton/core';

/**
 * The live timeline of every open tab: each tab re-broadcasts its own manager's events (which
 * never carry a token) on a demo-only BroadcastChannel, and draws everyone's. A framework-free
 * store with `subscribe/getSnapshot`, like the core's.
 */

export type EntryKind =
  | 'opened'
  | 'refresh-start'
  | 'lock-acquired'
  | 'lock-lost'
  | 'refresh-success'
  | 'refresh-skipped'
  | 'refresh-failure'
  | 'tokens-adopted'
  | 'signed-in'
  | 'signed-out'
  | 'wake'
  | 'rejected'
  | 'api';

export interface TimelineEntry {
  /** `${tab}:${sequence}`: unique, so a replayed history never doubles an entry. */
  readonly id: string;
  readonly tab: string;
  readonly kind: EntryKind;
  /** Wall clock, ms (one machine: every tab's clock is the same). */
  readonly at: number;
  readonly generation?: number;
  /** A duration that belongs to the event (lock wait, refresh time, API round trip). */
  readonly ms?: number;
  /** A few words for the tooltip: a reason, an error code. Never a token. */
  readonly detail?: string;
}

export interface Lane {
  readonly tab: string;
  readonly self: boolean;
  readonly opened: number;
  /** When the tab went away (closed, navigated, or put in the back/forward cache). */
  readonly closed: number | undefined;
}

export interface TimelineState {
  readonly lanes: readonly Lane[];
  readonly entries: readonly TimelineEntry[];
}

type Message =
  | { readonly kind: 'entry'; readonly entry: TimelineEntry }
  | { readonly kind: 'hello'; readonly tab: string; readonly opened: number }
  | {
      readonly kind: 'history';
      readonly tab: string;
      readonly opened: number;
      readonly entries: readonly TimelineEntry[];
    }
  | { readonly kind: 'bye'; readonly tab: string; readonly at: number };

const VERSION = 1;
/** How far back the timeline remembers. */
const KEEP_MS = 3 * 60_000;
const MAX_ENTRIES = 600;
const KINDS: ReadonlySet<string> = new Set<EntryKind>([
  'opened',
  'refresh-start',
  'lock-acquired',
  'lock-lost',
  'refresh-success',
  'refresh-skipped',
  'refresh-failure',
  'tokens-adopted',
  'signed-in',
  'signed-out',
  'wake',
  'rejected',
  'api',
]);

const isString = (v: unknown, max = 64): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isOptionalCount = (v: unknown) =>
  v === undefined || (typeof v === 'number' && Number.isFinite(v) && v >= 0);

/** Channel data is untrusted input: only well-formed entries get drawn. */
function isEntry(v: unknown): v is TimelineEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    isString(e.id, 100) &&
    isString(e.tab) &&
    typeof e.kind === 'string' &&
    KINDS.has(e.kind) &&
    isTime(e.at) &&
    isOptionalCount(e.generation) &&
    isOptionalCount(e.ms) &&
    (e.detail === undefined || isString(e.detail, 80))
  );
}

function parseMessage(data: unknown): Message | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const m = data as Record<string, unknown>;
  if (m.v !== VERSION) return undefined;
  switch (m.kind) {
    case 'entry':
      return isEntry(m.entry) ? { kind: 'entry', entry: m.entry } : undefined;
    case 'hello':
      return isString(m.tab) && isTime(m.opened)
        ? { kind: 'hello', tab: m.tab, opened: m.opened }
        : undefined;
    case 'history':
      return isString(m.tab) &&
        isTime(m.opened) &&
        Array.isArray(m.entries) &&
        m.entries.length <= MAX_ENTRIES &&
        m.entries.every(isEntry)
        ? { kind: 'history', tab: m.tab, opened: m.opened, entries: m.entries }
        : undefined;
    case 'bye':
      return isString(m.tab) && isTime(m.at) ? { kind: 'bye', tab: m.tab, at: m.at } : undefined;
    default:
      return undefined;
  }
}

/** A BatonEvent as a timeline entry: only names, numbers and error codes are kept. */
export function describeEvent(
  event: BatonEvent,
): Omit<TimelineEntry, 'id' | 'tab' | 'at'> | undefined {
  switch (event.type) {
    case 'refresh-start':
      return { kind: 'refresh-start', generation: event.generation, detail: event.reason };
    case 'lock-acquired':
      return { kind: 'lock-acquired', ms: event.waitedMs };
    case 'lock-lost':
      return { kind: 'lock-lost' };
    case 'refresh-success':
      return { kind: 'refresh-success', generation: event.generation, ms: event.durationMs };
    case 'refresh-skipped':
      return { kind: 'refresh-skipped', generation: event.generation };
    case 'refresh-failure':
      return {
        kind: 'refresh-failure',
        detail:
          event.retryInMs === undefined
            ? event.error.code
            : `${event.error.code}, retry in ${(event.retryInMs / 1000).toFixed(1)} s`,
      };
    case 'tokens-adopted':
      return { kind: 'tokens-adopted', generation: event.generation, detail: event.from };
    case 'signed-in':
      return { kind: 'signed-in', generation: event.generation };
    case 'signed-out':
      return {
        kind: 'signed-out',
        detail: event.error ? `${event.reason}: ${event.error.code}` : event.reason,
      };
    case 'wake':
      return { kind: 'wake', detail: event.source };
    case 'message-rejected':
      return { kind: 'rejected', detail: event.reason.slice(0, 80) };
    default:
      return undefined;
  }
}

export interface Timeline {
  readonly tab: string;
  /** Adds one of this tab's own entries and tells the other tabs. */
  record(entry: Omit<TimelineEntry, 'id' | 'tab' | 'at'>): void;
  /** This tab's own entries, oldest first (the Playwright hook reads them). */
  own(): readonly TimelineEntry[];
  subscribe(listener: () => void): () => void;
  getSnapshot(): TimelineState;
}

export function createTimeline(channelName: string, tab: string): Timeline {
  const opened = Date.now();
  let sequence = 0;
  let state: TimelineState = {
    lanes: [{ tab, self: true, opened, closed: undefined }],
    entries: [],
  };
  const mine: TimelineEntry[] = [];
  const listeners = new Set<() => void>();
  let channel: BroadcastChannel | undefined;
  const post = (message: Message) => {
    try {
      channel?.postMessage({ ...message, v: VERSION });
    } catch {
      // The page is going away: nobody left to tell.
    }
  };

  function commit(lanes: readonly Lane[], entries: readonly TimelineEntry[]): void {
    const horizon = Date.now() - KEEP_MS;
    const kept = entries.filter((e) => e.at >= horizon).slice(-MAX_ENTRIES);
    const live = lanes.filter(
      (l) =>
        l.self ||
        l.closed === undefined ||
        l.closed >= horizon ||
        kept.some((e) => e.tab === l.tab),
    );
    state = { lanes: live, entries: kept };
    for (const listener of listeners) listener();
  }

  function upsertLane(lanes: readonly Lane[], other: string, since: number): readonly Lane[] {
    const found = lanes.find((l) => l.tab === other);
    if (found?.closed === undefined && found) return lanes;
    if (found) return lanes.map((l) => (l.tab === other ? { ...l, closed: undefined } : l));
    return [...lanes, { tab: other, self: false, opened: since, closed: undefined }].sort(
      (a, b) => a.opened - b.opened,
    );
  }

  function merge(incoming: readonly TimelineEntry[]): readonly TimelineEntry[] {
    const known = new Set(state.entries.map((e) => e.id));
    const fresh = incoming.filter((e) => !known.has(e.id));
    return fresh.length === 0
      ? state.entries
      : [...state.entries, ...fresh].sort((a, b) => a.at - b.at);
  }

  const onMessage = (event: MessageEvent) => {
    const message = parseMessage(event.data);
    if (!message) return;
    switch (message.kind) {
      case 'entry':
        commit(
          upsertLane(state.lanes, message.entry.tab, message.entry.at),
          merge([message.entry]),
        );
        return;
      case 'hello':
        commit(upsertLane(state.lanes, message.tab, message.opened), state.entries);
        post({ kind: 'history', tab, opened, entries: mine });
        return;
      case 'history':
        commit(upsertLane(state.lanes, message.tab, message.opened), merge(message.entries));
        return;
      case 'bye':
        commit(
          state.lanes.map((l) => (l.tab === message.tab ? { ...l, closed: message.at } : l)),
          state.entries,
        );
        return;
    }
  };

  /**
   * Open while the page is shown. A page in the back/forward cache that receives a message is
   * evicted from it, so the timeline lets go of its channel on the way in and asks for what it
   * missed on the way back. (The manager's own channel stays open: see the e2e bfcache test.)
   */
  const open = () => {
    if (channel || typeof BroadcastChannel === 'undefined') return;
    channel = new BroadcastChannel(channelName);
    channel.onmessage = onMessage;
  };

  const record: Timeline['record'] = (described) => {
    const entry: TimelineEntry = { ...described, id: `${tab}:${++sequence}`, tab, at: Date.now() };
    mine.push(entry);
    if (mine.length > MAX_ENTRIES) mine.splice(0, mine.length - MAX_ENTRIES);
    commit(state.lanes, [...state.entries, entry]);
    post({ kind: 'entry', entry });
  };

  const hello = () => post({ kind: 'hello', tab, opened });
  globalThis.addEventListener?.('pageshow', (event) => {
    if (!(event as PageTransitionEvent).persisted) return;
    // Back from the back/forward cache: the channel missed everything meanwhile, so ask again.
    open();
    commit(
      state.lanes.map((l) => (l.self ? { ...l, closed: undefined } : l)),
      state.entries,
    );
    hello();
  });
  globalThis.addEventListener?.('pagehide', (event) => {
    post({ kind: 'bye', tab, at: Date.now() });
    if ((event as PageTransitionEvent).persisted) {
      channel?.close();
      channel = undefined;
    }
  });
  open();
  record({ kind: 'opened' });
  hello();

  return {
    tab,
    record,
    own: () => mine,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot: () => state,
  };
}
