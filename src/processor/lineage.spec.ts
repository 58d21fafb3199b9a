import { sha256Hex } from '../shared/identity/event-identity';
import { lineageKey, READABLE_KEY_CHARS } from './lineage';

describe('lineageKey', () => {
  it('uses the URL-encoded aggregate key when it is short', () => {
    expect(lineageKey('order-123@2026-11-25T10', 2)).toBe('lineage/order-123%402026-11-25T10/v2.json');
  });

  it('uses the hash of a long key, so any entity_id fits S3 and file-system limits', () => {
    const key = `${'é'.repeat(256)}@2026-11-25T10`;
    expect(encodeURIComponent(key).length).toBeGreaterThan(READABLE_KEY_CHARS);
    const s3Key = lineageKey(key, 1);
    expect(s3Key).toBe(`lineage/sha256=${sha256Hex(key)}/v1.json`);
    expect(Buffer.byteLength(s3Key)).toBeLessThan(120);
  });
});
