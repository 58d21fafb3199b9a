// Sources overview: every (source, type) row of /stats, worst first, with a lag-p99 trend per row.
import { api, pool, query } from '../api.client';
import type { Stats, StatsRow } from '../api.types';
import { fmtInt, fmtMs, fmtTime } from '../format';
import { rowKey, Series, seriesByRow } from '../hourly-series';
import { href, navigate, Route } from '../router';
import {
  Bucket,
  hourBuckets,
  parseWindow,
  resolveWindow,
  ResolvedWindow,
  WindowChoice,
  windowParams,
} from '../time-window';
import { HealthBadge } from '../ui/bits';
import { Column, DataTable } from '../ui/data-table';
import { ErrorBox, Loading } from '../ui/error-box';
import { Sparkline } from '../ui/sparkline';
import { useAsync } from '../ui/use-async';
import { WindowPicker } from '../ui/window-picker';

/** One /stats read per bucket (hour), a few at a time: the counters are kept per hour. */
export async function hourlyStats(
  window: ResolvedWindow,
  source: string | undefined,
  signal: AbortSignal,
): Promise<{ buckets: Bucket[]; series: Map<string, Series> }> {
  const buckets = hourBuckets(window);
  const perBucket = await pool(
    buckets.map(
      (b) => () =>
        api<Stats>(
          `/stats${query({ source, from: new Date(b.start).toISOString(), to: new Date(b.end).toISOString() })}`,
          { signal },
        ).then((s) => s.rows),
    ),
    6,
  );
  return { buckets, series: seriesByRow(buckets, perBucket) };
}

export function useWindow(route: Route): [WindowChoice, ResolvedWindow, string] {
  const choice = parseWindow(route.params);
  // Presets resolve against "now" once per choice, so reloading a page keeps one consistent window.
  const resolved = resolveWindow(choice);
  const label =
    'preset' in choice ? `last ${choice.preset}` : `${fmtTime(choice.from)} → ${fmtTime(choice.to)}`;
  return [choice, resolved, label];
}

export const trendLabel = (values: (number | null)[]): string => {
  const known = values.filter((v): v is number => v !== null);
  return known.length
    ? `lag p99 per hour: latest ${fmtMs(known[known.length - 1])}, highest ${fmtMs(Math.max(...known))}`
    : 'no lag data';
};

export function SourcesPage({ route }: { route: Route }) {
  const [choice, window, label] = useWindow(route);
  const key = JSON.stringify(windowParams(choice));
  const stats = useAsync((signal) => api<Stats>(`/stats${query(window)}`, { signal }), [key]);
  const trend = useAsync((signal) => hourlyStats(window, undefined, signal), [key]);
  const params = windowParams(choice);

  const columns: Column<StatsRow>[] = [
    {
      key: 'health',
      label: 'Health',
      render: (r) => <HealthBadge health={r.health} />,
      sort: (r) => ({ ok: 0, warn: 1, bad: 2 })[r.health],
    },
    {
      key: 'source',
      label: 'Source',
      render: (r) => <a href={href(['sources', r.source], { ...params, type: r.type })}>{r.source}</a>,
      sort: (r) => r.source,
    },
    { key: 'type', label: 'Type', render: (r) => r.type, sort: (r) => r.type },
    {
      key: 'received',
      label: 'Received',
      render: (r) => fmtInt(r.received),
      sort: (r) => r.received,
      numeric: true,
    },
    {
      key: 'accepted',
      label: 'Accepted',
      render: (r) => fmtInt(r.accepted),
      sort: (r) => r.accepted,
      numeric: true,
    },
    {
      key: 'duplicates',
      label: 'Dupl.',
      render: (r) => fmtInt(r.duplicates),
      sort: (r) => r.duplicates,
      numeric: true,
    },
    {
      key: 'conflicts',
      label: 'Confl.',
      render: (r) => fmtInt(r.conflicts),
      sort: (r) => r.conflicts,
      numeric: true,
    },
    {
      key: 'rejected',
      label: 'Rejected',
      render: (r) => fmtInt(r.rejected),
      sort: (r) => r.rejected,
      numeric: true,
    },
    { key: 'late', label: 'Late', render: (r) => fmtInt(r.late), sort: (r) => r.late, numeric: true },
    {
      key: 'p50',
      label: 'Lag p50',
      render: (r) => fmtMs(r.lag_ms.p50),
      sort: (r) => r.lag_ms.p50,
      numeric: true,
    },
    {
      key: 'p99',
      label: 'Lag p99',
      render: (r) => fmtMs(r.lag_ms.p99),
      sort: (r) => r.lag_ms.p99,
      numeric: true,
    },
    {
      key: 'trend',
      label: 'p99 trend',
      render: (r) => {
        if (trend.error) return <span class="muted">unavailable</span>;
        const s = trend.data?.series.get(rowKey(r));
        return s ? <Sparkline values={s.p99} label={trendLabel(s.p99)} /> : <span class="muted">…</span>;
      },
    },
    {
      key: 'reasons',
      label: 'Why',
      render: (r) =>
        r.health_reasons.length ? r.health_reasons.join('; ') : <span class="muted">within thresholds</span>,
    },
  ];

  return (
    <>
      <div class="page-head">
        <h1>Sources</h1>
        <WindowPicker value={choice} onChange={(w) => navigate(['sources'], windowParams(w))} />
      </div>
      {stats.error ? (
        <ErrorBox error={stats.error} retry={stats.reload} />
      ) : !stats.data ? (
        <Loading what="source statistics" />
      ) : (
        <>
          <p class="meta">
            Counted {fmtTime(stats.data.counted_from)} → {fmtTime(stats.data.counted_to)} ({label}; counters
            are kept per whole UTC hour). Worst first; click a header to sort.
          </p>
          <DataTable
            testId="sources"
            caption={`${stats.data.rows.length} source/type rows`}
            columns={columns}
            rows={stats.data.rows}
            rowKey={rowKey}
            rowClass={(r) => `row-${r.health}`}
            empty={
              <>
                Nothing was received in this window. Producers send events to <code>POST /ingest</code>; try a
                wider window.
              </>
            }
          />
          {trend.error && <ErrorBox error={trend.error} retry={trend.reload} />}
        </>
      )}
    </>
  );
}
