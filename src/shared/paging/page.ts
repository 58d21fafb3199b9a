// Paging and window types shared by every store that lists, and by the APIs that page through them.

/** A time window, both ends inclusive, ISO 8601 UTC with milliseconds. */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; null on the last page. */
  next_cursor: string | null;
  /** The read spent its budget before filling the page: fewer items (maybe none), continue with the cursor. */
  stopped_early?: boolean;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
  /** The query clock its default window was resolved at (see page-cursor.ts); now when absent. */
  clock?: number;
}
