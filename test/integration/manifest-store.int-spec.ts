// The manifest store over the S3 emulator: what the creation wrote is read back from memory by the
// run that sends it, once, and S3 holds it all the while.
import { StorageNotFoundError } from '../../src/shared/errors/app-error';
import { ManifestPartCache, ManifestStore } from '../../src/replay/manifest-store';
import { manifestKey, partKey } from '../../src/replay/replay-manifest';
import { S3RawStore } from '../../src/shared/raw/s3-raw-store';
import { openStores, Stores } from '../support/stores';

describe('ManifestStore against the S3 emulator', () => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await openStores('manifest-store');
  });
  afterAll(() => stores.close());

  it('writes to S3 first, then serves the run from memory, once; later reads go to S3', async () => {
    const manifests = new ManifestStore(stores.raw, new ManifestPartCache(1024 * 1024));
    const key = partKey('r-cache', 0);
    const body = Buffer.from('{"event_id":"e-1"}\n');
    await manifests.write(key, body, 'application/x-ndjson');
    // S3 holds it as written.
    expect((await stores.raw.get(key)).equals(body)).toBe(true);
    // Gone from S3, the run still reads it: from memory.
    await stores.raw.delete(key);
    expect((await manifests.read(key)).equals(body)).toBe(true);
    // Handed out once: the next read (a resumed run) asks S3.
    await expect(manifests.read(key)).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  it('reads S3 for what another instance wrote, and keeps nothing when S3 refused the write', async () => {
    const manifests = new ManifestStore(stores.raw, new ManifestPartCache(1024 * 1024));
    const key = manifestKey('r-elsewhere');
    await stores.raw.put(key, Buffer.from('{"matched":1}'), 'application/json');
    expect((await manifests.read(key)).toString()).toBe('{"matched":1}');
    const cache = new ManifestPartCache(1024 * 1024);
    const broken = new ManifestStore(new S3RawStore(stores.clients.s3, 'no-such-bucket-pipescope'), cache);
    await expect(
      broken.write(partKey('r-failed', 0), Buffer.from('x'), 'application/x-ndjson'),
    ).rejects.toThrow();
    expect(cache.size).toBe(0);
  });
});
