// The `cloudevents` replay format: one CloudEvents 1.0 event in the JSON event format, structured mode
// (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md,
// https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md). The event's
// identity maps onto the context attributes; its payload is `data`; what the processor needs to
// verify it travels in extension attributes, named by the spec's rule (lower-case a-z and 0-9 only).
import type { OmittedReason, ReplayedEvent } from './replay-message';

export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** pipescope's extension attributes. */
export const CE_EXTENSIONS = {
  replayId: 'pipescopereplayid',
  payloadSha256: 'pipescopepayloadsha256',
  s3Key: 'pipescopes3key',
  /** `<first>-<last>`, the inclusive byte range inside a batch object (absent for single objects). */
  s3Range: 'pipescopes3range',
  /** Why `data` is absent: `too_large`, `raw_missing` or `raw_unreadable`. */
  dataOmitted: 'pipescopedataomitted',
} as const;

/**
 * The CloudEvent of one replayed event: `id` = event_id, `source` = the event's source (a valid
 * URI-reference: sources match ^[a-z0-9][a-z0-9._-]*$), `type`, `time` = occurred_at, `subject` =
 * entity_id, `data` = the payload (JSON), or no data and pipescopedataomitted saying why.
 */
export function cloudEvent(
  replayId: string,
  event: ReplayedEvent,
  payload: { data: unknown } | { omitted: OmittedReason },
): Record<string, unknown> {
  return {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: event.event_id,
    source: event.source,
    type: event.type,
    time: event.occurred_at,
    subject: event.entity_id,
    ...('data' in payload ? { datacontenttype: 'application/json' } : {}),
    [CE_EXTENSIONS.replayId]: replayId,
    [CE_EXTENSIONS.payloadSha256]: event.payload_sha256,
    [CE_EXTENSIONS.s3Key]: event.s3_key,
    ...(event.s3_range ? { [CE_EXTENSIONS.s3Range]: `${event.s3_range[0]}-${event.s3_range[1]}` } : {}),
    ...('data' in payload ? { data: payload.data } : { [CE_EXTENSIONS.dataOmitted]: payload.omitted }),
  };
}

export const isCloudEvent = (value: Record<string, unknown>): boolean => 'specversion' in value;

/** A CloudEvent read back into the replay message's fields (checked by the caller like any body). */
export function fromCloudEvent(ce: Record<string, unknown>): Record<string, unknown> {
  const range =
    typeof ce[CE_EXTENSIONS.s3Range] === 'string'
      ? /^(\d+)-(\d+)$/.exec(ce.pipescopes3range as string)
      : null;
  return {
    format:
      ce.specversion === CLOUDEVENTS_SPEC_VERSION ? 'cloudevents' : `cloudevents ${String(ce.specversion)}`,
    replay_id: ce[CE_EXTENSIONS.replayId],
    event_id: ce.id,
    s3_key: ce[CE_EXTENSIONS.s3Key],
    ...(ce[CE_EXTENSIONS.s3Range] !== undefined
      ? { s3_range: range ? [Number(range[1]), Number(range[2])] : ce[CE_EXTENSIONS.s3Range] }
      : {}),
    payload_sha256: ce[CE_EXTENSIONS.payloadSha256],
    source: ce.source,
    type: ce.type,
    entity_id: ce.subject,
    occurred_at: ce.time,
    ...('data' in ce ? { data: ce.data } : {}),
    ...(ce[CE_EXTENSIONS.dataOmitted] !== undefined ? { event_omitted: ce[CE_EXTENSIONS.dataOmitted] } : {}),
  };
}
