// The answers of the dead-letter routes as the OpenAPI document describes them; each class implements
// the type the code returns, so a field added there without a line here does not compile.
import { ApiProperty } from '@nestjs/swagger';
import { FAILURE_KINDS, FailureCause, FailureKind } from '../shared/message-failures/message-failure-store';
import { COUNT, DATE_TIME } from '../shared/openapi/schema-fields';
import type * as views from './dlq-views';
import type { DlqListing, RedriveItem as RedriveItemType, RedriveResult } from './dlq.service';

const NULLABLE_STRING = { type: String, nullable: true };

class FailureCauseView implements FailureCause {
  @ApiProperty({ enum: [...FAILURE_KINDS] }) kind!: FailureKind;
  @ApiProperty({ example: 'PROCESSOR.INTEGRITY_ERROR' }) code!: string;
  @ApiProperty({ example: 'payload_hash_mismatch' }) reason!: string;
  @ApiProperty({ description: 'the error message, truncated' }) message!: string;
  @ApiProperty(DATE_TIME) at!: string;
}

export class DeadLetterView implements views.DeadLetterView {
  @ApiProperty() message_id!: string;
  @ApiProperty({ ...NULLABLE_STRING, description: 'as the message says; null when it names none (poison)' })
  replay_id!: string | null;
  @ApiProperty({ ...NULLABLE_STRING, description: 'as the message says; null when it names none (poison)' })
  event_id!: string | null;
  @ApiProperty(NULLABLE_STRING) source!: string | null;
  @ApiProperty(NULLABLE_STRING) type!: string | null;
  @ApiProperty({ ...COUNT, description: 'receives on the replay queue when the processor last failed it' })
  receive_count!: number;
  @ApiProperty({ type: FailureCauseView, nullable: true, description: 'the first recorded failure' })
  reason!: FailureCauseView | null;
  @ApiProperty({ type: FailureCauseView, nullable: true, description: 'the latest recorded failure' })
  last_reason!: FailureCauseView | null;
  @ApiProperty(COUNT) failures!: number;
  @ApiProperty({ ...DATE_TIME, description: 'first sent to the replay queue' }) sent_at!: string;
  @ApiProperty(COUNT) age_seconds!: number;
  @ApiProperty({ ...NULLABLE_STRING, description: 'the id it had in the DLQ before a redrive' })
  redriven_from!: string | null;
  @ApiProperty({ description: 'the message body (up to 4 KiB)' }) body!: string;
  @ApiProperty() body_truncated!: boolean;
}

export class DeadLetters implements DlqListing {
  @ApiProperty({ example: 'pipescope-replay-dlq' }) queue!: string;
  @ApiProperty(COUNT) approximate_visible!: number;
  @ApiProperty(COUNT) approximate_in_flight!: number;
  @ApiProperty({ type: [DeadLetterView], description: 'oldest first' }) items!: DeadLetterView[];
  @ApiProperty({ description: '`limit` stopped the listing; there may be more' }) truncated!: boolean;
}

class RedriveItem implements RedriveItemType {
  @ApiProperty() message_id!: string;
  @ApiProperty({ ...NULLABLE_STRING, description: 'the copy’s id in the replay queue' })
  new_message_id!: string | null;
  @ApiProperty({ enum: ['moved', 'not_deleted', 'send_failed'] }) status!: RedriveItemType['status'];
  @ApiProperty(NULLABLE_STRING) replay_id!: string | null;
  @ApiProperty(NULLABLE_STRING) event_id!: string | null;
}

export class Redriven implements RedriveResult {
  @ApiProperty({ description: 'the replay queue the messages went back to' }) queue!: string;
  @ApiProperty(COUNT) moved!: number;
  @ApiProperty(COUNT) failed!: number;
  @ApiProperty({ type: [RedriveItem] }) items!: RedriveItem[];
  @ApiProperty({ type: [String], description: 'ids not in the DLQ (already moved or dropped)' })
  not_found!: string[];
  @ApiProperty({ ...COUNT, description: 'approximate messages still in the DLQ; call again while above 0' })
  remaining!: number;
}
