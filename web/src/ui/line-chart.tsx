import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Line {
  label: string;
  values: (number | null)[];
  color: string;
}

function axisTime(t: number): string {
  const iso = new Date(t * 1000).toISOString();
  return iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
}

interface Props {
  title: string;
  /** Bucket starts in seconds. */
  x: number[];
  lines: Line[];
  /** Formats the y values on the axis and in the legend. */
  format: (v: number) => string;
  height?: number;
}

/** A uPlot time chart; the same numbers are in the table beside it for keyboards and screen readers. */
export function LineChart({ title, x, lines, format, height = 220 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          // 24-hour UTC labels; midnight shows the date instead.
          { stroke: '#444', values: (_u, ticks) => ticks.map(axisTime) },
          { stroke: '#444', size: 70, values: (_u, ticks) => ticks.map((t) => format(t)) },
        ],
        series: [
          {
            label: 'hour (UTC)',
            value: (_u, v) =>
              v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 16).replace('T', ' '),
          },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            points: { show: x.length < 60 },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)),
          })),
        ],
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      },
      [x, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [x, lines, format, height]);
  return <div class="chart" ref={box} role="img" aria-label={title} />;
}
