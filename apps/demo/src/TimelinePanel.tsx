import { useTokenManager } from '@baton/react';
import {
  type CSSProperties,
  memo,
  type ReactNode,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { summarize } from './summary.js';
import type { EntryKind, Lane, Timeline, TimelineEntry } from './timeline.js';
import { shortTab, useNow } from './useNow.js';

const narrowQuery = matchMedia('(max-width: 640px)');
const subscribeNarrow = (listener: () => void) => {
  narrowQuery.addEventListener('change', listener);
  return () => narrowQuery.removeEventListener('change', listener);
};
const isNarrow = () => narrowQuery.matches;

const two = (n: number) => String(n).padStart(2, '0');
/** `14:05:09`, local time (toLocaleTimeString is slow enough to show in a profile). */
const clock = (at: number) => {
  const d = new Date(at);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

/** A stable colour per tab, so a tab is recognisable across lanes and summaries. */
export function tabHue(tab: string): number {
  let hash = 0;
  for (const char of tab) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % 360;
}

interface Span {
  readonly start: number;
  readonly locked: number | undefined;
  readonly end: number;
  readonly outcome: 'success' | 'skipped' | 'failure' | 'running';
}

const ENDS: Partial<Record<EntryKind, Span['outcome']>> = {
  'refresh-success': 'success',
  'refresh-skipped': 'skipped',
  'refresh-failure': 'failure',
  'signed-out': 'failure',
};

/** Refresh attempts as spans: waiting for the lock, then holding it, then the outcome. */
function spansOf(entries: readonly TimelineEntry[], now: number): Span[] {
  const spans: Span[] = [];
  let open: { start: number; locked: number | undefined } | undefined;
  for (const e of entries) {
    if (e.kind === 'refresh-start') open = { start: e.at, locked: undefined };
    else if (e.kind === 'lock-acquired' && open) open.locked = e.at;
    else if (open && ENDS[e.kind]) {
      spans.push({ ...open, end: e.at, outcome: ENDS[e.kind] ?? 'failure' });
      open = undefined;
    }
  }
  if (open) spans.push({ ...open, end: now, outcome: 'running' });
  return spans;
}

/** Whether the lane's last refresh has not ended yet. */
function inFlight(entries: readonly TimelineEntry[]): boolean {
  for (let i = entries.length - 1; i >= 0; i--) {
    const kind = entries[i]?.kind;
    if (kind === 'refresh-start') return true;
    if (kind && ENDS[kind]) return false;
  }
  return false;
}

interface Marker {
  readonly text: string;
  readonly className: string;
}

function markerOf(e: TimelineEntry): Marker | undefined {
  const g = e.generation === undefined ? '' : ` g${e.generation}`;
  switch (e.kind) {
    case 'refresh-success':
      return { text: `↻${g}`, className: 'pill refresh' };
    case 'refresh-skipped':
      return { text: '', className: 'tick skipped' };
    case 'tokens-adopted':
      return { text: `⇣${g}`, className: 'pill adopted' };
    case 'refresh-failure':
      return { text: `✕ ${e.detail?.split(',')[0] ?? ''}`, className: 'pill failure' };
    case 'signed-in':
      return { text: `sign-in${g}`, className: 'pill signin' };
    case 'signed-out':
      return { text: 'signed out', className: 'pill signout' };
    case 'opened':
      return { text: '', className: 'tick opened' };
    case 'api':
      return { text: '', className: `tick api ${e.detail === 'ok' ? 'ok' : 'bad'}` };
    case 'wake':
      return { text: '', className: 'tick wake' };
    case 'rejected':
      return { text: '', className: 'tick rejected' };
    default:
      return undefined;
  }
}

function describe(e: TimelineEntry): string {
  const parts = [e.kind.replace('-', ' ')];
  if (e.generation !== undefined) parts.push(`generation ${e.generation}`);
  if (e.kind === 'lock-acquired' && e.ms !== undefined) parts.push(`waited ${e.ms} ms`);
  else if (e.ms !== undefined) parts.push(`${e.ms} ms`);
  if (e.detail) parts.push(e.detail);
  return `${parts.join(' · ')} · ${clock(e.at)}`;
}

/** "One refresh, every tab", in words: what became of the newest generation. */
function headline(entries: readonly TimelineEntry[], lanes: readonly Lane[]): ReactNode {
  const summary = summarize(entries, lanes);
  if (summary.kind === 'none')
    return 'Sign in, open a few tabs, and watch one refresh serve them all.';
  const within = summary.withinMs === undefined ? '' : ` within ${summary.withinMs} ms`;
  const by = <TabName tab={summary.by} />;
  if (summary.kind === 'signed-out') {
    const { followed } = summary;
    return (
      <>
        Signed out by {by}; {followed} other tab{followed === 1 ? '' : 's'} followed{within}.
      </>
    );
  }
  const { generation, others, adopted, skipped } = summary;
  return (
    <>
      Generation <b>{generation}</b>: {summary.kind === 'signed-in' ? 'signed in' : 'one refresh'}{' '}
      by {by}
      {others === 0
        ? '. Open another tab to watch it share the session.'
        : `; ${adopted} of ${others} other tab${others === 1 ? '' : 's'} adopted it${within}${
            skipped > 0 ? `, ${skipped} skipped a refresh of their own` : ''
          }.`}
    </>
  );
}

/** How many requests the tabs sent, against how many tabs got the result. */
function tally(entries: readonly TimelineEntry[], from: number): string {
  let sent = 0;
  let adopted = 0;
  let skipped = 0;
  for (const e of entries) {
    if (e.at < from) continue;
    if (e.kind === 'refresh-success') sent += 1;
    else if (e.kind === 'tokens-adopted') adopted += 1;
    else if (e.kind === 'refresh-skipped') skipped += 1;
  }
  return `${sent} refresh${sent === 1 ? '' : 'es'} sent · ${adopted} adoption${adopted === 1 ? '' : 's'} · ${skipped} skipped`;
}

function TabName({ tab }: { tab: string }): ReactNode {
  const manager = useTokenManager();
  return (
    <span className="tab-name" style={{ '--hue': tabHue(tab) } as CSSProperties}>
      <i aria-hidden="true" />
      {tab === manager.tabId ? 'this tab' : `tab ${shortTab(tab)}`}
    </span>
  );
}

interface LaneProps {
  readonly lane: Lane;
  /** This lane's entries, oldest first (a new array only when one was added). */
  readonly entries: readonly TimelineEntry[];
  /** Where the strip starts: positions are `(at - origin) / windowMs` of the track's width. */
  readonly origin: number;
  readonly windowMs: number;
  /** Set only while a refresh of this lane is in flight (it grows with the clock). */
  readonly now: number | undefined;
  /** Where the ruler's lines are, as fractions of the track (static: they do not slide). */
  readonly ruler: string;
}

/**
 * One tab's lane. Everything is placed once, on a strip that slides left under CSS (one style
 * change a second, animated by the compositor), so a lane renders again only when it changes.
 */
const LaneRow = memo(function LaneRow(props: LaneProps) {
  const { lane, entries, origin, windowMs, now, ruler } = props;
  const adopted = new Set(
    entries.filter((e) => e.kind === 'tokens-adopted').map((e) => e.generation ?? -1),
  );
  const x = (at: number) => `${(((at - origin) / windowMs) * 100).toFixed(3)}%`;
  const w = (ms: number) => `${((Math.max(0, ms) / windowMs) * 100).toFixed(3)}%`;
  return (
    <div
      className={`lane${lane.self ? ' self' : ''}${lane.closed ? ' closed' : ''}`}
      data-testid="timeline-lane"
      data-tab={lane.tab}
      style={{ '--hue': tabHue(lane.tab) } as CSSProperties}
    >
      <div className="lane-label">
        <i aria-hidden="true" />
        <span className="lane-name">{shortTab(lane.tab)}</span>
        {lane.self ? <span className="tag">this tab</span> : null}
        {lane.closed ? <span className="tag">gone</span> : null}
      </div>
      <div className="track">
        {ruler.split(' ').map((left) => (
          <span key={left} className="grid-line" style={{ left }} />
        ))}
        <div className="strip">
          {lane.closed ? (
            <span className="gone" style={{ left: x(lane.closed), width: w(windowMs * 2) }} />
          ) : null}
          {spansOf(entries, now ?? 0).map((s) => (
            <span key={s.start} className={`span ${s.outcome}`}>
              <span
                className="wait"
                style={{ left: x(s.start), width: w((s.locked ?? s.end) - s.start) }}
                title={`waiting for the lock: ${(s.locked ?? s.end) - s.start} ms`}
              />
              {s.locked === undefined ? null : (
                <span
                  className="hold"
                  style={{ left: x(s.locked), width: w(s.end - s.locked) }}
                  title={`holding the lock: ${s.end - s.locked} ms`}
                />
              )}
            </span>
          ))}
          {entries.map((e) => {
            // A skip right after adopting the same generation says nothing the ⇣ pill does not.
            if (e.kind === 'refresh-skipped' && adopted.has(e.generation ?? -1)) return null;
            const marker = markerOf(e);
            return marker ? (
              <span
                key={e.id}
                className={`mark ${marker.className}`}
                style={{ left: x(e.at) }}
                title={describe(e)}
                data-kind={e.kind}
              >
                {marker.text}
              </span>
            ) : null;
          })}
        </div>
      </div>
    </div>
  );
});

/** What the marks mean (static: rendered once). */
const Legend = memo(function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="swatch wait" /> waiting for the lock
      </li>
      <li>
        <span className="swatch hold" /> holding it
      </li>
      <li>
        <span className="mark pill refresh static">↻ g</span> refreshed (sent the one request)
      </li>
      <li>
        <span className="mark pill adopted static">⇣ g</span> adopted from another tab
      </li>
      <li>
        <span className="mark tick skipped static" /> skipped: another tab was first
      </li>
      <li>
        <span className="mark tick api ok static" /> API call
      </li>
    </ul>
  );
});

/** One lane per open tab, events along the last seconds: the picture of "one refresh, every tab". */
export function TimelinePanel({ timeline }: { timeline: Timeline }): ReactNode {
  const { lanes, entries } = useSyncExternalStore(timeline.subscribe, timeline.getSnapshot);
  const narrow = useSyncExternalStore(subscribeNarrow, isNarrow);
  const now = useNow(250);
  const [origin] = useState(() => Math.floor(Date.now() / 1000) * 1000);
  const windowMs = narrow ? 16_000 : 40_000;
  const step = narrow ? 4000 : 10_000;
  const from = now - windowMs;
  const shift = ((origin - (now - windowMs)) / windowMs) * 100;
  // Each lane's entries, as the same array while nothing was added to it: lanes render on change.
  const previous = useRef(new Map<string, readonly TimelineEntry[]>());
  const byTab = useMemo(() => {
    const grouped = new Map<string, TimelineEntry[]>();
    for (const e of entries) {
      const list = grouped.get(e.tab);
      if (list) list.push(e);
      else grouped.set(e.tab, [e]);
    }
    const stable = new Map<string, readonly TimelineEntry[]>();
    for (const [tab, list] of grouped) {
      const old = previous.current.get(tab);
      const same =
        old?.length === list.length &&
        old[0]?.id === list[0]?.id &&
        old.at(-1)?.id === list.at(-1)?.id;
      stable.set(tab, same && old ? old : list);
    }
    previous.current = stable;
    return stable;
  }, [entries]);
  const summary = useMemo(() => headline(entries, lanes), [entries, lanes]);
  // A static ruler, in seconds before now: the events slide along it.
  const marks: number[] = [];
  for (let ago = step; ago < windowMs; ago += step) marks.push(ago);
  const at = (ago: number) => `${(((windowMs - ago) / windowMs) * 100).toFixed(3)}%`;
  const ruler = marks.map(at).join(' ');

  return (
    <section className="card timeline" aria-labelledby="timeline-title" data-testid="timeline">
      <div className="card-head">
        <h2 id="timeline-title">Every open tab</h2>
        <span className="muted small" data-testid="timeline-tally">
          last {windowMs / 1000} s: {tally(entries, from)}
        </span>
      </div>
      <p className="headline" data-testid="timeline-headline">
        {summary}
      </p>

      <div className="lanes" style={{ '--shift': `${shift.toFixed(3)}%` } as CSSProperties}>
        {lanes.map((lane) => {
          const mine = byTab.get(lane.tab) ?? NONE;
          return (
            <LaneRow
              key={lane.tab}
              lane={lane}
              entries={mine}
              origin={origin}
              windowMs={windowMs}
              now={inFlight(mine) ? now : undefined}
              ruler={ruler}
            />
          );
        })}
        <div className="axis" aria-hidden="true">
          <div className="lane-label" />
          <div className="track">
            {marks.map((ago) => (
              <span key={ago} className="axis-tick" style={{ left: at(ago) }}>
                −{ago / 1000} s
              </span>
            ))}
            <span className="axis-tick now">now</span>
          </div>
        </div>
      </div>

      <Legend />
    </section>
  );
}

const NONE: readonly TimelineEntry[] = [];
