// Port for rejected rows: submissions refused at ingest (validation failures, idempotency conflicts),
// kept like Snowplow's bad rows so an investigator can see what was refused and why. The body itself is
// in the raw store under `rejected/`; the row carries it inline when small enough.
import type { Page, PageRequest, TimeWindow } from '../paging/page';

export interface RejectedRecord {
  rejection_id: string;
  source?: string;
  received_at: string;
  request_id: string;
  /** Id of the key (or signed source) that sent it. */
  key_id?: string;
  reason: 'validation' | 'schema' | 'conflict';
  /** The first problems (fields and messages clipped); the S3 object at s3_key holds every one. */
  errors: { field: string; message: string }[];
  /** How many problems there were, when more than `errors` holds. */
  errors_total?: number;
  s3_key: string;
  size_bytes: number;
  /** The body as text when small enough to keep in the index; otherwise read it from s3_key. */
  raw?: string;
  event_id?: string;
}

export abstract class RejectedStore {
  abstract put(rejected: RejectedRecord): Promise<void>;
  abstract get(rejectionId: string): Promise<RejectedRecord | undefined>;
  /** Rejected rows by received_at, of one source (`undefined`: of every source). */
  abstract list(
    source: string | undefined,
    window: TimeWindow,
    page: PageRequest,
  ): Promise<Page<RejectedRecord>>;
}
