// Source detail: lag and counts per hour, silences, late events, duplicates, conflicts, bad rows.
import { allPages, api, query } from '../api.client';
import type {
  ConflictItem,
  DuplicateItem,
  Duplicates,
  EventView,
  Gaps,
  RejectedRow,
  Stats,
} from '../api.types';
import { fmtBytes, fmtInt, fmtMs, fmtTime } from '../format';
import { rowKey, sumCounts } from '../hourly-series';
import { HourlyCharts } from '../ui/hourly-charts';
import { href, navigate, Route } from '../router';
import { windowParams } from '../time-window';
import { EventLink, HealthBadge, Section } from '../ui/bits';
import { DataTable } from '../ui/data-table';
import { ErrorBox, Loading } from '../ui/error-box';
import { GapBand } from '../ui/gap-band';
import { useAsync } from '../ui/use-async';
import { WindowPicker } from '../ui/window-picker';
import { hourlyStats, useWindow } from './sources.page';

const GAP_MAX_MS = 7 * 86_400_000;
const LIST_MAX = 500;

export function SourcePage({ route, source }: { route: Route; source: string }) {
  const [choice, window, label] = useWindow(route);
  const key = JSON.stringify(windowParams(choice)) + source;
  const q = (extra: Record<string, string> = {}) => query({ source, ...window, ...extra });
  const gapWindow = {
    from: new Date(Math.max(Date.parse(window.from), Date.parse(window.to) - GAP_MAX_MS)).toISOString(),
    to: window.to,
  };
  const stats = useAsync((signal) => api<Stats>(`/stats${q()}`, { signal }), [key]);
  const hourly = useAsync((signal) => hourlyStats(window, source, signal), [key]);
  const gaps = useAsync(
    (signal) => api<Gaps>(`/gaps${query({ source, ...gapWindow, min_gap_minutes: 10 })}`, { signal }),
    [key],
  );
  const late = useAsync(
    (signal) =>
      allPages<EventView>(
        (c) => `/late${q({ limit: '200', ...(c ? { cursor: c } : {}) })}`,
        LIST_MAX,
        signal,
      ),
    [key],
  );
  const dups = useAsync((signal) => api<Duplicates>(`/duplicates${q({ limit: '200' })}`, { signal }), [key]);
  const rejected = useAsync(
    (signal) =>
      allPages<RejectedRow>(
        (c) => `/rejected${q({ limit: '200', ...(c ? { cursor: c } : {}) })}`,
        LIST_MAX,
        signal,
      ),
    [key],
  );

  const types = stats.data?.rows.map((r) => r.type).filter((t) => t !== '~') ?? [];
  const type = route.params.get('type') ?? types[0] ?? '';
  const params = windowParams(choice);

  return (
    <>
      <div class="page-head">
        <h1>
          Source <span class="mono">{source}</span>
        </h1>
        <WindowPicker
          value={choice}
          onChange={(w) => navigate(['sources', source], { ...windowParams(w), type })}
        />
      </div>
      <p class="meta">
        <a href={href(['sources'], params)}>← all sources</a> · window: {label}
      </p>
      {stats.error && <ErrorBox error={stats.error} retry={stats.reload} />}
      {stats.data && (
        <DataTable
          testId="source-types"
          caption="Types of this source"
          rows={stats.data.rows}
          rowKey={rowKey}
          empty="This source sent nothing in the window."
          columns={[
            { key: 'health', label: 'Health', render: (r) => <HealthBadge health={r.health} /> },
            {
              key: 'type',
              label: 'Type',
              render: (r) =>
                r.type === type ? (
                  <strong>{r.type}</strong>
                ) : (
                  <a href={href(['sources', source], { ...params, type: r.type })}>{r.type}</a>
                ),
            },
            { key: 'received', label: 'Received', render: (r) => fmtInt(r.received), numeric: true },
            { key: 'accepted', label: 'Accepted', render: (r) => fmtInt(r.accepted), numeric: true },
            { key: 'duplicates', label: 'Dupl.', render: (r) => fmtInt(r.duplicates), numeric: true },
            { key: 'conflicts', label: 'Confl.', render: (r) => fmtInt(r.conflicts), numeric: true },
            { key: 'rejected', label: 'Rejected', render: (r) => fmtInt(r.rejected), numeric: true },
            { key: 'late', label: 'Late', render: (r) => fmtInt(r.late), numeric: true },
            { key: 'p95', label: 'Lag p95', render: (r) => fmtMs(r.lag_ms.p95), numeric: true },
            { key: 'p99', label: 'Lag p99', render: (r) => fmtMs(r.lag_ms.p99), numeric: true },
            { key: 'bytes', label: 'Bytes', render: (r) => fmtBytes(r.bytes), numeric: true },
            { key: 'reasons', label: 'Why', render: (r) => r.health_reasons.join('; ') || '–' },
          ]}
        />
      )}

      <Section title="Over time" id="over-time">
        {hourly.error ? (
          <ErrorBox error={hourly.error} retry={hourly.reload} />
        ) : !hourly.data ? (
          <Loading what="hourly figures" />
        ) : (
          <HourlyCharts
            series={hourly.data.series.get(rowKey({ source, type }))}
            counts={sumCounts(hourly.data.buckets, [...hourly.data.series.values()])}
            type={type}
          />
        )}
      </Section>

      <Section title="Silences" id="silences">
        {gaps.error ? (
          <ErrorBox error={gaps.error} retry={gaps.reload} />
        ) : !gaps.data ? (
          <Loading what="silences" />
        ) : (
          <>
            <p class="meta" data-testid="gap-summary">
              {gaps.data.items.length} silent stretch{gaps.data.items.length === 1 ? '' : 'es'} of{' '}
              {gaps.data.min_gap_minutes}+ minutes; active {fmtInt(gaps.data.active_minutes)} of{' '}
              {fmtInt(gaps.data.examined_minutes)} minutes examined
              {Date.parse(gapWindow.from) > Date.parse(window.from) ? ' (the last 7 days of the window)' : ''}
              .
            </p>
            <GapBand from={gaps.data.from} to={gaps.data.to} gaps={gaps.data.items} />
            <DataTable
              testId="gaps"
              caption="Silent stretches"
              rows={gaps.data.items}
              rowKey={(g) => g.from}
              empty="No silence in the window: the source sent something at least every 10 minutes."
              columns={[
                { key: 'from', label: 'From', render: (g) => fmtTime(g.from) },
                {
                  key: 'to',
                  label: 'To',
                  render: (g) => (g.open_end ? `${fmtTime(g.to)} (still silent)` : fmtTime(g.to)),
                },
                { key: 'minutes', label: 'Minutes', render: (g) => fmtInt(g.minutes), numeric: true },
              ]}
            />
          </>
        )}
      </Section>

      <Section title="Late events" id="late">
        {late.error ? (
          <ErrorBox error={late.error} retry={late.reload} />
        ) : !late.data ? (
          <Loading what="late events" />
        ) : (
          <DataTable
            testId="late"
            caption={`${late.data.items.length}${late.data.more ? '+' : ''} late events, oldest received first`}
            rows={late.data.items}
            rowKey={(e) => e.event_id}
            empty="No late events in the window."
            columns={[
              { key: 'event', label: 'Event', render: (e) => <EventLink id={e.event_id} /> },
              { key: 'type', label: 'Type', render: (e) => e.type, sort: (e) => e.type },
              {
                key: 'entity',
                label: 'Entity',
                render: (e) => <a href={href(['entities', e.entity_id])}>{e.entity_id}</a>,
              },
              {
                key: 'occurred',
                label: 'Occurred',
                render: (e) => fmtTime(e.occurred_at),
                sort: (e) => e.occurred_at,
              },
              {
                key: 'received',
                label: 'Received',
                render: (e) => fmtTime(e.received_at),
                sort: (e) => e.received_at,
              },
              {
                key: 'lag',
                label: 'Lag',
                render: (e) => fmtMs(e.lag_ms),
                sort: (e) => e.lag_ms,
                numeric: true,
              },
            ]}
          />
        )}
      </Section>

      <Section title="Duplicates and conflicts" id="duplicates">
        {dups.error ? (
          <ErrorBox error={dups.error} retry={dups.reload} />
        ) : !dups.data ? (
          <Loading what="duplicates" />
        ) : (
          <>
            <DataTable<DuplicateItem>
              testId="duplicates"
              caption="Events that were sent again (same payload)"
              rows={dups.data.items}
              rowKey={(d) => d.event_id}
              empty="No event of this source was sent twice in the window."
              columns={[
                { key: 'event', label: 'Event', render: (d) => <EventLink id={d.event_id} /> },
                { key: 'type', label: 'Type', render: (d) => d.type },
                {
                  key: 'count',
                  label: 'Repeats',
                  render: (d) => fmtInt(d.duplicate_count),
                  sort: (d) => d.duplicate_count,
                  numeric: true,
                },
                { key: 'first', label: 'First repeat', render: (d) => fmtTime(d.first_duplicate_at) },
                { key: 'last', label: 'Last repeat', render: (d) => fmtTime(d.last_duplicate_at) },
              ]}
            />
            <DataTable<ConflictItem>
              testId="conflicts"
              caption="Conflicts: an idempotency key reused with another payload"
              rows={dups.data.conflicts}
              rowKey={(c) => `${c.event_id}${c.received_at}`}
              empty="No conflicts in the window."
              columns={[
                { key: 'event', label: 'Stored event', render: (c) => <EventLink id={c.event_id} /> },
                {
                  key: 'key',
                  label: 'Idempotency key',
                  render: (c) => <span class="mono">{c.idempotency_key}</span>,
                },
                { key: 'received', label: 'Conflicting attempt', render: (c) => fmtTime(c.received_at) },
                {
                  key: 'stored',
                  label: 'Stored payload sha256',
                  render: (c) => <span class="mono small">{c.stored_payload_sha256.slice(0, 16)}…</span>,
                },
                {
                  key: 'sent',
                  label: 'Received payload sha256',
                  render: (c) => <span class="mono small">{c.received_payload_sha256.slice(0, 16)}…</span>,
                },
              ]}
            />
          </>
        )}
      </Section>

      <Section title="Rejected rows" id="rejected">
        {rejected.error ? (
          <ErrorBox error={rejected.error} retry={rejected.reload} />
        ) : !rejected.data ? (
          <Loading what="rejected rows" />
        ) : (
          <DataTable<RejectedRow>
            testId="rejected"
            caption={`${rejected.data.items.length}${rejected.data.more ? '+' : ''} rejected submissions`}
            rows={rejected.data.items}
            rowKey={(r) => r.rejection_id}
            empty="Nothing of this source was rejected in the window."
            columns={[
              { key: 'received', label: 'Received', render: (r) => fmtTime(r.received_at) },
              { key: 'reason', label: 'Reason', render: (r) => r.reason },
              {
                key: 'errors',
                label: 'Errors',
                render: (r) => r.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
              },
              {
                key: 'raw',
                label: 'Body as received',
                render: (r) =>
                  r.raw === null ? (
                    <span class="muted">in {r.s3_key}</span>
                  ) : (
                    <details>
                      <summary>{fmtBytes(r.size_bytes)}</summary>
                      <pre class="raw">{r.raw}</pre>
                    </details>
                  ),
              },
            ]}
          />
        )}
      </Section>
    </>
  );
}
