import { Env } from '../shared/config/env.config';
import { PayloadSchemas } from './payload-schemas';
import { SchemaEntry, SchemaHead, SchemaStore, SchemaVersion } from './schema-store';

/** An in-memory store that counts reads. */
class CountingStore extends SchemaStore {
  reads = 0;
  fail = false;
  entries = new Map<string, SchemaEntry>();
  register(): Promise<SchemaVersion> {
    throw new Error('not used');
  }
  get(source: string, type: string): Promise<SchemaEntry | undefined> {
    this.reads += 1;
    if (this.fail) return Promise.reject(new Error('down'));
    return Promise.resolve(this.entries.get(`${source}/${type}`));
  }
  heads(): Promise<SchemaHead[]> {
    return Promise.resolve([]);
  }
  retire(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

const entry: SchemaEntry = {
  head: { source: 's', type: 'a', latest: 1, updated_at: '2026-01-01T00:00:00.000Z' },
  versions: [
    {
      source: 's',
      type: 'a',
      version: 1,
      schema: { type: 'object', required: ['n'] },
      created_at: '2026-01-01T00:00:00.000Z',
      created_by: 'op',
    },
  ],
};

describe('PayloadSchemas', () => {
  let store: CountingStore;
  let schemas: PayloadSchemas;
  beforeEach(() => {
    store = new CountingStore();
    store.entries.set('s/a', entry);
    schemas = new PayloadSchemas(store, Object.assign(new Env(), { SCHEMAS_CACHE_TTL_MS: 60_000 }));
  });

  it('checks each event against its pair’s schema, in order, reading each pair once', async () => {
    const events = [
      { source: 's', type: 'a', payload: { n: 1 } },
      { source: 's', type: 'a', payload: {} },
      { source: 's', type: 'b', payload: {} },
    ];
    expect(await schemas.violations(events)).toEqual([
      undefined,
      [{ field: '/payload/n', message: 'is required' }],
      undefined,
    ]);
    expect(store.reads).toBe(2);
  });

  it('answers from memory within the TTL, pairs without a schema included', async () => {
    const events = [
      { source: 's', type: 'a', payload: {} },
      { source: 's', type: 'b', payload: {} },
    ];
    await Promise.all([schemas.violations(events), schemas.violations(events)]);
    await schemas.violations(events);
    expect(store.reads).toBe(2);
  });

  it('reads a pair again once forgotten', async () => {
    await schemas.violations([{ source: 's', type: 'a', payload: {} }]);
    schemas.forget('s', 'a');
    store.entries.delete('s/a');
    expect(await schemas.violations([{ source: 's', type: 'a', payload: {} }])).toEqual([undefined]);
    expect(store.reads).toBe(2);
  });

  it('does not keep a failed read', async () => {
    store.fail = true;
    await expect(schemas.violations([{ source: 's', type: 'a', payload: {} }])).rejects.toThrow('down');
    store.fail = false;
    expect(await schemas.violations([{ source: 's', type: 'a', payload: {} }])).toEqual([
      [{ field: '/payload/n', message: 'is required' }],
    ]);
  });
});
