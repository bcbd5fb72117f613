import type { EntryKind, Lane, TimelineEntry } from './timeline.js';

/** What became of the newest generation, in numbers: the timeline's headline says it in words. */
export type Summary =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'signed-out';
      readonly by: string;
      /** Other tabs that signed out after it. */
      readonly followed: number;
      /** The slowest of them, ms after the sign-out; undefined when none followed. */
      readonly withinMs: number | undefined;
    }
  | {
      readonly kind: 'signed-in' | 'refresh';
      readonly by: string;
      readonly generation: number | undefined;
      /** Open tabs other than `by`. */
      readonly others: number;
      /** How many of those `others` hold the generation by adoption (each counted once). */
      readonly adopted: number;
      /** The slowest adoption that came after the event was recorded, ms; else undefined. */
      readonly withinMs: number | undefined;
      readonly skipped: number;
    };

const EVENTS: ReadonlySet<EntryKind> = new Set(['refresh-success', 'signed-in', 'signed-out']);

const slowest = (list: readonly TimelineEntry[], from: number): number | undefined => {
  const late = list.map((e) => e.at - from).filter((ms) => ms > 0);
  return late.length === 0 ? undefined : Math.max(...late);
};

/**
 * Summarises the newest sign-in, refresh or sign-out. A refreshing tab tells the others before it
 * records its success (the news goes out while it still holds the lock), so their adoptions often
 * come first on the clock: an adoption counts from the refresh's start, not from its record.
 */
export function summarize(entries: readonly TimelineEntry[], lanes: readonly Lane[]): Summary {
  // A `remote` sign-out follows another tab's: the headline is about the one that started it.
  const last = [...entries]
    .reverse()
    .find((e) => EVENTS.has(e.kind) && !(e.kind === 'signed-out' && e.detail === 'remote'));
  if (!last) return { kind: 'none' };
  const live = new Set(lanes.filter((l) => l.closed === undefined).map((l) => l.tab));
  const byOthers = (kind: EntryKind) =>
    entries.filter((e) => e.kind === kind && e.tab !== last.tab && live.has(e.tab));
  if (last.kind === 'signed-out') {
    const followed = byOthers('signed-out').filter((e) => e.at >= last.at);
    return {
      kind: 'signed-out',
      by: last.tab,
      followed: new Set(followed.map((e) => e.tab)).size,
      withinMs: slowest(followed, last.at),
    };
  }
  // `ms` of a refresh-success is how long it took: the generation exists from its start.
  const since = last.at - (last.ms ?? 0);
  const adoptions = byOthers('tokens-adopted').filter(
    (e) => e.generation === last.generation && e.at >= since,
  );
  return {
    kind: last.kind === 'signed-in' ? 'signed-in' : 'refresh',
    by: last.tab,
    generation: last.generation,
    others: [...live].filter((tab) => tab !== last.tab).length,
    adopted: new Set(adoptions.map((e) => e.tab)).size,
    withinMs: slowest(adoptions, last.at),
    skipped: entries.filter((e) => e.kind === 'refresh-skipped' && e.generation === last.generation)
      .length,
  };
}
