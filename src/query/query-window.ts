// Window parsing shared by every query: RFC 3339 in, UTC milliseconds out, defaults and width limits.
import { AppError, validationError } from '../shared/errors/app-error';
import { TimeWindow } from '../shared/paging/page';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Source-partitioned reads issue one Query per day; this bounds them. */
export const MAX_SOURCE_WINDOW_DAYS = 31;
export const MAX_GAP_WINDOW_DAYS = 7;

export interface WindowRules {
  /** Width of the window when `from` is missing (ending at `to`). */
  defaultSpanMs: number;
  /** Widest window allowed; wider is 400 QUERY.WINDOW_TOO_WIDE. */
  maxSpanMs?: number;
  /** When `from` is missing, start at this instant instead of `to - defaultSpanMs`. */
  defaultFrom?: string;
  /** When `to` is missing, end here instead of now. */
  defaultTo?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Turns optional `from`/`to` (already checked as RFC 3339 by the DTO) into a normalised UTC window.
 * `to` defaults to now and `from` to `to - defaultSpanMs`; `from` after `to` is a 400.
 */
export function parseWindow(
  from: string | undefined,
  to: string | undefined,
  rules: WindowRules,
  now: number = Date.now(),
): TimeWindow {
  const toMs = to !== undefined ? Date.parse(to) : rules.defaultTo ? Date.parse(rules.defaultTo) : now;
  const fromMs =
    from !== undefined
      ? Date.parse(from)
      : rules.defaultFrom
        ? Date.parse(rules.defaultFrom)
        : toMs - rules.defaultSpanMs;
  for (const [field, ms] of [
    ['from', fromMs],
    ['to', toMs],
  ] as const) {
    if (Number.isNaN(ms)) {
      throw validationError('QUERY.VALIDATION_FAILED', [
        { field, message: `${field} is not a real date-time` },
      ]);
    }
  }
  if (fromMs > toMs) {
    throw validationError('QUERY.VALIDATION_FAILED', [
      { field: 'from', message: 'from must not be after to' },
    ]);
  }
  if (rules.maxSpanMs !== undefined && toMs - fromMs > rules.maxSpanMs) {
    const days = rules.maxSpanMs / DAY_MS;
    throw new AppError(
      'QUERY.WINDOW_TOO_WIDE',
      `The window from ${iso(fromMs)} to ${iso(toMs)} is wider than ${days} days; narrow it`,
      { max_days: days, from: iso(fromMs), to: iso(toMs) },
    );
  }
  return { from: iso(fromMs), to: iso(toMs) };
}

/** A source window: a day ending `now` unless given, at most `maxDays` wide. */
export function sourceWindow(
  from: string | undefined,
  to: string | undefined,
  maxDays: number,
  now: number = Date.now(),
): TimeWindow {
  return parseWindow(from, to, { defaultSpanMs: DAY_MS, maxSpanMs: maxDays * DAY_MS }, now);
}
