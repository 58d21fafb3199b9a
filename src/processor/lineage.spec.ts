import { sha256Hex } from '../shared/identity/event-identity';
import { lineageKey, READABLE_KEY_CHARS } from './lineage';

const HASH = 'ab'.repeat(32);

describe('lineageKey', () => {
  it('uses the aggregator and the URL-encoded aggregate key when it is short', () => {
    expect(lineageKey('entity_hour', 'order-123@2026-11-25T10', 2, HASH)).toBe(
      'lineage/entity_hour/order-123%402026-11-25T10/v2-abababababababab.json',
    );
  });

  it('uses the hash of a long key, so any entity_id fits S3 and file-system limits', () => {
    const key = `${'é'.repeat(256)}@2026-11-25T10`;
    expect(encodeURIComponent(key).length).toBeGreaterThan(READABLE_KEY_CHARS);
    const s3Key = lineageKey('entity_hour', key, 1, HASH);
    expect(s3Key).toBe(`lineage/entity_hour/sha256=${sha256Hex(key)}/v1-abababababababab.json`);
    expect(Buffer.byteLength(s3Key)).toBeLessThan(160);
  });
});
