// Replays: plan a selection (dry run), start it, watch it to the end, cancel it; and the history.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.client';
import type { Page, ReplayJob, ReplayPlan } from '../api.types';
import { fmtBytes, fmtInt, fmtSeconds, fmtTime } from '../format';
import { href, navigate, Route } from '../router';
import { Fields, Section } from '../ui/bits';
import { DataTable } from '../ui/data-table';
import { ErrorBox } from '../ui/error-box';
import { ReplayProgress } from '../ui/progress-bar';
import { ReplayForm, ReplayRequest } from '../ui/replay-form';
import { useAsync } from '../ui/use-async';

const POLL_MS = 1000;
/** After the job ends, keep watching this long for the processor to catch up. */
const SETTLE_MS = 60_000;

const ended = (j: ReplayJob) => j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled';
const settled = (j: ReplayJob) => ended(j) && j.processed >= j.sent;

function PlanView({ plan }: { plan: ReplayPlan }) {
  return (
    <div data-testid="plan">
      <Fields
        rows={[
          ['matched', fmtInt(plan.matched)],
          ['bytes', fmtBytes(plan.bytes)],
          ['estimated time', fmtSeconds(plan.estimated_seconds)],
          ['truncated', plan.truncated ? 'yes: more events matched than max events' : 'no'],
        ]}
      />
      <DataTable
        testId="plan-breakdown"
        caption="By source and type"
        rows={plan.by_source_type}
        rowKey={(r) => `${r.source}/${r.type}`}
        empty="Nothing matches this filter: adjust it and plan again."
        columns={[
          { key: 'source', label: 'Source', render: (r) => r.source },
          { key: 'type', label: 'Type', render: (r) => r.type },
          { key: 'count', label: 'Events', render: (r) => fmtInt(r.count), numeric: true },
          { key: 'bytes', label: 'Bytes', render: (r) => fmtBytes(r.bytes), numeric: true },
        ]}
      />
    </div>
  );
}

function JobPanel({ id, onChange }: { id: string; onChange: () => void }) {
  const [job, setJob] = useState<ReplayJob>();
  const [error, setError] = useState<unknown>();
  const [cancelling, setCancelling] = useState(false);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let endedAt: number | undefined;
    let last = '';
    const tick = async () => {
      try {
        const j = await api<ReplayJob>(`/replay/${encodeURIComponent(id)}`);
        if (stop) return;
        setJob(j);
        setError(undefined);
        const status = `${j.status}/${j.processed}`;
        if (status !== last) onChange();
        last = status;
        if (ended(j)) endedAt ??= Date.now();
        if (settled(j) || (endedAt !== undefined && Date.now() - endedAt > SETTLE_MS)) return;
      } catch (err) {
        if (stop) return;
        setError(err);
      }
      timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [id, onChange]);

  const cancel = async () => {
    setCancelling(true);
    try {
      setJob(await api<ReplayJob>(`/replay/${encodeURIComponent(id)}/cancel`, { method: 'POST' }));
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(false);
    }
  };

  return (
    <Section title={`Replay ${id}`} id="job">
      {error !== undefined && <ErrorBox error={error} />}
      {job && (
        <div data-testid="job" data-status={job.status}>
          <p class="meta">
            <span class={`status status-${job.status}`} data-testid="job-status">
              {job.status}
            </span>{' '}
            · {job.reason} · by {job.requested_by} · created {fmtTime(job.created_at)}
            {job.finished_at && ` · finished ${fmtTime(job.finished_at)}`}
          </p>
          <ReplayProgress job={job} />
          {job.error && <p class="error">{job.error}</p>}
          {ended(job) && job.processed < job.sent && (
            <p class="hint">Sent; waiting for the processor to handle the rest (is a consumer running?).</p>
          )}
          {(job.status === 'pending' || job.status === 'running') && (
            <button type="button" class="danger" onClick={() => void cancel()} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel replay'}
            </button>
          )}
        </div>
      )}
    </Section>
  );
}

export function ReplaysPage({ replayId }: { route: Route; replayId?: string }) {
  const [plan, setPlan] = useState<{ request: ReplayRequest; plan: ReplayPlan }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [historyTick, setHistoryTick] = useState(0);
  const history = useAsync(
    (signal) => api<Page<ReplayJob>>(`/replay${query({ limit: 20 })}`, { signal }),
    [historyTick],
  );
  const refreshHistory = useCallback(() => setHistoryTick((t) => t + 1), []);

  const run = async (request: ReplayRequest, dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      if (dryRun) {
        setPlan({
          request,
          plan: await api<ReplayPlan>('/replay', { method: 'POST', body: { ...request, dry_run: true } }),
        });
      } else {
        const created = await api<{ replay_id: string }>('/replay', { method: 'POST', body: request });
        setPlan(undefined);
        navigate(['replays', created.replay_id]);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div class="page-head">
        <h1>Replays</h1>
      </div>
      <Section title="New replay" id="new-replay">
        <ReplayForm
          busy={busy}
          planned={plan?.request}
          onPlan={(r) => void run(r, true)}
          onStart={(r) => void run(r, false)}
        />
        {error !== undefined && <ErrorBox error={error} />}
        {plan && <PlanView plan={plan.plan} />}
      </Section>
      {replayId && <JobPanel key={replayId} id={replayId} onChange={refreshHistory} />}
      <Section title="History" id="history">
        {history.error ? (
          <ErrorBox error={history.error} retry={history.reload} />
        ) : (
          <DataTable<ReplayJob>
            testId="history"
            caption="Recent replays, newest first"
            rows={history.data?.items ?? []}
            rowKey={(j) => j.replay_id}
            empty={history.data ? 'No replay has been run yet.' : 'Loading…'}
            columns={[
              { key: 'created', label: 'Created', render: (j) => fmtTime(j.created_at) },
              {
                key: 'status',
                label: 'Status',
                render: (j) => <span class={`status status-${j.status}`}>{j.status}</span>,
              },
              {
                key: 'reason',
                label: 'Reason',
                render: (j) => <a href={href(['replays', j.replay_id])}>{j.reason}</a>,
              },
              {
                key: 'filter',
                label: 'Filter',
                render: (j) => <span class="small">{describeFilter(j)}</span>,
              },
              { key: 'matched', label: 'Matched', render: (j) => fmtInt(j.matched), numeric: true },
              { key: 'sent', label: 'Sent', render: (j) => fmtInt(j.sent), numeric: true },
              { key: 'processed', label: 'Processed', render: (j) => fmtInt(j.processed), numeric: true },
              { key: 'failed', label: 'Failed', render: (j) => fmtInt(j.failed), numeric: true },
            ]}
          />
        )}
      </Section>
    </>
  );
}

function describeFilter(j: ReplayJob): string {
  const f = j.filter;
  const what = f.event_ids
    ? `${f.event_ids.length} event ids`
    : f.entity_id
      ? `entity ${f.entity_id}`
      : `source ${f.source}`;
  return `${what}${f.type ? `, type ${f.type}` : ''}${f.from ? `, ${fmtTime(f.from)} → ${fmtTime(f.to)}` : ''}`;
}
