// Bounded work per read: a filtered read over a busy source stops when its budget (round trips, items
// examined) is spent and answers what it found, possibly nothing, with a cursor and stopped_early;
// following the cursors reads everything exactly once. Events are loaded straight into the table.
import { DynamoTable } from '../../src/shared/aws/dynamo-table';
import { Retention } from '../../src/shared/retention/retention';
import { eventItem } from '../../src/shared/events/dynamo-event-index';
import { EventRecord } from '../../src/shared/events/event-index';
import { putItems } from '../../bench/bench-support';
import { eventRecord } from '../support/factories';
import { auth, startTestApp, TestApp } from '../support/test-app';

const DAY = '2026-11-10';
const WINDOW = { from: `${DAY}T00:00:00Z`, to: `${DAY}T23:59:59.999Z` };
const BUSY = 4000;
const MAX_ITEMS = 1500;
const MAX_ROUND_TRIPS = 12;

/** `n` late events of `source` received on DAY, every seventh of type `rare`. */
function busyHistory(source: string, n: number): EventRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const received = Date.parse(`${DAY}T01:00:00Z`) + i * 10_000;
    return eventRecord({
      source,
      type: i % 7 === 0 ? 'rare' : 'common',
      entity_id: `busy-${i % 50}`,
      received_at: new Date(received).toISOString(),
      occurred_at: new Date(received - 600_000).toISOString(),
      lag_ms: 600_000,
      late: true,
    });
  });
}

interface PageBody {
  items: { event_id: string }[];
  next_cursor: string | null;
  stopped_early: boolean;
}

describe('read budget', () => {
  let t: TestApp;
  const events = busyHistory('busy', BUSY);

  const get = (path: string, query: Record<string, string | number>) =>
    t.http().get(path).query(query).set(auth('investigator')).expect(200);

  /** Query calls so far, from the storage metric. */
  const queries = async (): Promise<number> => {
    const text = (await t.http().get('/metrics').expect(200)).text;
    return [...text.matchAll(/^pipescope_storage_calls_total\{[^}]*operation="Query"[^}]*\} (\d+)/gm)]
      .map((m) => Number(m[1]))
      .reduce((a, b) => a + b, 0);
  };

  /** Follows next_cursor to the end; every page's Query calls are counted. */
  async function readAll(path: string, query: Record<string, string | number>) {
    const pages: (PageBody & { round_trips: number })[] = [];
    let cursor: string | null = null;
    do {
      const before = await queries();
      const res = await get(path, { ...query, ...(cursor ? { cursor } : {}) });
      const page = res.body as PageBody;
      pages.push({ ...page, round_trips: (await queries()) - before });
      cursor = page.next_cursor;
    } while (cursor !== null && pages.length < 100);
    return pages;
  }

  beforeAll(async () => {
    t = await startTestApp('budget', {
      READ_MAX_ITEMS: String(MAX_ITEMS),
      READ_MAX_ROUND_TRIPS: String(MAX_ROUND_TRIPS),
      PROCESSOR_ENABLED: 'false',
      // Round trips are counted from the process-wide Query metric: no background reader may add one
      // (the alert evaluator, the replay and reconcile runners' polls) while a page is read.
      ALERTS_ENABLED: 'false',
      REPLAY_POLL_MS: '600000',
      RECONCILE_POLL_MS: '600000',
    });
    await putItems(
      t.app.get(DynamoTable),
      events.map((e) => eventItem(e, Retention.forever())),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers a type filter nothing matches with empty pages that stop early, until the source is read', async () => {
    const pages = await readAll('/events', { source: 'busy', type: 'nothing', limit: 1, ...WINDOW });
    expect(pages.every((p) => p.items.length === 0)).toBe(true);
    expect(pages.slice(0, -1).every((p) => p.stopped_early && p.next_cursor !== null)).toBe(true);
    expect(pages[pages.length - 1]).toMatchObject({ next_cursor: null, stopped_early: false });
    // Each page examined at most MAX_ITEMS events, so the whole source took a few pages, not one.
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(BUSY / MAX_ITEMS));
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(BUSY / MAX_ITEMS) + 1);
    expect(Math.max(...pages.map((p) => p.round_trips))).toBeLessThanOrEqual(MAX_ROUND_TRIPS);
  });

  it('does the same for late arrivals above a lag nothing reaches', async () => {
    const pages = await readAll('/late', { source: 'busy', min_lag_ms: 86_400_000, limit: 1, ...WINDOW });
    expect(pages.every((p) => p.items.length === 0)).toBe(true);
    expect(pages[0]).toMatchObject({ stopped_early: true });
    expect(pages[0].next_cursor).not.toBeNull();
    expect(pages[pages.length - 1].next_cursor).toBeNull();
    expect(pages.length).toBeLessThanOrEqual(Math.ceil(BUSY / MAX_ITEMS) + 1);
  });

  it('returns every match exactly once, in order, across pages the budget cut short', async () => {
    const pages = await readAll('/events', { source: 'busy', type: 'rare', limit: 300, ...WINDOW });
    const expected = events.filter((e) => e.type === 'rare').map((e) => e.event_id);
    expect(pages.flatMap((p) => p.items.map((e) => e.event_id))).toEqual(expected);
    expect(pages.some((p) => p.stopped_early && p.items.length > 0 && p.items.length < 300)).toBe(true);
  });

  it('stops a sparse window at the round-trip limit: one Query per day, then a cursor', async () => {
    const last = eventRecord({
      source: 'sparse',
      received_at: `${DAY}T12:00:00.000Z`,
      occurred_at: `${DAY}T11:59:00.000Z`,
    });
    await putItems(t.app.get(DynamoTable), [eventItem(last, Retention.forever())]);
    const from = new Date(Date.parse(`${DAY}T00:00:00Z`) - 30 * 86_400_000).toISOString();
    const pages = await readAll('/events', { source: 'sparse', from, to: WINDOW.to });
    expect(pages[0]).toMatchObject({ items: [], stopped_early: true, round_trips: MAX_ROUND_TRIPS });
    expect(pages.flatMap((p) => p.items.map((e) => e.event_id))).toEqual([last.event_id]);
    expect(pages.length).toBe(Math.ceil(31 / MAX_ROUND_TRIPS));
  });

  it('reports a full page as not stopped early', async () => {
    const res = await get('/events', { source: 'busy', type: 'common', limit: 5, ...WINDOW });
    expect(res.body.items).toHaveLength(5);
    expect(res.body).toMatchObject({ stopped_early: false });
    expect(res.body.next_cursor).not.toBeNull();
  });
});
