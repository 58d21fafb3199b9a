// Entity timeline: every event of one entity in occurred order, with repeats, conflicts and
// sequence problems marked; each row opens the event.
import { useState } from 'preact/hooks';
import { allPages, api, query } from '../api.client';
import type { EventView, SequenceGaps } from '../api.types';
import { EventRow, sequencedSources, timelineRows, TimelineRow } from '../entity-timeline';
import { fmtInt, fmtMs, fmtTime } from '../format';
import { href, navigate, Route } from '../router';
import { ErrorBox, Loading } from '../ui/error-box';
import { useAsync } from '../ui/use-async';

const MAX_EVENTS = 5000;

export function LookupForm({
  label,
  initial,
  onGo,
  placeholder,
}: {
  label: string;
  initial: string;
  onGo: (v: string) => void;
  placeholder: string;
}) {
  const [value, setValue] = useState(initial);
  return (
    <form
      class="lookup"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) onGo(value.trim());
      }}
    >
      <label for="lookup">{label}</label>
      <input
        id="lookup"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        placeholder={placeholder}
        spellcheck={false}
      />
      <button type="submit">Show</button>
    </form>
  );
}

function Marks({ row }: { row: EventRow }) {
  const e = row.event;
  return (
    <span class="marks">
      {e.duplicate_count > 0 && (
        <span
          class="mark mark-dup"
          title={`received ${e.duplicate_count} more time(s) with the same payload`}
        >
          duplicate ×{e.duplicate_count}
        </span>
      )}
      {e.conflict_count > 0 && (
        <span class="mark mark-conflict" title="its idempotency key was reused with another payload">
          conflict ×{e.conflict_count}
        </span>
      )}
      {e.late && <span class="mark mark-late">late</span>}
      {e.future && <span class="mark mark-late">future</span>}
      {row.outOfOrderAfter !== undefined && (
        <span class="mark mark-seq">out of order (after {row.outOfOrderAfter})</span>
      )}
      {row.repeatedSequence && <span class="mark mark-seq">sequence reused</span>}
    </span>
  );
}

function Timeline({ rows }: { rows: TimelineRow[] }) {
  return (
    <div class="table-wrap">
      <table data-testid="timeline" class="timeline">
        <caption>Events in occurred order (oldest first); click a row to open the event</caption>
        <thead>
          <tr>
            <th scope="col">Occurred</th>
            <th scope="col">Received</th>
            <th scope="col">Source</th>
            <th scope="col">Type</th>
            <th scope="col" class="num">
              Seq.
            </th>
            <th scope="col" class="num">
              Lag
            </th>
            <th scope="col">Marks</th>
            <th scope="col">Event</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) =>
            r.kind === 'missing' ? (
              <tr key={`gap-${r.source}-${r.from}`} class="seq-gap" data-testid="sequence-gap">
                <td colSpan={8}>
                  ⚠ sequence {r.from === r.to ? r.from : `${r.from}–${r.to}`} missing ({fmtInt(r.count)}) from
                  source {r.source}
                </td>
              </tr>
            ) : (
              <tr
                key={r.event.event_id}
                class={`clickable${r.event.duplicate_count || r.event.conflict_count ? ' row-warn' : ''}`}
                onClick={() => navigate(['events', r.event.event_id])}
              >
                <td>{fmtTime(r.event.occurred_at)}</td>
                <td>{fmtTime(r.event.received_at)}</td>
                <td>{r.event.source}</td>
                <td>{r.event.type}</td>
                <td class="num">{r.event.sequence ?? '–'}</td>
                <td class="num">{fmtMs(r.event.lag_ms)}</td>
                <td>
                  <Marks row={r} />
                </td>
                <td>
                  <a class="mono" href={href(['events', r.event.event_id])}>
                    {r.event.event_id}
                  </a>
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}

async function loadTimeline(entity: string, signal: AbortSignal) {
  const events = await allPages<EventView>(
    (cursor) => `/events${query({ entity_id: entity, order: 'asc', limit: 1000, cursor })}`,
    MAX_EVENTS,
    signal,
  );
  const reports = await Promise.all(
    sequencedSources(events.items).map((source) =>
      api<SequenceGaps>(`/entities/${encodeURIComponent(entity)}/sequence-gaps${query({ source })}`, {
        signal,
      }),
    ),
  );
  return { ...events, reports, rows: timelineRows(events.items, reports) };
}

export function EntityPage({ entity }: { route: Route; entity?: string }) {
  const timeline = useAsync(
    (signal) => (entity ? loadTimeline(entity, signal) : Promise.resolve(undefined)),
    [entity],
  );
  const d = timeline.data;
  return (
    <>
      <div class="page-head">
        <h1>Entity timeline{entity && <span class="mono"> {entity}</span>}</h1>
        <LookupForm
          key={entity}
          label="Entity id"
          initial={entity ?? ''}
          placeholder="order-123"
          onGo={(v) => navigate(['entities', v])}
        />
      </div>
      {!entity ? (
        <p class="empty">
          Enter an entity id (for example an order or device id) to see everything that happened to it.
        </p>
      ) : timeline.error ? (
        <ErrorBox error={timeline.error} retry={timeline.reload} />
      ) : !d ? (
        <Loading what="the timeline" />
      ) : d.items.length === 0 ? (
        <p class="empty">No events for entity “{entity}”. Entity ids are exact and case-sensitive.</p>
      ) : (
        <>
          <p class="meta" data-testid="timeline-summary">
            {fmtInt(d.items.length)}
            {d.more ? '+' : ''} events · {fmtInt(d.items.filter((e) => e.duplicate_count > 0).length)} with
            duplicates · {fmtInt(d.items.filter((e) => e.conflict_count > 0).length)} with conflicts ·{' '}
            {fmtInt(d.reports.reduce((n, r) => n + r.missing_count, 0))} sequence numbers missing ·{' '}
            <a href={href(['aggregates'], { entity })}>aggregates of this entity</a>
          </p>
          {d.more && <p class="hint">Showing the first {fmtInt(MAX_EVENTS)} events.</p>}
          <Timeline rows={d.rows} />
        </>
      )}
    </>
  );
}
