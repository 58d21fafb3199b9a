import { TimeWindow } from '../shared/paging/page';
// Silence windows of a source from its active-minute sets (one item per source and day, written by
// ingest), so gap detection reads at most a few items instead of every event.

export interface Gap {
  /** Start of the first silent minute. */
  from: string;
  /** Start of the next active minute, or the end of the examined window. */
  to: string;
  minutes: number;
  /** The silence runs into the end of the examined window (it may still be going on). */
  open_end: boolean;
}

export interface GapReport {
  gaps: Gap[];
  examined_minutes: number;
  active_minutes: number;
}

const MINUTE_MS = 60_000;

/**
 * Examines every UTC minute overlapping the window (a `to` on a minute boundary ends before that
 * minute); runs of silent minutes at least `minGapMinutes` long are gaps.
 */
export function findGaps(
  active: ReadonlyMap<string, readonly number[]>,
  window: TimeWindow,
  minGapMinutes: number,
): GapReport {
  const first = Math.floor(Date.parse(window.from) / MINUTE_MS);
  const end = Math.ceil(Date.parse(window.to) / MINUTE_MS);
  const sets = new Map<string, Set<number>>();
  for (const [day, minutes] of active) sets.set(day, new Set(minutes));
  const isActive = (m: number): boolean => {
    const iso = new Date(m * MINUTE_MS).toISOString();
    const minuteOfDay = Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16));
    return sets.get(iso.slice(0, 10))?.has(minuteOfDay) ?? false;
  };
  const gaps: Gap[] = [];
  let activeCount = 0;
  let runStart: number | undefined;
  const close = (m: number) => {
    if (runStart !== undefined && m - runStart >= minGapMinutes) {
      gaps.push({
        from: new Date(runStart * MINUTE_MS).toISOString(),
        to: new Date(m * MINUTE_MS).toISOString(),
        minutes: m - runStart,
        open_end: m === end,
      });
    }
    runStart = undefined;
  };
  for (let m = first; m < end; m++) {
    if (isActive(m)) {
      activeCount += 1;
      close(m);
    } else runStart ??= m;
  }
  close(end);
  return { gaps, examined_minutes: Math.max(0, end - first), active_minutes: activeCount };
}
