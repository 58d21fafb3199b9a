// Event detail: the index fields, the raw event (pretty, or its exact bytes), every attempt to send
// it, and the aggregate versions it fed.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, query } from '../api.client';
import type { AggregateVersion, Attempt, Attempts, EventWithRaw } from '../api.types';
import { fmtBytes, fmtInt, fmtMs, fmtTime, prettyJson } from '../format';
import { href, navigate, Route } from '../router';
import { Fields, Section } from '../ui/bits';
import { DataTable } from '../ui/data-table';
import { ErrorBox, Loading } from '../ui/error-box';
import { useAsync } from '../ui/use-async';
import { LookupForm } from './entity.page';

function RawView({ raw }: { raw: string }) {
  const [exact, setExact] = useState(false);
  const bytes = useMemo(() => new TextEncoder().encode(raw), [raw]);
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const u = URL.createObjectURL(new Blob([bytes], { type: 'application/json' }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [bytes]);
  return (
    <div class="raw-view">
      <div role="group" aria-label="Raw view">
        <button type="button" aria-pressed={!exact} onClick={() => setExact(false)}>
          Pretty
        </button>
        <button type="button" aria-pressed={exact} onClick={() => setExact(true)}>
          Exact bytes
        </button>
        <a href={url} download="event.json">
          Download exact bytes ({fmtInt(bytes.length)} B)
        </a>
      </div>
      <pre class="raw" data-testid={exact ? 'raw-exact' : 'raw-pretty'} tabIndex={0}>
        {exact ? raw : prettyJson(raw)}
      </pre>
    </div>
  );
}

export function EventPage({ eventId }: { route: Route; eventId?: string }) {
  const id = eventId?.toLowerCase();
  const event = useAsync(
    (signal) => (id ? api<EventWithRaw>(`/events/${id}`, { signal }) : Promise.resolve(undefined)),
    [id],
  );
  const attempts = useAsync(
    (signal) =>
      id
        ? api<Attempts>(`/events/${id}/attempts${query({ limit: 1000 })}`, { signal })
        : Promise.resolve(undefined),
    [id],
  );
  const aggregates = useAsync(
    (signal) =>
      id
        ? api<{ key: string; items: AggregateVersion[] }>(`/events/${id}/aggregates`, { signal })
        : Promise.resolve(undefined),
    [id],
  );
  const e = event.data;
  return (
    <>
      <div class="page-head">
        <h1>Event{id && <span class="mono"> {id}</span>}</h1>
        <LookupForm
          key={id}
          label="Event id"
          initial={id ?? ''}
          placeholder="32 hex characters"
          onGo={(v) => navigate(['events', v])}
        />
      </div>
      {!id ? (
        <p class="empty">
          Enter an event id (32 hex characters, as ingest answered it) to see the event as stored.
        </p>
      ) : event.error ? (
        <ErrorBox error={event.error} retry={event.reload} />
      ) : !e ? (
        <Loading what="the event" />
      ) : (
        <>
          <Section title="Index fields" id="fields">
            <Fields
              rows={[
                ['source', <a href={href(['sources', e.source])}>{e.source}</a>],
                ['type', e.type],
                ['entity_id', <a href={href(['entities', e.entity_id])}>{e.entity_id}</a>],
                ['occurred_at', fmtTime(e.occurred_at)],
                ['received_at', fmtTime(e.received_at)],
                ['lag', `${fmtMs(e.lag_ms)}${e.late ? ' (late)' : ''}${e.future ? ' (future)' : ''}`],
                ['sequence', e.sequence ?? '–'],
                ['idempotency_key', e.idempotency_key ?? '–'],
                ['schema_version', e.schema_version ?? '–'],
                ['payload_sha256', <span class="mono small">{e.payload_sha256}</span>],
                ['size', fmtBytes(e.size_bytes)],
                ['s3_key', <span class="mono small">{e.s3_key}</span>],
                ['s3_range', e.s3_range ? `${e.s3_range[0]}–${e.s3_range[1]}` : 'own object'],
                ['request_id', <span class="mono small">{e.request_id}</span>],
                ['duplicates', fmtInt(e.duplicate_count)],
                ['conflicts', fmtInt(e.conflict_count)],
              ]}
            />
          </Section>
          <Section title="Raw event as received" id="raw">
            <RawView raw={e.raw} />
          </Section>
        </>
      )}
      {id && e && (
        <Section title="Attempts" id="attempts">
          {attempts.error ? (
            <ErrorBox error={attempts.error} retry={attempts.reload} />
          ) : !attempts.data ? (
            <Loading what="attempts" />
          ) : (
            <DataTable<Attempt>
              testId="attempts"
              caption={`${attempts.data.items.length} submissions: the first, then every kept repeat`}
              rows={attempts.data.items}
              rowKey={(a) => `${a.kind}${a.received_at}${a.request_id}`}
              empty="No attempts recorded."
              rowClass={(a) => (a.kind === 'conflict' ? 'row-bad' : undefined)}
              columns={[
                { key: 'kind', label: 'Kind', render: (a) => a.kind },
                { key: 'received', label: 'Received', render: (a) => fmtTime(a.received_at) },
                {
                  key: 'same',
                  label: 'Same payload',
                  render: (a) => (a.same_payload_as_first ? 'yes' : 'no, different'),
                },
                {
                  key: 'sha',
                  label: 'Payload sha256',
                  render: (a) => <span class="mono small">{a.payload_sha256.slice(0, 16)}…</span>,
                },
                {
                  key: 'request',
                  label: 'Request id',
                  render: (a) => <span class="mono small">{a.request_id ?? '–'}</span>,
                },
              ]}
            />
          )}
        </Section>
      )}
      {id && e && (
        <Section title="Aggregate versions it fed" id="event-aggregates">
          {aggregates.error ? (
            <ErrorBox error={aggregates.error} retry={aggregates.reload} />
          ) : !aggregates.data ? (
            <Loading what="aggregates" />
          ) : (
            <DataTable<AggregateVersion>
              testId="event-aggregates"
              caption={`Versions of bucket ${aggregates.data.key} that include this event`}
              rows={aggregates.data.items}
              rowKey={(v) => String(v.version)}
              empty={
                <>
                  No aggregate version includes this event yet: it is counted once a replay sends it to the
                  processor.
                </>
              }
              columns={[
                {
                  key: 'key',
                  label: 'Bucket',
                  render: (v) => <a href={href(['aggregates', v.key], { v: String(v.version) })}>{v.key}</a>,
                },
                { key: 'version', label: 'Version', render: (v) => v.version, numeric: true },
                { key: 'count', label: 'Count', render: (v) => fmtInt(v.value.count), numeric: true },
                { key: 'inputs', label: 'Inputs', render: (v) => fmtInt(v.input_count), numeric: true },
                { key: 'computed', label: 'Computed', render: (v) => fmtTime(v.computed_at) },
              ]}
            />
          )}
        </Section>
      )}
    </>
  );
}
