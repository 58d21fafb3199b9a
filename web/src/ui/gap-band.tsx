import type { Gap } from '../api.types';
import { fmtTime } from '../format';

/** The examined window as a band: silent stretches in red, the rest green. */
export function GapBand({ from, to, gaps }: { from: string; to: string; gaps: Gap[] }) {
  const start = Date.parse(from);
  const span = Math.max(1, Date.parse(to) - start);
  const pct = (t: string) => Math.min(100, Math.max(0, ((Date.parse(t) - start) / span) * 100));
  return (
    <div class="band-wrap">
      <div
        class="band"
        role="img"
        aria-label={`${gaps.length} silent stretch${gaps.length === 1 ? '' : 'es'} between ${fmtTime(from)} and ${fmtTime(to)}`}
      >
        {gaps.map((g) => (
          <span
            key={g.from}
            class="band-gap"
            style={{ left: `${pct(g.from)}%`, width: `${Math.max(0.3, pct(g.to) - pct(g.from))}%` }}
            title={`silent ${g.minutes} min: ${fmtTime(g.from)} → ${fmtTime(g.to)}${g.open_end ? ' (still silent)' : ''}`}
          />
        ))}
      </div>
      <div class="band-axis">
        <span>{fmtTime(from)}</span>
        <span>{fmtTime(to)}</span>
      </div>
    </div>
  );
}
