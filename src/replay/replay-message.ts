// The queue message of one replayed event: a small JSON pointer to the raw object, never the payload.
import type { ReplayMessage } from '../shared/contracts/replay-message';
import type { OutgoingMessage } from '../shared/aws/queue-publisher';
import type { ManifestEntry } from './replay-manifest';

/** `id` is the entry's position in the batch (unique within one SendMessageBatch call). */
export function toOutgoing(replayId: string, entry: ManifestEntry, id: string): OutgoingMessage {
  const message: ReplayMessage = {
    replay_id: replayId,
    event_id: entry.event_id,
    s3_key: entry.s3_key,
    ...(entry.s3_range ? { s3_range: entry.s3_range } : {}),
    payload_sha256: entry.payload_sha256,
    source: entry.source,
    type: entry.type,
    entity_id: entry.entity_id,
    occurred_at: entry.occurred_at,
  };
  return {
    id,
    body: JSON.stringify(message),
    attributes: { replay_id: replayId, event_id: entry.event_id, source: entry.source, type: entry.type },
  };
}

export type { ReplayMessage };
