// The time window every page reads: last 1 h, 24 h or 7 d, or a custom UTC range, kept in the URL.

export const PRESETS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type Preset = keyof typeof PRESETS;
export const HOUR_MS = 3_600_000;
/** The widest window the source-partitioned reads accept (docs/api.md). */
export const MAX_WINDOW_MS = 31 * 86_400_000;

export type WindowChoice = { preset: Preset } | { from: string; to: string };

export type ResolvedWindow = { from: string; to: string };

const isPreset = (s: string | null): s is Preset => s !== null && s in PRESETS;

/** `w=24h`, or `from`/`to` (RFC 3339); anything else is the default last 24 hours. */
export function parseWindow(params: URLSearchParams): WindowChoice {
  const from = params.get('from');
  const to = params.get('to');
  if (from && to && !Number.isNaN(Date.parse(from)) && !Number.isNaN(Date.parse(to))) return { from, to };
  const w = params.get('w');
  return { preset: isPreset(w) ? w : '24h' };
}

export function windowParams(choice: WindowChoice): Record<string, string> {
  return 'preset' in choice ? { w: choice.preset } : { from: choice.from, to: choice.to };
}

export function resolveWindow(choice: WindowChoice, now = Date.now()): ResolvedWindow {
  if ('preset' in choice) {
    return { from: new Date(now - PRESETS[choice.preset]).toISOString(), to: new Date(now).toISOString() };
  }
  return { from: new Date(choice.from).toISOString(), to: new Date(choice.to).toISOString() };
}

/** Why a custom window cannot be used, or undefined when it can. */
export function windowProblem(from: string, to: string): string | undefined {
  const f = Date.parse(from);
  const t = Date.parse(to);
  if (Number.isNaN(f) || Number.isNaN(t)) return 'Enter both ends of the window.';
  if (f >= t) return '"From" must be before "to".';
  if (t - f > MAX_WINDOW_MS) return 'A window can span at most 31 days.';
  return undefined;
}

/** `2026-11-25T02:00` from a datetime-local input, read as UTC. */
export function fromLocalInput(value: string): string {
  const d = new Date(`${value}Z`);
  return value && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
}
export const toLocalInput = (iso: string): string => new Date(iso).toISOString().slice(0, 16);

export interface Bucket {
  /** Start of the bucket (UTC, on the hour). */
  start: number;
  /** Last millisecond of the bucket. */
  end: number;
}

/**
 * The counter buckets covering the window, one per UTC hour, or several hours each when that would
 * make more than `maxPoints` points (the API counts per hour, so buckets are whole hours).
 */
export function hourBuckets(window: ResolvedWindow, maxPoints = 168): Bucket[] {
  const first = Math.floor(Date.parse(window.from) / HOUR_MS) * HOUR_MS;
  const last = Math.floor(Date.parse(window.to) / HOUR_MS) * HOUR_MS;
  const hours = (last - first) / HOUR_MS + 1;
  const step = Math.max(1, Math.ceil(hours / maxPoints)) * HOUR_MS;
  const out: Bucket[] = [];
  for (let start = first; start <= last; start += step)
    out.push({ start, end: Math.min(start + step, last + HOUR_MS) - 1 });
  return out;
}
