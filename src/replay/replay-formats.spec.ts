import { messageBytes, SQS_MESSAGE_MAX_BYTES } from '../shared/contracts/replay-message';
import { RawStore } from '../shared/raw/raw-store';
import { ReplayFormatter } from './replay-formatter';
import {
  CloudEventsFormatter,
  FormattedMessage,
  FullFormatter,
  isPromiseLike,
  PointerFormatter,
  ReplayFormats,
} from './replay-formats';
import type { ManifestEntry } from './replay-manifest';

/** Raw objects from a map: `get` is the one call the formats make of the store. */
const mapRawStore = (objects: Map<string, string>): RawStore =>
  ({
    get: (key: string) => {
      const text = objects.get(key);
      return text === undefined ? Promise.reject(new Error(`no ${key}`)) : Promise.resolve(Buffer.from(text));
    },
  }) as unknown as RawStore;

class Big extends ReplayFormatter {
  readonly name = 'big';
  format(): Record<string, unknown> {
    return { note: 'é'.repeat(SQS_MESSAGE_MAX_BYTES) };
  }
}

const entry: ManifestEntry = {
  event_id: 'e-1',
  s3_key: 'raw/e-1.json',
  payload_sha256: 'a'.repeat(64),
  source: 'orders',
  type: 'order.created',
  entity_id: 'order-1',
  occurred_at: '2026-11-28T00:00:00.000Z',
  size_bytes: 40,
};

/** Answers its own text, not ASCII: its size must be counted in UTF-8 bytes, not characters. */
class Text extends ReplayFormatter {
  readonly name = 'text';
  format(): string {
    return 'créé ✓';
  }
}

const formats = () =>
  new ReplayFormats(
    mapRawStore(new Map([[entry.s3_key, '{"payload":{"amount":3}}']])),
    new PointerFormatter(),
    new FullFormatter(),
    new CloudEventsFormatter(),
    [new Big(), new Text()],
  );

describe('ReplayFormats.message', () => {
  it('builds a pointer message without a promise, its size counted as SQS counts it', () => {
    const m = formats().message('pointer', 'r-1', entry, '0');
    expect(isPromiseLike(m)).toBe(false);
    const message = m as FormattedMessage;
    expect(JSON.parse(message.body)).toMatchObject({
      replay_id: 'r-1',
      event_id: 'e-1',
      s3_key: entry.s3_key,
    });
    expect(message.bytes).toBe(messageBytes(message.body, message.attributes));
    expect(message.oversize).toBe(false);
  });

  it('counts in UTF-8 bytes a pointer of non-ASCII fields (written escaped) and a formatter text of its own', () => {
    const pointer = formats().message('pointer', 'r-1', { ...entry, entity_id: 'commande-é✓' }, '0');
    const escaped = pointer as FormattedMessage;
    expect(escaped.body).toContain('commande-\\u00e9\\u2713');
    expect(escaped.bytes).toBe(messageBytes(escaped.body, escaped.attributes));
    const text = formats().message('text', 'r-1', entry, '0') as FormattedMessage;
    expect(text.body).toBe('créé ✓');
    expect(text.bytes).toBe(messageBytes(text.body, text.attributes));
    expect(text.bytes).toBeGreaterThan(messageBytes('x'.repeat(text.body.length), text.attributes));
  });

  it('waits for the raw object when the format reads it', async () => {
    const m = formats().message('full', 'r-1', entry, '0');
    expect(isPromiseLike(m)).toBe(true);
    const message = await m;
    expect(JSON.parse(message.body)).toMatchObject({ event_id: 'e-1', event: { payload: { amount: 3 } } });
    expect(message.bytes).toBe(messageBytes(message.body, message.attributes));
  });

  it('writes an object body as ASCII JSON and marks a message over the SQS limit', () => {
    const message = formats().message('big', 'r-1', entry, '0') as FormattedMessage;
    expect(message.body).toMatch(/^\{"note":"(\\u00e9)+"\}$/);
    expect(message.bytes).toBe(messageBytes(message.body, message.attributes));
    expect(message.oversize).toBe(true);
  });

  it('refuses a format this instance does not know', () => {
    expect(() => formats().message('nope', 'r-1', entry, '0')).toThrow(
      'replay format nope is not registered',
    );
  });
});
