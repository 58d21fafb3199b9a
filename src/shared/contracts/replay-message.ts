// The replay queue's message: a small JSON pointer to the raw object, never the payload. The replay
// module writes it, the processor reads it (docs/replay.md, docs/processor.md).
export interface ReplayMessage {
  replay_id: string;
  event_id: string;
  s3_key: string;
  /** Inclusive byte range inside a batch object; present only for events stored in one. */
  s3_range?: [number, number];
  payload_sha256: string;
  source: string;
  type: string;
  entity_id: string;
  occurred_at: string;
}
