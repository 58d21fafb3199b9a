// The schema store against DynamoDB Local: version numbers taken once each however many registrations
// race, schemas round-tripped exactly, retire keeps history, listing through gsi1.
import { DynamoSchemaStore } from '../../src/schemas/dynamo-schema-store';
import { openStores, Stores } from '../support/stores';

const at = '2026-11-25T03:00:00.000Z';
const schema = (title: string) => ({
  type: 'object',
  title,
  properties: { '': { type: 'string' }, big: { type: 'number', maximum: 1e300 } },
});

describe('DynamoSchemaStore', () => {
  let stores: Stores;
  let store: DynamoSchemaStore;
  beforeAll(async () => {
    stores = await openStores('schema-store');
    store = new DynamoSchemaStore(stores.table);
  });
  afterAll(() => stores.close());

  it('numbers concurrent registrations 1..n without gaps or repeats', async () => {
    const registered = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        store.register({
          source: 'race',
          type: 't',
          schema: schema(`s${n}`),
          created_at: at,
          created_by: 'op',
        }),
      ),
    );
    expect(registered.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    const entry = await store.get('race', 't');
    expect(entry?.head.latest).toBe(4);
    expect(entry?.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
  });

  it('keeps the schema exactly and the schema_version it was registered for', async () => {
    const stored = await store.register({
      source: 'shop',
      type: 'order.created',
      schema_version: '2',
      schema: schema('exact'),
      created_at: at,
      created_by: 'op',
    });
    const entry = await store.get('shop', 'order.created');
    expect(entry?.versions).toEqual([stored]);
    expect(entry?.versions[0].schema).toEqual(schema('exact'));
  });

  it('retires a pair keeping its versions, and a new registration makes it active again', async () => {
    expect(await store.retire('shop', 'order.created', '2026-11-25T04:00:00.000Z', 'op2')).toBe(true);
    const retired = await store.get('shop', 'order.created');
    expect(retired?.head).toMatchObject({ retired_at: '2026-11-25T04:00:00.000Z', retired_by: 'op2' });
    expect(retired?.versions).toHaveLength(1);
    await store.register({
      source: 'shop',
      type: 'order.created',
      schema: schema('v2'),
      created_at: at,
      created_by: 'op',
    });
    const again = await store.get('shop', 'order.created');
    expect(again?.head.retired_at).toBeUndefined();
    expect(again?.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('answers nothing for a pair never registered, and lists every pair', async () => {
    expect(await store.get('nope', 't')).toBeUndefined();
    expect(await store.retire('nope', 't', at, 'op')).toBe(false);
    const heads = await store.heads();
    expect(heads.map((h) => `${h.source}/${h.type}/${h.latest}`)).toEqual([
      'race/t/4',
      'shop/order.created/2',
    ]);
  });
});
