// What GET /dlq and the redrive answers show of a dead-lettered message: its replay and event ids
// (from the message attributes the replay module sets, else from the body), the recorded failure
// causes, receive count and age.
import type { FailureCause, MessageFailure } from '../shared/message-failures/message-failure-store';
import type { ReceivedMessage } from '../shared/queue/queue-publisher';
import { labelsOf } from '../shared/contracts/replay-message';

/** Bodies are replay pointers (a few hundred bytes); a poison body is shown up to this size. */
const BODY_MAX = 4096;

export interface DeadLetterView {
  message_id: string;
  replay_id: string | null;
  event_id: string | null;
  source: string | null;
  type: string | null;
  /** Receives on the replay queue when the processor last failed it (SQS's own count if unrecorded). */
  receive_count: number;
  /** The first recorded failure; null when none was recorded (e.g. DynamoDB was down too). */
  reason: FailureCause | null;
  last_reason: FailureCause | null;
  failures: number;
  sent_at: string;
  age_seconds: number;
  redriven_from: string | null;
  body: string;
  body_truncated: boolean;
}

export function deadLetterView(m: ReceivedMessage, failure: MessageFailure | undefined, now: number) {
  const fromBody = labelsOf(m.body);
  const view: DeadLetterView = {
    message_id: m.messageId,
    replay_id: m.attributes.replay_id ?? failure?.replay_id ?? fromBody.replay_id ?? null,
    event_id: m.attributes.event_id ?? failure?.event_id ?? fromBody.event_id ?? null,
    source: m.attributes.source ?? fromBody.source ?? null,
    type: m.attributes.type ?? fromBody.type ?? null,
    receive_count: failure?.receive_count ?? m.receiveCount,
    reason: failure?.first ?? null,
    last_reason: failure?.last ?? null,
    failures: failure?.failures ?? 0,
    sent_at: new Date(m.sentAt).toISOString(),
    age_seconds: Math.max(0, Math.round((now - m.sentAt) / 1000)),
    redriven_from: m.attributes.redriven_from ?? null,
    body: m.body.slice(0, BODY_MAX),
    body_truncated: m.body.length > BODY_MAX,
  };
  return view;
}
