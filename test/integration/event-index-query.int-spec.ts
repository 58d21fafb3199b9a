// The read methods the Query module added to DynamoEventIndex, against DynamoDB Local.
import { EventRecord } from '../../src/shared/events/event-index';
import { eventRecord } from '../support/factories';
import { openStores, Stores } from '../support/stores';
import { Page } from '../../src/shared/paging/page';

const DAY = { from: '2026-11-25T00:00:00.000Z', to: '2026-11-25T23:59:59.999Z' };
const at = (minute: number) => `2026-11-25T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('DynamoEventIndex query reads', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('event-index-query');
  });
  afterAll(() => stores.close());

  async function all(read: (cursor?: string) => Promise<Page<EventRecord>>): Promise<EventRecord[][]> {
    const pages: EventRecord[][] = [];
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      pages.push(page.items);
      cursor = page.next_cursor ?? undefined;
    } while (cursor && pages.length < 100);
    return pages;
  }

  it('pages a filtered read one match at a time, skipping non-matches between them', async () => {
    const source = 'filtered-src';
    const types = ['a', 'b', 'b', 'a', 'b', 'b', 'b', 'a', 'b'];
    const events = types.map((type, i) => eventRecord({ source, type, received_at: at(i) }));
    for (const e of events) await stores.index.claim(e);
    const pages = await all((cursor) => stores.index.eventsOfSource(source, 'a', DAY, { limit: 1, cursor }));
    const expected = events.filter((e) => e.type === 'a').map((e) => e.event_id);
    expect(pages.flat().map((e) => e.event_id)).toEqual(expected);
    expect(pages.filter((p) => p.length === 0).length).toBeLessThanOrEqual(1);
  });

  it('gets many events at once, leaving out ids it does not know', async () => {
    const events = Array.from({ length: 130 }, (_, i) =>
      eventRecord({ source: 'many-src', received_at: at(i % 60) }),
    );
    await Promise.all(events.map((e) => stores.index.claim(e)));
    const found = await stores.index.getEvents([...events.map((e) => e.event_id), 'f'.repeat(32)]);
    expect(found.size).toBe(130);
    expect(found.get(events[129].event_id)).toEqual(events[129]);
    expect(found.has('f'.repeat(32))).toBe(false);
    expect((await stores.index.getEvents([])).size).toBe(0);
  });

  it('reads only the sequenced events of one source for an entity', async () => {
    const entity_id = 'device-7';
    const mine = [3, 1, 2].map((sequence, i) =>
      eventRecord({ source: 'seq-src', entity_id, sequence, occurred_at: at(i) }),
    );
    const others = [
      eventRecord({ source: 'seq-src', entity_id, occurred_at: at(10) }),
      eventRecord({ source: 'other-src', entity_id, sequence: 9, occurred_at: at(11) }),
    ];
    for (const e of [...mine, ...others]) await stores.index.claim(e);
    const pages = await all((cursor) =>
      stores.index.sequencedEventsOfEntity(entity_id, 'seq-src', { limit: 2, cursor }),
    );
    expect(pages.flat().map((e) => e.sequence)).toEqual([3, 1, 2]);
  });

  it('keeps late events at or above a minimum lag', async () => {
    const source = 'late-src';
    const lags = [400_000, 4_000_000, 1_000_000];
    const events = lags.map((lag_ms, i) => eventRecord({ source, late: true, lag_ms, received_at: at(i) }));
    for (const e of events) await stores.index.claim(e);
    const over = await stores.index.lateEvents(source, DAY, { limit: 10 }, 1_000_000);
    expect(over.items.map((e) => e.lag_ms)).toEqual([4_000_000, 1_000_000]);
    const everything = await stores.index.lateEvents(source, DAY, { limit: 10 });
    expect(everything.items).toHaveLength(3);
  });

  it('finds the newest event of a source across days, newest day first', async () => {
    const source = 'latest-src';
    const events = [
      eventRecord({ source, received_at: '2026-11-24T23:58:00.000Z' }),
      eventRecord({ source, received_at: '2026-11-24T08:00:00.000Z' }),
      eventRecord({ source, received_at: '2026-11-23T12:00:00.000Z' }),
    ];
    for (const e of events) await stores.index.claim(e);
    const twoDays = { from: '2026-11-23T00:00:00.000Z', to: '2026-11-25T23:59:59.999Z' };
    expect((await stores.index.latestOfSource(source, twoDays))?.event_id).toBe(events[0].event_id);
    const before = { from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T12:00:00.000Z' };
    expect((await stores.index.latestOfSource(source, before))?.event_id).toBe(events[1].event_id);
    expect(await stores.index.latestOfSource(source, DAY)).toBeUndefined();
  });
});
