// Aggregates: an entity's hourly buckets, the versions of one bucket, the diff between two versions,
// and the lineage of a version back to the events that made it.
import { useState } from 'preact/hooks';
import { api, query } from '../api.client';
import type { AggregateDiff, AggregateVersion } from '../api.types';
import { fmtInt, fmtTime } from '../format';
import { href, navigate, Route } from '../router';
import { windowParams } from '../time-window';
import { EventLink, Fields, Section } from '../ui/bits';
import { DataTable } from '../ui/data-table';
import { ErrorBox, Loading } from '../ui/error-box';
import { useAsync } from '../ui/use-async';
import { WindowPicker } from '../ui/window-picker';
import { LookupForm } from './entity.page';
import { useWindow } from './sources.page';

const byType = (v: AggregateVersion) =>
  Object.entries(v.value.by_type)
    .map(([t, n]) => `${t}: ${n}`)
    .join(', ');

const show = (v: unknown) =>
  v === undefined || v === null ? '–' : typeof v === 'string' ? v : JSON.stringify(v);

function EntityBuckets({ route, entity }: { route: Route; entity: string }) {
  const [choice, window] = useWindow(route);
  const list = useAsync(
    (signal) =>
      api<{ items: AggregateVersion[] }>(
        `/aggregates${query({ entity_id: entity, aggregator: 'entity_hour', ...window })}`,
        { signal },
      ),
    [entity, JSON.stringify(windowParams(choice))],
  );
  return (
    <>
      <WindowPicker
        value={choice}
        onChange={(w) => navigate(['aggregates'], { entity, ...windowParams(w) })}
      />
      {list.error ? (
        <ErrorBox error={list.error} retry={list.reload} />
      ) : !list.data ? (
        <Loading what="aggregates" />
      ) : (
        <DataTable<AggregateVersion>
          testId="buckets"
          caption={`Hourly buckets of ${entity} (latest version of each, by occurred hour)`}
          rows={list.data.items}
          rowKey={(v) => v.key}
          empty="No aggregate in this window: buckets appear once a replay has sent the entity's events to the processor."
          columns={[
            { key: 'key', label: 'Bucket', render: (v) => <a href={href(['aggregates', v.key])}>{v.key}</a> },
            { key: 'version', label: 'Version', render: (v) => v.version, numeric: true },
            { key: 'count', label: 'Count', render: (v) => fmtInt(v.value.count), numeric: true },
            { key: 'types', label: 'By type', render: byType },
            { key: 'computed', label: 'Computed', render: (v) => fmtTime(v.computed_at) },
          ]}
        />
      )}
    </>
  );
}

function Lineage({ bucket, version }: { bucket: string; version: number }) {
  const v = useAsync(
    (signal) =>
      api<AggregateVersion>(`/aggregates/${encodeURIComponent(bucket)}/versions/${version}`, { signal }),
    [bucket, version],
  );
  if (v.error) return <ErrorBox error={v.error} retry={v.reload} />;
  if (!v.data) return <Loading what="lineage" />;
  const ids = v.data.input_event_ids ?? [];
  return (
    <div data-testid="lineage">
      <Fields
        rows={[
          ['input_count', fmtInt(v.data.input_count)],
          ['input_hash', <span class="mono small">{v.data.input_hash}</span>],
          ['processor', v.data.processor_version],
          [
            'replays',
            v.data.replay_ids.map((r) => (
              <a key={r} href={href(['replays', r])}>
                {r}{' '}
              </a>
            )),
          ],
          ['lineage object', <span class="mono small">{v.data.lineage_key}</span>],
        ]}
      />
      <ol class="ids">
        {ids.map((id) => (
          <li key={id}>
            <EventLink id={id} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function Diff({ bucket, from, to }: { bucket: string; from: number; to: number }) {
  const d = useAsync(
    (signal) =>
      api<AggregateDiff>(`/aggregates/${encodeURIComponent(bucket)}/diff${query({ from, to })}`, { signal }),
    [bucket, from, to],
  );
  if (d.error) return <ErrorBox error={d.error} retry={d.reload} />;
  if (!d.data) return <Loading what="the diff" />;
  return (
    <div data-testid="diff">
      <DataTable
        testId="diff-changes"
        caption={`Value changes from version ${from} to ${to}`}
        rows={d.data.changes}
        rowKey={(c) => c.field}
        empty="The values are the same."
        columns={[
          { key: 'field', label: 'Field', render: (c) => <span class="mono">{c.field}</span> },
          { key: 'from', label: `v${from}`, render: (c) => show(c.from) },
          { key: 'to', label: `v${to}`, render: (c) => show(c.to) },
        ]}
      />
      <p>
        Inputs added:{' '}
        {d.data.added_event_ids.length === 0
          ? 'none'
          : d.data.added_event_ids.map((id) => <EventLink key={id} id={id} />)}
      </p>
      <p>
        Inputs removed:{' '}
        {d.data.removed_event_ids.length === 0
          ? 'none'
          : d.data.removed_event_ids.map((id) => <EventLink key={id} id={id} />)}
      </p>
    </div>
  );
}

function Bucket({ route, bucket }: { route: Route; bucket: string }) {
  const data = useAsync(
    (signal) =>
      api<{ key: string; latest: AggregateVersion; versions: AggregateVersion[] }>(
        `/aggregates/${encodeURIComponent(bucket)}`,
        { signal },
      ),
    [bucket],
  );
  const [diff, setDiff] = useState<{ from: number; to: number }>();
  if (data.error) return <ErrorBox error={data.error} retry={data.reload} />;
  if (!data.data) return <Loading what="versions" />;
  const versions = data.data.versions;
  const latest = data.data.latest.version;
  const lineageOf = Number(route.params.get('v')) || latest;
  const pair = diff ?? { from: Math.max(1, latest - 1), to: latest };
  const entity = data.data.latest.entity_id;
  return (
    <>
      <p class="meta">
        <a href={href(['aggregates'], { entity })}>← buckets of {entity}</a> ·{' '}
        <a href={href(['entities', entity])}>timeline of {entity}</a>
      </p>
      <DataTable<AggregateVersion>
        testId="versions"
        caption={`Versions of ${bucket}, oldest first`}
        rows={versions}
        rowKey={(v) => String(v.version)}
        empty="No versions."
        columns={[
          { key: 'version', label: 'Version', render: (v) => v.version, numeric: true },
          { key: 'count', label: 'Count', render: (v) => fmtInt(v.value.count), numeric: true },
          { key: 'types', label: 'By type', render: byType },
          { key: 'inputs', label: 'Inputs', render: (v) => fmtInt(v.input_count), numeric: true },
          { key: 'computed', label: 'Computed', render: (v) => fmtTime(v.computed_at) },
          {
            key: 'lineage',
            label: 'Lineage',
            render: (v) => (
              <a href={href(['aggregates', bucket], { v: String(v.version) })}>events of v{v.version}</a>
            ),
          },
        ]}
      />
      {versions.length > 1 && (
        <Section title="Diff" id="diff">
          <form class="inline-form" onSubmit={(e) => e.preventDefault()}>
            {(['from', 'to'] as const).map((end) => (
              <label key={end}>
                {end === 'from' ? 'From version' : 'to version'}{' '}
                <select
                  name={`diff-${end}`}
                  value={pair[end]}
                  onChange={(e) => setDiff({ ...pair, [end]: Number(e.currentTarget.value) })}
                >
                  {versions.map((v) => (
                    <option key={v.version} value={v.version}>
                      {v.version}
                    </option>
                  ))}
                </select>
              </label>
            ))}
          </form>
          <Diff bucket={bucket} from={pair.from} to={pair.to} />
        </Section>
      )}
      <Section title={`Lineage of version ${lineageOf}: the events it was computed from`} id="lineage">
        <Lineage bucket={bucket} version={lineageOf} />
      </Section>
    </>
  );
}

export function AggregatesPage({ route, bucket }: { route: Route; bucket?: string }) {
  const entity = route.params.get('entity') ?? undefined;
  return (
    <>
      <div class="page-head">
        <h1>Aggregates{bucket && <span class="mono"> {bucket}</span>}</h1>
        {!bucket && (
          <LookupForm
            key={entity}
            label="Entity id"
            initial={entity ?? ''}
            placeholder="order-123"
            onGo={(v) => navigate(['aggregates'], { entity: v })}
          />
        )}
      </div>
      {bucket ? (
        <Bucket route={route} bucket={bucket} />
      ) : entity ? (
        <EntityBuckets route={route} entity={entity} />
      ) : (
        <p class="empty">
          Enter an entity id to see its hourly aggregates, their versions and where each came from.
        </p>
      )}
    </>
  );
}
