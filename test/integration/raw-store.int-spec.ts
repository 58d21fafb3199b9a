import { StorageNotFoundError } from '../../src/shared/errors/app-error';
import { openStores, Stores } from '../support/stores';

describe('S3RawStore against the S3 emulator', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('raw-store');
  });
  afterAll(() => stores.close());

  it('puts an object and reads back exactly its bytes', async () => {
    const body = Buffer.from('{"b": 1,\n "a": "\u20ac"}', 'utf8');
    expect(await stores.raw.putIfAbsent('raw/x/1.json', body, 'application/json')).toEqual({ created: true });
    expect((await stores.raw.get('raw/x/1.json')).equals(body)).toBe(true);
  });

  it('reads a byte range', async () => {
    await stores.raw.putIfAbsent('raw/x/2.ndjson', Buffer.from('first\nsecond\n'), 'application/x-ndjson');
    expect((await stores.raw.get('raw/x/2.ndjson', [6, 11])).toString()).toBe('second');
  });

  it('reports a missing object as not found', async () => {
    await expect(stores.raw.get('raw/missing.json')).rejects.toBeInstanceOf(StorageNotFoundError);
    expect(await stores.raw.exists('raw/missing.json')).toBe(false);
    expect(await stores.raw.exists('raw/x/1.json')).toBe(true);
  });

  it('lists keys under a prefix across pages', async () => {
    const keys = Array.from({ length: 7 }, (_, i) => `list/k${i}`);
    await Promise.all(keys.map((k) => stores.raw.put(k, Buffer.from(k), 'text/plain')));
    expect((await stores.raw.list('list/')).sort()).toEqual(keys);
  });

  it('answers ping for an existing bucket', async () => {
    await expect(stores.raw.ping()).resolves.toBeUndefined();
  });
});
