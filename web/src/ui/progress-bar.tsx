import type { ReplayJob } from '../api.types';
import { fmtInt } from '../format';

const pct = (n: number, of: number) => (of > 0 ? Math.min(100, (n / of) * 100) : 100);

/** Sent, processed and failed against the replay's matched events. */
export function ReplayProgress({ job }: { job: ReplayJob }) {
  const processed = pct(job.processed, job.matched);
  const sent = pct(job.sent, job.matched);
  const failed = pct(job.failed, job.matched);
  return (
    <div class="progress-wrap">
      <div
        class="progress"
        role="progressbar"
        aria-label="Processed"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(processed)}
        aria-valuetext={`${Math.round(processed)}% processed`}
      >
        <span class="p-sent" style={{ width: `${sent}%` }} />
        <span class="p-processed" style={{ width: `${processed}%` }} />
        <span class="p-failed" style={{ width: `${failed}%`, left: `${sent}%` }} />
      </div>
      <dl class="progress-counts">
        <dt>matched</dt>
        <dd data-field="matched">{fmtInt(job.matched)}</dd>
        <dt>sent</dt>
        <dd data-field="sent">{fmtInt(job.sent)}</dd>
        <dt>processed</dt>
        <dd data-field="processed">
          {fmtInt(job.processed)} ({Math.floor(processed)}%)
        </dd>
        <dt>failed</dt>
        <dd data-field="failed">{fmtInt(job.failed)}</dd>
      </dl>
    </div>
  );
}
