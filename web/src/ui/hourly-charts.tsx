// The source page's two charts (lag quantiles of one type, submissions of all types) and their numbers.
import { fmtInt, fmtMs } from '../format';
import type { Series } from '../hourly-series';
import { LineChart } from './line-chart';

const hourLabel = (x: number) => new Date(x * 1000).toISOString().slice(0, 13).replace('T', ' ') + ':00';

function SeriesTable({
  caption,
  x,
  cols,
  format,
}: {
  caption: string;
  x: number[];
  cols: [string, (number | null)[]][];
  format: (v: number | null) => string;
}) {
  return (
    <details>
      <summary>{caption}: the numbers</summary>
      <table class="compact" data-testid={caption}>
        <thead>
          <tr>
            <th scope="col">hour (UTC)</th>
            {cols.map(([l]) => (
              <th key={l} scope="col" class="num">
                {l}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {x.map((t, i) => (
            <tr key={t}>
              <td>{hourLabel(t)}</td>
              {cols.map(([l, v]) => (
                <td key={l} class="num">
                  {format(v[i])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function HourlyCharts({
  series,
  counts,
  type,
}: {
  series: Series | undefined;
  counts: Series;
  type: string;
}) {
  return (
    <div class="charts">
      <div>
        <h3>Lag per hour, type {type}</h3>
        {series ? (
          <>
            <LineChart
              title={`lag p50, p95 and p99 per hour of ${type}`}
              x={series.x}
              format={(v) => fmtMs(v)}
              lines={[
                { label: 'p50', values: series.p50, color: '#2b7bb9' },
                { label: 'p95', values: series.p95, color: '#e08a00' },
                { label: 'p99', values: series.p99, color: '#c62828' },
              ]}
            />
            <SeriesTable
              caption="lag per hour"
              x={series.x}
              format={fmtMs}
              cols={[
                ['p50', series.p50],
                ['p95', series.p95],
                ['p99', series.p99],
              ]}
            />
          </>
        ) : (
          <p class="empty">No accepted events of this type in the window, so no lag.</p>
        )}
      </div>
      <div>
        <h3>Submissions per hour, all types</h3>
        <LineChart
          title="received, accepted, duplicates and rejected per hour"
          x={counts.x}
          format={(v) => fmtInt(v)}
          lines={[
            { label: 'received', values: counts.received, color: '#555' },
            { label: 'accepted', values: counts.accepted, color: '#2e7d32' },
            { label: 'duplicates', values: counts.duplicates, color: '#e08a00' },
            { label: 'rejected', values: counts.rejected, color: '#c62828' },
          ]}
        />
        <SeriesTable
          caption="submissions per hour"
          x={counts.x}
          format={fmtInt}
          cols={[
            ['received', counts.received],
            ['accepted', counts.accepted],
            ['duplicates', counts.duplicates],
            ['rejected', counts.rejected],
          ]}
        />
      </div>
    </div>
  );
}
