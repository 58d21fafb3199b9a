import { randomBytes } from 'node:crypto';
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

  it('reads back an object of many network chunks byte for byte, in order', async () => {
    const body = randomBytes(1024 * 1024 + 7);
    await stores.raw.put('raw/x/big.bin', body, 'application/octet-stream');
    expect((await stores.raw.get('raw/x/big.bin')).equals(body)).toBe(true);
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

  it('pages through a prefix in key order, resuming after a plain key', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `paged/p/k${i}`);
    await Promise.all(keys.map((k) => stores.raw.put(k, Buffer.from(k), 'text/plain')));
    const first = await stores.raw.listPage('paged/p/', undefined, 2);
    expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 2));
    expect(first.next_after).toBe(keys[1]);
    expect(first.objects[0]).toMatchObject({ size: keys[0].length });
    expect(Date.parse(first.objects[0].last_modified)).toBeGreaterThan(Date.now() - 600_000);
    const rest = await stores.raw.listPage('paged/p/', first.next_after, 10);
    expect(rest.objects.map((o) => o.key)).toEqual(keys.slice(2));
    expect(rest.next_after).toBeUndefined();
  });

  it('lists the next level of prefixes, also those holding only deeper folders', async () => {
    await Promise.all(
      [
        'lvl/source=a/date=2026-05-01/hour=00/1.json',
        'lvl/source=a/date=2026-05-02/hour=01/1.json',
        'lvl/source=a-b/date=2026-05-01/hour=00/1.json',
        'lvl/source=ab/date=2026-05-01/hour=00/1.json',
        'lvl/source=b/2.json',
        'lvl/batches/date=2026-05-01/hour=00/3.ndjson',
        'lvl/top.json',
      ].map((k) => stores.raw.put(k, Buffer.from('{}'), 'application/json')),
    );
    expect((await stores.raw.partitions('lvl/')).sort()).toEqual([
      'lvl/batches/',
      'lvl/source=a-b/',
      'lvl/source=a/',
      'lvl/source=ab/',
      'lvl/source=b/',
    ]);
  });

  it('answers ping for an existing bucket', async () => {
    await expect(stores.raw.ping()).resolves.toBeUndefined();
  });
});
